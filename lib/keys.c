/*
 * keys: signing key generation, the libtrust key id, the self-signed
 * certificate, sealing private keys and the cluster secret file.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "keys.h"

#define STR_(x)		#x
#define STR(x)		STR_(x)

/* libtrust keeps 240 of SHA-256's 256 bits: 48 base32 characters. */
#define KID_HASH_LEN	30
#define KID_B32_LEN	(KID_HASH_LEN * 8 / 5)
_Static_assert(KID_HASH_LEN * 8 % 5 == 0, "kid bits are whole base32 digits");
_Static_assert(KID_B32_LEN + KID_B32_LEN / 4 - 1 == KEYS_KID_LEN,
    "12 groups of 4 and 11 colons");

#define SEAL_VERSION	1
#define SEAL_NONCE_LEN	12	/* GCM's native nonce size */
#define SEAL_TAG_LEN	16
#define SEAL_HDR_LEN	(1 + SEAL_NONCE_LEN)
/* A PKCS#8 RSA-2048 key is about 1.2 KB; anything far bigger is not ours. */
#define SEAL_MAX	16384

/* RFC 5280 ub-common-name. */
#define CN_MAX		64
#define DAYS_MAX	36500
/* One certificate's PEM is under 2 KB even for RSA-4096. */
#define CERT_PEM_MAX	65536

#define SECRET_FILE_MAX	4096
/* 48 random bytes: 384 bits, and base64 of it has no padding. */
#define SECRET_RAW_LEN	48
#define SECRET_B64_LEN	(SECRET_RAW_LEN / 3 * 4)

/*
 * Every node derives the sealing key with these: changing them makes
 * every sealed key in the database unreadable.  No salt (RFC 5869: a
 * string of zeros), the secret file is already high-entropy.
 */
#define HKDF_INFO	"berth signing key v1"

static const char *const algnames[KEY_ALG__MAX] = {
	[KEY_ES256] =	"ES256",
	[KEY_RS256] =	"RS256",
};

const char *
keys_alg_name(enum key_alg alg)
{
	if ((int)alg < 0 || alg >= KEY_ALG__MAX)
		return NULL;
	return algnames[alg];
}

enum app_err
keys_alg_parse(const char *s, enum key_alg *alg)
{
	int	 i;

	if (s == NULL)
		return APP_EBADREQ;
	/* JOSE algorithm names are case-sensitive (RFC 7515 4.1.1). */
	for (i = 0; i < KEY_ALG__MAX; i++) {
		if (strcmp(s, algnames[i]) == 0) {
			*alg = (enum key_alg)i;
			return APP_OK;
		}
	}
	return APP_EBADREQ;
}

/*
 * HKDF-SHA256 of the secret file's contents into the sealing key.
 */
static int
hkdf(const unsigned char *ikm, size_t ikmlen,
    unsigned char out[KEYS_SECRET_LEN])
{
	EVP_KDF		*kdf = NULL;
	EVP_KDF_CTX	*kctx = NULL;
	OSSL_PARAM	 params[4];
	char		 digest[] = "SHA256";
	char		 info[] = HKDF_INFO;
	int		 ok = 0;

	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL)
		goto out;
	if ((kctx = EVP_KDF_CTX_new(kdf)) == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    digest, 0);
	/* OSSL_PARAM wants a non-const pointer; HKDF only reads the key. */
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)ikm, ikmlen);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    info, sizeof(info) - 1);
	params[3] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, KEYS_SECRET_LEN, params) != 1)
		goto out;
	ok = 1;
out:
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return ok;
}

enum app_err
keys_secret_load(const char *path, unsigned char out[KEYS_SECRET_LEN],
    const char **why)
{
	enum app_err	 rc = APP_EINTERNAL;
	unsigned char	 buf[SECRET_FILE_MAX + 1];
	const char	*reason = "cannot read secret file";
	struct stat	 st;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd = -1;

	if (path == NULL) {
		reason = "no secret file configured";
		goto out;
	}
	/*
	 * O_NOFOLLOW: a symlink could lead us to a file nobody meant as
	 * the secret, with permissions checked on the wrong object.
	 * O_NONBLOCK: opening a FIFO must not hang start-up; it changes
	 * nothing for the regular file we insist on below.
	 */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		switch (errno) {
		case ENOENT:
			reason = "secret file does not exist";
			break;
		case ELOOP:
			reason = "secret file is a symbolic link";
			break;
		case EACCES:
			reason = "secret file is not readable by this user";
			break;
		default:
			reason = "cannot open secret file";
			break;
		}
		goto out;
	}
	if (fstat(fd, &st) == -1)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		reason = "secret file is not a regular file";
		goto out;
	}
	/* As OpenSSH refuses private keys others can read. */
	if ((st.st_mode & (S_IRGRP | S_IROTH)) != 0) {
		reason = "secret file is readable by group or others";
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		reason = "secret file is writable or executable by group "
		    "or others";
		goto out;
	}
	if (st.st_size > SECRET_FILE_MAX) {
		reason = "secret file is longer than "
		    STR(SECRET_FILE_MAX) " bytes";
		goto out;
	}
	/* Read one byte past the limit to notice a file that grew. */
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto out;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > SECRET_FILE_MAX) {
		reason = "secret file is longer than "
		    STR(SECRET_FILE_MAX) " bytes";
		goto out;
	}
	/* Editors add a final newline; it must not change the key. */
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len < KEYS_SECRET_MIN) {
		reason = "secret file is shorter than "
		    STR(KEYS_SECRET_MIN) " bytes";
		goto out;
	}
	if (!hkdf(buf, len, out)) {
		reason = "cannot derive the sealing key";
		goto out;
	}
	reason = NULL;
	rc = APP_OK;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	if (rc != APP_OK)
		OPENSSL_cleanse(out, KEYS_SECRET_LEN);
	if (fd != -1)
		close(fd);
	if (why != NULL)
		*why = reason;
	return rc;
}

/* Write all of buf, across short writes and signals. */
static int
write_all(int fd, const void *buf, size_t len)
{
	const unsigned char	*p = buf;
	ssize_t			 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		p += n;
		len -= (size_t)n;
	}
	return 1;
}

enum app_err
keys_secret_create(const char *path)
{
	enum app_err	 rc = APP_EINTERNAL;
	unsigned char	 raw[SECRET_RAW_LEN];
	/* EVP_EncodeBlock writes a NUL; we replace it with the newline. */
	unsigned char	 text[SECRET_B64_LEN + 1];
	int		 fd = -1, created = 0;

	if (path == NULL)
		goto out;
	/* Before the file exists, so a RAND failure leaves nothing behind. */
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		goto out;
	if (EVP_EncodeBlock(text, raw, sizeof(raw)) != SECRET_B64_LEN)
		goto out;
	text[SECRET_B64_LEN] = '\n';

	/*
	 * O_EXCL: never overwrite a secret, which would orphan every key
	 * sealed with it; with O_EXCL a symlink at path is EEXIST too.
	 */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    S_IRUSR | S_IWUSR);
	if (fd == -1) {
		if (errno == EEXIST)
			rc = APP_ECONFLICT;
		goto out;
	}
	created = 1;
	/* The umask may have taken the owner's bits; loading needs them. */
	if (fchmod(fd, S_IRUSR | S_IWUSR) == -1)
		goto out;
	if (!write_all(fd, text, sizeof(text)))
		goto out;
	if (fsync(fd) == -1)
		goto out;
	rc = close(fd) == 0 ? APP_OK : APP_EINTERNAL;
	fd = -1;
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(text, sizeof(text));
	if (fd != -1)
		close(fd);
	/* A half-written secret would be loaded next time as the real one. */
	if (rc != APP_OK && created)
		unlink(path);
	return rc;
}

static EVP_PKEY *
keygen(enum key_alg alg)
{
	EVP_PKEY_CTX	*ctx = NULL;
	EVP_PKEY	*pkey = NULL;
	OSSL_PARAM	 params[3];
	char		 curve[] = "P-256";
	unsigned int	 bits = 2048, e = 65537;

	switch (alg) {
	case KEY_ES256:
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_PKEY_PARAM_GROUP_NAME, curve, 0);
		params[1] = OSSL_PARAM_construct_end();
		break;
	case KEY_RS256:
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
		params[0] = OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_BITS,
		    &bits);
		params[1] = OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_E,
		    &e);
		params[2] = OSSL_PARAM_construct_end();
		break;
	default:
		return NULL;
	}
	if (ctx == NULL)
		goto out;
	if (EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_params(ctx, params) != 1 ||
	    EVP_PKEY_generate(ctx, &pkey) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

static int
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	int		 ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1;
}

/*
 * The certificate Distribution 2.8 wants in its rootcertbundle and in
 * the token's x5c.  Go's x509 accepts a leaf that is itself in the root
 * pool, so a self-signed end-entity certificate is enough; it checks
 * the validity dates, hence notBefore an hour back for clock skew.
 */
static X509 *
selfsign(EVP_PKEY *pkey, const char *cn, int days)
{
	X509		*x = NULL;
	X509_NAME	*name;
	BIGNUM		*serial = NULL;
	int		 ok = 0;

	if ((x = X509_new()) == NULL)
		goto out;
	if (X509_set_version(x, X509_VERSION_3) != 1)
		goto out;
	/*
	 * RFC 5280 4.1.2.2: positive, at most 20 octets, unpredictable.
	 * The top bit forced on gives a fixed 127-bit (16-octet) serial
	 * with 126 random bits.
	 */
	if ((serial = BN_new()) == NULL ||
	    BN_rand(serial, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1 ||
	    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) == NULL)
		goto out;
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) != 1)
		goto out;
	if (X509_set_issuer_name(x, name) != 1)
		goto out;
	if (X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) == NULL)
		goto out;
	if (X509_set_pubkey(x, pkey) != 1)
		goto out;
	if (!add_ext(x, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(x, NID_key_usage, "critical,digitalSignature") ||
	    !add_ext(x, NID_subject_key_identifier, "hash"))
		goto out;
	if (X509_sign(x, pkey, EVP_sha256()) <= 0)
		goto out;
	ok = 1;
out:
	BN_free(serial);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

static enum app_err
x509_pem_new(X509 *x, char **pem_new)
{
	enum app_err	 rc = APP_EINTERNAL;
	BIO		*bio = NULL;
	char		*data, *pem;
	long		 len;

	if ((bio = BIO_new(BIO_s_mem())) == NULL) {
		rc = APP_ENOMEM;
		goto out;
	}
	if (PEM_write_bio_X509(bio, x) != 1)
		goto out;
	if ((len = BIO_get_mem_data(bio, &data)) <= 0)
		goto out;
	if ((pem = malloc((size_t)len + 1)) == NULL) {
		rc = APP_ENOMEM;
		goto out;
	}
	memcpy(pem, data, (size_t)len);
	pem[len] = '\0';
	*pem_new = pem;
	rc = APP_OK;
out:
	BIO_free(bio);
	return rc;
}

enum app_err
keys_generate(enum key_alg alg, const char *cn, int days,
    EVP_PKEY **pkey_new, char **cert_pem_new)
{
	enum app_err	 rc = APP_EINTERNAL;
	EVP_PKEY	*pkey = NULL;
	X509		*x = NULL;
	char		*pem = NULL;
	size_t		 cnlen;

	*pkey_new = NULL;
	*cert_pem_new = NULL;
	if (keys_alg_name(alg) == NULL || cn == NULL || days < 1 ||
	    days > DAYS_MAX) {
		rc = APP_EBADREQ;
		goto out;
	}
	cnlen = strlen(cn);
	if (cnlen == 0 || cnlen > CN_MAX) {
		rc = APP_EBADREQ;
		goto out;
	}
	if ((pkey = keygen(alg)) == NULL)
		goto out;
	if ((x = selfsign(pkey, cn, days)) == NULL)
		goto out;
	if ((rc = x509_pem_new(x, &pem)) != APP_OK)
		goto out;
	*pkey_new = pkey;
	pkey = NULL;
	*cert_pem_new = pem;
	pem = NULL;
	rc = APP_OK;
out:
	free(pem);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return rc;
}

/*
 * RFC 4648 base32 of the 240-bit truncated hash, a ':' before every
 * fourth digit but the first, as libtrust's keyIDEncode.
 */
static void
kid_encode(const unsigned char in[KID_HASH_LEN], char out[KEYS_KID_LEN + 1])
{
	static const char	 b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	uint32_t		 acc = 0;
	int			 nbits = 0;
	size_t			 i, ndigits = 0;
	char			*o = out;

	for (i = 0; i < KID_HASH_LEN; i++) {
		acc = (acc << 8) | in[i];
		nbits += 8;
		while (nbits >= 5) {
			nbits -= 5;
			if (ndigits > 0 && ndigits % 4 == 0)
				*o++ = ':';
			*o++ = b32[(acc >> nbits) & 0x1f];
			ndigits++;
		}
		acc &= (1u << nbits) - 1;
	}
	*o = '\0';
}

enum app_err
keys_kid(EVP_PKEY *pkey, char kid[KEYS_KID_LEN + 1])
{
	enum app_err	 rc = APP_EINTERNAL;
	unsigned char	*der = NULL;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	int		 derlen;

	if (pkey == NULL || kid == NULL)
		goto out;
	/* The SubjectPublicKeyInfo, as Go's x509.MarshalPKIXPublicKey. */
	if ((derlen = i2d_PUBKEY(pkey, &der)) <= 0)
		goto out;
	if (EVP_Digest(der, (size_t)derlen, md, &mdlen, EVP_sha256(),
	    NULL) != 1 || mdlen < KID_HASH_LEN)
		goto out;
	kid_encode(md, kid);
	rc = APP_OK;
out:
	OPENSSL_free(der);
	return rc;
}

enum app_err
keys_seal(const unsigned char secret[KEYS_SECRET_LEN], const char *kid,
    EVP_PKEY *pkey, unsigned char **blob_new, size_t *bloblen)
{
	enum app_err		 rc = APP_EINTERNAL;
	OSSL_ENCODER_CTX	*ectx = NULL;
	EVP_CIPHER_CTX		*cctx = NULL;
	unsigned char		*der = NULL, *blob = NULL, *ct;
	size_t			 derlen = 0, kidlen, len = 0;
	int			 outl, finl;

	*blob_new = NULL;
	*bloblen = 0;
	if (secret == NULL || kid == NULL || pkey == NULL)
		goto out;
	kidlen = strlen(kid);

	ectx = OSSL_ENCODER_CTX_new_for_pkey(pkey, OSSL_KEYMGMT_SELECT_KEYPAIR,
	    "DER", "PrivateKeyInfo", NULL);
	if (ectx == NULL || OSSL_ENCODER_CTX_get_num_encoders(ectx) == 0)
		goto out;
	if (OSSL_ENCODER_to_data(ectx, &der, &derlen) != 1)
		goto out;
	if (derlen == 0 ||
	    derlen > SEAL_MAX - SEAL_HDR_LEN - SEAL_TAG_LEN ||
	    kidlen > INT_MAX)
		goto out;

	len = SEAL_HDR_LEN + derlen + SEAL_TAG_LEN;
	if ((blob = malloc(len)) == NULL) {
		rc = APP_ENOMEM;
		goto out;
	}
	blob[0] = SEAL_VERSION;
	/*
	 * Random 96-bit nonces are safe for 2^32 seals under one secret
	 * (NIST SP 800-38D 8.3); a cluster seals a handful of keys.
	 */
	if (RAND_bytes(blob + 1, SEAL_NONCE_LEN) != 1)
		goto out;
	ct = blob + SEAL_HDR_LEN;

	if ((cctx = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	if (EVP_EncryptInit_ex2(cctx, EVP_aes_256_gcm(), secret, blob + 1,
	    NULL) != 1 ||
	    EVP_CIPHER_CTX_get_iv_length(cctx) != SEAL_NONCE_LEN)
		goto out;
	/* The kid as AAD: a sealed key copied to another row will not open. */
	if (EVP_EncryptUpdate(cctx, NULL, &outl, (const unsigned char *)kid,
	    (int)kidlen) != 1)
		goto out;
	if (EVP_EncryptUpdate(cctx, ct, &outl, der, (int)derlen) != 1 ||
	    (size_t)outl != derlen)
		goto out;
	if (EVP_EncryptFinal_ex(cctx, ct + outl, &finl) != 1 || finl != 0)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(cctx, EVP_CTRL_AEAD_GET_TAG, SEAL_TAG_LEN,
	    ct + derlen) != 1)
		goto out;

	*blob_new = blob;
	blob = NULL;
	*bloblen = len;
	rc = APP_OK;
out:
	EVP_CIPHER_CTX_free(cctx);
	OSSL_ENCODER_CTX_free(ectx);
	OPENSSL_clear_free(der, derlen);
	free(blob);
	return rc;
}

enum app_err
keys_open(const unsigned char secret[KEYS_SECRET_LEN], const char *kid,
    const unsigned char *blob, size_t bloblen, EVP_PKEY **pkey_new)
{
	enum app_err		 rc = APP_EINTERNAL;
	EVP_CIPHER_CTX		*cctx = NULL;
	OSSL_DECODER_CTX	*dctx = NULL;
	EVP_PKEY		*pkey = NULL;
	unsigned char		*pt = NULL;
	unsigned char		 tag[SEAL_TAG_LEN];
	const unsigned char	*p;
	size_t			 ctlen = 0, kidlen, left;
	int			 outl, finl;

	*pkey_new = NULL;
	if (secret == NULL || kid == NULL)
		goto out;
	kidlen = strlen(kid);
	if (kidlen > INT_MAX)
		goto out;
	/* At least one byte of ciphertext: an empty key is no key. */
	if (blob == NULL || bloblen < SEAL_HDR_LEN + 1 + SEAL_TAG_LEN ||
	    bloblen > SEAL_MAX || blob[0] != SEAL_VERSION) {
		rc = APP_EBADREQ;
		goto out;
	}
	ctlen = bloblen - SEAL_HDR_LEN - SEAL_TAG_LEN;
	memcpy(tag, blob + SEAL_HDR_LEN + ctlen, sizeof(tag));
	if ((pt = OPENSSL_malloc(ctlen)) == NULL) {
		rc = APP_ENOMEM;
		goto out;
	}

	if ((cctx = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	if (EVP_DecryptInit_ex2(cctx, EVP_aes_256_gcm(), secret, blob + 1,
	    NULL) != 1 ||
	    EVP_CIPHER_CTX_get_iv_length(cctx) != SEAL_NONCE_LEN)
		goto out;
	if (EVP_DecryptUpdate(cctx, NULL, &outl, (const unsigned char *)kid,
	    (int)kidlen) != 1)
		goto out;
	if (EVP_DecryptUpdate(cctx, pt, &outl, blob + SEAL_HDR_LEN,
	    (int)ctlen) != 1 || (size_t)outl != ctlen)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(cctx, EVP_CTRL_AEAD_SET_TAG, SEAL_TAG_LEN,
	    tag) != 1)
		goto out;
	/*
	 * GCM cannot tell a wrong key from a changed blob: both are a tag
	 * mismatch.  A wrong secret or kid is the likely cause.
	 */
	if (EVP_DecryptFinal_ex(cctx, pt + outl, &finl) != 1) {
		ERR_clear_error();
		rc = APP_EFORBIDDEN;
		goto out;
	}

	dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", "PrivateKeyInfo",
	    NULL, OSSL_KEYMGMT_SELECT_KEYPAIR, NULL, NULL);
	if (dctx == NULL || OSSL_DECODER_CTX_get_num_decoders(dctx) == 0)
		goto out;
	p = pt;
	left = ctlen;
	/* Authentic but not one whole PKCS#8 key: sealed by something else. */
	if (OSSL_DECODER_from_data(dctx, &p, &left) != 1 || pkey == NULL ||
	    left != 0) {
		ERR_clear_error();
		rc = APP_EBADREQ;
		goto out;
	}
	*pkey_new = pkey;
	pkey = NULL;
	rc = APP_OK;
out:
	OSSL_DECODER_CTX_free(dctx);
	EVP_CIPHER_CTX_free(cctx);
	EVP_PKEY_free(pkey);
	OPENSSL_clear_free(pt, ctlen);
	return rc;
}

enum app_err
keys_cert_pubkey(const char *cert_pem, EVP_PKEY **pkey_new,
    char kid[KEYS_KID_LEN + 1])
{
	enum app_err	 rc = APP_EBADREQ;	/* most failures are the input's */
	BIO		*bio = NULL;
	X509		*x = NULL, *extra = NULL;
	EVP_PKEY	*pkey = NULL;
	unsigned long	 e;
	size_t		 len;

	*pkey_new = NULL;
	if (cert_pem == NULL)
		goto out;
	if ((len = strnlen(cert_pem, CERT_PEM_MAX + 1)) > CERT_PEM_MAX)
		goto out;
	if ((bio = BIO_new_mem_buf(cert_pem, (int)len)) == NULL) {
		rc = APP_ENOMEM;
		goto out;
	}
	if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL)
		goto out;
	/*
	 * One certificate: a second one, or a broken second PEM block,
	 * would otherwise be silently ignored.  The clean end of input is
	 * PEM's "no start line".
	 */
	if ((extra = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		goto out;
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) != ERR_LIB_PEM ||
	    ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
		goto out;
	if ((pkey = X509_get_pubkey(x)) == NULL)
		goto out;
	if (kid != NULL && (rc = keys_kid(pkey, kid)) != APP_OK)
		goto out;
	*pkey_new = pkey;
	pkey = NULL;
	rc = APP_OK;
out:
	/* Bad input is no OpenSSL fault: keep the queue for real ones. */
	if (rc != APP_EINTERNAL)
		ERR_clear_error();
	EVP_PKEY_free(pkey);
	X509_free(extra);
	X509_free(x);
	BIO_free(bio);
	return rc;
}

int
keys_match(EVP_PKEY *priv, EVP_PKEY *pub)
{
	EVP_PKEY_CTX	*ctx;
	int		 ok;

	if (priv == NULL || pub == NULL)
		return 0;
	if (EVP_PKEY_eq(priv, pub) != 1)
		return 0;
	/* EVP_PKEY_eq compares public halves only: priv must be a pair. */
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL)) == NULL)
		return 0;
	ok = EVP_PKEY_private_check(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		ERR_clear_error();
	return ok;
}
