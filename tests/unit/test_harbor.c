/*
 * test_harbor: Harbor's records as berth's (lib/harbor.c), and the
 * imported password hashes verifying in lib/password.c.
 */
#include <stdbool.h>
#include <string.h>

#include "harbor.h"
#include "password.h"
#include "t.h"

/*
 * PBKDF2 vectors computed outside berth with
 * openssl kdf -keylen 16 -kdfopt digest:SHA256|SHA1 -kdfopt pass:...
 * -kdfopt salt:abc -kdfopt iter:4096 PBKDF2.
 */
#define SHA256_HEX	"461ed68ffb86e22a642c7c0562eb38c5"	/* Harbor12345 */
#define SHA1_HEX	"898893127f6b7635d48e9ba8768525ed"	/* x */

static enum app_err
pw(const char *version, const char *salt, const char *hex, char *out,
    size_t outsz)
{
	const char	*why;

	return harbor_password_hash(version, salt, hex, out, outsz, &why);
}

static bool
verifies(const char *pass, const char *hash, bool *upgrade)
{
	return password_verify(pass, strlen(pass), hash, upgrade) == APP_OK;
}

int
main(void)
{
	char		 h[PASSWORD_HASH_MAX], salt[HARBOR_SALT_MAX + 2];
	const char	*name, *why;
	long long	 id;
	bool		 up = false;

	T_EQ_INT(pw("sha256", "abc", SHA256_HEX, h, sizeof(h)), APP_OK,
	    "a sha256 Harbor hash is taken");
	T_EQ_STR(h, "$harbor-pbkdf2-sha256$abc$" SHA256_HEX,
	    "in the form lib/password verifies");
	T_OK(verifies("Harbor12345", h, &up) && up,
	    "the Harbor password verifies, and asks for an upgrade");
	T_OK(!verifies("Harbor12346", h, NULL), "another password does not");
	T_EQ_INT(pw("sha1", "abc", SHA1_HEX, h, sizeof(h)), APP_OK,
	    "a sha1 Harbor hash is taken");
	T_OK(verifies("x", h, &up) && up, "and its password verifies");
	T_OK(!verifies("y", h, NULL), "another password does not");
	T_EQ_INT(pw("sha256", "abc", "461ED68FFB86E22A642C7C0562EB38C5", h,
	    sizeof(h)), APP_OK, "upper-case hex is taken");
	T_OK(verifies("Harbor12345", h, NULL), "and verifies");

	T_EQ_INT(harbor_password_hash("sha256", "", "", h, sizeof(h), &why),
	    APP_ENOTFOUND, "no password at all: not found (LDAP, OIDC)");
	T_OK(why != NULL && strstr(why, "no local password") != NULL,
	    "saying so");
	T_EQ_INT(pw(NULL, "abc", SHA256_HEX, h, sizeof(h)), APP_EBADREQ,
	    "no password_version is refused");
	T_EQ_INT(pw("md5", "abc", SHA256_HEX, h, sizeof(h)), APP_EBADREQ,
	    "an unknown password_version is refused");
	T_EQ_INT(pw("sha256", "", SHA256_HEX, h, sizeof(h)), APP_EBADREQ,
	    "an empty salt is refused");
	T_EQ_INT(pw("sha256", NULL, SHA256_HEX, h, sizeof(h)), APP_EBADREQ,
	    "a missing salt is refused");
	T_EQ_INT(pw("sha256", "a$b", SHA256_HEX, h, sizeof(h)), APP_EBADREQ,
	    "a salt with '$' is refused");
	T_EQ_INT(pw("sha256", "a\nb", SHA256_HEX, h, sizeof(h)), APP_EBADREQ,
	    "a salt with a control character is refused");
	memset(salt, 's', sizeof(salt) - 1);
	salt[sizeof(salt) - 1] = '\0';
	T_EQ_INT(pw("sha256", salt, SHA256_HEX, h, sizeof(h)), APP_EBADREQ,
	    "a salt over HARBOR_SALT_MAX is refused");
	salt[HARBOR_SALT_MAX] = '\0';
	T_EQ_INT(pw("sha256", salt, SHA256_HEX, h, sizeof(h)), APP_OK,
	    "a salt of HARBOR_SALT_MAX is taken");
	T_EQ_INT(pw("sha256", "abc", "461ed68ffb86e22a642c7c0562eb38c", h,
	    sizeof(h)), APP_EBADREQ, "31 hex digits are refused");
	T_EQ_INT(pw("sha256", "abc", SHA256_HEX "0", h, sizeof(h)),
	    APP_EBADREQ, "33 hex digits are refused");
	T_EQ_INT(pw("sha256", "abc", "g61ed68ffb86e22a642c7c0562eb38c5", h,
	    sizeof(h)), APP_EBADREQ, "a non-hex digit is refused");
	T_EQ_INT(pw("sha256", "abc", SHA256_HEX, h, 20), APP_EBADREQ,
	    "a buffer too small is refused");
	T_EQ_STR(h, "", "and left empty");

	T_EQ_INT(harbor_role("projectAdmin"), 1, "projectAdmin is 1");
	T_EQ_INT(harbor_role("developer"), 2, "developer is 2");
	T_EQ_INT(harbor_role("guest"), 3, "guest is 3");
	T_EQ_INT(harbor_role("maintainer"), 4, "maintainer is 4");
	T_EQ_INT(harbor_role("master"), 4, "master (maintainer's old name) is 4");
	T_EQ_INT(harbor_role("limitedGuest"), 5, "limitedGuest is 5");
	T_EQ_INT(harbor_role("Developer"), 0, "role names are exact");
	T_EQ_INT(harbor_role(NULL), 0, "no role is 0");

	T_OK(harbor_robot_name("team+ci", "team", &name) == APP_OK &&
	    strcmp(name, "ci") == 0, "a project robot's name follows '+'");
	T_OK(harbor_robot_name("sysbot", NULL, &name) == APP_OK &&
	    strcmp(name, "sysbot") == 0, "a system robot's name is its own");
	T_EQ_INT(harbor_robot_name("teamx+ci", "team", &name), APP_EBADREQ,
	    "another project's prefix is refused");
	T_EQ_INT(harbor_robot_name("other+ci", "team", &name), APP_EBADREQ,
	    "another project's name is refused");
	T_EQ_INT(harbor_robot_name("team-ci", "team", &name), APP_EBADREQ,
	    "a name without '+' is refused");
	T_EQ_INT(harbor_robot_name("team+", "team", &name), APP_EBADREQ,
	    "an empty name is refused");
	T_EQ_INT(harbor_robot_name(NULL, "team", &name), APP_EBADREQ,
	    "no name is refused");

	T_EQ_INT(harbor_scope_parse("/system", &id), HARBOR_SCOPE_SYSTEM,
	    "/system");
	T_EQ_INT(harbor_scope_parse("/project/*", &id), HARBOR_SCOPE_ALL,
	    "every project");
	T_OK(harbor_scope_parse("/project/12", &id) == HARBOR_SCOPE_PROJECT &&
	    id == 12, "/project/12 is project 12");
	T_EQ_INT(harbor_scope_parse("/project/9223372036854775807", &id),
	    HARBOR_SCOPE_BAD, "an id near the top of the range is refused");
	T_EQ_INT(harbor_scope_parse("/project/99999999999999999999", &id),
	    HARBOR_SCOPE_BAD, "an id out of range is refused");
	T_EQ_INT(harbor_scope_parse("/project/0", &id), HARBOR_SCOPE_BAD,
	    "project 0 is refused");
	T_EQ_INT(harbor_scope_parse("/project/012", &id), HARBOR_SCOPE_BAD,
	    "a leading zero is refused");
	T_EQ_INT(harbor_scope_parse("/project/-1", &id), HARBOR_SCOPE_BAD,
	    "a sign is refused");
	T_EQ_INT(harbor_scope_parse("/project/1a", &id), HARBOR_SCOPE_BAD,
	    "trailing garbage is refused");
	T_EQ_INT(harbor_scope_parse("/project/", &id), HARBOR_SCOPE_BAD,
	    "no id is refused");
	T_EQ_INT(harbor_scope_parse("/projects/1", &id), HARBOR_SCOPE_BAD,
	    "another path is refused");
	T_EQ_INT(harbor_scope_parse(NULL, &id), HARBOR_SCOPE_BAD,
	    "no scope is refused");
	return t_done();
}
