/*
 * ct: the one place secrets are compared.
 *
 * Every comparison of a password, a secret, a MAC, a digest of a secret
 * or anything derived from one goes through these, never through
 * memcmp/strcmp: their time depends only on the lengths, not on where
 * the bytes first differ.  tests/lint/ct-compare fails the build on a
 * secret-looking comparison anywhere else.
 */
#ifndef BERTH_CT_H
#define BERTH_CT_H

#include <stdbool.h>
#include <stddef.h>

/* Whether a and b (n bytes each) are equal, in time that depends on n. */
bool	ct_equal(const void *a, const void *b, size_t n);

/*
 * Whether a (alen bytes) and b (blen bytes) are equal.  Unequal lengths
 * answer at once: a length is not the secret (the callers compare
 * fixed-size digests, or strings whose length the caller sent).
 */
bool	ct_equal_n(const void *a, size_t alen, const void *b, size_t blen);

#endif
