/* test_api: the admin API's request conventions (lib/api.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "t.h"

static const struct api_field sub_fields[] = {
	{ "public", API_STRING, false, 5, 0, 0, NULL },
};
static const struct api_schema sub_schema = API_SCHEMA(sub_fields);

static const struct api_field elem_fields[] = {
	{ "action", API_STRING, true, 8, 0, 0, NULL },
};
static const struct api_schema elem_schema = API_SCHEMA(elem_fields);

static const struct api_field fields[] = {
	{ "name", API_STRING, true, 8, 0, 0, NULL },
	{ "access", API_ARRAY, false, 2, 0, 0, &elem_schema },
	{ "flag", API_BOOL, false, 0, 0, 0, NULL },
	{ "role_id", API_INT, false, 0, 1, 5, NULL },
	{ "metadata", API_OBJECT, false, 0, 0, 0, &sub_schema },
	{ "registry_id", API_NULL, false, 0, 0, 0, NULL },
};
static const struct api_schema schema = API_SCHEMA(fields);

static enum app_err
check(const char *text)
{
	char		 why[API_WHY_MAX];
	json_t		*v = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	enum app_err	 rc;

	if (v == NULL)
		return APP_EINTERNAL;
	rc = api_check(v, &schema, why, sizeof(why));
	json_decref(v);
	return rc;
}

static void
test_schema(void)
{
	static const struct { const char *in; enum app_err want; } cases[] = {
		{ "{\"name\":\"a\"}", APP_OK },
		{ "{\"name\":\"12345678\",\"flag\":true,\"role_id\":5,"
		  "\"metadata\":{\"public\":\"true\"},\"registry_id\":null}",
		  APP_OK },
		{ "{}", APP_EBADREQ },				/* required */
		{ "{\"name\":\"a\",\"access\":[]}", APP_OK },
		{ "{\"name\":\"a\",\"access\":[{\"action\":\"pull\"},"
		  "{\"action\":\"push\"}]}", APP_OK },
		{ "{\"name\":\"a\",\"access\":[{\"action\":\"a\"},"
		  "{\"action\":\"b\"},{\"action\":\"c\"}]}", APP_EBADREQ },
		{ "{\"name\":\"a\",\"access\":[{}]}", APP_EBADREQ },
		{ "{\"name\":\"a\",\"access\":[\"pull\"]}", APP_EBADREQ },
		{ "{\"name\":\"a\",\"access\":[{\"action\":\"pull\","
		  "\"x\":1}]}", APP_EBADREQ },
		{ "{\"name\":\"a\",\"access\":{}}", APP_EBADREQ },
		{ "{\"name\":\"123456789\"}", APP_EBADREQ },	/* too long */
		{ "{\"name\":1}", APP_EBADREQ },
		{ "{\"name\":\"a\",\"sysadmin_flag\":true}", APP_EBADREQ },
		{ "{\"name\":\"a\",\"flag\":\"true\"}", APP_EBADREQ },
		{ "{\"name\":\"a\",\"flag\":1}", APP_EBADREQ },
		{ "{\"name\":\"a\",\"role_id\":0}", APP_EBADREQ },
		{ "{\"name\":\"a\",\"role_id\":6}", APP_EBADREQ },
		{ "{\"name\":\"a\",\"role_id\":1.0}", APP_EBADREQ },
		{ "{\"name\":\"a\",\"role_id\":\"1\"}", APP_EBADREQ },
		{ "{\"name\":\"a\",\"role_id\":-9223372036854775807}",
		  APP_EBADREQ },
		{ "{\"name\":\"a\",\"metadata\":{\"x\":\"1\"}}", APP_EBADREQ },
		{ "{\"name\":\"a\",\"metadata\":\"public\"}", APP_EBADREQ },
		{ "{\"name\":\"a\",\"metadata\":{\"public\":true}}",
		  APP_EBADREQ },
		{ "{\"name\":\"a\",\"registry_id\":1}", APP_EBADREQ },
		{ "{\"name\":null}", APP_EBADREQ },
	};
	char	 why[API_WHY_MAX];
	json_t	*arr;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		T_EQ_INT(check(cases[i].in), cases[i].want, "schema: %s",
		    cases[i].in);
	arr = json_array();
	T_EQ_INT(api_check(arr, &schema, why, sizeof(why)), APP_EBADREQ,
	    "schema: an array is not an object");
	json_decref(arr);
	T_EQ_INT(check("{\"name\":\"a\",\"evil;DROP\":1}"), APP_EBADREQ,
	    "schema: unknown key refused");
	{
		json_t *v = json_loads("{\"name\":\"a\",\"<script>\":1}", 0,
		    NULL);

		(void)!api_check(v, &schema, why, sizeof(why));
		T_OK(strstr(why, "<script>") == NULL,
		    "schema: an unknown key is not echoed (%s)", why);
		json_decref(v);
	}
}

static void
test_json_type(void)
{
	T_OK(api_is_json("application/json"), "json: plain");
	T_OK(api_is_json("application/json; charset=utf-8"), "json: charset");
	T_OK(api_is_json("Application/JSON"), "json: case");
	T_OK(!api_is_json(NULL), "json: missing");
	T_OK(!api_is_json("application/jsonx"), "json: longer");
	T_OK(!api_is_json("text/plain"), "json: text");
	T_OK(!api_is_json("application/x-www-form-urlencoded"), "json: form");
}

static enum app_err
page(const char *qs, struct api_page *p)
{
	struct form	 f;
	const char	*why;
	enum app_err	 rc;

	memset(&f, 0, sizeof(f));
	if (form_parse(qs, strlen(qs), 64, &f) != APP_OK)
		return APP_EINTERNAL;
	rc = api_page_parse(&f, p, &why);
	form_free(&f);
	return rc;
}

static void
test_page(void)
{
	struct api_page	 p;
	static const char *const bad[] = {
		"page=0", "page=-1", "page=abc", "page=", "page=1.5",
		"page=01", "page=+1", "page=1000001",
		"page=99999999999999999999999", "page_size=0",
		"page_size=101", "page_size=2147483647", "page_size=-5",
		"page_size=1e2", "page=1&page=2", "page_size=1&page_size=1",
		"page= 1",
	};

	T_EQ_INT(page("", &p), APP_OK, "page: none");
	T_OK(p.page == 1 && p.size == 10, "page: defaults 1 and 10");
	T_EQ_INT(page("page=3&page_size=100", &p), APP_OK, "page: given");
	T_OK(p.page == 3 && p.size == 100, "page: 3 of 100");
	T_EQ_INT(api_page_offset(&p), 200, "page: offset");
	T_EQ_INT(page("page=1000000&page_size=1", &p), APP_OK, "page: max");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_EQ_INT(page(bad[i], &p), APP_EBADREQ, "page: %s refused",
		    bad[i]);
}

static void
test_query_allow(void)
{
	static const char *const names[] = { "page", "q", NULL };
	struct form	 f;
	const char	*why;

	memset(&f, 0, sizeof(f));
	(void)!form_parse("page=1&q=x", 10, 64, &f);
	T_EQ_INT(api_query_allow(&f, names, &why), APP_OK, "query: allowed");
	form_free(&f);
	(void)!form_parse("page=1&password=x", 17, 64, &f);
	T_EQ_INT(api_query_allow(&f, names, &why), APP_EBADREQ,
	    "query: unknown refused");
	form_free(&f);
	(void)!form_parse("q=1&q=2", 7, 64, &f);
	T_EQ_INT(api_query_allow(&f, names, &why), APP_EBADREQ,
	    "query: repeated refused");
	form_free(&f);
}

static void
link(const char *qs, long long pg, long long size, long long total,
    const char *want)
{
	struct form	 f;
	struct api_page	 p = { pg, size };
	char		 buf[API_LINK_MAX];

	memset(&f, 0, sizeof(f));
	(void)!form_parse(qs, strlen(qs), 64, &f);
	T_OK(api_link(buf, sizeof(buf), "/api/v2.0/users", &f, &p, total),
	    "link fits: %s", qs);
	T_EQ_STR(buf, want, "link: %s page %lld/%lld of %lld", qs, pg, size,
	    total);
	form_free(&f);
}

static void
test_link(void)
{
	link("", 1, 10, 5, "");
	link("", 1, 10, 10, "");
	link("", 1, 10, 11,
	    "</api/v2.0/users?page=2&page_size=10>; rel=\"next\"");
	link("page=2&page_size=10", 2, 10, 25,
	    "</api/v2.0/users?page=1&page_size=10>; rel=\"prev\" , "
	    "</api/v2.0/users?page=3&page_size=10>; rel=\"next\"");
	link("page=3&page_size=10", 3, 10, 25,
	    "</api/v2.0/users?page=2&page_size=10>; rel=\"prev\"");
	/* Past the end: no prev either (as Harbor). */
	link("page=9", 9, 10, 25, "");
	/* Other parameters kept, sorted, re-encoded. */
	link("sort=-username&q=username%3D~a%20b&page=1&page_size=1", 1, 1, 2,
	    "</api/v2.0/users?page=2&page_size=1&q=username%3D~a+b"
	    "&sort=-username>; rel=\"next\"");
	{
		struct form	 f;
		struct api_page	 p = { 1, 1 };
		char		 small[16];

		memset(&f, 0, sizeof(f));
		T_OK(!api_link(small, sizeof(small), "/api/v2.0/users", &f, &p,
		    5), "link: too small refused");
	}
}

static void
test_id(void)
{
	static const char *const bad[] = {
		"", "0", "-1", "+1", "01", "1a", "a", " 1", "1 ", "1.0",
		"9223372036854775808", "99999999999999999999", "0x10",
	};
	long long	 v = 0;

	T_EQ_INT(api_parse_id("1", &v), APP_OK, "id: 1");
	T_EQ_INT(v, 1, "id: value 1");
	T_EQ_INT(api_parse_id("9223372036854775807", &v), APP_OK, "id: max");
	T_EQ_INT(v, INT64_MAX, "id: value max");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_EQ_INT(api_parse_id(bad[i], &v), APP_EBADREQ,
		    "id: \"%s\" refused", bad[i]);
}

static void
test_like(void)
{
	char	*s;

	s = api_like_new("a%b_c\\d", false);
	T_EQ_STR(s, "a\\%b\\_c\\\\d", "like: metacharacters escaped");
	free(s);
	s = api_like_new("ab", true);
	T_EQ_STR(s, "%ab%", "like: contains");
	free(s);
	s = api_like_new("", true);
	T_EQ_STR(s, "%%", "like: empty");
	free(s);
	s = api_like_new("%%", true);
	T_EQ_STR(s, "%\\%\\%%", "like: only percent signs");
	free(s);
}

static void
test_time(void)
{
	static const char *const good[] = { "2026-01-02T03:04:05Z",
	    "2024-02-29T23:59:59.123456789Z", "2026-12-31T00:00:00+02:00",
	    "0001-01-01T00:00:00-23:59" };
	static const char *const bad[] = { "", "2026-01-02", "2026-01-02T03:04:05",
	    "2026-01-02t03:04:05z", "2026-01-02 03:04:05Z",
	    "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
	    "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
	    "2026-01-02T24:00:00Z", "2026-01-02T23:60:00Z",
	    "2026-01-02T23:59:60Z", "2026-01-02T03:04:05.Z",
	    "2026-01-02T03:04:05.1234567890Z", "2026-01-02T03:04:05+2:00",
	    "2026-01-02T03:04:05+02:00x", "+2026-01-02T03:04:05Z",
	    "2026-01-02T03:04:05Z ", "yesterday" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		T_EQ_INT(api_time_ok(good[i]), true, "time: %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_EQ_INT(api_time_ok(bad[i]), false, "time: '%s' refused",
		    bad[i]);
}

int
main(void)
{
	test_schema();
	test_json_type();
	test_page();
	test_query_allow();
	test_link();
	test_id();
	test_like();
	test_time();
	return t_done();
}
