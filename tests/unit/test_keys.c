/*
 * test_keys: key generation, the libtrust kid, certificates, sealing and
 * the secret file.  Files live in a mkdtemp directory removed at the end.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "keys.h"
#include "t.h"

/*
 * Fixed public keys and their kids, computed apart from this code:
 *   openssl pkey -pubin -in k.pub -outform DER | sha256sum
 * then in python3, base64.b32encode(bytes.fromhex(h)[:30]) split in
 * groups of 4 with ':'; cross-checked with python3-cryptography's
 * SubjectPublicKeyInfo DER.
 */
static const char ec_pub_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE0oIf1cxVXI/USKhcyKiJXbHJLiGX\n"
    "FNlueV8/sdrqMqDa4vnBhLOmefWiNeKlEh3t1Og1oLobhWhmUuHCBZbQJg==\n"
    "-----END PUBLIC KEY-----\n";
static const char ec_pub_kid[] =
    "KPWH:QOFA:U4AF:PU3H:J4SB:F6FX:II53:VXQO:A26S:VNOB:OVHU:MYAR";

static const char rsa_pub_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA3VxvlCFVXyMnEkYuIiK5\n"
    "49tjMxu81cLWEeXSQh6pts7EsVKq6adADEzy4QvTeK/P+nok5ojN2UtneECvxetv\n"
    "/ZG6s1gbCS/om8WOYLVrjJtRnc6nCI+bnibO7HxQSMSKzPan19p5OIR43Ju5GqKx\n"
    "F8ysyHP7YBmJuTOuCKAWLQK0a6aKlUKQyGxPr4mj5o8aAk/mMM40yIag9OC0dDkL\n"
    "ulW25mRwui0CFAV5PahXapk8yRIix/dTHNsQP/S7twr7iGtd5Q6GXooW1Jlb54aK\n"
    "JbP0fSC0hePLOx9ufkZ4Ku0M9+nVtr/Sq0nvGt+iAaSAlLqQuiV5p5tbScaMX3Xn\n"
    "WwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
static const char rsa_pub_kid[] =
    "UGYP:ISQ5:CJJD:R7HW:R6SH:BG7T:FTAD:ETMH:TDDG:B5UR:3IMU:CYZF";

/*
 * HKDF-SHA256(ikm = the 32 bytes below, no salt, info "berth signing
 * key v1"), from python3-cryptography's HKDF.  Pins the derivation that
 * every node of a cluster must agree on.
 */
static const char hkdf_ikm[] = "0123456789abcdef0123456789abcdef";
static const char hkdf_okm_hex[] =
    "29d017d009b12b8bc7a2fdc045d74fc543caa4f28dcb37e062490a7d7bc2c89f";

#define CN	"berth test signer"
#define DAYS	30
#define SECRET_BIG	4097	/* one past the largest secret file */

static char	tmpdir[] = "/tmp/test_keys.XXXXXX";

static const char *
tpath(const char *name)
{
	static char	 buf[4][PATH_MAX];
	static int	 i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static int
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int	 fd, ok;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (fd == -1)
		return 0;
	ok = write(fd, data, len) == (ssize_t)len && fchmod(fd, mode) == 0;
	return close(fd) == 0 && ok;
}

static int
kid_well_formed(const char *kid)
{
	size_t	 i;

	if (strlen(kid) != KEYS_KID_LEN)
		return 0;
	for (i = 0; i < KEYS_KID_LEN; i++) {
		if (i % 5 == 4) {
			if (kid[i] != ':')
				return 0;
		} else if (!((kid[i] >= 'A' && kid[i] <= 'Z') ||
		    (kid[i] >= '2' && kid[i] <= '7')))
			return 0;
	}
	return 1;
}

static EVP_PKEY *
pubkey_from_pem(const char *pem)
{
	BIO		*bio;
	EVP_PKEY	*pkey;

	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return NULL;
	pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return pkey;
}

static X509 *
cert_from_pem(const char *pem)
{
	BIO	*bio;
	X509	*x;

	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return NULL;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return x;
}

static void
test_alg(void)
{
	enum key_alg	 alg = KEY_ALG__MAX;

	T_EQ_STR(keys_alg_name(KEY_ES256), "ES256", "alg name ES256");
	T_EQ_STR(keys_alg_name(KEY_RS256), "RS256", "alg name RS256");
	T_OK(keys_alg_name(KEY_ALG__MAX) == NULL, "alg name out of range");
	T_OK(keys_alg_name((enum key_alg)-1) == NULL, "alg name negative");
	T_EQ_INT(keys_alg_parse("ES256", &alg), APP_OK, "parse ES256");
	T_EQ_INT(alg, KEY_ES256, "parse ES256 value");
	T_EQ_INT(keys_alg_parse("RS256", &alg), APP_OK, "parse RS256");
	T_EQ_INT(alg, KEY_RS256, "parse RS256 value");
	T_EQ_INT(keys_alg_parse("es256", &alg), APP_EBADREQ,
	    "parse is case-sensitive");
	T_EQ_INT(keys_alg_parse("HS256", &alg), APP_EBADREQ, "parse HS256");
	T_EQ_INT(keys_alg_parse("", &alg), APP_EBADREQ, "parse empty");
	T_EQ_INT(keys_alg_parse("ES2560", &alg), APP_EBADREQ,
	    "parse with suffix");
	T_EQ_INT(keys_alg_parse(NULL, &alg), APP_EBADREQ, "parse NULL");
}

static void
test_kid_vectors(void)
{
	EVP_PKEY	*pk;
	char		 kid[KEYS_KID_LEN + 1];

	pk = pubkey_from_pem(ec_pub_pem);
	T_OK(pk != NULL, "fixed EC public key parses");
	memset(kid, 0, sizeof(kid));
	T_EQ_INT(keys_kid(pk, kid), APP_OK, "kid of fixed EC key");
	T_EQ_STR(kid, ec_pub_kid, "kid of fixed EC key matches libtrust");
	EVP_PKEY_free(pk);

	pk = pubkey_from_pem(rsa_pub_pem);
	T_OK(pk != NULL, "fixed RSA public key parses");
	memset(kid, 0, sizeof(kid));
	T_EQ_INT(keys_kid(pk, kid), APP_OK, "kid of fixed RSA key");
	T_EQ_STR(kid, rsa_pub_kid, "kid of fixed RSA key matches libtrust");
	EVP_PKEY_free(pk);

	T_OK(kid_well_formed(ec_pub_kid) && kid_well_formed(rsa_pub_kid),
	    "format checker accepts the known kids");
	T_OK(!kid_well_formed("KPWH:QOFA:U4AF:PU3H:J4SB:F6FX:II53:VXQO:"
	    "A26S:VNOB:OVHU:MYA1"), "format checker refuses a '1'");
	T_EQ_INT(keys_kid(NULL, kid), APP_EINTERNAL, "kid of NULL key");
}

/* The key is what the algorithm promises: P-256, or RSA-2048 e=65537. */
static void
check_key_type(enum key_alg alg, EVP_PKEY *pkey)
{
	char	 group[64];
	BIGNUM	*e = NULL;
	size_t	 glen = 0;

	if (alg == KEY_ES256) {
		T_OK(EVP_PKEY_is_a(pkey, "EC"), "ES256 key is EC");
		T_OK(EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen) &&
		    strcmp(group, "prime256v1") == 0,
		    "ES256 key is on P-256");
		T_EQ_INT(EVP_PKEY_get_bits(pkey), 256, "ES256 key bits");
	} else {
		T_OK(EVP_PKEY_is_a(pkey, "RSA"), "RS256 key is RSA");
		T_EQ_INT(EVP_PKEY_get_bits(pkey), 2048, "RS256 key bits");
		T_OK(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) &&
		    BN_is_word(e, 65537), "RS256 key e = 65537");
		BN_free(e);
	}
}

/* Is t within slack seconds of now + off? */
static int
time_near(const ASN1_TIME *t, time_t off, time_t slack)
{
	time_t	 lo = time(NULL) + off - slack, hi = time(NULL) + off + slack;

	return X509_cmp_time(t, &lo) > 0 && X509_cmp_time(t, &hi) < 0;
}

static void
check_cert(enum key_alg alg, const char *pem, EVP_PKEY *pkey)
{
	X509		*x;
	X509_NAME	*subj;
	X509_STORE	*store = NULL;
	X509_STORE_CTX	*sctx = NULL;
	ASN1_INTEGER	*asn;
	BIGNUM		*serial = NULL;
	char		 cn[128];
	const char	*name = keys_alg_name(alg);

	x = cert_from_pem(pem);
	T_OK(x != NULL, "%s cert parses", name);
	if (x == NULL)
		return;
	T_EQ_INT(X509_get_version(x), X509_VERSION_3, "%s cert is v3", name);
	subj = X509_get_subject_name(x);
	T_OK(X509_NAME_get_text_by_NID(subj, NID_commonName, cn,
	    sizeof(cn)) > 0 && strcmp(cn, CN) == 0, "%s cert subject CN", name);
	T_EQ_INT(X509_NAME_entry_count(subj), 1, "%s subject is CN only",
	    name);
	T_EQ_INT(X509_NAME_cmp(subj, X509_get_issuer_name(x)), 0,
	    "%s cert issuer = subject", name);
	T_OK(time_near(X509_get0_notBefore(x), -3600, 120),
	    "%s notBefore is an hour ago", name);
	T_OK(time_near(X509_get0_notAfter(x), (time_t)DAYS * 86400, 120),
	    "%s notAfter is now + %d days", name, DAYS);
	T_EQ_INT(X509_cmp_current_time(X509_get0_notBefore(x)), -1,
	    "%s cert already valid", name);
	T_EQ_INT(X509_cmp_current_time(X509_get0_notAfter(x)), 1,
	    "%s cert not yet expired", name);

	asn = X509_get_serialNumber(x);
	serial = ASN1_INTEGER_to_BN(asn, NULL);
	T_OK(serial != NULL && !BN_is_negative(serial) &&
	    BN_num_bits(serial) >= 64 && BN_num_bytes(serial) <= 20,
	    "%s serial positive, 64+ bits, <= 20 octets", name);
	BN_free(serial);

	T_EQ_INT(X509_get_signature_nid(x), alg == KEY_ES256 ?
	    NID_ecdsa_with_SHA256 : NID_sha256WithRSAEncryption,
	    "%s cert signed with SHA-256", name);
	T_EQ_INT(X509_verify(x, pkey), 1, "%s self-signature verifies", name);
	T_OK((X509_get_extension_flags(x) & EXFLAG_BCONS) != 0 &&
	    (X509_get_extension_flags(x) & EXFLAG_CA) == 0,
	    "%s basicConstraints CA:FALSE", name);
	T_EQ_INT(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE,
	    "%s keyUsage digitalSignature", name);

	/*
	 * As the registry's Go x509 does with its rootcertbundle: the leaf
	 * itself is the trust anchor, dates checked.
	 */
	store = X509_STORE_new();
	sctx = X509_STORE_CTX_new();
	T_OK(store != NULL && sctx != NULL &&
	    X509_STORE_add_cert(store, x) == 1 &&
	    X509_STORE_CTX_init(sctx, store, x, NULL) == 1,
	    "%s verify context", name);
	X509_STORE_CTX_set_flags(sctx, X509_V_FLAG_PARTIAL_CHAIN);
	T_EQ_INT(X509_verify_cert(sctx), 1,
	    "%s cert verifies against a bundle holding it", name);
	X509_STORE_CTX_free(sctx);
	X509_STORE_free(store);
	X509_free(x);
}

static void
test_generate_args(void)
{
	/* Not-NULL sentinels: a failed call must clear its outputs. */
	EVP_PKEY	*pk = (EVP_PKEY *)1;
	char		*pem = (char *)1;

	T_EQ_INT(keys_generate(KEY_ALG__MAX, CN, DAYS, &pk, &pem),
	    APP_EBADREQ, "generate refuses an unknown alg");
	T_OK(pk == NULL && pem == NULL, "outputs cleared on failure");
	T_EQ_INT(keys_generate(KEY_ES256, "", DAYS, &pk, &pem), APP_EBADREQ,
	    "generate refuses an empty CN");
	T_EQ_INT(keys_generate(KEY_ES256, NULL, DAYS, &pk, &pem), APP_EBADREQ,
	    "generate refuses a NULL CN");
	T_EQ_INT(keys_generate(KEY_ES256, "0123456789012345678901234567890123"
	    "4567890123456789012345678901234", DAYS, &pk, &pem), APP_EBADREQ,
	    "generate refuses a 65-byte CN");
	T_EQ_INT(keys_generate(KEY_ES256, CN, 0, &pk, &pem), APP_EBADREQ,
	    "generate refuses 0 days");
	T_EQ_INT(keys_generate(KEY_ES256, CN, -1, &pk, &pem), APP_EBADREQ,
	    "generate refuses negative days");
}

static void
test_seal(enum key_alg alg, EVP_PKEY *pkey, EVP_PKEY *certpub,
    const char *kid, const char *other_kid)
{
	unsigned char	 secret[KEYS_SECRET_LEN], wrong[KEYS_SECRET_LEN];
	unsigned char	*blob = NULL, *blob2 = NULL, *copy = NULL;
	size_t		 bloblen = 0, bloblen2 = 0, i;
	EVP_PKEY	*opened = NULL;
	char		 kid2[KEYS_KID_LEN + 1], bent[KEYS_KID_LEN + 1];
	const char	*name = keys_alg_name(alg);
	int		 bad, badreq;
	enum app_err	 rc;

	T_OK(RAND_bytes(secret, sizeof(secret)) == 1, "random secret");
	memcpy(wrong, secret, sizeof(wrong));
	wrong[7] ^= 0x01;

	T_EQ_INT(keys_seal(secret, kid, pkey, &blob, &bloblen), APP_OK,
	    "%s seal", name);
	if (blob == NULL)
		return;
	T_OK(bloblen > 1 + 12 + 16 && blob[0] == 1,
	    "%s blob has version 1 and room for nonce and tag", name);
	T_EQ_INT(keys_seal(secret, kid, pkey, &blob2, &bloblen2), APP_OK,
	    "%s seal again", name);
	T_OK(bloblen2 == bloblen && blob2 != NULL &&
	    memcmp(blob + 1, blob2 + 1, 12) != 0 &&
	    memcmp(blob, blob2, bloblen) != 0,
	    "%s two seals differ (random nonce)", name);
	free(blob2);

	T_EQ_INT(keys_open(secret, kid, blob, bloblen, &opened), APP_OK,
	    "%s open", name);
	T_OK(opened != NULL && keys_match(opened, certpub) == 1,
	    "%s opened key matches the cert's public key", name);
	memset(kid2, 0, sizeof(kid2));
	T_OK(opened != NULL && keys_kid(opened, kid2) == APP_OK &&
	    strcmp(kid2, kid) == 0, "%s opened key has the same kid", name);
	T_OK(opened != NULL && EVP_PKEY_eq(opened, pkey) == 1,
	    "%s opened key equals the sealed key", name);
	EVP_PKEY_free(opened);
	opened = NULL;

	T_EQ_INT(keys_open(wrong, kid, blob, bloblen, &opened),
	    APP_EFORBIDDEN, "%s open with a wrong secret", name);
	T_OK(opened == NULL, "%s no key from a wrong secret", name);
	T_EQ_INT(keys_open(secret, other_kid, blob, bloblen, &opened),
	    APP_EFORBIDDEN, "%s open with another key's kid", name);
	memcpy(bent, kid, sizeof(bent));
	bent[0] = bent[0] == 'A' ? 'B' : 'A';
	T_EQ_INT(keys_open(secret, bent, blob, bloblen, &opened),
	    APP_EFORBIDDEN, "%s open with a kid one letter off", name);
	T_EQ_INT(keys_open(secret, "", blob, bloblen, &opened),
	    APP_EFORBIDDEN, "%s open with an empty kid", name);
	T_OK(opened == NULL, "%s no key from a wrong kid", name);

	/* Copies of exact length, so ASan sees any read past the end. */
	bad = 0;
	badreq = 0;
	for (i = 0; i < bloblen; i++) {
		copy = malloc(i > 0 ? i : 1);
		memcpy(copy, blob, i);
		rc = keys_open(secret, kid, i > 0 ? copy : NULL, i, &opened);
		if (rc == APP_OK || opened != NULL)
			bad++;
		if (i < 1 + 12 + 16 + 1 && rc != APP_EBADREQ)
			badreq++;
		EVP_PKEY_free(opened);
		opened = NULL;
		free(copy);
	}
	T_EQ_INT(bad, 0, "%s all %zu truncations refused", name, bloblen);
	T_EQ_INT(badreq, 0, "%s truncations below the minimum are EBADREQ",
	    name);

	copy = malloc(bloblen + 1);
	memcpy(copy, blob, bloblen);
	copy[bloblen] = 0;
	T_OK(keys_open(secret, kid, copy, bloblen + 1, &opened) != APP_OK &&
	    opened == NULL, "%s a trailing byte is refused", name);

	bad = 0;
	for (i = 0; i < bloblen; i++) {
		copy[i] ^= 0x40;
		rc = keys_open(secret, kid, copy, bloblen, &opened);
		if (rc == APP_OK || opened != NULL ||
		    rc != (i == 0 ? APP_EBADREQ : APP_EFORBIDDEN))
			bad++;
		EVP_PKEY_free(opened);
		opened = NULL;
		copy[i] ^= 0x40;
	}
	T_EQ_INT(bad, 0, "%s each flipped byte refused (version EBADREQ, "
	    "others EFORBIDDEN)", name);
	free(copy);

	/* Random bytes behind a valid version byte, and far too many. */
	copy = malloc(100000);
	T_OK(RAND_bytes(copy, 100000) == 1, "random garbage");
	copy[0] = 1;
	T_EQ_INT(keys_open(secret, kid, copy, 4096, &opened), APP_EFORBIDDEN,
	    "%s 4 KB of garbage with version 1", name);
	T_EQ_INT(keys_open(secret, kid, copy, 100000, &opened), APP_EBADREQ,
	    "%s 100 KB blob refused", name);
	free(copy);
	T_OK(opened == NULL, "%s nothing opened from garbage", name);

	free(blob);
	OPENSSL_cleanse(secret, sizeof(secret));
}

static void
test_keys(void)
{
	EVP_PKEY	*pk[KEY_ALG__MAX] = { NULL };
	EVP_PKEY	*pub[KEY_ALG__MAX] = { NULL };
	char		*pem[KEY_ALG__MAX] = { NULL };
	char		 kid[KEY_ALG__MAX][KEYS_KID_LEN + 1];
	char		 certkid[KEYS_KID_LEN + 1], kid2[KEYS_KID_LEN + 1];
	char		*two = NULL;
	EVP_PKEY	*tmp = NULL, *other = NULL;
	char		*otherpem = NULL;
	int		 a;

	for (a = 0; a < KEY_ALG__MAX; a++) {
		const char	*name = keys_alg_name((enum key_alg)a);

		T_EQ_INT(keys_generate((enum key_alg)a, CN, DAYS, &pk[a],
		    &pem[a]), APP_OK, "generate %s", name);
		if (pk[a] == NULL || pem[a] == NULL)
			return;
		check_key_type((enum key_alg)a, pk[a]);
		T_OK(strncmp(pem[a], "-----BEGIN CERTIFICATE-----\n",
		    28) == 0 &&
		    strstr(pem[a], "-----END CERTIFICATE-----\n") != NULL,
		    "%s cert is PEM", name);
		memset(kid[a], 0, sizeof(kid[a]));
		T_EQ_INT(keys_kid(pk[a], kid[a]), APP_OK, "%s kid", name);
		T_OK(kid_well_formed(kid[a]),
		    "%s kid is 12 groups of 4 base32 digits: %s", name, kid[a]);

		memset(certkid, 0, sizeof(certkid));
		T_EQ_INT(keys_cert_pubkey(pem[a], &pub[a], certkid), APP_OK,
		    "%s cert_pubkey", name);
		T_EQ_STR(certkid, kid[a], "%s kid of cert = kid of key", name);
		T_EQ_INT(keys_match(pk[a], pub[a]), 1, "%s key matches cert",
		    name);
		T_EQ_INT(keys_match(pub[a], pub[a]), 0,
		    "%s public key alone does not match", name);
		T_EQ_INT(keys_match(NULL, pub[a]), 0, "%s match NULL", name);
		check_cert((enum key_alg)a, pem[a], pk[a]);

		/* kid is optional; a public key's kid equals its pair's. */
		T_EQ_INT(keys_cert_pubkey(pem[a], &tmp, NULL), APP_OK,
		    "%s cert_pubkey without kid", name);
		EVP_PKEY_free(tmp);
		tmp = NULL;
		memset(kid2, 0, sizeof(kid2));
		T_OK(keys_kid(pub[a], kid2) == APP_OK &&
		    strcmp(kid2, kid[a]) == 0, "%s kid of public half", name);
	}
	T_OK(strcmp(kid[KEY_ES256], kid[KEY_RS256]) != 0, "kids differ");
	T_EQ_INT(keys_match(pk[KEY_ES256], pub[KEY_RS256]), 0,
	    "ES256 key does not match RS256 cert");

	T_EQ_INT(keys_generate(KEY_ES256, CN, DAYS, &other, &otherpem),
	    APP_OK, "generate a second ES256 key");
	T_EQ_INT(keys_match(other, pub[KEY_ES256]), 0,
	    "another ES256 key does not match");
	memset(kid2, 0, sizeof(kid2));
	T_OK(keys_kid(other, kid2) == APP_OK &&
	    strcmp(kid2, kid[KEY_ES256]) != 0, "another key, another kid");
	T_OK(strcmp(otherpem, pem[KEY_ES256]) != 0, "another cert");

	/* cert_pubkey refusals */
	T_EQ_INT(keys_cert_pubkey("", &tmp, certkid), APP_EBADREQ,
	    "cert_pubkey empty");
	T_EQ_INT(keys_cert_pubkey("not a cert", &tmp, certkid), APP_EBADREQ,
	    "cert_pubkey garbage");
	T_EQ_INT(keys_cert_pubkey(NULL, &tmp, certkid), APP_EBADREQ,
	    "cert_pubkey NULL");
	T_EQ_INT(keys_cert_pubkey(ec_pub_pem, &tmp, certkid), APP_EBADREQ,
	    "cert_pubkey refuses a bare public key");
	two = malloc(strlen(pem[0]) + strlen(pem[1]) + 1);
	strcpy(two, pem[0]);
	strcat(two, pem[1]);
	T_EQ_INT(keys_cert_pubkey(two, &tmp, certkid), APP_EBADREQ,
	    "cert_pubkey refuses two certificates");
	strcpy(two, pem[0]);
	strcat(two, "-----BEGIN CERTIFICATE-----\nAAAA\n");
	T_EQ_INT(keys_cert_pubkey(two, &tmp, certkid), APP_EBADREQ,
	    "cert_pubkey refuses a broken second block");
	strcpy(two, pem[0]);
	two[strlen(two) / 2] ^= 0x01;
	T_EQ_INT(keys_cert_pubkey(two, &tmp, certkid), APP_EBADREQ,
	    "cert_pubkey refuses a damaged certificate");
	strcpy(two, pem[0]);
	two[strlen(two) - 10] = '\0';
	T_EQ_INT(keys_cert_pubkey(two, &tmp, certkid), APP_EBADREQ,
	    "cert_pubkey refuses a truncated certificate");
	T_OK(tmp == NULL, "no key from a refused cert");
	free(two);

	test_seal(KEY_ES256, pk[KEY_ES256], pub[KEY_ES256], kid[KEY_ES256],
	    kid[KEY_RS256]);
	test_seal(KEY_RS256, pk[KEY_RS256], pub[KEY_RS256], kid[KEY_RS256],
	    kid[KEY_ES256]);

	EVP_PKEY_free(other);
	free(otherpem);
	for (a = 0; a < KEY_ALG__MAX; a++) {
		EVP_PKEY_free(pk[a]);
		EVP_PKEY_free(pub[a]);
		free(pem[a]);
	}
}

static int
hex_eq(const unsigned char *b, size_t len, const char *hex)
{
	char	 buf[2 * KEYS_SECRET_LEN + 1];
	size_t	 i;

	if (len > KEYS_SECRET_LEN)
		return 0;
	for (i = 0; i < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", b[i]);
	buf[2 * len] = '\0';
	return strcmp(buf, hex) == 0;
}

static void
test_secret(void)
{
	unsigned char	 k1[KEYS_SECRET_LEN], k2[KEYS_SECRET_LEN];
	unsigned char	 k3[KEYS_SECRET_LEN];
	unsigned char	 big[SECRET_BIG];
	char		 content[128];
	const char	*why = NULL;
	struct stat	 st;
	mode_t		 old;
	int		 fd;
	size_t		 i;

	/* A strict umask must not leave the file unreadable to its owner. */
	old = umask(0277);
	T_EQ_INT(keys_secret_create(tpath("s1")), APP_OK, "secret_create");
	umask(old);
	T_OK(lstat(tpath("s1"), &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 07777) == 0600, "secret created with mode 0600");
	fd = open(tpath("s1"), O_RDONLY);
	memset(content, 0, sizeof(content));
	T_EQ_INT(read(fd, content, sizeof(content)), 65,
	    "secret file is 64 base64 characters and a newline");
	close(fd);
	T_OK(content[64] == '\n' && strspn(content, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/") == 64,
	    "secret file content is base64");

	T_EQ_INT(keys_secret_load(tpath("s1"), k1, &why), APP_OK,
	    "secret_load of a created secret");
	T_OK(why == NULL, "no reason on success");
	T_EQ_INT(keys_secret_load(tpath("s1"), k2, &why), APP_OK,
	    "secret_load again");
	T_OK(memcmp(k1, k2, sizeof(k1)) == 0, "same file, same key");

	T_EQ_INT(keys_secret_create(tpath("s1")), APP_ECONFLICT,
	    "secret_create refuses an existing file");
	T_OK(keys_secret_load(tpath("s1"), k2, &why) == APP_OK &&
	    memcmp(k1, k2, sizeof(k1)) == 0, "existing secret unchanged");
	T_OK(symlink(tpath("nowhere"), tpath("dangling")) == 0, "symlink");
	T_EQ_INT(keys_secret_create(tpath("dangling")), APP_ECONFLICT,
	    "secret_create refuses a dangling symlink");
	T_OK(access(tpath("nowhere"), F_OK) == -1 && errno == ENOENT,
	    "nothing created through the symlink");
	T_EQ_INT(keys_secret_create(tpath("nodir/s")), APP_EINTERNAL,
	    "secret_create in a missing directory");

	T_EQ_INT(keys_secret_create(tpath("s2")), APP_OK, "second secret");
	T_OK(keys_secret_load(tpath("s2"), k2, &why) == APP_OK &&
	    memcmp(k1, k2, sizeof(k1)) != 0,
	    "two secret files derive different keys");

	/* The derivation itself, pinned. */
	T_OK(write_file(tpath("v"), hkdf_ikm, strlen(hkdf_ikm), 0600),
	    "write vector secret");
	T_EQ_INT(keys_secret_load(tpath("v"), k3, &why), APP_OK,
	    "load 32-byte secret");
	T_OK(hex_eq(k3, sizeof(k3), hkdf_okm_hex),
	    "HKDF-SHA256 known vector");
	snprintf(content, sizeof(content), "%s\r\n\n", hkdf_ikm);
	T_OK(write_file(tpath("v"), content, strlen(content), 0600) &&
	    keys_secret_load(tpath("v"), k3, &why) == APP_OK &&
	    hex_eq(k3, sizeof(k3), hkdf_okm_hex),
	    "trailing CR/LF are not part of the secret");
	snprintf(content, sizeof(content), "%s ", hkdf_ikm);
	T_OK(write_file(tpath("v"), content, strlen(content), 0600) &&
	    keys_secret_load(tpath("v"), k3, &why) == APP_OK &&
	    !hex_eq(k3, sizeof(k3), hkdf_okm_hex),
	    "trailing space is part of the secret");

	/* Refusals: each leaves a reason and a zeroed key. */
	T_OK(chmod(tpath("s1"), 0644) == 0, "chmod 0644");
	memset(k3, 0xaa, sizeof(k3));
	why = NULL;
	T_EQ_INT(keys_secret_load(tpath("s1"), k3, &why), APP_EINTERNAL,
	    "secret_load refuses mode 0644");
	T_OK(why != NULL && strstr(why, "readable by group or others") != NULL,
	    "reason: %s", why ? why : "(null)");
	for (i = 0; i < sizeof(k3) && k3[i] == 0; i++)
		;
	T_EQ_INT(i, sizeof(k3), "key zeroed on refusal");
	T_OK(chmod(tpath("s1"), 0640) == 0 &&
	    keys_secret_load(tpath("s1"), k3, &why) == APP_EINTERNAL,
	    "secret_load refuses mode 0640");
	T_OK(chmod(tpath("s1"), 0620) == 0 &&
	    keys_secret_load(tpath("s1"), k3, &why) == APP_EINTERNAL &&
	    why != NULL && strstr(why, "writable") != NULL,
	    "secret_load refuses mode 0620: %s", why ? why : "(null)");
	T_OK(chmod(tpath("s1"), 0601) == 0 &&
	    keys_secret_load(tpath("s1"), k3, &why) == APP_EINTERNAL,
	    "secret_load refuses mode 0601");
	T_OK(chmod(tpath("s1"), 0400) == 0 &&
	    keys_secret_load(tpath("s1"), k3, &why) == APP_OK &&
	    memcmp(k1, k3, sizeof(k1)) == 0, "secret_load accepts mode 0400");

	T_OK(symlink(tpath("s2"), tpath("link")) == 0, "symlink to secret");
	why = NULL;
	T_EQ_INT(keys_secret_load(tpath("link"), k3, &why), APP_EINTERNAL,
	    "secret_load refuses a symlink");
	T_OK(why != NULL && strstr(why, "symbolic link") != NULL,
	    "reason: %s", why ? why : "(null)");

	why = NULL;
	T_EQ_INT(keys_secret_load(tpath("missing"), k3, &why), APP_EINTERNAL,
	    "secret_load refuses a missing file");
	T_OK(why != NULL && strstr(why, "does not exist") != NULL,
	    "reason: %s", why ? why : "(null)");

	memset(content, 'x', 31);
	memcpy(content + 31, "\r\n", 2);
	why = NULL;
	T_OK(write_file(tpath("short"), content, 33, 0600) &&
	    keys_secret_load(tpath("short"), k3, &why) == APP_EINTERNAL &&
	    why != NULL && strstr(why, "shorter") != NULL,
	    "secret_load refuses 31 bytes and a newline: %s",
	    why ? why : "(null)");
	T_OK(write_file(tpath("short"), "", 0, 0600) &&
	    keys_secret_load(tpath("short"), k3, &why) == APP_EINTERNAL,
	    "secret_load refuses an empty file");

	memset(big, 'y', sizeof(big));
	T_OK(write_file(tpath("big"), big, 4096, 0600) &&
	    keys_secret_load(tpath("big"), k3, &why) == APP_OK,
	    "secret_load accepts 4096 bytes");
	why = NULL;
	T_OK(write_file(tpath("big"), big, 4097, 0600) &&
	    keys_secret_load(tpath("big"), k3, &why) == APP_EINTERNAL &&
	    why != NULL && strstr(why, "longer") != NULL,
	    "secret_load refuses 4097 bytes: %s", why ? why : "(null)");

	why = NULL;
	T_OK(mkdir(tpath("dir"), 0700) == 0 &&
	    keys_secret_load(tpath("dir"), k3, &why) == APP_EINTERNAL &&
	    why != NULL && strstr(why, "regular") != NULL,
	    "secret_load refuses a directory: %s", why ? why : "(null)");
	why = NULL;
	T_OK(mkfifo(tpath("fifo"), 0600) == 0 &&
	    keys_secret_load(tpath("fifo"), k3, &why) == APP_EINTERNAL &&
	    why != NULL && strstr(why, "regular") != NULL,
	    "secret_load refuses a FIFO without hanging: %s",
	    why ? why : "(null)");
	T_EQ_INT(keys_secret_load(tpath("s2"), k3, NULL), APP_OK,
	    "secret_load with why NULL");

	unlink(tpath("s1"));
	unlink(tpath("s2"));
	unlink(tpath("v"));
	unlink(tpath("dangling"));
	unlink(tpath("link"));
	unlink(tpath("short"));
	unlink(tpath("big"));
	unlink(tpath("fifo"));
	rmdir(tpath("dir"));
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_alg();
	test_kid_vectors();
	test_generate_args();
	test_keys();
	test_secret();
	T_OK(rmdir(tmpdir) == 0, "temporary directory left empty");
	return t_done();
}
