/* names: the rules for usernames and project names (see names.h). */
#include <stdbool.h>
#include <string.h>

#include "names.h"

/*
 * Words that would read as something else: an API path segment
 * (/users/current, /users/search), the anonymous caller, a robot.
 */
static const char *const reserved_users[] = {
	"anonymous", "current", "search", "robot", "system", "null",
};

/*
 * First path components the registry or berth use themselves, so that
 * no repository name can look like one of their URLs.
 */
static const char *const reserved_projects[] = {
	"v2", "api", "service", "health",
};

static bool
is_reserved(const char *s, size_t len, const char *const *tab, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(tab[i]) == len && memcmp(tab[i], s, len) == 0)
			return true;
	return false;
}

static bool
alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

enum app_err
names_check_user(const char *s, size_t len, const char **why)
{
	if (len == 0 || len > NAMES_USER_MAX) {
		*why = "username must be 1 to 255 characters";
		return APP_EBADREQ;
	}
	if (s[0] == '-' || s[0] == '.') {
		*why = "username must not start with '-' or '.'";
		return APP_EBADREQ;
	}
	for (size_t i = 0; i < len; i++)
		if (!alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-') {
			*why = "username may hold only a-z, 0-9, '.', '_' "
			    "and '-'";
			return APP_EBADREQ;
		}
	if (is_reserved(s, len, reserved_users,
	    sizeof(reserved_users) / sizeof(reserved_users[0]))) {
		*why = "username is reserved";
		return APP_EBADREQ;
	}
	return APP_OK;
}

enum app_err
names_check_project(const char *s, size_t len, const char **why)
{
	size_t	 i = 0;

	*why = "project name must match [a-z0-9]+((.|_|__|-+)[a-z0-9]+)* "
	    "and be 1 to 255 characters";
	if (len == 0 || len > NAMES_PROJECT_MAX)
		return APP_EBADREQ;
	for (;;) {
		/* A run of [a-z0-9]+ ... */
		if (i == len || !alnum(s[i]))
			return APP_EBADREQ;
		while (i < len && alnum(s[i]))
			i++;
		if (i == len)
			break;
		/* ... then one separator: '.', '_', "__" or '-'+. */
		if (s[i] == '.')
			i++;
		else if (s[i] == '_')
			i += i + 1 < len && s[i + 1] == '_' ? 2 : 1;
		else if (s[i] == '-')
			while (i < len && s[i] == '-')
				i++;
		else
			return APP_EBADREQ;
	}
	if (is_reserved(s, len, reserved_projects,
	    sizeof(reserved_projects) / sizeof(reserved_projects[0]))) {
		*why = "project name is reserved";
		return APP_EBADREQ;
	}
	return APP_OK;
}
