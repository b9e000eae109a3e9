/*
 * keys: the cryptography of the cluster's token-signing keys, with no
 * database in it (lib/keystore.c stores and loads them).
 *
 * A key is an EC P-256 (ES256) or RSA-2048 (RS256) pair with a
 * self-signed X.509 certificate, because Docker Distribution 2.8 only
 * trusts certificates in its rootcertbundle.  Its id is the libtrust key
 * id that the registry computes: SHA-256 of the DER SubjectPublicKeyInfo,
 * the first 240 bits in base32 (RFC 4648 alphabet, no padding), in 12
 * groups of 4 joined by ':'.
 *
 * Private keys are stored sealed with the cluster secret: AES-256-GCM
 * over the PKCS#8 DER of the key, with the kid as additional data so a
 * sealed key cannot be moved to another row.  The sealing key is derived
 * from the secret file with HKDF-SHA256 (info "berth signing key v1").
 * Blob layout: 1 version byte (1) | 12-byte nonce | ciphertext | 16-byte tag.
 */
#ifndef BERTH_KEYS_H
#define BERTH_KEYS_H

#include <stddef.h>

#include <openssl/evp.h>

#include "err.h"

#define KEYS_KID_LEN	59		/* 12 groups of 4, 11 colons */
#define KEYS_SECRET_LEN	32		/* derived sealing key */
#define KEYS_SECRET_MIN	32		/* bytes a secret file must hold */

enum key_alg {
	KEY_ES256,
	KEY_RS256,
	KEY_ALG__MAX
};

/* "ES256" / "RS256"; NULL for anything else. */
const char	*keys_alg_name(enum key_alg);
/* Parse "ES256" / "RS256"; APP_EBADREQ for anything else. */
enum app_err	 keys_alg_parse(const char *, enum key_alg *) WUR;

/*
 * Read the shared secret file at path and derive the sealing key into
 * out.  Refuses (APP_EINTERNAL, with the reason in *why, a static
 * string) a file that is missing, not a regular file, readable or
 * writable by group or others, shorter than KEYS_SECRET_MIN bytes or
 * longer than 4096.  Trailing newlines are not part of the secret.  The
 * file contents are wiped from memory before returning.
 */
enum app_err	 keys_secret_load(const char *path,
		    unsigned char out[KEYS_SECRET_LEN], const char **why) WUR;

/*
 * Create path with mode 0600 holding 48 random bytes, base64-encoded and
 * newline-terminated.  Never overwrites: APP_ECONFLICT if path exists.
 */
enum app_err	 keys_secret_create(const char *path) WUR;

/*
 * Generate a new key pair for alg and a self-signed certificate with
 * subject CN=<cn>, valid from one hour ago for `days` days, serial random.
 * *pkey_new and *cert_pem_new (NUL-terminated PEM) belong to the caller.
 */
enum app_err	 keys_generate(enum key_alg alg, const char *cn, int days,
		    EVP_PKEY **pkey_new, char **cert_pem_new) WUR;

/* The libtrust key id of pkey's public key into kid (KEYS_KID_LEN + 1). */
enum app_err	 keys_kid(EVP_PKEY *pkey, char kid[KEYS_KID_LEN + 1]) WUR;

/*
 * Seal pkey's private key under secret, bound to kid.  *blob_new
 * (allocated with malloc) and *bloblen belong to the caller.
 */
enum app_err	 keys_seal(const unsigned char secret[KEYS_SECRET_LEN],
		    const char *kid, EVP_PKEY *pkey,
		    unsigned char **blob_new, size_t *bloblen) WUR;

/*
 * Open a sealed blob: APP_OK and *pkey_new, or APP_EFORBIDDEN when the
 * secret or kid does not match (authentication tag failure), or
 * APP_EBADREQ when the blob is malformed.  Intermediate plaintext is
 * wiped.
 */
enum app_err	 keys_open(const unsigned char secret[KEYS_SECRET_LEN],
		    const char *kid, const unsigned char *blob, size_t bloblen,
		    EVP_PKEY **pkey_new) WUR;

/*
 * Parse a PEM certificate: APP_OK and *pkey_new holding its public key,
 * APP_EBADREQ if it is not one PEM certificate.  Fills kid when not NULL.
 */
enum app_err	 keys_cert_pubkey(const char *cert_pem,
		    EVP_PKEY **pkey_new, char kid[KEYS_KID_LEN + 1]) WUR;

/* 1 when priv is the private half of pub's key, else 0. */
int		 keys_match(EVP_PKEY *priv, EVP_PKEY *pub);

#endif
