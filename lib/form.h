/*
 * form: application/x-www-form-urlencoded, for query strings and POST
 * bodies alike.  No I/O: the parser is unit-tested and fuzzed alone.
 *
 * Pairs are separated by '&', names from values by the first '='; '+'
 * is a space and %XX a byte.  Refused with APP_EBADREQ: a bad escape
 * (%zz, a trailing %), a NUL byte (raw or %00), more than maxparams
 * pairs.  Empty pairs ("a=1&&b") are skipped; a name without '=' has the
 * value "".  Decoded names and values are NUL-terminated.
 */
#ifndef BERTH_FORM_H
#define BERTH_FORM_H

#include <stddef.h>

#include "err.h"

struct form_pair {
	const char	*name;
	const char	*value;
	size_t		 valuelen;
};

struct form {
	struct form_pair	*pairs;
	size_t			 n;
	char			*buf;		/* decoded strings */
	size_t			 bufsz;
};

/*
 * Parse s (len bytes).  On APP_OK, f holds the pairs in order; free
 * with form_free() (also safe after an error, and on a zeroed form).
 * Allocates at most len + 1 bytes and maxparams pairs.
 */
enum app_err	 form_parse(const char *s, size_t len, size_t maxparams,
		    struct form *f) WUR;

/* The value of the first pair named name, or NULL. */
const char	*form_get(const struct form *f, const char *name);

/* How many pairs are named name. */
size_t		 form_count(const struct form *f, const char *name);

/* Free and wipe (a form body may hold a password). */
void		 form_free(struct form *f);

#endif
