/*
 * jwt: the registry tokens berth signs, and the key documents it
 * publishes (docs/spec/auth/jwt.md, RFC 7515, 7517, 7518).
 *
 * Header: {"typ":"JWT","alg":"ES256"|"RS256","kid":<libtrust id>,
 * "x5c":[<base64 DER certificate>]} so that the same token verifies on
 * registry 2.8 (x5c, chain-verified against its rootcertbundle) and 3.x.
 * ES256 signatures are the raw 64-byte r||s (RFC 7518 3.4), never DER;
 * RS256 is RSASSA-PKCS1-v1_5 with SHA-256.  Segments are base64url
 * without padding.
 */
#ifndef BERTH_JWT_H
#define BERTH_JWT_H

#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "err.h"
#include "keys.h"

/* jwt_verify refuses longer tokens; registry tokens are a few KB. */
#define JWT_TOKEN_MAX	65536

struct jwt_key {
	EVP_PKEY	*priv;
	enum key_alg	 alg;
	const char	*kid;
	const char	*cert_pem;	/* the certificate put into x5c */
};

/*
 * Sign claims (any JSON object; serialized compactly, keys in insertion
 * order) with key.  *token_new is a NUL-terminated malloc'd string the
 * caller frees.  APP_EINTERNAL if the key is not one alg signs with or
 * the certificate does not hold its public key.
 */
enum app_err	jwt_sign(const struct jwt_key *key, const json_t *claims,
		    char **token_new) WUR;

/*
 * A key made ready to sign many tokens: what jwt_sign does once per key
 * (the certificate parsed and checked against the key, the header
 * encoded, OpenSSL's signing context set up) done once, so that each
 * token costs one SHA-256, one signature and the claims' encoding.
 * Owns nothing of the jwt_key it was made from but a reference to the
 * private key.
 */
struct jwt_signer {
	enum key_alg	 alg;
	char		*head;		/* base64url of the header, and '.' */
	size_t		 headlen;
	size_t		 sigmax;	/* signature bytes, at most */
	EVP_PKEY_CTX	*ctx;		/* EVP_PKEY_sign_init'ed */
};

/* APP_EINTERNAL as jwt_sign, APP_ENOMEM; on failure s needs no free. */
enum app_err	jwt_signer_init(struct jwt_signer *s, const struct jwt_key *key)
		    WUR;
/* As jwt_sign, with a signer from jwt_signer_init. */
enum app_err	jwt_signer_sign(const struct jwt_signer *s, const json_t *claims,
		    char **token_new) WUR;
/* The same with the claims as JSON text (len bytes), used as given. */
enum app_err	jwt_signer_sign_text(const struct jwt_signer *s,
		    const char *claims, size_t len, char **token_new) WUR;
void		jwt_signer_free(struct jwt_signer *s);

/*
 * Verify token (len bytes) with pub: the header's alg must be alg, the
 * signature must verify, both segments must be JSON objects.  On APP_OK
 * *header_new and *claims_new (either may be NULL if not wanted) are new
 * references.  APP_EUNAUTH for a bad signature or a wrong alg,
 * APP_EBADREQ for anything malformed or longer than JWT_TOKEN_MAX,
 * APP_EINTERNAL if pub is not a key for alg.  Used by tests and tools;
 * the registry is the real verifier.
 */
enum app_err	jwt_verify(const char *token, size_t len, EVP_PKEY *pub,
		    enum key_alg alg, json_t **header_new,
		    json_t **claims_new) WUR;

/*
 * base64url without padding of len bytes into a malloc'd string; NULL
 * on allocation failure.  jwt_b64url_decode_new reverses it (padding
 * and '+' '/' are refused), returning NULL on malformed input.
 */
char		*jwt_b64url_new(const unsigned char *in, size_t len);
unsigned char	*jwt_b64url_decode_new(const char *in, size_t len,
		    size_t *outlen);

/*
 * The public JWK of a key: {"kty":"EC","crv":"P-256","x","y"} or
 * {"kty":"RSA","n","e"}, with "kid", "alg" and "use":"sig".  New
 * reference; NULL on failure.
 */
json_t		*jwt_jwk_new(EVP_PKEY *pub, enum key_alg alg, const char *kid);

#endif
