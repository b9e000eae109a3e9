/*
 * libFuzzer target: the admin API's checks of untrusted input: a JSON
 * body against a schema (lib/api), usernames and project names
 * (lib/names), page parameters, path ids and LIKE escaping.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "json.h"
#include "names.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct api_field sub_fields[] = {
	{ "public", API_STRING, false, 5, 0, 0, NULL },
	{ "username", API_STRING, false, 255, 0, 0, NULL },
	{ "user_id", API_INT, false, 0, 1, INT64_MAX, NULL },
};
static const struct api_schema sub_schema = API_SCHEMA(sub_fields);

static const struct api_field fields[] = {
	{ "project_name", API_STRING, false, 255, 0, 0, NULL },
	{ "public", API_BOOL, false, 0, 0, 0, NULL },
	{ "metadata", API_OBJECT, false, 0, 0, 0, &sub_schema },
	{ "member_user", API_OBJECT, false, 0, 0, 0, &sub_schema },
	{ "role_id", API_INT, false, 0, 1, 5, NULL },
	{ "registry_id", API_NULL, false, 0, 0, 0, NULL },
};
static const struct api_schema schema = API_SCHEMA(fields);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data, *why;
	char		 w[API_WHY_MAX], *z, *like, link[API_LINK_MAX];
	json_t		*obj = NULL;
	struct form	 f;
	struct api_page	 pg;
	long long	 id;

	if (json_parse_object(s, size, JSON_DEPTH_MAX, &obj, &why) == APP_OK) {
		(void)!api_check(obj, &schema, w, sizeof(w));
		if (strlen(w) >= sizeof(w))
			__builtin_trap();
		json_decref(obj);
	}
	if (names_check_user(s, size, &why) == APP_OK &&
	    names_check_project(s, size, &why) == APP_OK &&
	    memchr(s, '\0', size) != NULL)
		__builtin_trap();

	if ((z = malloc(size + 1)) == NULL)
		return 0;
	memcpy(z, data, size);
	z[size] = '\0';
	if (api_parse_id(z, &id) == APP_OK && id < 1)
		__builtin_trap();
	if ((like = api_like_new(z, true)) != NULL) {
		if (strlen(like) > 2 * strlen(z) + 2)
			__builtin_trap();
		free(like);
	}
	memset(&f, 0, sizeof(f));
	if (form_parse(s, size, 64, &f) == APP_OK &&
	    api_page_parse(&f, &pg, &why) == APP_OK) {
		if (pg.page < 1 || pg.page > API_PAGE_MAX || pg.size < 1 ||
		    pg.size > API_PAGE_SIZE_MAX)
			__builtin_trap();
		(void)api_link(link, sizeof(link), "/api/v2.0/users", &f, &pg,
		    pg.page * pg.size + 1);
	}
	form_free(&f);
	free(z);
	return 0;
}
