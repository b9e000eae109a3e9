/* ct: constant-time comparison of secrets. */
#include <openssl/crypto.h>

#include "ct.h"

bool
ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

bool
ct_equal_n(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && CRYPTO_memcmp(a, b, alen) == 0;
}
