/* err: the table from enum app_err to HTTP status and Harbor error code. */
#include "err.h"

static const struct {
	int		 status;
	const char	*code;
	const char	*message;
} errtab[APP_ERR__MAX] = {
	[APP_OK] =		{ 200, "OK", "ok" },
	[APP_EBADREQ] =		{ 400, "BAD_REQUEST", "bad request" },
	[APP_EUNAUTH] =		{ 401, "UNAUTHORIZED", "unauthorized" },
	[APP_EFORBIDDEN] =	{ 403, "FORBIDDEN", "forbidden" },
	[APP_ENOTFOUND] =	{ 404, "NOT_FOUND", "not found" },
	[APP_EMETHOD] =		{ 405, "METHOD_NOT_ALLOWED", "method not allowed" },
	[APP_ECONFLICT] =	{ 409, "CONFLICT", "conflict" },
	[APP_ETOOLARGE] =	{ 413, "PAYLOAD_TOO_LARGE", "request too large" },
	[APP_EMEDIATYPE] =	{ 415, "UNSUPPORTED_MEDIA_TYPE",
				  "content type must be application/json" },
	[APP_EUNAVAIL] =	{ 503, "SERVICE_UNAVAILABLE", "service unavailable" },
	[APP_ENOMEM] =		{ 500, "INTERNAL_SERVER_ERROR", "internal error" },
	[APP_EINTERNAL] =	{ 500, "INTERNAL_SERVER_ERROR", "internal error" },
};

static int
known(enum app_err e)
{
	return (int)e >= 0 && e < APP_ERR__MAX && errtab[e].code != NULL;
}

int
err_status(enum app_err e)
{
	return known(e) ? errtab[e].status : 500;
}

const char *
err_code(enum app_err e)
{
	return known(e) ? errtab[e].code : "INTERNAL_SERVER_ERROR";
}

const char *
err_default_message(enum app_err e)
{
	return known(e) ? errtab[e].message : "internal error";
}

json_t *
err_body_new(enum app_err e, const char *msg)
{
	if (msg == NULL)
		msg = err_default_message(e);
	return json_pack("{s:[{s:s,s:s}]}", "errors",
	    "code", err_code(e), "message", msg);
}
