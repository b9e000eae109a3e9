/* Unit tests for lib/err: the table to HTTP. */
#include "err.h"
#include "t.h"

int
main(void)
{
	json_t	*b;
	char	*s;

	T_EQ_INT(err_status(APP_OK), 200, "ok is 200");
	T_EQ_INT(err_status(APP_EBADREQ), 400, "bad request is 400");
	T_EQ_INT(err_status(APP_EUNAUTH), 401, "unauth is 401");
	T_EQ_INT(err_status(APP_EFORBIDDEN), 403, "forbidden is 403");
	T_EQ_INT(err_status(APP_ENOTFOUND), 404, "not found is 404");
	T_EQ_INT(err_status(APP_EMETHOD), 405, "method is 405");
	T_EQ_INT(err_status(APP_ECONFLICT), 409, "conflict is 409");
	T_EQ_INT(err_status(APP_ETOOLARGE), 413, "too large is 413");
	T_EQ_INT(err_status(APP_EMEDIATYPE), 415, "media type is 415");
	T_EQ_INT(err_status(APP_EUNAVAIL), 503, "unavailable is 503");
	T_EQ_INT(err_status(APP_ENOMEM), 500, "no memory is 500");
	T_EQ_INT(err_status(APP_EINTERNAL), 500, "internal is 500");
	T_EQ_INT(err_status((enum app_err)999), 500, "unknown is 500");
	T_EQ_INT(err_status((enum app_err)-1), 500, "negative is 500");
	T_EQ_STR(err_code((enum app_err)999), "INTERNAL_SERVER_ERROR",
	    "unknown has the internal code");
	for (int e = 0; e < APP_ERR__MAX; e++)
		T_OK(err_code((enum app_err)e) != NULL &&
		    err_default_message((enum app_err)e) != NULL,
		    "error %d has a code and a message", e);

	b = err_body_new(APP_ENOTFOUND, NULL);
	s = json_dumps(b, JSON_COMPACT);
	T_EQ_STR(s, "{\"errors\":[{\"code\":\"NOT_FOUND\",\"message\":"
	    "\"not found\"}]}", "Harbor's error shape");
	free(s);
	json_decref(b);
	b = err_body_new(APP_EBADREQ, "bad \"scope\"");
	s = json_dumps(b, JSON_COMPACT);
	T_EQ_STR(s, "{\"errors\":[{\"code\":\"BAD_REQUEST\",\"message\":"
	    "\"bad \\\"scope\\\"\"}]}", "messages are JSON-escaped");
	free(s);
	json_decref(b);
	return t_done();
}
