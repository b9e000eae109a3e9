/*
 * digest: SHA-256 with the algorithm fetched once per process.
 *
 * OpenSSL 3 looks an algorithm up in its provider tables (under a lock)
 * every time EVP_sha256() is used; on the token path that lookup cost
 * more than the hash.  Every SHA-256 of berth goes through here.
 */
#ifndef BERTH_DIGEST_H
#define BERTH_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

#define DIGEST_SHA256_LEN	32

/* SHA-256 of in (len bytes) into out; false only if OpenSSL fails. */
bool		 digest_sha256(const void *in, size_t len,
		    unsigned char out[DIGEST_SHA256_LEN]);

/* The fetched SHA-256 (owned here, kept for the process), or NULL. */
const EVP_MD	*digest_sha256_md(void);

#endif
