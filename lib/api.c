/* api: the admin API's request conventions (see api.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "json.h"

bool
api_is_json(const char *ct)
{
	static const char	 want[] = "application/json";
	size_t			 n = sizeof(want) - 1;

	return ct != NULL && strncasecmp(ct, want, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static const struct api_field *
field_find(const struct api_schema *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->fields[i].name, name) == 0)
			return &s->fields[i];
	return NULL;
}

/*
 * Field names go into the message only when they are ours (from the
 * table): an unknown key is the client's text and is not echoed.
 */
static enum app_err
check_obj(const json_t *obj, const struct api_schema *s, const char *path,
    char *why, size_t whysz)
{
	const char		*key;
	json_t			*v;
	const struct api_field	*f;
	char			 sub[64];

	json_object_foreach((json_t *)obj, key, v) {
		if ((f = field_find(s, key)) == NULL) {
			snprintf(why, whysz, "unknown field in %s", path);
			return APP_EBADREQ;
		}
		switch (f->type) {
		case API_STRING:
			if (!json_is_string(v)) {
				snprintf(why, whysz, "%s must be a string",
				    f->name);
				return APP_EBADREQ;
			}
			if (json_string_length(v) > f->maxlen) {
				snprintf(why, whysz, "%s is longer than %zu "
				    "bytes", f->name, f->maxlen);
				return APP_EBADREQ;
			}
			break;
		case API_BOOL:
			if (!json_is_boolean(v)) {
				snprintf(why, whysz, "%s must be true or false",
				    f->name);
				return APP_EBADREQ;
			}
			break;
		case API_INT:
			if (!json_is_integer(v) ||
			    json_integer_value(v) < f->min ||
			    json_integer_value(v) > f->max) {
				snprintf(why, whysz, "%s must be an integer "
				    "from %lld to %lld", f->name, f->min,
				    f->max);
				return APP_EBADREQ;
			}
			break;
		case API_OBJECT:
			if (!json_is_object(v)) {
				snprintf(why, whysz, "%s must be an object",
				    f->name);
				return APP_EBADREQ;
			}
			snprintf(sub, sizeof(sub), "%s", f->name);
			if (check_obj(v, f->sub, sub, why, whysz) != APP_OK)
				return APP_EBADREQ;
			break;
		case API_ARRAY:
			if (!json_is_array(v) ||
			    json_array_size(v) > f->maxlen) {
				snprintf(why, whysz, "%s must be an array of "
				    "at most %zu objects", f->name, f->maxlen);
				return APP_EBADREQ;
			}
			for (size_t i = 0; i < json_array_size(v); i++) {
				snprintf(sub, sizeof(sub), "%s", f->name);
				if (!json_is_object(json_array_get(v, i))) {
					snprintf(why, whysz, "%s must hold "
					    "objects", f->name);
					return APP_EBADREQ;
				}
				if (check_obj(json_array_get(v, i), f->sub,
				    sub, why, whysz) != APP_OK)
					return APP_EBADREQ;
			}
			break;
		case API_NULL:
			if (!json_is_null(v)) {
				snprintf(why, whysz, "%s must be null",
				    f->name);
				return APP_EBADREQ;
			}
			break;
		}
	}
	for (size_t i = 0; i < s->n; i++)
		if (s->fields[i].required &&
		    json_object_get(obj, s->fields[i].name) == NULL) {
			snprintf(why, whysz, "%s is required",
			    s->fields[i].name);
			return APP_EBADREQ;
		}
	return APP_OK;
}

enum app_err
api_check(const json_t *obj, const struct api_schema *s, char *why,
    size_t whysz)
{
	if (!json_is_object(obj)) {
		snprintf(why, whysz, "the body must be a JSON object");
		return APP_EBADREQ;
	}
	return check_obj(obj, s, "the body", why, whysz);
}

enum app_err
api_json_parse(const char *buf, size_t len, const struct api_schema *s,
    json_t **obj_new, char *why, size_t whysz)
{
	const char	*jwhy = NULL;
	json_t		*obj = NULL;
	enum app_err	 rc;

	*obj_new = NULL;
	if ((rc = json_parse_object(buf, len, JSON_DEPTH_MAX, &obj, &jwhy)) !=
	    APP_OK) {
		snprintf(why, whysz, "%s", jwhy ? jwhy : "malformed JSON");
		return rc;
	}
	if ((rc = api_check(obj, s, why, whysz)) != APP_OK) {
		json_decref(obj);
		return rc;
	}
	*obj_new = obj;
	return APP_OK;
}

enum app_err
api_json_body(struct http_req *r, size_t cap, const struct api_schema *s,
    json_t **obj_new, char *why, size_t whysz)
{
	const char	*buf;
	size_t		 len;
	enum app_err	 rc;

	*obj_new = NULL;
	if (!api_is_json(http_header(r, "Content-Type"))) {
		snprintf(why, whysz, "content type must be application/json");
		return APP_EMEDIATYPE;
	}
	if ((rc = http_body(r, cap, &buf, &len)) != APP_OK) {
		snprintf(why, whysz, rc == APP_ETOOLARGE ?
		    "request too large" : "bad body");
		return rc;
	}
	return api_json_parse(buf, len, s, obj_new, why, whysz);
}

enum app_err
api_query_allow(const struct form *q, const char *const *names,
    const char **why)
{
	for (size_t i = 0; i < q->n; i++) {
		bool	 known = false;

		for (size_t k = 0; names != NULL && names[k] != NULL; k++)
			if (strcmp(q->pairs[i].name, names[k]) == 0)
				known = true;
		if (!known) {
			*why = "unknown query parameter";
			return APP_EBADREQ;
		}
		if (form_count(q, q->pairs[i].name) != 1) {
			*why = "query parameter given more than once";
			return APP_EBADREQ;
		}
	}
	return APP_OK;
}

/* A decimal in [min, max]: digits only, no sign, no leading zero. */
static bool
decimal(const char *s, long long min, long long max, long long *out)
{
	long long	 n = 0;

	if (s == NULL || *s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (n > (INT64_MAX - (*s - '0')) / 10)
			return false;
		n = n * 10 + (*s - '0');
	}
	if (n < min || n > max)
		return false;
	*out = n;
	return true;
}

enum app_err
api_page_parse(const struct form *q, struct api_page *p, const char **why)
{
	const char	*v;

	p->page = 1;
	p->size = API_PAGE_SIZE_DEFAULT;
	if (form_count(q, "page") > 1 || form_count(q, "page_size") > 1) {
		*why = "page or page_size given more than once";
		return APP_EBADREQ;
	}
	if ((v = form_get(q, "page")) != NULL &&
	    !decimal(v, 1, API_PAGE_MAX, &p->page)) {
		*why = "page must be an integer from 1 to 1000000";
		return APP_EBADREQ;
	}
	if ((v = form_get(q, "page_size")) != NULL &&
	    !decimal(v, 1, API_PAGE_SIZE_MAX, &p->size)) {
		*why = "page_size must be an integer from 1 to 100";
		return APP_EBADREQ;
	}
	return APP_OK;
}

long long
api_page_offset(const struct api_page *p)
{
	return (p->page - 1) * p->size;
}

/* Percent-encode as Go's url.QueryEscape: unreserved bytes kept, ' ' is '+'. */
static bool
put_escaped(char *buf, size_t bufsz, size_t *o, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char	 c = (unsigned char)*s;

		if (*o + 4 > bufsz)
			return false;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~')
			buf[(*o)++] = (char)c;
		else if (c == ' ')
			buf[(*o)++] = '+';
		else {
			buf[(*o)++] = '%';
			buf[(*o)++] = hex[c >> 4];
			buf[(*o)++] = hex[c & 15];
		}
	}
	buf[*o] = '\0';
	return true;
}

static int
pair_cmp(const void *a, const void *b)
{
	const struct form_pair	*x = *(const struct form_pair *const *)a;
	const struct form_pair	*y = *(const struct form_pair *const *)b;

	return strcmp(x->name, y->name);
}

/* One "<path?query>; rel=..." with page n. */
static bool
one_link(char *buf, size_t bufsz, size_t *o, const char *path,
    const struct form *q, long long n, long long size, const char *rel)
{
	const struct form_pair	*sorted[HTTP_PARAMS_MAX + 2];
	struct form_pair	 pg, ps;
	char			 pv[24], sv[24];
	size_t			 k = 0;
	int			 w;

	snprintf(pv, sizeof(pv), "%lld", n);
	snprintf(sv, sizeof(sv), "%lld", size);
	pg.name = "page";
	pg.value = pv;
	ps.name = "page_size";
	ps.value = sv;
	sorted[k++] = &pg;
	sorted[k++] = &ps;
	for (size_t i = 0; i < q->n && k < HTTP_PARAMS_MAX + 2; i++)
		if (strcmp(q->pairs[i].name, "page") != 0 &&
		    strcmp(q->pairs[i].name, "page_size") != 0)
			sorted[k++] = &q->pairs[i];
	qsort(sorted, k, sizeof(sorted[0]), pair_cmp);

	w = snprintf(buf + *o, bufsz - *o, "%s<%s?", *o ? " , " : "", path);
	if (w < 0 || (size_t)w >= bufsz - *o)
		return false;
	*o += (size_t)w;
	for (size_t i = 0; i < k; i++) {
		if (i > 0 && *o + 1 < bufsz)
			buf[(*o)++] = '&';
		if (!put_escaped(buf, bufsz, o, sorted[i]->name))
			return false;
		if (*o + 1 < bufsz)
			buf[(*o)++] = '=';
		if (!put_escaped(buf, bufsz, o, sorted[i]->value))
			return false;
	}
	w = snprintf(buf + *o, bufsz - *o, ">; rel=\"%s\"", rel);
	if (w < 0 || (size_t)w >= bufsz - *o)
		return false;
	*o += (size_t)w;
	return true;
}

bool
api_link(char *buf, size_t bufsz, const char *path, const struct form *q,
    const struct api_page *p, long long total)
{
	size_t	 o = 0;

	if (bufsz == 0)
		return false;
	buf[0] = '\0';
	/* As Harbor: prev only while the previous page has rows. */
	if (p->page > 1 && (p->page - 1) * p->size < total &&
	    !one_link(buf, bufsz, &o, path, q, p->page - 1, p->size, "prev"))
		return false;
	if (p->page * p->size < total &&
	    !one_link(buf, bufsz, &o, path, q, p->page + 1, p->size, "next"))
		return false;
	return true;
}

enum app_err
api_list_headers(struct http_req *r, const struct form *q,
    const struct api_page *p, long long total)
{
	char		 n[24], link[API_LINK_MAX];
	enum app_err	 rc;

	snprintf(n, sizeof(n), "%lld", total);
	if ((rc = http_add_header(r, "X-Total-Count", n)) != APP_OK)
		return rc;
	if (api_link(link, sizeof(link), r->path, q, p, total) &&
	    link[0] != '\0')
		return http_add_header(r, "Link", link);
	return APP_OK;
}

enum app_err
api_parse_id(const char *s, long long *out)
{
	return decimal(s, 1, INT64_MAX, out) ? APP_OK : APP_EBADREQ;
}

char *
api_like_new(const char *s, bool contains)
{
	size_t	 n = strlen(s), o = 0;
	char	*p;

	if (n > (SIZE_MAX - 3) / 2 || (p = malloc(2 * n + 3)) == NULL)
		return NULL;
	if (contains)
		p[o++] = '%';
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '%' || *s == '_')
			p[o++] = '\\';
		p[o++] = *s;
	}
	if (contains)
		p[o++] = '%';
	p[o] = '\0';
	return p;
}

/* n decimal digits of s within lo..hi into *out. */
static bool
digits(const char *s, size_t n, int lo, int hi, int *out)
{
	int	 v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return v >= lo && v <= hi;
}

bool
api_time_ok(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int		 y, mo, d, h, mi, se;
	size_t		 n;

	if (strlen(s) < 20 || !digits(s, 4, 1, 9999, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, 1, 12, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, 1, mdays[mo - 1], &d) || s[10] != 'T' ||
	    !digits(s + 11, 2, 0, 23, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, 0, 59, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, 0, 59, &se))
		return false;
	if (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 &&
	    y % 400 != 0)))
		return false;
	s += 19;
	if (*s == '.') {
		n = strspn(++s, "0123456789");
		if (n < 1 || n > 9)
			return false;
		s += n;
	}
	if (strcmp(s, "Z") == 0)
		return true;
	return (*s == '+' || *s == '-') && strlen(s) == 6 &&
	    digits(s + 1, 2, 0, 23, &h) && s[3] == ':' &&
	    digits(s + 4, 2, 0, 59, &mi);
}
