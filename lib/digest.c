/* digest: SHA-256 with the algorithm fetched once per process. */
#include <openssl/evp.h>

#include "digest.h"

const EVP_MD *
digest_sha256_md(void)
{
	static EVP_MD	*md;

	/* Programs are single-threaded; a failed fetch is tried again. */
	if (md == NULL)
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
	return md;
}

bool
digest_sha256(const void *in, size_t len, unsigned char out[DIGEST_SHA256_LEN])
{
	const EVP_MD	*md;
	unsigned int	 n = 0;

	if ((md = digest_sha256_md()) == NULL)
		return false;
	return EVP_Digest(in, len, out, &n, md, NULL) == 1 &&
	    n == DIGEST_SHA256_LEN;
}
