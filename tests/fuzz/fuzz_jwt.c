/* libFuzzer target: lib/jwt, tokens as tests and tools verify them. */
#include <stddef.h>
#include <stdint.h>

#include "jwt.h"
#include "keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY	*pub;
	static char	*pem;
	json_t		*h = NULL, *c = NULL;
	unsigned char	*dec;
	size_t		 declen;

	if (pub == NULL) {
		EVP_PKEY *k = NULL;

		if (keys_generate(KEY_ES256, "fuzz", 1, &k, &pem) != APP_OK ||
		    keys_cert_pubkey(pem, &pub, NULL) != APP_OK)
			__builtin_trap();
		EVP_PKEY_free(k);
	}
	/* A random key never verifies a fuzzer's token. */
	if (jwt_verify((const char *)data, size, pub, KEY_ES256, &h, &c) ==
	    APP_OK)
		__builtin_trap();
	json_decref(h);
	json_decref(c);
	if ((dec = jwt_b64url_decode_new((const char *)data, size,
	    &declen)) != NULL)
		free(dec);
	return 0;
}
