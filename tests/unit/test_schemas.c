/*
 * test_schemas: the admin API's body schemas (lib/schemas.c).  Each has
 * a known-good body here that must pass and must use every field of
 * the schema, so that a field added, dropped or retyped in the table
 * fails this test rather than drifting silently.  Each also refuses an
 * unknown field, each required field missing and each field of a wrong
 * type.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "schemas.h"
#include "t.h"

#define PERM	"{\"kind\":\"project\",\"namespace\":\"team\"," \
		"\"access\":[{\"resource\":\"repository\",\"action\":\"pull\"}]}"

static const struct {
	const char	*name;
	const char	*body;
} good[] = {
	{ "user_create", "{\"username\":\"alice\",\"password\":\"Secret123\","
	    "\"email\":\"alice@example.com\",\"realname\":\"Alice\","
	    "\"comment\":\"c\"}" },
	{ "user_profile", "{\"email\":\"alice@example.com\","
	    "\"realname\":\"Alice\",\"comment\":\"c\"}" },
	{ "password", "{\"old_password\":\"Old12345\","
	    "\"new_password\":\"New12345\"}" },
	{ "sysadmin", "{\"sysadmin_flag\":true}" },
	{ "disabled", "{\"disabled\":false}" },
	{ "project_meta", "{\"public\":\"true\"}" },
	{ "project", "{\"project_name\":\"team\",\"public\":false,"
	    "\"metadata\":{\"public\":\"true\"},\"storage_limit\":-1,"
	    "\"registry_id\":null}" },
	{ "member_user", "{\"user_id\":3,\"username\":\"alice\"}" },
	{ "member", "{\"role_id\":2,\"member_user\":{\"username\":\"alice\"}}" },
	{ "member_role", "{\"role_id\":5}" },
	{ "robot_access", "{\"resource\":\"repository\",\"action\":\"push\","
	    "\"effect\":\"allow\"}" },
	{ "robot_perm", PERM },
	{ "robot_create", "{\"name\":\"ci\",\"description\":\"d\","
	    "\"secret\":\"Abcdefg1\",\"level\":\"project\",\"duration\":30,"
	    "\"disable\":false,\"permissions\":[" PERM "]}" },
	{ "robot_update", "{\"id\":1,\"name\":\"robot$team+ci\","
	    "\"description\":\"d\",\"level\":\"project\",\"duration\":-1,"
	    "\"disable\":false,\"editable\":true,\"expires_at\":-1,"
	    "\"permissions\":[" PERM "],"
	    "\"creation_time\":\"2024-01-01T00:00:00Z\","
	    "\"update_time\":\"2024-01-01T00:00:00Z\"}" },
	{ "robot_sec", "{\"secret\":\"Abcdefg1\"}" },
};

static enum app_err
check_text(const struct api_schema *s, const char *text)
{
	char		 why[API_WHY_MAX];
	json_t		*obj = NULL;
	enum app_err	 rc;

	rc = api_json_parse(text, strlen(text), s, &obj, why, sizeof(why));
	json_decref(obj);
	return rc;
}

static enum app_err
check_obj(const struct api_schema *s, const json_t *obj)
{
	char	 why[API_WHY_MAX];

	return api_check(obj, s, why, sizeof(why));
}

/* A value of a type the field does not take. */
static json_t *
wrong_new(enum api_type t)
{
	return t == API_STRING ? json_integer(1) : json_string("x");
}

static void
test_schema(const char *name, const struct api_schema *s, const char *body)
{
	json_t		*obj, *bad;
	char		*text;

	T_EQ_INT(check_text(s, body), APP_OK, "%s: the good body passes",
	    name);
	obj = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
	T_OK(obj != NULL, "%s: the good body is JSON", name);
	if (obj == NULL)
		return;

	for (size_t i = 0; i < s->n; i++) {
		const struct api_field *fl = &s->fields[i];

		T_OK(json_object_get(obj, fl->name) != NULL,
		    "%s: the good body has %s", name, fl->name);
		if ((bad = json_deep_copy(obj)) == NULL)
			abort();
		if (json_object_set_new(bad, fl->name, wrong_new(fl->type)))
			abort();
		T_EQ_INT(check_obj(s, bad), APP_EBADREQ,
		    "%s: %s of a wrong type fails", name, fl->name);
		json_decref(bad);
		if (!fl->required)
			continue;
		if ((bad = json_deep_copy(obj)) == NULL)
			abort();
		(void)json_object_del(bad, fl->name);
		T_EQ_INT(check_obj(s, bad), APP_EBADREQ,
		    "%s: without %s fails", name, fl->name);
		json_decref(bad);
	}
	T_EQ_INT(json_object_size(obj), s->n, "%s: no field beyond the schema",
	    name);

	/* The same body with one field more, spelled as a client would. */
	if (asprintf(&text, "{\"unknown_field\":1,%s", body + 1) < 0)
		abort();
	T_EQ_INT(check_text(s, text), APP_EBADREQ,
	    "%s: an unknown field fails", name);
	free(text);
	json_decref(obj);
}

int
main(void)
{
	size_t	 ngood = sizeof(good) / sizeof(good[0]);

	T_EQ_INT(schemas_count, ngood, "every schema has a good body here");
	for (size_t i = 0; i < schemas_count; i++) {
		const char	*body = NULL;

		T_OK(schemas_all[i].schema != NULL &&
		    schemas_all[i].schema->n > 0, "%s: has fields",
		    schemas_all[i].name);
		for (size_t k = 0; k < ngood; k++)
			if (strcmp(good[k].name, schemas_all[i].name) == 0)
				body = good[k].body;
		T_OK(body != NULL, "%s: has a good body", schemas_all[i].name);
		if (body != NULL)
			test_schema(schemas_all[i].name, schemas_all[i].schema,
			    body);
	}
	/* A body checked against another's schema fails: none is lax. */
	T_EQ_INT(check_text(&schema_sysadmin, "{\"disabled\":true}"),
	    APP_EBADREQ, "sysadmin refuses disabled's body");
	T_EQ_INT(check_text(&schema_user_profile,
	    "{\"email\":\"a@b.c\",\"sysadmin_flag\":true}"), APP_EBADREQ,
	    "user_profile refuses sysadmin_flag (mass assignment)");
	return t_done();
}
