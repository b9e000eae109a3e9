/*
 * err: the one error enum of berth and its table to HTTP.
 *
 * Every library function that can fail returns an enum app_err.  The
 * programs turn it into an HTTP status and a Harbor-style error body
 * {"errors":[{"code":"...","message":"..."}]} in exactly one place,
 * http_finish().  Anything not in the table is a 500.
 */
#ifndef BERTH_ERR_H
#define BERTH_ERR_H

#include <jansson.h>

#define WUR __attribute__((warn_unused_result))

enum app_err {
	APP_OK = 0,
	APP_EBADREQ,		/* 400: the request is malformed */
	APP_EUNAUTH,		/* 401: authentication failed or missing */
	APP_EFORBIDDEN,		/* 403: authenticated, not allowed */
	APP_ENOTFOUND,		/* 404 */
	APP_EMETHOD,		/* 405: caller adds the Allow header */
	APP_ECONFLICT,		/* 409: unique or foreign key violation */
	APP_ETOOLARGE,		/* 413: body or header over its cap */
	APP_EMEDIATYPE,		/* 415: not application/json */
	APP_EUNAVAIL,		/* 503: database down, timed out, not ready */
	APP_ENOMEM,		/* 500: allocation failed */
	APP_EINTERNAL,		/* 500: a bug or an unexpected library error */
	APP_ERR__MAX
};

/* HTTP status for an error; 500 for anything outside the enum. */
int		 err_status(enum app_err);

/* Harbor error code ("BAD_REQUEST", ...); "INTERNAL_SERVER_ERROR" if unknown. */
const char	*err_code(enum app_err);

/* Short message safe to show any client, e.g. "service unavailable". */
const char	*err_default_message(enum app_err);

/*
 * A new error body {"errors":[{"code":..., "message":...}]}; msg may be
 * NULL for the default message.  Returns NULL on allocation failure;
 * the caller owns the result.
 */
json_t		*err_body_new(enum app_err, const char *msg);

#endif
