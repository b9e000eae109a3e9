/*
 * api: the request conventions of the admin API, as Harbor's
 * /api/v2.0 has them, for every handler alike.
 *
 *   - JSON bodies: Content-Type application/json (else 415), at most the
 *     caller's cap (else 413), one object without duplicate keys or deep
 *     nesting (json.h), then a strict schema from a static table: no
 *     unknown field, each of one type, strings within a byte length,
 *     integers within a range.  Any refusal is 400 naming the field.
 *   - Lists: page >= 1 (at most API_PAGE_MAX), page_size 1..100
 *     (default 10); anything else, or a parameter given twice, is 400,
 *     checked before any work sized by them.  The answer carries
 *     X-Total-Count and a Link header with rel="prev"/"next".
 *   - Query parameters: only those a route names; any other is 400.
 *   - Path ids: positive 64-bit decimal, digits only.
 *   - Searches: LIKE metacharacters in user text match literally.
 * The pure parts (schema, paging, ids, escaping, links) do no I/O and
 * are unit-tested alone (tests/unit/test_api.c).
 */
#ifndef BERTH_API_H
#define BERTH_API_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "err.h"
#include "form.h"
#include "http.h"

#define API_PAGE_SIZE_DEFAULT	10
#define API_PAGE_SIZE_MAX	100
#define API_PAGE_MAX		1000000		/* offset stays far from overflow */
#define API_WHY_MAX		160		/* room for a message naming a field */
#define API_LINK_MAX		2048

enum api_type {
	API_STRING,
	API_BOOL,
	API_INT,
	API_OBJECT,
	API_NULL,		/* only null is accepted (Harbor's registry_id) */
	API_ARRAY,		/* of objects of sub, at most maxlen of them */
};

struct api_schema;

struct api_field {
	const char		*name;
	enum api_type		 type;
	bool			 required;
	size_t			 maxlen;	/* API_STRING: bytes;
						   API_ARRAY: elements */
	long long		 min, max;	/* API_INT: inclusive */
	const struct api_schema	*sub;		/* API_OBJECT, API_ARRAY's
						   elements: their fields */
};

struct api_schema {
	const struct api_field	*fields;
	size_t			 n;
};

#define API_SCHEMA(tab)	{ (tab), sizeof(tab) / sizeof((tab)[0]) }

struct api_page {
	long long	 page;		/* 1-based */
	long long	 size;
};

/* Content-Type is application/json (parameters such as charset allowed). */
bool		api_is_json(const char *ctype);

/*
 * Check obj against schema s.  APP_OK, or APP_EBADREQ with a message for
 * the client in why (whysz bytes; names the field, never echoes a value).
 */
enum app_err	api_check(const json_t *obj, const struct api_schema *s,
		    char *why, size_t whysz) WUR;

/*
 * Parse len bytes of buf as one JSON object (json.h's limits) and check
 * it against s: the part of api_json_body that does no I/O, for tests
 * and the fuzzer.  APP_OK with *obj_new the caller's, else APP_EBADREQ
 * (or what json_parse_object answers) with a message in why.
 */
enum app_err	api_json_parse(const char *buf, size_t len,
		    const struct api_schema *, json_t **obj_new, char *why,
		    size_t whysz) WUR;

/*
 * Read a request's JSON body and api_json_parse() it: 415, 413, 400 as
 * above.  On APP_OK *obj_new is the caller's.
 */
enum app_err	api_json_body(struct http_req *, size_t cap,
		    const struct api_schema *, json_t **obj_new, char *why,
		    size_t whysz) WUR;

/*
 * Refuse any query parameter not in names (NULL-terminated) and any
 * given more than once: APP_EBADREQ with why.
 */
enum app_err	api_query_allow(const struct form *, const char *const *names,
		    const char **why) WUR;

/* page and page_size of q (absent: 1 and the default). */
enum app_err	api_page_parse(const struct form *q, struct api_page *,
		    const char **why) WUR;

/* Rows to skip for p. */
long long	api_page_offset(const struct api_page *p);

/*
 * The Link header value for a list of total rows at path with query q
 * (page and page_size replaced; other parameters kept, re-encoded, in
 * name order as Harbor writes them), "" when there is neither a
 * previous nor a next page.  Returns false when it does not fit.
 */
bool		api_link(char *buf, size_t bufsz, const char *path,
		    const struct form *q, const struct api_page *p,
		    long long total);

/* X-Total-Count and Link on a list answer; APP_ENOMEM as http_add_header. */
enum app_err	api_list_headers(struct http_req *, const struct form *q,
		    const struct api_page *, long long total) WUR;

/* A path id: digits only, no sign or leading zero, 1..INT64_MAX. */
enum app_err	api_parse_id(const char *s, long long *out) WUR;

/*
 * s with '\\', '%' and '_' escaped by '\\' (for LIKE ... ESCAPE '\'),
 * wrapped in '%' for a substring match when contains.  The caller
 * frees it; NULL on allocation failure.
 */
char		*api_like_new(const char *s, bool contains);

/*
 * An RFC 3339 date-time, strictly: YYYY-MM-DDTHH:MM:SS, an optional
 * fraction of 1 to 9 digits, then Z or +hh:mm/-hh:mm; upper case T and
 * Z only, a real day of the month (leap years too), no leap second.
 * Checked before PostgreSQL sees it, which would accept much more.
 */
bool		api_time_ok(const char *s);

#endif
