/*
 * jtext: JSON text written straight into one growing buffer, for the
 * token path, where building a jansson tree only to serialize it again
 * cost more than the signature.
 *
 * Each call appends; the first failure (out of memory, or a string that
 * is not valid UTF-8) sticks, so a caller writes everything and checks
 * once at the end.  Strings are escaped as RFC 8259 requires (quote,
 * backslash and control characters; '/' is left alone).
 */
#ifndef BERTH_JTEXT_H
#define BERTH_JTEXT_H

#include <stdbool.h>
#include <stddef.h>

struct jtext {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	bool	 failed;
};

void	 jtext_init(struct jtext *);
/* Append n bytes as they are (JSON punctuation, or text already JSON). */
void	 jtext_raw(struct jtext *, const char *s, size_t n);
/* Append a NUL-terminated literal as it is. */
void	 jtext_lit(struct jtext *, const char *s);
/* Append s as a quoted JSON string. */
void	 jtext_str(struct jtext *, const char *s);
void	 jtext_int(struct jtext *, long long v);
/*
 * The NUL-terminated text, handed to the caller (free it), and its
 * length in *len (may be NULL); NULL if anything failed, and then the
 * buffer is already freed.  Either way the jtext is empty again.
 */
char	*jtext_take(struct jtext *, size_t *len);
/* Wipe and free what was written, for text that held a secret. */
void	 jtext_free(struct jtext *);

#endif
