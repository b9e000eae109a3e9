/* harbor: Harbor's records as berth's (see harbor.h). */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harbor.h"
#include "hex.h"

#define HARBOR_HEX_LEN	32	/* 16 bytes of PBKDF2 output */

enum app_err
harbor_password_hash(const char *version, const char *salt, const char *hex,
    char *out, size_t outsz, const char **why)
{
	size_t	 i, saltlen;
	int	 n;

	if (outsz > 0)
		out[0] = '\0';
	if (hex == NULL || *hex == '\0') {
		*why = "no local password in Harbor (an LDAP or OIDC "
		    "account?)";
		return APP_ENOTFOUND;
	}
	if (version == NULL || (strcmp(version, "sha256") != 0 &&
	    strcmp(version, "sha1") != 0)) {
		*why = "unknown password_version";
		return APP_EBADREQ;
	}
	saltlen = salt != NULL ? strlen(salt) : 0;
	if (saltlen == 0 || saltlen > HARBOR_SALT_MAX) {
		*why = "missing or oversized salt";
		return APP_EBADREQ;
	}
	/* lib/password splits at '$'; the salt is used as its bytes. */
	for (i = 0; i < saltlen; i++)
		if (salt[i] == '$' || (unsigned char)salt[i] < 0x20 ||
		    salt[i] == 0x7f) {
			*why = "salt holds '$' or a control character";
			return APP_EBADREQ;
		}
	if (strlen(hex) != HARBOR_HEX_LEN) {
		*why = "password hash is not 32 hex digits";
		return APP_EBADREQ;
	}
	for (i = 0; i < HARBOR_HEX_LEN; i++)
		if (hex_digit((unsigned char)hex[i]) == -1) {
			*why = "password hash is not 32 hex digits";
			return APP_EBADREQ;
		}
	n = snprintf(out, outsz, "$harbor-pbkdf2-%s$%s$%s", version, salt,
	    hex);
	if (n < 0 || (size_t)n >= outsz) {
		if (outsz > 0)
			out[0] = '\0';
		*why = "password hash too long";
		return APP_EBADREQ;
	}
	*why = NULL;
	return APP_OK;
}

int
harbor_role(const char *name)
{
	static const struct {
		const char	*name;
		int		 id;
	} roles[] = {
		{ "projectAdmin", 1 },
		{ "developer", 2 },
		{ "guest", 3 },
		{ "maintainer", 4 },
		{ "master", 4 },
		{ "limitedGuest", 5 },
	};

	if (name == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(name, roles[i].name) == 0)
			return roles[i].id;
	return 0;
}

enum app_err
harbor_robot_name(const char *stored, const char *project, const char **name)
{
	size_t	 n;

	*name = NULL;
	if (stored == NULL)
		return APP_EBADREQ;
	if (project == NULL) {
		*name = stored;
		return APP_OK;
	}
	n = strlen(project);
	if (n == 0 || strncmp(stored, project, n) != 0 || stored[n] != '+' ||
	    stored[n + 1] == '\0')
		return APP_EBADREQ;
	*name = stored + n + 1;
	return APP_OK;
}

enum harbor_scope
harbor_scope_parse(const char *scope, long long *project_id)
{
	const char	*p;
	long long	 id = 0;

	*project_id = 0;
	if (scope == NULL)
		return HARBOR_SCOPE_BAD;
	if (strcmp(scope, "/system") == 0)
		return HARBOR_SCOPE_SYSTEM;
	if (strcmp(scope, "/project/*") == 0)
		return HARBOR_SCOPE_ALL;
	if (strncmp(scope, "/project/", 9) != 0)
		return HARBOR_SCOPE_BAD;
	/* Digits only: no sign, no space, no leading zero, in range. */
	p = scope + 9;
	if (*p < '1' || *p > '9')
		return HARBOR_SCOPE_BAD;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || id > (LLONG_MAX - 9) / 10)
			return HARBOR_SCOPE_BAD;
		id = id * 10 + (*p - '0');
	}
	*project_id = id;
	return HARBOR_SCOPE_PROJECT;
}
