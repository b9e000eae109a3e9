/*
 * json: loading untrusted JSON request bodies with jansson, and every
 * text-to-value and value-to-text conversion of berth.
 *
 * Duplicate object keys are refused (JSON_REJECT_DUPLICATES), as are
 * \u0000 and invalid UTF-8 (jansson's defaults), a top level other than
 * an object, and nesting deeper than maxdepth, which is checked by a scan
 * of the raw bytes before jansson builds anything.
 *
 * jansson 2.14 does not always report a failed allocation: its parser
 * drops a byte it could not save and goes on (lex_save() in load.c),
 * and its encoder drops an object key it could not write (do_dump() in
 * dump.c), each giving another value or text that looks valid
 * (akheron/jansson#362, #655).  json_decode() and json_encode_new()
 * fail when any allocation failed on the way, as mem_failures() counts
 * them once mem_init() ran; berth parses and prints JSON only through
 * these.
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

/*
 * Parse len bytes of buf with jansson's flags into *v_new, which the
 * caller owns.  APP_ENOMEM when an allocation failed on the way (even
 * one jansson did not report), APP_EBADREQ when buf is not JSON, with
 * jansson's error in *err when err is not NULL.
 */
enum app_err	json_decode(const char *buf, size_t len, size_t flags,
		    json_t **v_new, json_error_t *err) WUR;

/* json_dumps() that returns NULL also when an allocation failed inside. */
char		*json_encode_new(const json_t *, size_t flags);

/* Nesting depth of the JSON text (arrays and objects), or SIZE_MAX when
 * brackets do not balance.  Strings are skipped with their escapes. */
size_t		json_depth(const char *buf, size_t len);

#endif
