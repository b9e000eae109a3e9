/* Unit tests for lib/json: strict loading of request bodies. */
#include <stdint.h>

#include "json.h"
#include "t.h"

static enum app_err
load(const char *s, json_t **v, const char **why)
{
	return json_parse_object(s, strlen(s), JSON_DEPTH_MAX, v, why);
}

int
main(void)
{
	json_t		*v;
	const char	*why = NULL;

	T_EQ_INT(load("{\"a\":1,\"b\":[1,{\"c\":\"x\"}]}", &v, &why), APP_OK,
	    "an object loads");
	T_OK(v != NULL && json_integer_value(json_object_get(v, "a")) == 1,
	    "with its values");
	json_decref(v);

	T_EQ_INT(load("{\"a\":1,\"a\":2}", &v, &why), APP_EBADREQ,
	    "duplicate keys are refused");
	T_EQ_STR(why, "duplicate key in JSON object", "and said so");
	T_OK(v == NULL, "nothing is returned on refusal");

	T_EQ_INT(load("{\"a\":\"x\\u0000y\"}", &v, &why), APP_EBADREQ,
	    "\\u0000 is refused");
	T_EQ_INT(load("{\"a\":\"\xff\"}", &v, &why), APP_EBADREQ,
	    "invalid UTF-8 is refused");
	T_EQ_INT(load("[1,2]", &v, &why), APP_EBADREQ,
	    "a top-level array is refused");
	T_EQ_INT(load("\"x\"", &v, &why), APP_EBADREQ,
	    "a top-level string is refused");
	T_EQ_INT(load("{\"a\":1", &v, &why), APP_EBADREQ,
	    "unbalanced braces are refused");
	T_EQ_INT(load("{\"a\":1} x", &v, &why), APP_EBADREQ,
	    "trailing garbage is refused");
	T_EQ_INT(load("", &v, &why), APP_EBADREQ, "an empty body is refused");

	T_EQ_INT(load("{\"a\":[[[[[[[1]]]]]]]}", &v, &why), APP_OK,
	    "depth 8 is allowed");
	json_decref(v);
	T_EQ_INT(load("{\"a\":[[[[[[[[1]]]]]]]]}", &v, &why), APP_EBADREQ,
	    "depth 9 is refused");
	T_EQ_STR(why, "JSON nested too deeply", "and said so");
	T_EQ_INT(load("{\"a\":\"[[[[[[[[[[[[[[[[\"}", &v, &why), APP_OK,
	    "brackets inside strings do not count");
	json_decref(v);
	T_EQ_INT(load("{\"a\":\"\\\"[[[[[[[[[[[\"}", &v, &why), APP_OK,
	    "nor after an escaped quote");
	json_decref(v);
	T_EQ_INT(json_depth("]", 1), SIZE_MAX, "a stray ] is unbalanced");
	T_EQ_INT(json_depth("{\"a", 3), SIZE_MAX, "an open string is too");
	return t_done();
}
