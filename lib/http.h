/*
 * http: a request view over libfcgi and the one response writer.
 *
 * A handler reads the request through http_* calls and either fills the
 * response (http_json, http_text) or returns an error; http_finish()
 * then writes status, headers and body exactly once.  Handlers never
 * print headers themselves.
 *
 * Limits, each answered before any work sized by the input:
 *   HTTP_QUERY_MAX bytes of query string, HTTP_PARAMS_MAX pairs: 400;
 *   a body over the caller's cap, from CONTENT_LENGTH alone: 413;
 *   a malformed CONTENT_LENGTH (sign, letters, overflow): 400.
 */
#ifndef BERTH_HTTP_H
#define BERTH_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <fcgiapp.h>
#include <jansson.h>

#include "err.h"
#include "form.h"

#define HTTP_QUERY_MAX		8192
#define HTTP_PARAMS_MAX		64
#define HTTP_HEADERS_MAX	8
#define HTTP_PATH_MAX		1024

struct http_header {
	const char	*name;		/* static */
	char		*value;		/* owned */
};

struct http_req {
	FCGX_Request		*fr;
	const char		*method;	/* REQUEST_METHOD */
	char			*path;		/* raw path of REQUEST_URI */
	bool			 head;		/* HEAD: headers only */

	struct form		 query;
	bool			 query_parsed;
	char			*body;		/* read by http_body() */
	size_t			 bodylen;

	/* The response. */
	int			 status;
	json_t			*json;
	char			*text;
	const char		*ctype;
	struct http_header	 headers[HTTP_HEADERS_MAX];
	size_t			 nheaders;
	bool			 finished;
};

/*
 * Start a request: method, path, request id (X-Request-Id from the web
 * server when it is a plain token, else a fresh one).  APP_EBADREQ for
 * a request without method or with an unusable path; the request can
 * still be finished with the error.
 */
enum app_err	 http_begin(struct http_req *, FCGX_Request *) WUR;

/* A FastCGI parameter ("REMOTE_ADDR"), or NULL. */
const char	*http_param(const struct http_req *, const char *name);

/* A request header by its HTTP name ("Authorization"), or NULL. */
const char	*http_header(const struct http_req *, const char *name);

/* The parsed query string (parsed on first use). */
enum app_err	 http_query(struct http_req *, const struct form **) WUR;

/*
 * Read the body, at most cap bytes, into r->body (NUL-terminated; the
 * request owns it and wipes it at http_end).  APP_ETOOLARGE when
 * CONTENT_LENGTH exceeds cap (nothing read), APP_EBADREQ when it is
 * malformed or the body is shorter than announced.
 */
enum app_err	 http_body(struct http_req *, size_t cap, const char **buf,
		    size_t *len) WUR;

/* Respond with a JSON value (the reference is stolen). */
void		 http_json(struct http_req *, int status, json_t *steal);

/* Respond with JSON text (stolen, wiped at the end: it may hold a
 * secret).  APP_ENOMEM for NULL (the text could not be made). */
enum app_err	 http_json_text(struct http_req *, int status, char *steal)
		    WUR;

/*
 * Respond with text (copied) of the given content type.  APP_ENOMEM
 * when the copy fails (an empty text needs none).
 */
enum app_err	 http_text(struct http_req *, int status, const char *ctype,
		    const char *text) WUR;

/*
 * Add a response header; name is static, value copied.  APP_ENOMEM when
 * the copy fails; APP_EINTERNAL for a value with CR or LF or more than
 * HTTP_HEADERS_MAX headers.
 */
enum app_err	 http_add_header(struct http_req *, const char *name,
		    const char *value) WUR;

/*
 * Write the response.  With rc != APP_OK, an error body for rc (with
 * msg, a client-safe text, or the default message) replaces whatever
 * the handler set.  Only the first call writes.
 */
void		 http_finish(struct http_req *, enum app_err rc,
		    const char *msg);

/* Free and wipe everything the request owned. */
void		 http_end(struct http_req *);

/* Reason phrase for a status code. */
const char	*http_reason(int status);

#endif
