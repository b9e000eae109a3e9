/* mem: counting the allocations that fail inside the libraries. */
#include <stdlib.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "mem.h"

static unsigned long	 failures;

static void *
counted_malloc(size_t n)
{
	void	*p = malloc(n);

	if (p == NULL && n != 0)
		failures++;
	return p;
}

static void *
ossl_malloc(size_t n, const char *file, int line)
{
	return counted_malloc(n);
}

/* As OpenSSL's own: size 0 frees. */
static void *
ossl_realloc(void *p, size_t n, const char *file, int line)
{
	void	*q;

	if (n == 0) {
		free(p);
		return NULL;
	}
	if ((q = realloc(p, n)) == NULL)
		failures++;
	return q;
}

static void
ossl_free(void *p, const char *file, int line)
{
	free(p);
}

bool
mem_init(void)
{
	/* Blocks jansson allocated before still go to the same free(). */
	json_set_alloc_funcs(counted_malloc, free);
	return CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc,
	    ossl_free) == 1;
}

unsigned long
mem_failures(void)
{
	return failures;
}
