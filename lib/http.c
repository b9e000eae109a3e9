/* http: request view and response writer over libfcgi. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "http.h"
#include "json.h"
#include "log.h"

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

const char *
http_param(const struct http_req *r, const char *name)
{
	return FCGX_GetParam(name, r->fr->envp);
}

const char *
http_header(const struct http_req *r, const char *name)
{
	char	 key[64] = "HTTP_";
	size_t	 i, o = 5;

	if (strcasecmp(name, "Content-Type") == 0)
		return http_param(r, "CONTENT_TYPE");
	if (strcasecmp(name, "Content-Length") == 0)
		return http_param(r, "CONTENT_LENGTH");
	for (i = 0; name[i] != '\0' && o < sizeof(key) - 1; i++, o++)
		key[o] = name[i] == '-' ? '_' :
		    (char)((name[i] >= 'a' && name[i] <= 'z') ?
		    name[i] - 'a' + 'A' : name[i]);
	key[o] = '\0';
	return http_param(r, key);
}

/* A request id from the web server is used only if it is a plain token. */
static int
plain_id(const char *s)
{
	size_t	 n = 0;

	if (s == NULL)
		return 0;
	for (; s[n] != '\0'; n++)
		if (!((s[n] >= '0' && s[n] <= '9') ||
		    (s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= 'A' && s[n] <= 'Z') || s[n] == '-'))
			return 0;
	return n > 0 && n <= LOG_REQID_LEN * 2;
}

enum app_err
http_begin(struct http_req *r, FCGX_Request *fr)
{
	const char	*uri, *q, *id;
	size_t		 n;

	memset(r, 0, sizeof(*r));
	r->fr = fr;
	r->status = 200;

	id = http_header(r, "X-Request-Id");
	if (plain_id(id))
		log_set_request_id(id);
	else
		log_new_request_id();

	r->method = http_param(r, "REQUEST_METHOD");
	if (r->method == NULL || *r->method == '\0') {
		r->method = "";
		return APP_EBADREQ;
	}
	r->head = strcmp(r->method, "HEAD") == 0;

	/*
	 * Route on the raw path of REQUEST_URI, as both nginx and Apache
	 * pass it; DOCUMENT_URI would be decoded and normalized already.
	 */
	if ((uri = http_param(r, "REQUEST_URI")) == NULL &&
	    (uri = http_param(r, "DOCUMENT_URI")) == NULL &&
	    (uri = http_param(r, "SCRIPT_NAME")) == NULL)
		return APP_EBADREQ;
	q = strchr(uri, '?');
	n = q ? (size_t)(q - uri) : strlen(uri);
	if (n == 0 || n > HTTP_PATH_MAX || uri[0] != '/')
		return APP_EBADREQ;
	if ((r->path = strndup(uri, n)) == NULL)
		return APP_ENOMEM;
	return APP_OK;
}

enum app_err
http_query(struct http_req *r, const struct form **out)
{
	const char	*qs;
	size_t		 len;
	enum app_err	 rc;

	if (!r->query_parsed) {
		qs = http_param(r, "QUERY_STRING");
		len = qs ? strlen(qs) : 0;
		if (len > HTTP_QUERY_MAX)
			return APP_EBADREQ;
		if ((rc = form_parse(qs ? qs : "", len, HTTP_PARAMS_MAX,
		    &r->query)) != APP_OK)
			return rc;
		r->query_parsed = true;
	}
	*out = &r->query;
	return APP_OK;
}

/* CONTENT_LENGTH: digits only, no sign, no overflow. */
static enum app_err
content_length(const char *s, size_t cap, size_t *out)
{
	size_t	 n = 0;

	if (s == NULL || *s == '\0') {
		*out = 0;
		return APP_OK;
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return APP_EBADREQ;
		if (n > (SIZE_MAX - 9) / 10)
			return APP_ETOOLARGE;
		n = n * 10 + (size_t)(*s - '0');
	}
	if (n > cap)
		return APP_ETOOLARGE;
	*out = n;
	return APP_OK;
}

enum app_err
http_body(struct http_req *r, size_t cap, const char **buf, size_t *len)
{
	size_t		 want, got = 0;
	enum app_err	 rc;
	int		 n;

	if (r->body != NULL)
		goto done;
	if ((rc = content_length(http_param(r, "CONTENT_LENGTH"), cap,
	    &want)) != APP_OK)
		return rc;
	if ((r->body = malloc(want + 1)) == NULL)
		return APP_ENOMEM;
	while (got < want) {
		size_t chunk = want - got > 65536 ? 65536 : want - got;

		n = FCGX_GetStr(r->body + got, (int)chunk, r->fr->in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	r->bodylen = got;
	r->body[got] = '\0';
	if (got != want)
		return APP_EBADREQ;
done:
	*buf = r->body;
	*len = r->bodylen;
	return APP_OK;
}

/* A text body may hold a secret (a refresh token): wipe it. */
static void
drop_text(struct http_req *r)
{
	if (r->text != NULL) {
		OPENSSL_cleanse(r->text, strlen(r->text));
		free(r->text);
		r->text = NULL;
	}
}

void
http_json(struct http_req *r, int status, json_t *steal)
{
	json_decref(r->json);
	drop_text(r);
	r->status = status;
	r->json = steal;
	r->ctype = "application/json";
}

enum app_err
http_json_text(struct http_req *r, int status, char *steal)
{
	if (steal == NULL)
		return APP_ENOMEM;
	json_decref(r->json);
	r->json = NULL;
	drop_text(r);
	r->status = status;
	r->text = steal;
	r->ctype = "application/json";
	return APP_OK;
}

enum app_err
http_text(struct http_req *r, int status, const char *ctype,
    const char *text)
{
	json_decref(r->json);
	r->json = NULL;
	drop_text(r);
	r->status = status;
	r->ctype = ctype;
	/* No text is an empty body. */
	if (*text != '\0' && (r->text = strdup(text)) == NULL)
		return APP_ENOMEM;
	return APP_OK;
}

enum app_err
http_add_header(struct http_req *r, const char *name, const char *value)
{
	char	*v;

	if (r->nheaders == HTTP_HEADERS_MAX || strpbrk(value, "\r\n") != NULL)
		return APP_EINTERNAL;
	if ((v = strdup(value)) == NULL)
		return APP_ENOMEM;
	r->headers[r->nheaders].name = name;
	r->headers[r->nheaders].value = v;
	r->nheaders++;
	return APP_OK;
}

void
http_finish(struct http_req *r, enum app_err rc, const char *msg)
{
	FCGX_Stream	*out = r->fr->out;
	char		*body = NULL;
	const char	*b;
	size_t		 blen;
	char		 hdr[512], fixed[128];
	int		 n;

	if (r->finished)
		return;
	r->finished = true;

	if (rc != APP_OK) {
		http_json(r, err_status(rc), err_body_new(rc, msg));
		/* Without memory for it, still a 503. */
		if (rc == APP_EUNAVAIL)
			(void)!http_add_header(r, "Retry-After", "1");
	}
	if (r->json != NULL)
		body = json_encode_new(r->json,
		    JSON_COMPACT | JSON_REAL_PRECISION(12));
	if (body != NULL) {
		b = body;
		r->ctype = "application/json";
	} else if (r->json != NULL || rc != APP_OK) {
		/*
		 * No memory for the answer itself: the error body of rc (500
		 * for an answer that could not be written), from static
		 * strings.  A success's headers (Location, ...) go with it.
		 */
		if (rc == APP_OK) {
			rc = APP_ENOMEM;
			for (size_t i = 0; i < r->nheaders; i++)
				free(r->headers[i].value);
			r->nheaders = 0;
		}
		r->status = err_status(rc);
		(void)snprintf(fixed, sizeof(fixed),
		    "{\"errors\":[{\"code\":\"%s\",\"message\":\"%s\"}]}",
		    err_code(rc), err_default_message(rc));
		b = fixed;
		r->ctype = "application/json";
	} else if (r->text != NULL)
		b = r->text;
	else
		b = "";
	blen = strlen(b);

	/* libfcgi's own printf knows no %zu: format here, write once. */
	n = snprintf(hdr, sizeof(hdr), "Status: %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Request-Id: %s\r\n",
	    r->status, http_reason(r->status),
	    r->ctype != NULL ? r->ctype : "text/plain", blen,
	    log_request_id());
	if (n > 0 && (size_t)n < sizeof(hdr))
		FCGX_PutStr(hdr, n, out);
	for (size_t i = 0; i < r->nheaders; i++) {
		FCGX_PutS(r->headers[i].name, out);
		FCGX_PutS(": ", out);
		FCGX_PutS(r->headers[i].value, out);
		FCGX_PutS("\r\n", out);
	}
	FCGX_PutS("\r\n", out);
	if (!r->head && blen > 0)
		FCGX_PutStr(b, (int)blen, out);
	if (body != NULL) {
		OPENSSL_cleanse(body, blen);
		free(body);
	}
}

void
http_end(struct http_req *r)
{
	form_free(&r->query);
	if (r->body != NULL) {
		OPENSSL_cleanse(r->body, r->bodylen);
		free(r->body);
	}
	json_decref(r->json);
	drop_text(r);
	free(r->path);
	for (size_t i = 0; i < r->nheaders; i++)
		free(r->headers[i].value);
	memset(r, 0, sizeof(*r));
	log_set_request_id(NULL);
}
