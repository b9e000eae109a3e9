/*
 * jwt: signing and checking registry tokens (JWS compact serialization,
 * RFC 7515), base64url (RFC 4648 section 5), and public JWKs (RFC 7517).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "digest.h"
#include "json.h"
#include "jwt.h"

/* P-256 coordinates and ECDSA integers are 32 bytes (RFC 7518 3.4). */
#define ES256_INT_LEN	32
#define ES256_SIG_LEN	(2 * ES256_INT_LEN)
/* A DER ECDSA-Sig-Value of two 33-byte INTEGERs: 2 + 2 * (2 + 33). */
#define ES256_DER_MAX	72

/* As keys.c: one certificate's PEM is under 2 KB even for RSA-4096. */
#define CERT_PEM_MAX	65536

/*
 * Compact, as jwt.md wants ("no extraneous whitespace"), and in
 * insertion order so that tokens come out the same on every node and
 * jansson version (the default since jansson 2.8, explicit for older).
 */
#define DUMP_FLAGS	(JSON_COMPACT | JSON_PRESERVE_ORDER)

static const char b64url_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Characters for len bytes without padding: 4 per 3, 2 or 3 for the rest. */
static size_t
b64url_len(size_t len)
{
	return len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
}

/* Bytes that len characters can decode to, at most. */
static size_t
b64url_decoded_max(size_t len)
{
	return len / 4 * 3 + 2;
}

/* Writes b64url_len(len) characters and a NUL. */
static void
b64url_encode(const unsigned char *in, size_t len, char *out)
{
	uint32_t	 acc = 0;
	size_t		 i;
	int		 nbits = 0;

	for (i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		nbits += 8;
		while (nbits >= 6) {
			nbits -= 6;
			*out++ = b64url_alphabet[(acc >> nbits) & 0x3f];
		}
		acc &= (1u << nbits) - 1;
	}
	if (nbits > 0)
		*out++ = b64url_alphabet[(acc << (6 - nbits)) & 0x3f];
	*out = '\0';
}

static int
b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/*
 * Decode len characters into out (room for b64url_decoded_max(len)).
 * 0 on anything but the unpadded URL alphabet: '=', '+', '/', white
 * space and NUL are all refused.  The unused low bits of the last
 * character must be zero (RFC 4648 3.5), so each byte string has exactly
 * one encoding and no character of a token can change without changing
 * the bytes that were signed.
 */
static int
b64url_decode(const char *in, size_t len, unsigned char *out,
    size_t *outlen)
{
	uint32_t	 acc = 0;
	size_t		 i, o = 0;
	int		 v, nbits = 0;

	*outlen = 0;
	/* One leftover character holds 6 bits: not even one byte. */
	if (len % 4 == 1)
		return 0;
	for (i = 0; i < len; i++) {
		if ((v = b64url_value((unsigned char)in[i])) == -1)
			return 0;
		acc = (acc << 6) | (uint32_t)v;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			out[o++] = (unsigned char)(acc >> nbits);
			acc &= (1u << nbits) - 1;
		}
	}
	if (acc != 0)
		return 0;
	*outlen = o;
	return 1;
}

char *
jwt_b64url_new(const unsigned char *in, size_t len)
{
	char	*out;

	if (in == NULL && len > 0)
		return NULL;
	/* b64url_len(len) + 1 must not wrap. */
	if (len / 3 >= SIZE_MAX / 4 - 1)
		return NULL;
	if ((out = malloc(b64url_len(len) + 1)) == NULL)
		return NULL;
	b64url_encode(in, len, out);
	return out;
}

unsigned char *
jwt_b64url_decode_new(const char *in, size_t len, size_t *outlen)
{
	unsigned char	*out;
	size_t		 n = 0;

	if (outlen != NULL)
		*outlen = 0;
	if (in == NULL && len > 0)
		return NULL;
	if ((out = malloc(b64url_decoded_max(len))) == NULL)
		return NULL;
	if (!b64url_decode(in, len, out, &n)) {
		free(out);
		return NULL;
	}
	if (outlen != NULL)
		*outlen = n;
	return out;
}

/*
 * 1 when pkey is a key alg works with: an EC key on P-256 for ES256
 * (another curve would make signatures of another size), an RSA key
 * (not RSA-PSS, whose keys refuse PKCS#1 v1.5) for RS256.
 */
static int
key_fits(EVP_PKEY *pkey, enum key_alg alg)
{
	char	 group[64];
	size_t	 len = 0;

	switch (alg) {
	case KEY_ES256:
		if (EVP_PKEY_is_a(pkey, "EC") != 1)
			return 0;
		if (EVP_PKEY_get_group_name(pkey, group, sizeof(group),
		    &len) != 1)
			return 0;
		return OBJ_sn2nid(group) == NID_X9_62_prime256v1;
	case KEY_RS256:
		return EVP_PKEY_is_a(pkey, "RSA") == 1;
	default:
		return 0;
	}
}

/*
 * The x5c value of cert_pem: standard base64 with padding of its DER
 * (RFC 7515 4.1.6; the registry decodes it with Go's StdEncoding).  The
 * certificate must hold priv's public key, or every registry would
 * refuse the token with a signature error far from the cause.
 */
static enum app_err
x5c_new(const char *cert_pem, EVP_PKEY *priv, char **b64_new)
{
	enum app_err	 rc = APP_EINTERNAL;
	BIO		*bio = NULL;
	X509		*x = NULL;
	EVP_PKEY	*certkey;
	unsigned char	*der = NULL;
	char		*b64 = NULL;
	size_t		 pemlen;
	int		 derlen = 0;

	*b64_new = NULL;
	if ((pemlen = strnlen(cert_pem, CERT_PEM_MAX + 1)) > CERT_PEM_MAX)
		goto out;
	if ((bio = BIO_new_mem_buf(cert_pem, (int)pemlen)) == NULL) {
		rc = APP_ENOMEM;
		goto out;
	}
	if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL)
		goto out;
	if ((certkey = X509_get0_pubkey(x)) == NULL ||
	    EVP_PKEY_eq(certkey, priv) != 1)
		goto out;
	if ((derlen = i2d_X509(x, &der)) <= 0)
		goto out;
	/* 4 characters per 3 bytes, rounded up, and EVP_EncodeBlock's NUL. */
	if ((b64 = malloc(((size_t)derlen + 2) / 3 * 4 + 1)) == NULL) {
		rc = APP_ENOMEM;
		goto out;
	}
	if (EVP_EncodeBlock((unsigned char *)b64, der, derlen) <= 0)
		goto out;
	*b64_new = b64;
	b64 = NULL;
	rc = APP_OK;
out:
	free(b64);
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	return rc;
}

/*
 * Sign in (inlen bytes) with SHA-256 into sig (room for s->sigmax
 * bytes).  RSA keys use PKCS#1 v1.5 padding, which is RS256.  OpenSSL's
 * ECDSA signature is a DER SEQUENCE of two INTEGERs; ES256 wants the two
 * integers as fixed-size big-endian r||s, which is all registries accept.
 */
static enum app_err
sign_raw(const struct jwt_signer *js, const unsigned char *in, size_t inlen,
    unsigned char *sig, size_t *siglen)
{
	enum app_err		 rc = APP_EINTERNAL;
	unsigned char		 dgst[DIGEST_SHA256_LEN];
	unsigned char		 der[ES256_DER_MAX];
	const unsigned char	*p;
	ECDSA_SIG		*es = NULL;
	const BIGNUM		*r, *s;
	size_t			 derlen;

	*siglen = 0;
	if (!digest_sha256(in, inlen, dgst))
		goto out;
	if (js->alg == KEY_RS256) {
		*siglen = js->sigmax;
		if (EVP_PKEY_sign(js->ctx, sig, siglen, dgst, sizeof(dgst)) != 1)
			goto out;
		rc = APP_OK;
		goto out;
	}

	derlen = sizeof(der);
	if (EVP_PKEY_sign(js->ctx, der, &derlen, dgst, sizeof(dgst)) != 1)
		goto out;
	p = der;
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL ||
	    p != der + derlen)
		goto out;
	ECDSA_SIG_get0(es, &r, &s);
	/* BN_bn2binpad fails rather than truncate an integer too long. */
	if (BN_bn2binpad(r, sig, ES256_INT_LEN) != ES256_INT_LEN ||
	    BN_bn2binpad(s, sig + ES256_INT_LEN, ES256_INT_LEN) !=
	    ES256_INT_LEN)
		goto out;
	*siglen = ES256_SIG_LEN;
	rc = APP_OK;
out:
	ECDSA_SIG_free(es);
	return rc;
}

enum app_err
jwt_signer_init(struct jwt_signer *js, const struct jwt_key *key)
{
	enum app_err	 rc = APP_EINTERNAL;
	json_t		*hdr = NULL;
	char		*x5c = NULL, *hjson = NULL;
	const char	*name;
	const EVP_MD	*md;
	size_t		 hlen;
	int		 pkeysize;

	memset(js, 0, sizeof(*js));
	if (key == NULL || key->priv == NULL || key->kid == NULL ||
	    key->cert_pem == NULL || (name = keys_alg_name(key->alg)) == NULL)
		goto out;
	if (!key_fits(key->priv, key->alg))
		goto out;
	if ((pkeysize = EVP_PKEY_get_size(key->priv)) <= 0)
		goto out;
	js->alg = key->alg;
	/* ES256 gives fewer raw bytes than the DER that get_size allows. */
	js->sigmax = key->alg == KEY_ES256 ? ES256_SIG_LEN : (size_t)pkeysize;
	if ((rc = x5c_new(key->cert_pem, key->priv, &x5c)) != APP_OK)
		goto out;

	rc = APP_ENOMEM;
	/* The members in jwt.md's order, x5c last because it is long. */
	hdr = json_pack("{s:s, s:s, s:s, s:[s]}", "typ", "JWT", "alg", name,
	    "kid", key->kid, "x5c", x5c);
	if (hdr == NULL || (hjson = json_encode_new(hdr, DUMP_FLAGS)) == NULL)
		goto out;
	hlen = strlen(hjson);
	js->headlen = b64url_len(hlen) + 1;
	if ((js->head = malloc(js->headlen + 1)) == NULL)
		goto out;
	b64url_encode((const unsigned char *)hjson, hlen, js->head);
	js->head[js->headlen - 1] = '.';
	js->head[js->headlen] = '\0';

	rc = APP_EINTERNAL;
	if ((md = digest_sha256_md()) == NULL ||
	    (js->ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->priv,
	    NULL)) == NULL ||
	    EVP_PKEY_sign_init(js->ctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(js->ctx, md) != 1 ||
	    (key->alg == KEY_RS256 &&
	    EVP_PKEY_CTX_set_rsa_padding(js->ctx, RSA_PKCS1_PADDING) != 1))
		goto out;
	rc = APP_OK;
out:
	if (rc != APP_OK)
		jwt_signer_free(js);
	free(hjson);
	free(x5c);
	json_decref(hdr);
	return rc;
}

void
jwt_signer_free(struct jwt_signer *js)
{
	if (js == NULL)
		return;
	free(js->head);
	EVP_PKEY_CTX_free(js->ctx);
	memset(js, 0, sizeof(*js));
}

enum app_err
jwt_signer_sign_text(const struct jwt_signer *js, const char *claims,
    size_t clen, char **token_new)
{
	enum app_err	 rc = APP_EINTERNAL;
	char		*tok = NULL;
	unsigned char	*sig = NULL;
	size_t		 inlen, siglen = 0;

	if (token_new == NULL)
		goto out;
	*token_new = NULL;
	/* The lengths below must not wrap. */
	if (js == NULL || js->ctx == NULL || claims == NULL ||
	    clen > SIZE_MAX / 2)
		goto out;

	rc = APP_ENOMEM;
	/* One buffer: the signing input, then '.' and the signature. */
	inlen = js->headlen + b64url_len(clen);
	if ((tok = malloc(inlen + 1 + b64url_len(js->sigmax) + 1)) == NULL ||
	    (sig = malloc(js->sigmax)) == NULL)
		goto out;
	memcpy(tok, js->head, js->headlen);
	b64url_encode((const unsigned char *)claims, clen, tok + js->headlen);

	if ((rc = sign_raw(js, (const unsigned char *)tok, inlen, sig,
	    &siglen)) != APP_OK)
		goto out;
	tok[inlen] = '.';
	b64url_encode(sig, siglen, tok + inlen + 1);

	*token_new = tok;
	tok = NULL;
	rc = APP_OK;
out:
	free(sig);
	free(tok);
	return rc;
}

enum app_err
jwt_signer_sign(const struct jwt_signer *js, const json_t *claims,
    char **token_new)
{
	enum app_err	 rc;
	char		*cjson;

	if (token_new == NULL)
		return APP_EINTERNAL;
	*token_new = NULL;
	if (!json_is_object(claims))
		return APP_EINTERNAL;
	if ((cjson = json_encode_new(claims, DUMP_FLAGS)) == NULL)
		return APP_ENOMEM;
	rc = jwt_signer_sign_text(js, cjson, strlen(cjson), token_new);
	free(cjson);
	return rc;
}

enum app_err
jwt_sign(const struct jwt_key *key, const json_t *claims, char **token_new)
{
	struct jwt_signer	 js;
	enum app_err		 rc;

	if (token_new == NULL)
		return APP_EINTERNAL;
	*token_new = NULL;
	if (!json_is_object(claims))
		return APP_EINTERNAL;
	if ((rc = jwt_signer_init(&js, key)) != APP_OK)
		return rc;
	rc = jwt_signer_sign(&js, claims, token_new);
	jwt_signer_free(&js);
	return rc;
}

/*
 * Verify sig over in with pub: APP_OK, APP_EUNAUTH when it does not
 * verify.  An ES256 signature that is not 64 bytes is a wrong signature
 * (a DER one, say), not a malformed token.
 */
static enum app_err
verify_raw(EVP_PKEY *pub, enum key_alg alg, const unsigned char *in,
    size_t inlen, const unsigned char *sig, size_t siglen)
{
	enum app_err		 rc = APP_EINTERNAL;
	EVP_MD_CTX		*md = NULL;
	ECDSA_SIG		*es = NULL;
	BIGNUM			*r = NULL, *s = NULL;
	unsigned char		*der = NULL;
	const unsigned char	*vsig = sig;
	size_t			 vlen = siglen;
	int			 derlen = 0, ok;

	if (alg == KEY_ES256) {
		if (siglen != ES256_SIG_LEN) {
			rc = APP_EUNAUTH;
			goto out;
		}
		if ((es = ECDSA_SIG_new()) == NULL ||
		    (r = BN_bin2bn(sig, ES256_INT_LEN, NULL)) == NULL ||
		    (s = BN_bin2bn(sig + ES256_INT_LEN, ES256_INT_LEN,
		    NULL)) == NULL) {
			rc = APP_ENOMEM;
			goto out;
		}
		if (ECDSA_SIG_set0(es, r, s) != 1)
			goto out;
		r = s = NULL;	/* es owns them now */
		if ((derlen = i2d_ECDSA_SIG(es, &der)) <= 0)
			goto out;
		vsig = der;
		vlen = (size_t)derlen;
	}

	if ((md = EVP_MD_CTX_new()) == NULL) {
		rc = APP_ENOMEM;
		goto out;
	}
	if (EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, pub,
	    NULL) != 1)
		goto out;
	/* 0 is a bad signature, < 0 a malformed one (r or s zero, say). */
	ok = EVP_DigestVerify(md, vsig, vlen, in, inlen);
	rc = ok == 1 ? APP_OK : APP_EUNAUTH;
out:
	OPENSSL_free(der);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
	return rc;
}

/*
 * A JWS segment that must be a JSON object.  Duplicate names are refused
 * (RFC 7515 4: refuse or take the last; a verifier taking the other one
 * would see another token).  jansson refuses \u0000, invalid UTF-8,
 * trailing bytes and nesting deeper than its own limit (2048), which the
 * token length bounds anyway.
 */
static enum app_err
parse_object(const unsigned char *buf, size_t len, json_t **obj_new)
{
	json_t		*obj;
	enum app_err	 rc;

	*obj_new = NULL;
	if ((rc = json_decode((const char *)buf, len, JSON_REJECT_DUPLICATES,
	    &obj, NULL)) != APP_OK)
		return rc;
	if (!json_is_object(obj)) {
		json_decref(obj);
		return APP_EBADREQ;
	}
	*obj_new = obj;
	return APP_OK;
}

enum app_err
jwt_verify(const char *token, size_t len, EVP_PKEY *pub, enum key_alg alg,
    json_t **header_new, json_t **claims_new)
{
	enum app_err	 rc = APP_EBADREQ;
	json_t		*hdr = NULL, *claims = NULL, *v;
	unsigned char	*dec[3] = { NULL, NULL, NULL };
	const char	*seg[3], *p, *end, *name;
	size_t		 seglen[3], declen[3];
	int		 i;

	if (header_new != NULL)
		*header_new = NULL;
	if (claims_new != NULL)
		*claims_new = NULL;
	/* The caller's mistakes, not the token's. */
	if (pub == NULL || (name = keys_alg_name(alg)) == NULL ||
	    !key_fits(pub, alg)) {
		rc = APP_EINTERNAL;
		goto out;
	}
	if (token == NULL || len == 0 || len > JWT_TOKEN_MAX)
		goto out;

	/*
	 * Exactly three segments, none empty: an empty signature is an
	 * unsecured JWS (RFC 7515 A.5), an empty payload no claims.
	 */
	p = token;
	end = token + len;
	for (i = 0; i < 3; i++) {
		const char	*dot;

		dot = memchr(p, '.', (size_t)(end - p));
		if ((i < 2) != (dot != NULL))
			goto out;
		if (dot == NULL)
			dot = end;
		seg[i] = p;
		seglen[i] = (size_t)(dot - p);
		if (seglen[i] == 0)
			goto out;
		p = dot + 1;
	}
	for (i = 0; i < 3; i++) {
		if ((dec[i] = malloc(b64url_decoded_max(seglen[i]))) == NULL) {
			rc = APP_ENOMEM;
			goto out;
		}
		if (!b64url_decode(seg[i], seglen[i], dec[i], &declen[i]))
			goto out;
	}

	if ((rc = parse_object(dec[0], declen[0], &hdr)) != APP_OK)
		goto out;
	rc = APP_EBADREQ;
	v = json_object_get(hdr, "alg");
	if (!json_is_string(v))
		goto out;
	/*
	 * Only the alg the caller expects, never the token's choice: that
	 * shuts out "none" and HS256 keyed with the public key.  Names are
	 * case-sensitive (RFC 7515 4.1.1).
	 */
	if (strcmp(json_string_value(v), name) != 0) {
		rc = APP_EUNAUTH;
		goto out;
	}
	/* RFC 7515 4.1.11: we understand no extension, so must refuse any. */
	if (json_object_get(hdr, "crit") != NULL)
		goto out;

	/* The signing input is the two segments as sent, with their dot. */
	if ((rc = verify_raw(pub, alg, (const unsigned char *)token,
	    seglen[0] + 1 + seglen[1], dec[2], declen[2])) != APP_OK)
		goto out;
	/* Claims are parsed only once they are known to be ours. */
	if ((rc = parse_object(dec[1], declen[1], &claims)) != APP_OK)
		goto out;

	if (header_new != NULL) {
		*header_new = hdr;
		hdr = NULL;
	}
	if (claims_new != NULL) {
		*claims_new = claims;
		claims = NULL;
	}
	rc = APP_OK;
out:
	/* A refused token is no OpenSSL fault: keep the queue for real ones. */
	if (rc == APP_EBADREQ || rc == APP_EUNAUTH)
		ERR_clear_error();
	for (i = 0; i < 3; i++)
		free(dec[i]);
	json_decref(claims);
	json_decref(hdr);
	return rc;
}

/*
 * base64url of bn, big-endian, left-padded to width bytes; with width 0
 * in its minimal length, as RFC 7518 6.3.1.1 wants RSA's n and e.
 */
static char *
bn_b64url_new(const BIGNUM *bn, int width)
{
	unsigned char	*buf;
	char		*s = NULL;
	int		 n;

	n = width > 0 ? width : BN_num_bytes(bn);
	if (n <= 0 || (buf = malloc((size_t)n)) == NULL)
		return NULL;
	if (BN_bn2binpad(bn, buf, n) == n)
		s = jwt_b64url_new(buf, (size_t)n);
	free(buf);
	return s;
}

json_t *
jwt_jwk_new(EVP_PKEY *pub, enum key_alg alg, const char *kid)
{
	json_t		*jwk = NULL;
	BIGNUM		*a = NULL, *b = NULL;
	char		*sa = NULL, *sb = NULL;
	const char	*name;

	if (pub == NULL || kid == NULL ||
	    (name = keys_alg_name(alg)) == NULL || !key_fits(pub, alg))
		goto out;
	/*
	 * Only public parameters are read, so a private key given here
	 * still yields a public JWK.
	 */
	switch (alg) {
	case KEY_ES256:
		if (EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_EC_PUB_X,
		    &a) != 1 ||
		    EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_EC_PUB_Y,
		    &b) != 1)
			goto out;
		/* RFC 7518 6.2.1.2: the full coordinate size, zeros kept. */
		if ((sa = bn_b64url_new(a, ES256_INT_LEN)) == NULL ||
		    (sb = bn_b64url_new(b, ES256_INT_LEN)) == NULL)
			goto out;
		jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		    "kty", "EC", "crv", "P-256", "x", sa, "y", sb,
		    "kid", kid, "alg", name, "use", "sig");
		break;
	case KEY_RS256:
		if (EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_N,
		    &a) != 1 ||
		    EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_E,
		    &b) != 1)
			goto out;
		if ((sa = bn_b64url_new(a, 0)) == NULL ||
		    (sb = bn_b64url_new(b, 0)) == NULL)
			goto out;
		jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
		    "kty", "RSA", "n", sa, "e", sb,
		    "kid", kid, "alg", name, "use", "sig");
		break;
	default:
		break;
	}
out:
	free(sb);
	free(sa);
	BN_free(b);
	BN_free(a);
	return jwk;
}
