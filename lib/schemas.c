/*
 * schemas: the admin API's request bodies, as strict schemas (api.h).
 * Moved here from cgi-bin/admin.c so that the unit test and the fuzzer
 * check bodies against the very tables the admin program uses.
 */
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "names.h"
#include "password.h"
#include "robot.h"
#include "schemas.h"

static const struct api_field user_create_fields[] = {
	{ "username", API_STRING, true, NAMES_USER_MAX, 0, 0, NULL },
	{ "email", API_STRING, false, 255, 0, 0, NULL },
	{ "realname", API_STRING, false, 255, 0, 0, NULL },
	{ "comment", API_STRING, false, 1024, 0, 0, NULL },
	{ "password", API_STRING, true, PASSWORD_MAX, 0, 0, NULL },
};
const struct api_schema schema_user_create = API_SCHEMA(user_create_fields);

/* Harbor's UserProfile: sysadmin_flag, ids and passwords are not here. */
static const struct api_field user_profile_fields[] = {
	{ "email", API_STRING, false, 255, 0, 0, NULL },
	{ "realname", API_STRING, false, 255, 0, 0, NULL },
	{ "comment", API_STRING, false, 1024, 0, 0, NULL },
};
const struct api_schema schema_user_profile = API_SCHEMA(user_profile_fields);

static const struct api_field password_fields[] = {
	{ "old_password", API_STRING, false, PASSWORD_MAX, 0, 0, NULL },
	{ "new_password", API_STRING, true, PASSWORD_MAX, 0, 0, NULL },
};
const struct api_schema schema_password = API_SCHEMA(password_fields);

static const struct api_field sysadmin_fields[] = {
	{ "sysadmin_flag", API_BOOL, true, 0, 0, 0, NULL },
};
const struct api_schema schema_sysadmin = API_SCHEMA(sysadmin_fields);

static const struct api_field disabled_fields[] = {
	{ "disabled", API_BOOL, true, 0, 0, 0, NULL },
};
const struct api_schema schema_disabled = API_SCHEMA(disabled_fields);

static const struct api_field project_meta_fields[] = {
	{ "public", API_STRING, false, 5, 0, 0, NULL },
};
const struct api_schema schema_project_meta = API_SCHEMA(project_meta_fields);

/* Harbor's ProjectReq; storage_limit is accepted and ignored. */
static const struct api_field project_fields[] = {
	{ "project_name", API_STRING, false, NAMES_PROJECT_MAX, 0, 0, NULL },
	{ "public", API_BOOL, false, 0, 0, 0, NULL },
	{ "metadata", API_OBJECT, false, 0, 0, 0, &schema_project_meta },
	{ "storage_limit", API_INT, false, 0, -1, INT64_MAX, NULL },
	{ "registry_id", API_NULL, false, 0, 0, 0, NULL },
};
const struct api_schema schema_project = API_SCHEMA(project_fields);

static const struct api_field member_user_fields[] = {
	{ "user_id", API_INT, false, 0, 1, INT64_MAX, NULL },
	{ "username", API_STRING, false, NAMES_USER_MAX, 0, 0, NULL },
};
const struct api_schema schema_member_user = API_SCHEMA(member_user_fields);

/* Harbor's ProjectMember; groups (member_group) berth does not have. */
static const struct api_field member_fields[] = {
	{ "role_id", API_INT, true, 0, 1, 5, NULL },
	{ "member_user", API_OBJECT, true, 0, 0, 0, &schema_member_user },
};
const struct api_schema schema_member = API_SCHEMA(member_fields);

static const struct api_field member_role_fields[] = {
	{ "role_id", API_INT, true, 0, 1, 5, NULL },
};
const struct api_schema schema_member_role = API_SCHEMA(member_role_fields);

static const struct api_field robot_access_fields[] = {
	{ "resource", API_STRING, true, 64, 0, 0, NULL },
	{ "action", API_STRING, true, 64, 0, 0, NULL },
	{ "effect", API_STRING, false, 16, 0, 0, NULL },
};
const struct api_schema schema_robot_access = API_SCHEMA(robot_access_fields);

static const struct api_field robot_perm_fields[] = {
	{ "kind", API_STRING, true, 16, 0, 0, NULL },
	{ "namespace", API_STRING, true, NAMES_PROJECT_MAX, 0, 0, NULL },
	{ "access", API_ARRAY, true, SCHEMA_ROBOT_ACCESS_MAX, 0, 0,
	    &schema_robot_access },
};
const struct api_schema schema_robot_perm = API_SCHEMA(robot_perm_fields);

/*
 * Harbor's RobotCreate: a secret may be chosen (by the same rules as
 * PATCH), else one is made; no duration means -1, as Harbor's clients
 * (its Terraform provider) expect.
 */
static const struct api_field robot_create_fields[] = {
	{ "name", API_STRING, true, NAMES_USER_MAX, 0, 0, NULL },
	{ "description", API_STRING, false, 1024, 0, 0, NULL },
	{ "secret", API_STRING, false, ROBOT_SECRET_MAX, 0, 0, NULL },
	{ "level", API_STRING, true, 16, 0, 0, NULL },
	{ "duration", API_INT, false, 0, -1, SCHEMA_ROBOT_DAYS_MAX, NULL },
	{ "disable", API_BOOL, false, 0, 0, 0, NULL },
	{ "permissions", API_ARRAY, true, SCHEMA_ROBOT_PERMS_MAX, 0, 0,
	    &schema_robot_perm },
};
const struct api_schema schema_robot_create = API_SCHEMA(robot_create_fields);

/*
 * Harbor's Robot as GET answers it, since clients send it back: id,
 * name and level must be the robot's own; editable, expires_at and the
 * times are read-only and ignored (expires_at follows duration).
 */
static const struct api_field robot_update_fields[] = {
	{ "id", API_INT, false, 0, 1, INT64_MAX, NULL },
	{ "name", API_STRING, false, 2 * NAMES_USER_MAX, 0, 0, NULL },
	{ "description", API_STRING, false, 1024, 0, 0, NULL },
	{ "level", API_STRING, false, 16, 0, 0, NULL },
	{ "duration", API_INT, false, 0, -1, SCHEMA_ROBOT_DAYS_MAX, NULL },
	{ "disable", API_BOOL, false, 0, 0, 0, NULL },
	{ "editable", API_BOOL, false, 0, 0, 0, NULL },
	{ "expires_at", API_INT, false, 0, -1, INT64_MAX, NULL },
	{ "permissions", API_ARRAY, false, SCHEMA_ROBOT_PERMS_MAX, 0, 0,
	    &schema_robot_perm },
	{ "creation_time", API_STRING, false, 64, 0, 0, NULL },
	{ "update_time", API_STRING, false, 64, 0, 0, NULL },
};
const struct api_schema schema_robot_update = API_SCHEMA(robot_update_fields);

/* Harbor's RobotSec. */
static const struct api_field robot_sec_fields[] = {
	{ "secret", API_STRING, false, ROBOT_SECRET_MAX, 0, 0, NULL },
};
const struct api_schema schema_robot_sec = API_SCHEMA(robot_sec_fields);

#define S(x)	{ #x, &schema_##x }
const struct schemas_entry schemas_all[] = {
	S(user_create),
	S(user_profile),
	S(password),
	S(sysadmin),
	S(disabled),
	S(project_meta),
	S(project),
	S(member_user),
	S(member),
	S(member_role),
	S(robot_access),
	S(robot_perm),
	S(robot_create),
	S(robot_update),
	S(robot_sec),
};
#undef S
const size_t schemas_count = sizeof(schemas_all) / sizeof(schemas_all[0]);
