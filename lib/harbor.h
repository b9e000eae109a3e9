/*
 * harbor: reading Harbor's own records as berth's, for berthctl
 * import-harbor.  No I/O.
 *
 * Facts of Harbor 2.2 and later (its make/migrations/postgresql and
 * src/common/utils/encrypt.go) that these rely on:
 *   - harbor_user.password is hex(PBKDF2(password, salt, 4096, 16 bytes,
 *     HMAC-<password_version>)), salt in its own column, password_version
 *     "sha256" (or "sha1" for accounts older than Harbor 1.7);
 *   - role names: projectAdmin, developer, guest, maintainer (called
 *     master when Harbor 1.8 added it), limitedGuest;
 *   - a project robot's name is stored as "<project>+<name>", a system
 *     robot's as "<name>"; the "robot$" prefix is added when shown;
 *   - a robot's permissions are permission_policy rows whose scope is
 *     "/project/<project_id>", "/project/" then "*" (every project) or
 *     "/system".
 */
#ifndef BERTH_HARBOR_H
#define BERTH_HARBOR_H

#include <stddef.h>

#include "err.h"

#define HARBOR_SALT_MAX		64	/* bytes; Harbor's column holds 40 */

/*
 * The stored form lib/password verifies for a Harbor password:
 * "$harbor-pbkdf2-<version>$<salt>$<hex>", into out (outsz bytes).
 * APP_OK; APP_ENOTFOUND when the account has no local password (empty
 * hash: a user of LDAP or OIDC); APP_EBADREQ when the parts are not what
 * Harbor writes (unknown version, a salt that is empty, too long or
 * holds '$' or a control character, a hash that is not 32 hex digits).
 * *why gets a static message either way.
 */
enum app_err	harbor_password_hash(const char *version, const char *salt,
		    const char *hex, char *out, size_t outsz,
		    const char **why) WUR;

/* Harbor's role name to its role id, 1..5; 0 when unknown. */
int		harbor_role(const char *name);

/*
 * A robot's name as Harbor stores it to its name within berth: for a
 * project robot (project not NULL) the part after "<project>+", for a
 * system robot the name itself.  APP_OK with *name pointing into
 * stored, or APP_EBADREQ (a project robot whose name does not start
 * with its project's).
 */
enum app_err	harbor_robot_name(const char *stored, const char *project,
		    const char **name) WUR;

enum harbor_scope {
	HARBOR_SCOPE_PROJECT,	/* "/project/<id>", the id in *project_id */
	HARBOR_SCOPE_ALL,	/* "/project/" then "*": every project */
	HARBOR_SCOPE_SYSTEM,	/* "/system" */
	HARBOR_SCOPE_BAD,
};

enum harbor_scope	harbor_scope_parse(const char *scope,
			    long long *project_id);

#endif
