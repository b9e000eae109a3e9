/* json: strict loading of request bodies; checked jansson conversions. */
#include <stdint.h>
#include <stdlib.h>

#include "json.h"
#include "mem.h"

enum app_err
json_decode(const char *buf, size_t len, size_t flags, json_t **v_new,
    json_error_t *err)
{
	json_error_t	 jerr;
	json_t		*v;
	unsigned long	 failed = mem_failures();

	*v_new = NULL;
	v = json_loadb(buf, len, flags, &jerr);
	if (mem_failures() != failed || (v == NULL &&
	    json_error_code(&jerr) == json_error_out_of_memory)) {
		json_decref(v);
		return APP_ENOMEM;
	}
	if (v == NULL) {
		if (err != NULL)
			*err = jerr;
		return APP_EBADREQ;
	}
	*v_new = v;
	return APP_OK;
}

char *
json_encode_new(const json_t *v, size_t flags)
{
	char		*s;
	unsigned long	 failed = mem_failures();

	s = json_dumps(v, flags);
	if (mem_failures() != failed) {
		free(s);
		return NULL;
	}
	return s;
}

size_t
json_depth(const char *buf, size_t len)
{
	size_t	 depth = 0, max = 0;
	int	 instr = 0;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (instr) {
			if (c == '\\')
				i++;
			else if (c == '"')
				instr = 0;
			continue;
		}
		switch (c) {
		case '"':
			instr = 1;
			break;
		case '[':
		case '{':
			if (++depth > max)
				max = depth;
			break;
		case ']':
		case '}':
			if (depth == 0)
				return SIZE_MAX;
			depth--;
			break;
		default:
			break;
		}
	}
	return depth == 0 && !instr ? max : SIZE_MAX;
}

enum app_err
json_parse_object(const char *buf, size_t len, size_t maxdepth,
    json_t **obj_new, const char **why)
{
	json_error_t	 jerr;
	json_t		*v;
	size_t		 d;
	enum app_err	 rc;

	*obj_new = NULL;
	if ((d = json_depth(buf, len)) == SIZE_MAX) {
		*why = "malformed JSON";
		return APP_EBADREQ;
	}
	if (d > maxdepth) {
		*why = "JSON nested too deeply";
		return APP_EBADREQ;
	}
	if ((rc = json_decode(buf, len, JSON_REJECT_DUPLICATES, &v, &jerr)) ==
	    APP_ENOMEM) {
		*why = "out of memory";
		return rc;
	}
	if (rc != APP_OK) {
		/*
		 * jansson's text may quote the input; tell the client only
		 * the kind of problem.
		 */
		switch (json_error_code(&jerr)) {
		case json_error_duplicate_key:
			*why = "duplicate key in JSON object";
			break;
		case json_error_null_character:
			*why = "NUL character in JSON";
			break;
		case json_error_invalid_utf8:
			*why = "invalid UTF-8 in JSON";
			break;
		default:
			*why = "malformed JSON";
			break;
		}
		return APP_EBADREQ;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		*why = "JSON body must be an object";
		return APP_EBADREQ;
	}
	*obj_new = v;
	return APP_OK;
}
