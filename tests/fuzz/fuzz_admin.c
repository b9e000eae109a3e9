/*
 * libFuzzer target: the admin API's checks of untrusted input.  The
 * first byte picks one of the admin program's own body schemas
 * (lib/schemas, modulo their count) and the rest is checked as a JSON
 * body exactly as admin.c checks one, through api_json_parse.  The whole
 * input also goes through the other checks: usernames and project names
 * (lib/names), page parameters and links, path ids and LIKE escaping.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "json.h"
#include "names.h"
#include "schemas.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * A body the schema accepted, written out by jansson and read back,
 * must be accepted again: the check depends on the body's meaning, not
 * on how its bytes were spelled.
 */
static void
body_check(const struct api_schema *s, const char *buf, size_t len)
{
	char		 w[API_WHY_MAX], *text;
	json_t		*obj = NULL, *again = NULL;
	enum app_err	 rc;

	w[0] = '\0';
	rc = api_json_parse(buf, len, s, &obj, w, sizeof(w));
	if (strnlen(w, sizeof(w)) == sizeof(w))
		__builtin_trap();
	if (rc != APP_OK) {
		if (obj != NULL || (rc == APP_EBADREQ && w[0] == '\0'))
			__builtin_trap();
		return;
	}
	if (!json_is_object(obj))
		__builtin_trap();
	if ((text = json_dumps(obj, JSON_COMPACT)) != NULL) {
		rc = api_json_parse(text, strlen(text), s, &again, w,
		    sizeof(w));
		if (rc != APP_OK && rc != APP_ENOMEM)
			__builtin_trap();
		json_decref(again);
		free(text);
	}
	json_decref(obj);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data, *why;
	char		*z, *like, link[API_LINK_MAX];
	struct form	 f;
	struct api_page	 pg;
	long long	 id;

	if (size > 0)
		body_check(schemas_all[data[0] % schemas_count].schema, s + 1,
		    size - 1);

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
