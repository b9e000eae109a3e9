/*
 * json: loading untrusted JSON request bodies with jansson.
 *
 * Duplicate object keys are refused (JSON_REJECT_DUPLICATES), as are
 * \u0000 and invalid UTF-8 (jansson's defaults), a top level other than
 * an object, and nesting deeper than maxdepth, which is checked by a scan
 * of the raw bytes before jansson builds anything.
 */
#ifndef BERTH_JSON_H
#define BERTH_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"

#define JSON_DEPTH_MAX	8

/*
 * Parse buf (len bytes) into *obj_new, which the caller owns.
 * APP_EBADREQ with a short client-safe reason in *why (static storage)
 * on any refusal.
 */
enum app_err	json_parse_object(const char *buf, size_t len,
		    size_t maxdepth, json_t **obj_new, const char **why) WUR;

/* Nesting depth of the JSON text (arrays and objects), or SIZE_MAX when
 * brackets do not balance.  Strings are skipped with their escapes. */
size_t		json_depth(const char *buf, size_t len);

#endif
