/*
 * schemas: the admin API's request bodies, as strict schemas.  Each is
 * a static table checked by api_check() (api.h): no unknown field, one
 * type each, strings within a byte length, integers within a range.
 * Shapes follow Harbor's /api/v2.0 models.  No I/O; unit-tested by
 * tests/unit/test_schemas.c and fuzzed by tests/fuzz/fuzz_admin.c.
 */
#ifndef BERTH_SCHEMAS_H
#define BERTH_SCHEMAS_H

#include <stddef.h>

#include "api.h"

#define SCHEMA_ROBOT_PERMS_MAX	64	/* namespaces of one robot */
#define SCHEMA_ROBOT_ACCESS_MAX	16	/* access entries per namespace */
#define SCHEMA_ROBOT_DAYS_MAX	36500	/* a robot's duration, in days */

/* POST /users (UserCreationReq): username and password required. */
extern const struct api_schema schema_user_create;
/* PUT /users/{id} (UserProfile): email, realname, comment. */
extern const struct api_schema schema_user_profile;
/*
 * PUT /users/{id}/password: new_password; admin.c requires old_password
 * too unless a system admin resets another's.
 */
extern const struct api_schema schema_password;
/* PUT /users/{id}/sysadmin: {sysadmin_flag} only. */
extern const struct api_schema schema_sysadmin;
/* PUT /users/{id}/disabled: {disabled} only. */
extern const struct api_schema schema_disabled;
/* A project's metadata object: public as "true" or "false". */
extern const struct api_schema schema_project_meta;
/* POST and PUT /projects (ProjectReq); storage_limit ignored. */
extern const struct api_schema schema_project;
/* A member's member_user object: user_id or username. */
extern const struct api_schema schema_member_user;
/* POST /projects/{p}/members (ProjectMember): role_id, member_user. */
extern const struct api_schema schema_member;
/* PUT /projects/{p}/members/{mid}: {role_id} only. */
extern const struct api_schema schema_member_role;
/* One element of a permission's access array: resource, action, effect. */
extern const struct api_schema schema_robot_access;
/* One element of a robot's permissions: kind, namespace, access. */
extern const struct api_schema schema_robot_perm;
/* POST /robots (RobotCreate). */
extern const struct api_schema schema_robot_create;
/* PUT /robots/{id} (Robot as GET answers it; read-only fields ignored). */
extern const struct api_schema schema_robot_update;
/* PATCH /robots/{id} (RobotSec): an optional chosen secret. */
extern const struct api_schema schema_robot_sec;

struct schemas_entry {
	const char		*name;		/* "user_create", ... */
	const struct api_schema	*schema;
};

/* Every schema above, by name, for tests and the fuzzer. */
extern const struct schemas_entry	schemas_all[];
extern const size_t			schemas_count;

#endif
