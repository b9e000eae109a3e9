/*
 * test_jwt: registry tokens, checked apart from lib/jwt.c.  Tokens are
 * split and decoded here (EVP_DecodeBlock after translating the URL
 * alphabet), signatures verified with OpenSSL's EVP calls directly and
 * with the openssl command, and the fixed vectors below were computed
 * with python3-cryptography, not with this code.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "jwt.h"
#include "keys.h"
#include "t.h"

#define CN	"berth jwt test"
#define DAYS	30

/*
 * The example of docs/spec/auth/jwt.md: its key (kid, x, y; the
 * SubjectPublicKeyInfo below was built from x and y), the signing input
 * of its token, and the token's own signature, which does not verify
 * (python3-cryptography agrees).  spec_sig_ok is a signature of the same
 * input with the spec's private key "d", made by python3-cryptography's
 * ECDSA and written as r||s.
 */
static const char spec_pub_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEm7zUpx3b+zmVE5cymSs64POG9Qcy\n"
    "EpJaYCD82+549/R1TduLPyxn/wY8H6h2bxbHPeU0OvXFwBBA9Bo5yvV+Zw==\n"
    "-----END PUBLIC KEY-----\n";
static const char spec_kid[] =
    "PYYO:TEWU:V7JH:26JV:AQTZ:LJC3:SXVJ:XGHA:34F2:2LAQ:ZRMK:Z7Q6";
static const char spec_x[] = "m7zUpx3b-zmVE5cymSs64POG9QcyEpJaYCD82-549_Q";
static const char spec_y[] = "dU3biz8sZ_8GPB-odm8Wxz3lNDr1xcAQQPQaOcr1fmc";
static const char spec_header_json[] =
    "{\"typ\":\"JWT\",\"alg\":\"ES256\",\"kid\":\"PYYO:TEWU:V7JH:26JV:"
    "AQTZ:LJC3:SXVJ:XGHA:34F2:2LAQ:ZRMK:Z7Q6\"}";
static const char spec_input[] =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiIsImtpZCI6IlBZWU86VEVXVTpWN0pIOjI2"
    "SlY6QVFUWjpMSkMzOlNYVko6WEdIQTozNEYyOjJMQVE6WlJNSzpaN1E2In0."
    "eyJpc3MiOiJhdXRoLmRvY2tlci5jb20iLCJzdWIiOiJqbGhhd24iLCJhdWQiOiJyZWdp"
    "c3RyeS5kb2NrZXIuY29tIiwiZXhwIjoxNDE1Mzg3MzE1LCJuYmYiOjE0MTUzODcwMTUs"
    "ImlhdCI6MTQxNTM4NzAxNSwianRpIjoidFlKQ08xYzZjbnl5N2tBbjBjN3JLUGdiVjFI"
    "MWJGd3MiLCJhY2Nlc3MiOlt7InR5cGUiOiJyZXBvc2l0b3J5IiwibmFtZSI6InNhbWFs"
    "YmEvbXktYXBwIiwiYWN0aW9ucyI6WyJwdXNoIl19XX0";
static const char spec_sig_doc[] =
    "QhflHPfbd6eVF4lM9bwYpFZIV0PfikbyXuLx959ykRTBpe3CYnzs6YBK8FToVb5R47920"
    "PVLrh8zuLzdCr9t3w";
static const char spec_sig_ok[] =
    "aw6hekiu2oFC8VBr2TANGpn5zL0GV6VtRzTl_0iOP-8NiRCzCRj89f6lgLk5d5uAdCwj"
    "qFDFqzm6pV4UvyUj_w";

/* A P-256 key whose x coordinate starts with a zero byte. */
static const char zx_pub_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAKml4g8r5k0c0kjUXwI0imrUVYNr\n"
    "3N3vWfjSCVEy9qY1hf/RVJF38HdJ/1Q0+126RaJ6tXqa8ZgeJH10tmGwyg==\n"
    "-----END PUBLIC KEY-----\n";
static const char zx_x[] = "AKml4g8r5k0c0kjUXwI0imrUVYNr3N3vWfjSCVEy9qY";
static const char zx_y[] = "NYX_0VSRd_B3Sf9UNPtdukWierV6mvGYHiR9dLZhsMo";

/*
 * An RS256 known answer.  Test-only key and certificate, made with
 * python3-cryptography, which also computed the libtrust kid and the
 * signature of
 *   b64url({"typ":"JWT","alg":"RS256","kid":kat_kid,"x5c":[base64 DER]})
 *   "." b64url(the claims of kat_claims(), compact, in that order).
 * PKCS#1 v1.5 is deterministic, so the signature is the whole answer.
 */
static const char kat_key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCvE86mi+9P3dI4\n"
    "rRzkGBQayk41nOSBi6K+7t37n35+6fWFuBgPOTZ7bkbCi++XkTpnTWla2uyMKWWE\n"
    "SzwLCqMk/Seu0MZ3EJtxryWfMEe72fw9M5wXo2rVFAcdgAxI/Tprd5GHzwbKY98e\n"
    "d/EkgqZGpMHpakLcgoPnky+a1LyHKmySYQagHFE4rPAL5XtGxz+vYOldDcQNKnXP\n"
    "h+NWSkvL8jXtE/E3luazRbg4B0hOkBfQFhgkU704egLVUQ1Y2G4rsNQmr1kRhJ3K\n"
    "hQbe88DDrMuYU2MQuK0XdSYHLxL7EniCBvbnaYb3gRnQ86ppy5Pa6sllUS2xXzuQ\n"
    "TGj73HxpAgMBAAECggEABaDLfRQ8FYpoStpaPb3+MTzyi1oAXhFLol8AhWJY2v7t\n"
    "ui2BZdPirXsbt3CoZhbUFJZHeqNx6FuRNVHZ1J0Je5Oy5hj8QvhC7FCKhPXfXc0h\n"
    "zCOlJNJHe3a7sLYVoMt88ywgt6Qn/kh8SVyRfZsWCDAAz9A2VyQlK2B9IICDyhsv\n"
    "E063PSA1cxSTy/cqL6nanBIhEQL3ja8NdFVPVZkyxaUxKJgXo+GjTtATuspNV0F/\n"
    "vZY6MCn16ka0qdV53+IldvlBHTHeCnhcAC38P5WFHOJoOFSwkE0X3zua6x2HoYfd\n"
    "EKOSkkRJsL5x0r5fxpwaKc8joD6jQL231XexBJ639QKBgQDaqD7kmwDrdxWZC6ae\n"
    "nyhUjk9o34PoayhIosDEDHjSOVJCJmpGfN1AVgMGN2Fz66oMVk1kfWvbwjeOif4T\n"
    "G8kyqAcEim3TGR97cwjTW8DtvJG51YhL0Tttk6abwdWJwBYp/dXjPNbYG+l2DHBL\n"
    "kJQp1zCtQnqmfVgd5OKubEqkTwKBgQDM+j0mey0mQEINjg4vOSJLXN7sKRHXxfvM\n"
    "7jo8KlzfT7ByolcsAir1JOm1jldRC2AA3d+udd0378cZbohGo8aNeu9ffoO+/Hbf\n"
    "LJ6zBJxOnGUgFzqA8CSJUHvoHNFuqnJwZdgXLsTOMM9tE90owBd4avZhm68Y/F10\n"
    "eXmZ9SVNxwKBgQC72HpfjsJVh3KojpfQAc92BOQ3pn3998Ed1aRhSI2rnM8MQVBf\n"
    "yfmRwdLLTlyMZ9Mo0iOexxkYLFvqOqZp6B8LQ8rznbEH/7dKKONWIKc4Fh3jVozH\n"
    "BbNWSdiCSx2WP81KueU8WRIBiskgP0Nhx41h/Jq23jvcOCaxV+deDW56hQKBgGz/\n"
    "vLjT04R9syJGIiDWfvgYYKqwhD57l5S4MduAo3ZUh/3NehF67aECigzzrlb4d4q+\n"
    "cY3yOzrdlMBfWLRHrvPZJaVgP2q2EfhHX/TORNhArj3MXF3oVWV3mQwrFuuEU+qV\n"
    "Hb3mLt1+cy8L2xUqYNC2AGKTSR8+Q+wGFLXb+IRNAoGBAIKUfNUfB912N3+04IXX\n"
    "35/Qy377T6FossBTk5z/fYT+f6eUXHj/yAycKgzWf4jdzUbwkEW4StAjCrvxxgfo\n"
    "/pzzY+U6QUIJExUZhZN6kiDAMp0/cAfxRvg6+L0CeXugqMZ3pequBoYHkETkyG9c\n"
    "byS9gKi01SFG2K0lxZEXgci9\n"
    "-----END PRIVATE KEY-----\n";
static const char kat_cert_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIICxjCCAa6gAwIBAgIIEjRWeJCrze8wDQYJKoZIhvcNAQELBQAwGTEXMBUGA1UE\n"
    "AwwOYmVydGggand0IHRlc3QwIBcNMjQwMTAxMDAwMDAwWhgPMjEyMzEyMDgwMDAw\n"
    "MDBaMBkxFzAVBgNVBAMMDmJlcnRoIGp3dCB0ZXN0MIIBIjANBgkqhkiG9w0BAQEF\n"
    "AAOCAQ8AMIIBCgKCAQEArxPOpovvT93SOK0c5BgUGspONZzkgYuivu7d+59+fun1\n"
    "hbgYDzk2e25Gwovvl5E6Z01pWtrsjCllhEs8CwqjJP0nrtDGdxCbca8lnzBHu9n8\n"
    "PTOcF6Nq1RQHHYAMSP06a3eRh88GymPfHnfxJIKmRqTB6WpC3IKD55MvmtS8hyps\n"
    "kmEGoBxROKzwC+V7Rsc/r2DpXQ3EDSp1z4fjVkpLy/I17RPxN5bms0W4OAdITpAX\n"
    "0BYYJFO9OHoC1VENWNhuK7DUJq9ZEYSdyoUG3vPAw6zLmFNjELitF3UmBy8S+xJ4\n"
    "ggb252mG94EZ0POqacuT2urJZVEtsV87kExo+9x8aQIDAQABoxAwDjAMBgNVHRMB\n"
    "Af8EAjAAMA0GCSqGSIb3DQEBCwUAA4IBAQBKdTsddN0t8KeHkLws3EIbHcRit4sW\n"
    "IlFglIg6jUM9EBFEZj9ditgFODfUYVepxV//31zm7VK3ECdinWyX2DMEkfblEqRm\n"
    "1wCSFTasGcnu/48/u6YgPOEqKlrSHMowzDNmagrnRc6x45LpWPGyVKPQjd6oBYwG\n"
    "oVVcqEZODxf1g3yRtm0PzIHVeXrh4ujr3WpVBoPVBOt56mMT3Tjz32mJZmzeGf2l\n"
    "ga51dNzl2wWTqnXC/OPAt1fi3tIqPFT2gsYsF14j1C7Mn3xsy/sF5kj1EqYMCqP1\n"
    "3fVkuuhVuv4j0TfOJ+XqVsdGRJwtv7ESZRqNr6SC8T3pMzEPKnaa/v7F\n"
    "-----END CERTIFICATE-----\n";
static const char kat_kid[] =
    "7PBK:XJ3G:SGKX:S6EP:5IUC:BPFM:EUVN:TRA3:QKOK:DZWL:FJMR:JKNU";
static const char kat_sig[] =
    "WolIfr9STZFwu8qiK0iK4FbdBFAv3BPneH5OQQVjMNT7E30En_5RFKTFJFhbFimy07S4"
    "TS9iJqAP63EDrCSN4s9ChLKDReCXC03y7l-C74eqSUhlO5Xxu-GV6G_BfFEVOPNvEL_7"
    "1_UJMx8mcXP99vP_-36jiw1wPuZ_9KoKvFYyVpQoPOxNMk37eZ3OSxAWitf_uXXCOQIp"
    "5vzUU_JOczfVaV-lxuXBwR6LBwuBRHOen7zZc3Ow5gHLEYm4rMgrV6VUdgEFdKEdTvpG"
    "LY-gNr6qwhFuM06OdSta885P6fK_m74rvaYmAdOgjlioW1Z0R2MxTReRqa5RC6-zYGJK"
    "qw";

static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char	tmpdir[] = "/tmp/test_jwt.XXXXXX";

static const char *
tpath(const char *name)
{
	static char	 buf[4][PATH_MAX];
	static int	 i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

/* s made printable for a test line: one line per check, always. */
static const char *
vis(const char *s)
{
	static char	 buf[128];
	size_t		 o = 0;

	for (; *s != '\0' && o + 5 < sizeof(buf); s++) {
		if (*s >= 0x20 && *s < 0x7f)
			buf[o++] = *s;
		else
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
			    "\\x%02x", (unsigned char)*s);
	}
	buf[o] = '\0';
	return buf;
}

/* Tests cannot go on without memory. */
static void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n > 0 ? n : 1)) == NULL) {
		perror("malloc");
		abort();
	}
	return p;
}

/* An exact-length copy without NUL, so ASan sees any read past len. */
static char *
exact(const char *s, size_t len)
{
	char	*c = xmalloc(len);

	memcpy(c, s, len);
	return c;
}

/* Standard base64 with padding, decoded by OpenSSL; malloc'd. */
static unsigned char *
std_decode(const char *s, size_t len, size_t *outlen)
{
	unsigned char	*out;
	int		 n;
	size_t		 pad = 0;

	*outlen = 0;
	if (len % 4 != 0 || len > INT_MAX)
		return NULL;
	if ((out = malloc(len / 4 * 3 + 1)) == NULL)
		return NULL;
	n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
	if (n < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts padding as zero bytes. */
	if (len > 0 && s[len - 1] == '=')
		pad++;
	if (len > 1 && s[len - 2] == '=')
		pad++;
	*outlen = (size_t)n - pad;
	return out;
}

/* base64url by translation to standard base64; refuses '=' '+' '/'. */
static unsigned char *
url_decode(const char *s, size_t len, size_t *outlen)
{
	unsigned char	*out;
	char		*t;
	size_t		 i, tlen = (len + 3) / 4 * 4;

	*outlen = 0;
	if (strcspn(s, "=+/") < len || len % 4 == 1)
		return NULL;
	if ((t = malloc(tlen + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		t[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	for (; i < tlen; i++)
		t[i] = '=';
	t[tlen] = '\0';
	out = std_decode(t, tlen, outlen);
	free(t);
	return out;
}

/* base64url by translation from EVP_EncodeBlock. */
static char *
url_encode(const unsigned char *in, size_t len)
{
	char	*t, *o;
	size_t	 i;

	if ((t = malloc((len + 2) / 3 * 4 + 1)) == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)t, in, (int)len);
	for (o = t, i = 0; t[i] != '\0' && t[i] != '='; i++)
		*o++ = t[i] == '+' ? '-' : t[i] == '/' ? '_' : t[i];
	*o = '\0';
	return t;
}

struct parts {
	const char	*seg[3];
	size_t		 len[3];
};

/* Split at the dots; 0 unless there are exactly three segments. */
static int
split(const char *tok, struct parts *p)
{
	const char	*d1, *d2;

	if ((d1 = strchr(tok, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL)
		return 0;
	p->seg[0] = tok;
	p->len[0] = (size_t)(d1 - tok);
	p->seg[1] = d1 + 1;
	p->len[1] = (size_t)(d2 - d1 - 1);
	p->seg[2] = d2 + 1;
	p->len[2] = strlen(d2 + 1);
	return 1;
}

/* A segment decoded to a NUL-terminated string (for JSON segments). */
static char *
seg_str(const struct parts *p, int i)
{
	unsigned char	*raw;
	char		*seg, *s = NULL;
	size_t		 n;

	if ((seg = exact(p->seg[i], p->len[i] + 1)) == NULL)
		return NULL;
	seg[p->len[i]] = '\0';
	if ((raw = url_decode(seg, p->len[i], &n)) != NULL &&
	    (s = malloc(n + 1)) != NULL) {
		memcpy(s, raw, n);
		s[n] = '\0';
	}
	free(raw);
	free(seg);
	return s;
}

static unsigned char *
seg_bytes(const struct parts *p, int i, size_t *n)
{
	unsigned char	*raw;
	char		*seg;

	*n = 0;
	if ((seg = exact(p->seg[i], p->len[i] + 1)) == NULL)
		return NULL;
	seg[p->len[i]] = '\0';
	raw = url_decode(seg, p->len[i], n);
	free(seg);
	return raw;
}

/* r||s (64 bytes) to the DER ECDSA-Sig-Value OpenSSL verifies. */
static unsigned char *
rs_to_der(const unsigned char *rs, size_t *derlen)
{
	ECDSA_SIG	*es;
	BIGNUM		*r, *s;
	unsigned char	*der = NULL;
	int		 n;

	*derlen = 0;
	es = ECDSA_SIG_new();
	r = BN_bin2bn(rs, 32, NULL);
	s = BN_bin2bn(rs + 32, 32, NULL);
	if (es == NULL || r == NULL || s == NULL ||
	    ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return NULL;
	}
	if ((n = i2d_ECDSA_SIG(es, &der)) > 0)
		*derlen = (size_t)n;
	ECDSA_SIG_free(es);
	return der;
}

/* The signature of a token as OpenSSL wants it: DER for ES256. */
static unsigned char *
openssl_sig(const struct parts *p, enum key_alg alg, size_t *len)
{
	unsigned char	*raw, *der;
	size_t		 n;

	*len = 0;
	if ((raw = seg_bytes(p, 2, &n)) == NULL)
		return NULL;
	if (alg == KEY_RS256) {
		*len = n;
		return raw;
	}
	der = n == 64 ? rs_to_der(raw, len) : NULL;
	free(raw);
	return der;
}

/* 1 if tok verifies with pub, by OpenSSL alone. */
static int
indep_verify(EVP_PKEY *pub, enum key_alg alg, const char *tok)
{
	struct parts	 p;
	EVP_MD_CTX	*md;
	unsigned char	*sig;
	size_t		 siglen;
	int		 ok = 0;

	if (!split(tok, &p))
		return 0;
	if ((sig = openssl_sig(&p, alg, &siglen)) == NULL)
		return 0;
	if ((md = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, pub,
	    NULL) == 1)
		ok = EVP_DigestVerify(md, sig, siglen,
		    (const unsigned char *)tok, p.len[0] + 1 + p.len[1]) == 1;
	EVP_MD_CTX_free(md);
	OPENSSL_free(sig);
	ERR_clear_error();
	return ok;
}

/*
 * A token signed here, with any header and payload bytes: for tokens
 * that jwt_sign would never make but jwt_verify must judge.
 */
static char *
indep_sign(EVP_PKEY *priv, enum key_alg alg, const char *hdr,
    const char *payload, size_t plen)
{
	EVP_MD_CTX	*md = NULL;
	ECDSA_SIG	*es = NULL;
	unsigned char	*der = NULL, rs[64];
	const unsigned char *dp;
	const BIGNUM	*r, *s;
	char		*h = NULL, *c = NULL, *sg = NULL, *in = NULL;
	char		*tok = NULL;
	size_t		 derlen = 0, inlen;

	h = url_encode((const unsigned char *)hdr, strlen(hdr));
	c = url_encode((const unsigned char *)payload, plen);
	if (h == NULL || c == NULL)
		goto out;
	inlen = strlen(h) + 1 + strlen(c);
	if ((in = malloc(inlen + 1)) == NULL)
		goto out;
	snprintf(in, inlen + 1, "%s.%s", h, c);
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, priv,
	    NULL) != 1 ||
	    EVP_DigestSign(md, NULL, &derlen, (unsigned char *)in,
	    inlen) != 1 ||
	    (der = OPENSSL_malloc(derlen)) == NULL ||
	    EVP_DigestSign(md, der, &derlen, (unsigned char *)in,
	    inlen) != 1)
		goto out;
	if (alg == KEY_ES256) {
		dp = der;
		if ((es = d2i_ECDSA_SIG(NULL, &dp, (long)derlen)) == NULL)
			goto out;
		ECDSA_SIG_get0(es, &r, &s);
		if (BN_bn2binpad(r, rs, 32) != 32 ||
		    BN_bn2binpad(s, rs + 32, 32) != 32)
			goto out;
		sg = url_encode(rs, sizeof(rs));
	} else
		sg = url_encode(der, derlen);
	if (sg == NULL)
		goto out;
	if ((tok = malloc(inlen + 1 + strlen(sg) + 1)) != NULL)
		snprintf(tok, inlen + 1 + strlen(sg) + 1, "%s.%s", in, sg);
out:
	ECDSA_SIG_free(es);
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	free(h);
	free(c);
	free(sg);
	free(in);
	return tok;
}

static int
write_file(const char *path, const void *data, size_t len)
{
	FILE	*f;
	int	 ok;

	if ((f = fopen(path, "wb")) == NULL)
		return 0;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

static int
have_openssl_cli(void)
{
	return system("command -v openssl >/dev/null 2>&1") == 0;
}

/*
 * The openssl command's verdict on tok: 1 verified, 0 refused, -1 if
 * the files could not be written.  tamper flips a bit of the input.
 */
static int
cli_verify(EVP_PKEY *pub, enum key_alg alg, const char *tok, int tamper)
{
	struct parts	 p;
	unsigned char	*sig = NULL;
	char		*in = NULL, cmd[3 * PATH_MAX + 128];
	size_t		 siglen, inlen;
	FILE		*f;
	int		 rc = -1, st;

	if (!split(tok, &p))
		return -1;
	if ((f = fopen(tpath("pub.pem"), "w")) == NULL)
		return -1;
	st = PEM_write_PUBKEY(f, pub);
	if (fclose(f) != 0 || st != 1)
		goto out;
	inlen = p.len[0] + 1 + p.len[1];
	if ((in = exact(tok, inlen)) == NULL)
		goto out;
	if (tamper)
		in[inlen / 2] ^= 0x01;
	if ((sig = openssl_sig(&p, alg, &siglen)) == NULL ||
	    !write_file(tpath("sig.der"), sig, siglen) ||
	    !write_file(tpath("input"), in, inlen))
		goto out;
	snprintf(cmd, sizeof(cmd), "openssl dgst -sha256 -verify '%s' "
	    "-signature '%s' '%s' >/dev/null 2>&1", tpath("pub.pem"),
	    tpath("sig.der"), tpath("input"));
	st = system(cmd);
	rc = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
out:
	OPENSSL_free(sig);
	free(in);
	unlink(tpath("pub.pem"));
	unlink(tpath("sig.der"));
	unlink(tpath("input"));
	return rc;
}

static EVP_PKEY *
pub_from_pem(const char *pem)
{
	BIO		*bio;
	EVP_PKEY	*pkey;

	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return NULL;
	pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return pkey;
}

static EVP_PKEY *
priv_from_pem(const char *pem)
{
	BIO		*bio;
	EVP_PKEY	*pkey;

	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return NULL;
	pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return pkey;
}

static json_t *
test_claims(void)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, "
	    "s:[{s:s, s:s, s:[s, s]}]}",
	    "iss", "berth", "sub", "alice", "aud", "registry",
	    "exp", (json_int_t)1700000300, "nbf", (json_int_t)1699999990,
	    "iat", (json_int_t)1700000000,
	    "jti", "0123456789abcdef0123456789abcdef",
	    "access", "type", "repository", "name", "library/alpine",
	    "actions", "pull", "push");
}

static void
test_b64url(void)
{
	static const struct {
		const char	*in;
		const char	*out;
	} rfc[] = {
		/* RFC 4648 10, without the padding. */
		{ "", "" },
		{ "f", "Zg" },
		{ "fo", "Zm8" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg" },
		{ "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" },
	};
	static const struct {
		const unsigned char	 in[3];
		size_t			 len;
		const char		*out;
	} url[] = {
		{ { 0xfb, 0xff }, 2, "-_8" },
		{ { 0xfb, 0xef, 0xbe }, 3, "----" },
		{ { 0xff, 0xff, 0xff }, 3, "____" },
		{ { 0x00 }, 1, "AA" },
	};
	static const char *const bad[] = {
		"Zg==", "Zg=", "Zm9vYg==", "Zm9vYmE=", "=", "====",
		"+/8", "Zm9v+A", "Zm9v/A", "Zm 9v", "Zm9v\n", " Zm9v",
		"Zm9v\r\n", "\tZg", "Z", "Zm9vY", "Zh", "Zm9", "Zg.", "%%",
		"Zm9v!", "\xc3\xa9Zg", "Zm9v\x7f",
	};
	unsigned char	 rnd[100], *d;
	char		*e, *e2, *c;
	size_t		 i, n, len;
	int		 bad_rt, bad_cmp;

	for (i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++) {
		e = jwt_b64url_new((const unsigned char *)rfc[i].in,
		    strlen(rfc[i].in));
		T_EQ_STR(e, rfc[i].out, "b64url \"%s\"", rfc[i].in);
		free(e);
		len = strlen(rfc[i].out);
		c = exact(rfc[i].out, len);
		d = jwt_b64url_decode_new(c, len, &n);
		T_OK(d != NULL && n == strlen(rfc[i].in) &&
		    memcmp(d, rfc[i].in, n) == 0, "decode \"%s\"",
		    rfc[i].out);
		free(d);
		free(c);
	}
	for (i = 0; i < sizeof(url) / sizeof(url[0]); i++) {
		e = jwt_b64url_new(url[i].in, url[i].len);
		T_EQ_STR(e, url[i].out, "b64url URL alphabet: %s",
		    url[i].out);
		free(e);
		d = jwt_b64url_decode_new(url[i].out, strlen(url[i].out), &n);
		T_OK(d != NULL && n == url[i].len &&
		    memcmp(d, url[i].in, n) == 0, "decode %s", url[i].out);
		free(d);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = strlen(bad[i]);
		c = exact(bad[i], len);
		n = 99;
		d = jwt_b64url_decode_new(c, len, &n);
		T_OK(d == NULL && n == 0, "decode refuses \"%s\"",
		    vis(bad[i]));
		free(d);
		free(c);
	}
	d = jwt_b64url_decode_new("Zm\0v", 4, &n);
	T_OK(d == NULL, "decode refuses an embedded NUL");
	free(d);
	d = jwt_b64url_decode_new("Zm9v", 4, NULL);
	T_OK(d != NULL && memcmp(d, "foo", 3) == 0, "decode with outlen NULL");
	free(d);

	/* jwt.md's compact header and its base64url, as printed there. */
	e = jwt_b64url_new((const unsigned char *)spec_header_json,
	    strlen(spec_header_json));
	T_OK(e != NULL && strlen(e) == strcspn(spec_input, ".") &&
	    strncmp(e, spec_input, strlen(e)) == 0,
	    "b64url of jwt.md's header is jwt.md's first segment");
	free(e);

	/* Every length 0..100 against OpenSSL's encoder, and back. */
	T_OK(RAND_bytes(rnd, sizeof(rnd)) == 1, "random bytes");
	bad_rt = bad_cmp = 0;
	for (len = 0; len <= sizeof(rnd); len++) {
		e = jwt_b64url_new(rnd, len);
		e2 = url_encode(rnd, len);
		if (e == NULL || e2 == NULL || strcmp(e, e2) != 0 ||
		    strlen(e) != (len * 4 + 2) / 3 ||
		    strspn(e, url_alphabet) != strlen(e))
			bad_cmp++;
		c = e != NULL ? exact(e, strlen(e)) : NULL;
		d = c != NULL ? jwt_b64url_decode_new(c, strlen(e), &n) : NULL;
		if (d == NULL || n != len || memcmp(d, rnd, len) != 0)
			bad_rt++;
		free(d);
		free(c);
		free(e);
		free(e2);
	}
	T_EQ_INT(bad_cmp, 0, "b64url of 0..100 bytes equals OpenSSL's, "
	    "unpadded, URL alphabet");
	T_EQ_INT(bad_rt, 0, "b64url round trip of 0..100 bytes");
}

/* The header of a token, decoded and parsed here. */
static json_t *
header_of(const char *tok, char **raw)
{
	struct parts	 p;
	json_t		*h;
	char		*s;

	*raw = NULL;
	if (!split(tok, &p) || (s = seg_str(&p, 0)) == NULL)
		return NULL;
	h = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	*raw = s;
	return h;
}

static void
check_header(enum key_alg alg, const char *tok, const char *kid,
    const char *cert_pem, EVP_PKEY *pub)
{
	const char	*name = keys_alg_name(alg);
	json_t		*h, *x5c;
	char		*raw = NULL, *want = NULL, *certb64 = NULL;
	unsigned char	*der = NULL, *pemder = NULL;
	const unsigned char *dp;
	size_t		 derlen = 0, wantlen;
	int		 pemderlen = 0;
	X509		*x = NULL, *xp = NULL;
	BIO		*bio;
	const char	*b64;

	h = header_of(tok, &raw);
	T_OK(h != NULL && json_is_object(h), "%s header is a JSON object",
	    name);
	if (h == NULL) {
		free(raw);
		return;
	}
	T_EQ_STR(json_string_value(json_object_get(h, "typ")), "JWT",
	    "%s header typ", name);
	T_EQ_STR(json_string_value(json_object_get(h, "alg")), name,
	    "%s header alg", name);
	T_EQ_STR(json_string_value(json_object_get(h, "kid")), kid,
	    "%s header kid is keys_kid of the key", name);
	x5c = json_object_get(h, "x5c");
	T_OK(json_is_array(x5c) && json_array_size(x5c) == 1 &&
	    json_is_string(json_array_get(x5c, 0)),
	    "%s x5c is an array of one string", name);
	T_EQ_INT(json_object_size(h), 4, "%s header has 4 members", name);
	b64 = json_string_value(json_array_get(x5c, 0));

	/* Standard alphabet, padded: what Go's base64.StdEncoding takes. */
	T_OK(b64 != NULL && strlen(b64) % 4 == 0 &&
	    strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/=") == strlen(b64), "%s x5c is padded base64", name);
	if (b64 != NULL)
		der = std_decode(b64, strlen(b64), &derlen);
	dp = der;
	x = der != NULL ? d2i_X509(NULL, &dp, (long)derlen) : NULL;
	T_OK(x != NULL && dp == der + derlen,
	    "%s x5c[0] is one DER certificate", name);
	T_OK(x != NULL && EVP_PKEY_eq(X509_get0_pubkey(x), pub) == 1,
	    "%s x5c certificate holds the signing key", name);

	/* The same DER as the PEM certificate, encoded here. */
	if ((bio = BIO_new_mem_buf(cert_pem, -1)) != NULL)
		xp = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (xp != NULL && (pemderlen = i2d_X509(xp, &pemder)) > 0 &&
	    (certb64 = malloc(((size_t)pemderlen + 2) / 3 * 4 + 1)) != NULL)
		EVP_EncodeBlock((unsigned char *)certb64, pemder, pemderlen);
	T_OK(certb64 != NULL && b64 != NULL && strcmp(certb64, b64) == 0,
	    "%s x5c[0] is the configured certificate", name);

	/* Compact, in the spec's order, nothing else. */
	wantlen = 64 + strlen(kid) + (certb64 ? strlen(certb64) : 0);
	if ((want = malloc(wantlen)) != NULL)
		snprintf(want, wantlen, "{\"typ\":\"JWT\",\"alg\":\"%s\","
		    "\"kid\":\"%s\",\"x5c\":[\"%s\"]}", name, kid,
		    certb64 ? certb64 : "");
	T_EQ_STR(raw, want, "%s header serialized compactly", name);

	free(want);
	free(certb64);
	OPENSSL_free(pemder);
	X509_free(xp);
	X509_free(x);
	free(der);
	free(raw);
	json_decref(h);
}

static void
check_payload(enum key_alg alg, const char *tok, const json_t *claims)
{
	const char	*name = keys_alg_name(alg);
	struct parts	 p;
	json_t		*c = NULL;
	char		*s = NULL;

	if (split(tok, &p))
		s = seg_str(&p, 1);
	T_OK(s != NULL, "%s payload decodes", name);
	if (s == NULL)
		return;
	c = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	T_OK(c != NULL && json_equal(c, claims), "%s payload equals the claims",
	    name);
	/* Registry 2.8 unmarshals times into int64 and aud into a string. */
	T_OK(strstr(s, "\"exp\":1700000300,") != NULL &&
	    strstr(s, "\"nbf\":1699999990,") != NULL &&
	    strstr(s, "\"iat\":1700000000,") != NULL,
	    "%s times are JSON integers: %s", name, s);
	T_OK(json_is_integer(json_object_get(c, "exp")) &&
	    json_is_integer(json_object_get(c, "nbf")) &&
	    json_is_integer(json_object_get(c, "iat")),
	    "%s times parse as integers", name);
	T_OK(json_is_string(json_object_get(c, "aud")) &&
	    strstr(s, "\"aud\":\"registry\"") != NULL, "%s aud is a string",
	    name);
	T_OK(strncmp(s, "{\"iss\":\"berth\",\"sub\":\"alice\",", 29) == 0 &&
	    strchr(s, ' ') == NULL && strchr(s, '\n') == NULL,
	    "%s claims compact and in insertion order", name);
	json_decref(c);
	free(s);
}

/* The next character of the URL alphabet: a change that still decodes. */
static char
next_char(char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(url_alphabet, c)) == NULL)
		return 'A';
	return url_alphabet[(p - url_alphabet + 1) % 64];
}

static void
check_tampering(enum key_alg alg, EVP_PKEY *pub, const char *tok)
{
	const char	*name = keys_alg_name(alg);
	size_t		 len = strlen(tok), i;
	char		*c;
	int		 ok, other;
	enum app_err	 rc;

	/* Each character changed to its alphabet neighbour, then a bit. */
	ok = other = 0;
	c = exact(tok, len);
	for (i = 0; i < len; i++) {
		if (tok[i] == '.')
			continue;
		c[i] = next_char(tok[i]);
		rc = jwt_verify(c, len, pub, alg, NULL, NULL);
		if (rc == APP_OK)
			ok++;
		else if (rc != APP_EUNAUTH && rc != APP_EBADREQ)
			other++;
		c[i] = (char)(tok[i] ^ 0x01);
		rc = jwt_verify(c, len, pub, alg, NULL, NULL);
		if (rc == APP_OK)
			ok++;
		else if (rc != APP_EUNAUTH && rc != APP_EBADREQ)
			other++;
		c[i] = tok[i];
	}
	T_EQ_INT(ok, 0, "%s no changed character of %zu verifies", name, len);
	T_EQ_INT(other, 0, "%s changes are EUNAUTH or EBADREQ", name);
	T_EQ_INT(jwt_verify(c, len, pub, alg, NULL, NULL), APP_OK,
	    "%s the unchanged copy still verifies", name);
	free(c);

	/* Every proper prefix, in buffers of exactly that length. */
	ok = 0;
	for (i = 0; i < len; i++) {
		c = exact(tok, i);
		if (jwt_verify(i > 0 ? c : NULL, i, pub, alg, NULL,
		    NULL) == APP_OK)
			ok++;
		free(c);
	}
	T_EQ_INT(ok, 0, "%s no truncation verifies", name);
}

static void
test_tokens(enum key_alg alg)
{
	const char	*name = keys_alg_name(alg);
	EVP_PKEY	*priv = NULL, *pub = NULL, *other = NULL;
	char		*pem = NULL, *otherpem = NULL;
	char		*tok = NULL, *tok2 = NULL, kid[KEYS_KID_LEN + 1];
	json_t		*claims, *h = NULL, *c = NULL;
	struct jwt_key	 key;
	struct parts	 p;
	unsigned char	*sig;
	size_t		 siglen = 0;
	int		 cli;

	T_EQ_INT(keys_generate(alg, CN, DAYS, &priv, &pem), APP_OK,
	    "%s generate", name);
	T_EQ_INT(keys_generate(alg, CN, DAYS, &other, &otherpem), APP_OK,
	    "%s generate another", name);
	if (priv == NULL || other == NULL)
		goto out;
	memset(kid, 0, sizeof(kid));
	T_EQ_INT(keys_kid(priv, kid), APP_OK, "%s kid", name);
	T_EQ_INT(keys_cert_pubkey(pem, &pub, NULL), APP_OK,
	    "%s public key from cert", name);
	if (pub == NULL)
		goto out;

	claims = test_claims();
	key.priv = priv;
	key.alg = alg;
	key.kid = kid;
	key.cert_pem = pem;
	T_EQ_INT(jwt_sign(&key, claims, &tok), APP_OK, "%s sign", name);
	if (tok == NULL) {
		json_decref(claims);
		goto out;
	}
	T_OK(split(tok, &p) && p.len[0] > 0 && p.len[1] > 0 && p.len[2] > 0,
	    "%s three non-empty segments", name);
	T_OK(strspn(tok, url_alphabet) == p.len[0] &&
	    strspn(p.seg[1], url_alphabet) == p.len[1] &&
	    strspn(p.seg[2], url_alphabet) == p.len[2],
	    "%s only the URL alphabet, no padding", name);
	check_header(alg, tok, kid, pem, pub);
	check_payload(alg, tok, claims);

	sig = seg_bytes(&p, 2, &siglen);
	T_EQ_INT(siglen, alg == KEY_ES256 ? 64 : 256,
	    "%s signature is %s", name, alg == KEY_ES256 ?
	    "raw r||s, 64 bytes" : "256 bytes");
	/* DER would start with a SEQUENCE tag and say its length. */
	if (alg == KEY_ES256)
		T_OK(sig != NULL && !(sig[0] == 0x30 && sig[1] == siglen - 2),
		    "%s signature is not DER", name);
	free(sig);

	T_EQ_INT(indep_verify(pub, alg, tok), 1,
	    "%s verifies with OpenSSL directly", name);
	T_EQ_INT(indep_verify(other, alg, tok), 0,
	    "%s does not verify with another key", name);
	if (have_openssl_cli()) {
		cli = cli_verify(pub, alg, tok, 0);
		T_EQ_INT(cli, 1, "%s verifies with openssl dgst", name);
		cli = cli_verify(pub, alg, tok, 1);
		T_EQ_INT(cli, 0, "%s openssl dgst refuses a changed input",
		    name);
	} else
		T_OK(1, "# skip no openssl command");

	T_EQ_INT(jwt_verify(tok, strlen(tok), pub, alg, &h, &c), APP_OK,
	    "%s jwt_verify", name);
	T_OK(c != NULL && json_equal(c, claims), "%s verified claims", name);
	T_EQ_STR(json_string_value(json_object_get(h, "kid")), kid,
	    "%s verified header kid", name);
	json_decref(h);
	json_decref(c);
	h = c = NULL;
	T_EQ_INT(jwt_verify(tok, strlen(tok), pub, alg, NULL, NULL), APP_OK,
	    "%s jwt_verify without outputs", name);
	T_EQ_INT(jwt_verify(tok, strlen(tok), priv, alg, NULL, NULL), APP_OK,
	    "%s jwt_verify with the private key", name);
	T_EQ_INT(jwt_verify(tok, strlen(tok), other, alg, &h, &c), APP_EUNAUTH,
	    "%s jwt_verify with another key", name);
	T_OK(h == NULL && c == NULL, "%s nothing handed out on failure", name);

	T_EQ_INT(jwt_sign(&key, claims, &tok2), APP_OK, "%s sign again", name);
	if (alg == KEY_ES256)
		T_OK(tok2 != NULL && strcmp(tok, tok2) != 0 &&
		    jwt_verify(tok2, strlen(tok2), pub, alg, NULL,
		    NULL) == APP_OK,
		    "%s signatures differ (random k) and both verify", name);
	else
		T_OK(tok2 != NULL && strcmp(tok, tok2) == 0,
		    "%s PKCS#1 v1.5 is deterministic", name);
	free(tok2);
	tok2 = NULL;

	check_tampering(alg, pub, tok);

	/* A token from another signer, this test's own, verifies too. */
	tok2 = indep_sign(priv, alg, alg == KEY_ES256 ?
	    "{\"alg\":\"ES256\"}" : "{\"alg\":\"RS256\"}", "{\"sub\":\"x\"}",
	    11);
	T_EQ_INT(jwt_verify(tok2, tok2 ? strlen(tok2) : 0, pub, alg, NULL,
	    NULL), APP_OK, "%s a token signed by OpenSSL directly", name);
	free(tok2);
	tok2 = NULL;

	/* jwt_sign refusals */
	key.cert_pem = otherpem;
	T_EQ_INT(jwt_sign(&key, claims, &tok2), APP_EINTERNAL,
	    "%s sign refuses a certificate of another key", name);
	T_OK(tok2 == NULL, "%s no token then", name);
	key.cert_pem = "not a certificate";
	T_EQ_INT(jwt_sign(&key, claims, &tok2), APP_EINTERNAL,
	    "%s sign refuses a broken certificate", name);
	key.cert_pem = pem;
	key.alg = alg == KEY_ES256 ? KEY_RS256 : KEY_ES256;
	T_EQ_INT(jwt_sign(&key, claims, &tok2), APP_EINTERNAL,
	    "%s sign refuses a key of the other alg", name);
	key.alg = KEY_ALG__MAX;
	T_EQ_INT(jwt_sign(&key, claims, &tok2), APP_EINTERNAL,
	    "%s sign refuses an unknown alg", name);
	key.alg = alg;
	key.kid = NULL;
	T_EQ_INT(jwt_sign(&key, claims, &tok2), APP_EINTERNAL,
	    "%s sign refuses no kid", name);
	key.kid = kid;
	key.priv = NULL;
	T_EQ_INT(jwt_sign(&key, claims, &tok2), APP_EINTERNAL,
	    "%s sign refuses no key", name);
	key.priv = pub;
	T_OK(jwt_sign(&key, claims, &tok2) != APP_OK && tok2 == NULL,
	    "%s sign refuses a public key", name);
	ERR_clear_error();
	key.priv = priv;
	json_decref(claims);
	claims = json_pack("[i]", 1);
	T_EQ_INT(jwt_sign(&key, claims, &tok2), APP_EINTERNAL,
	    "%s sign refuses claims that are not an object", name);
	T_EQ_INT(jwt_sign(&key, NULL, &tok2), APP_EINTERNAL,
	    "%s sign refuses NULL claims", name);
	T_OK(tok2 == NULL, "%s no token from a refusal", name);
	json_decref(claims);
	ERR_clear_error();
out:
	free(tok);
	free(pem);
	free(otherpem);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(other);
}

/* Known answers: python3-cryptography's RS256 token and ES256 signature. */
static void
test_kat(void)
{
	EVP_PKEY	*priv, *pub = NULL;
	char		 kid[KEYS_KID_LEN + 1], *tok = NULL, *tok2;
	json_t		*claims = test_claims(), *c = NULL;
	struct jwt_key	 key;
	struct parts	 p;
	size_t		 len;

	priv = priv_from_pem(kat_key_pem);
	T_OK(priv != NULL, "RS256 vector key loads");
	memset(kid, 0, sizeof(kid));
	T_OK(priv != NULL && keys_kid(priv, kid) == APP_OK &&
	    strcmp(kid, kat_kid) == 0, "RS256 vector kid: %s", kid);
	key.priv = priv;
	key.alg = KEY_RS256;
	key.kid = kid;
	key.cert_pem = kat_cert_pem;
	T_EQ_INT(jwt_sign(&key, claims, &tok), APP_OK, "RS256 vector sign");
	T_OK(tok != NULL && split(tok, &p) && p.len[2] == strlen(kat_sig) &&
	    strcmp(p.seg[2], kat_sig) == 0,
	    "RS256 signature equals python3-cryptography's");
	T_OK(keys_cert_pubkey(kat_cert_pem, &pub, NULL) == APP_OK &&
	    tok != NULL && jwt_verify(tok, strlen(tok), pub, KEY_RS256, NULL,
	    NULL) == APP_OK, "RS256 vector verifies");
	free(tok);
	EVP_PKEY_free(pub);

	/* jwt.md's token with a good signature, and with its own. */
	pub = pub_from_pem(spec_pub_pem);
	T_OK(pub != NULL, "jwt.md key loads");
	memset(kid, 0, sizeof(kid));
	T_OK(pub != NULL && keys_kid(pub, kid) == APP_OK &&
	    strcmp(kid, spec_kid) == 0, "jwt.md kid is keys_kid of its key");
	len = strlen(spec_input) + 1 + strlen(spec_sig_ok) + 1;
	tok2 = xmalloc(len);
	snprintf(tok2, len, "%s.%s", spec_input, spec_sig_ok);
	T_EQ_INT(jwt_verify(tok2, strlen(tok2), pub, KEY_ES256, NULL, &c),
	    APP_OK, "ES256 token signed by python3-cryptography verifies");
	T_EQ_STR(json_string_value(json_object_get(c, "sub")), "jlhawn",
	    "its claims");
	T_EQ_INT(indep_verify(pub, KEY_ES256, tok2), 1,
	    "and verifies with OpenSSL directly");
	snprintf(tok2, len, "%s.%s", spec_input, spec_sig_doc);
	T_EQ_INT(jwt_verify(tok2, strlen(tok2), pub, KEY_ES256, NULL, NULL),
	    APP_EUNAUTH, "jwt.md's printed signature does not verify");
	free(tok2);
	json_decref(c);
	json_decref(claims);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(priv);
}

static void
expect(EVP_PKEY *pub, enum key_alg alg, const char *tok, size_t len,
    enum app_err want, const char *what)
{
	char	*c = exact(tok, len);

	T_EQ_INT(jwt_verify(c, len, pub, alg, NULL, NULL), want, "%s", what);
	free(c);
}

/*
 * tok with cut bytes at offset at replaced by ins (inslen bytes, NULs
 * too), in a buffer of exactly its length.
 */
static void
expect_spliced(EVP_PKEY *pub, const char *tok, size_t at, size_t cut,
    const char *ins, size_t inslen, enum app_err want, const char *what)
{
	size_t	 len = strlen(tok), n = len - cut + inslen;
	char	*s = xmalloc(n);

	memcpy(s, tok, at);
	memcpy(s + at, ins, inslen);
	memcpy(s + at + inslen, tok + at + cut, len - at - cut);
	T_EQ_INT(jwt_verify(s, n, pub, KEY_ES256, NULL, NULL), want, "%s",
	    what);
	free(s);
}

/* A token signed here with header hdr and payload pl. */
static void
expect_signed(EVP_PKEY *priv, enum key_alg alg, const char *hdr,
    const char *pl, size_t pllen, enum app_err want, const char *what)
{
	char	*tok = indep_sign(priv, alg, hdr, pl, pllen);

	T_OK(tok != NULL, "signed: %s", what);
	if (tok != NULL)
		expect(priv, alg, tok, strlen(tok), want, what);
	free(tok);
}

static void
test_refusals(void)
{
	EVP_PKEY	*es = NULL, *rs = NULL;
	char		*espem = NULL, *rspem = NULL;
	char		*tok = NULL, *t = NULL;
	char		 eskid[KEYS_KID_LEN + 1], rskid[KEYS_KID_LEN + 1];
	char		*hmac_b64 = NULL, *big = NULL, *in = NULL;
	unsigned char	 mac[32], rnd[256];
	json_t		*claims = test_claims(), *bigclaims = NULL;
	struct jwt_key	 key;
	struct parts	 p;
	size_t		 len, maclen = 0, i, n, at;
	const char	*eh = "{\"typ\":\"JWT\",\"alg\":\"ES256\"}";
	const char	*pl = "{\"sub\":\"alice\"}";
	int		 ok, j;
	BIO		*bio = NULL;
	char		*pubpem = NULL;
	long		 pubpemlen;

	if (keys_generate(KEY_ES256, CN, DAYS, &es, &espem) != APP_OK ||
	    keys_generate(KEY_RS256, CN, DAYS, &rs, &rspem) != APP_OK ||
	    keys_kid(es, eskid) != APP_OK || keys_kid(rs, rskid) != APP_OK) {
		T_OK(0, "refusals: keys");
		goto out;
	}

	/* alg confusion */
	key.priv = rs;
	key.alg = KEY_RS256;
	key.kid = rskid;
	key.cert_pem = rspem;
	T_EQ_INT(jwt_sign(&key, claims, &tok), APP_OK, "RS256 token");
	if (tok == NULL)
		goto out;
	len = strlen(tok);
	expect(es, KEY_ES256, tok, len, APP_EUNAUTH,
	    "RS256 token checked as ES256");
	expect(rs, KEY_ES256, tok, len, APP_EINTERNAL,
	    "ES256 with an RSA key is the caller's error");
	expect(es, KEY_RS256, tok, len, APP_EINTERNAL,
	    "RS256 with an EC key is the caller's error");
	expect(rs, KEY_ALG__MAX, tok, len, APP_EINTERNAL, "unknown alg");
	expect(NULL, KEY_RS256, tok, len, APP_EINTERNAL, "no key");
	free(tok);
	tok = NULL;

	expect_signed(rs, KEY_RS256, "{\"alg\":\"ES256\"}", pl, strlen(pl),
	    APP_EUNAUTH, "header says ES256, RSA signature, checked as RS256");
	expect_signed(es, KEY_ES256, "{\"alg\":\"es256\"}", pl, strlen(pl),
	    APP_EUNAUTH, "alg names are case-sensitive");
	expect_signed(es, KEY_ES256, "{\"alg\":\"ES256 \"}", pl, strlen(pl),
	    APP_EUNAUTH, "alg with a trailing space");
	expect_signed(es, KEY_ES256, "{\"typ\":\"JWT\"}", pl, strlen(pl),
	    APP_EBADREQ, "no alg");
	expect_signed(es, KEY_ES256, "{\"alg\":256}", pl, strlen(pl),
	    APP_EBADREQ, "alg not a string");
	expect_signed(es, KEY_ES256, "{\"alg\":null}", pl, strlen(pl),
	    APP_EBADREQ, "alg null");
	expect_signed(es, KEY_ES256,
	    "{\"alg\":\"ES256\",\"crit\":[\"exp\"]}", pl, strlen(pl),
	    APP_EBADREQ, "crit is refused");

	/* "none": no signature, or any signature. */
	t = url_encode((const unsigned char *)"{\"alg\":\"none\"}", 14);
	in = url_encode((const unsigned char *)pl, strlen(pl));
	len = strlen(t) + strlen(in) + 16;
	tok = xmalloc(len);
	snprintf(tok, len, "%s.%s.", t, in);
	expect(es, KEY_ES256, tok, strlen(tok), APP_EBADREQ,
	    "alg none with an empty signature");
	snprintf(tok, len, "%s.%s.AAAA", t, in);
	expect(es, KEY_ES256, tok, strlen(tok), APP_EUNAUTH,
	    "alg none with a signature");
	free(tok);
	free(t);
	free(in);
	tok = t = in = NULL;

	/* HS256 keyed with the public key, the classic confusion. */
	bio = BIO_new(BIO_s_mem());
	if (bio != NULL && PEM_write_bio_PUBKEY(bio, rs) == 1)
		pubpemlen = BIO_get_mem_data(bio, &pubpem);
	else
		pubpemlen = 0;
	t = url_encode((const unsigned char *)"{\"alg\":\"HS256\"}", 15);
	in = url_encode((const unsigned char *)pl, strlen(pl));
	len = strlen(t) + 1 + strlen(in);
	tok = xmalloc(len + 64);
	snprintf(tok, len + 64, "%s.%s", t, in);
	T_OK(pubpemlen > 0 && EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL,
	    pubpem, (size_t)pubpemlen, (unsigned char *)tok, len, mac,
	    sizeof(mac), &maclen) != NULL, "HMAC with the public key");
	hmac_b64 = url_encode(mac, maclen);
	snprintf(tok + len, 64, ".%s", hmac_b64);
	expect(rs, KEY_RS256, tok, strlen(tok), APP_EUNAUTH,
	    "HS256 keyed with the RSA public key");
	BIO_free(bio);
	free(hmac_b64);
	free(tok);
	free(t);
	free(in);
	tok = t = in = NULL;

	/* Segments */
	key.priv = es;
	key.alg = KEY_ES256;
	key.kid = eskid;
	key.cert_pem = espem;
	T_EQ_INT(jwt_sign(&key, claims, &tok), APP_OK, "ES256 token");
	if (tok == NULL || !split(tok, &p))
		goto out;
	len = strlen(tok);
	T_EQ_INT(jwt_verify(NULL, 0, es, KEY_ES256, NULL, NULL), APP_EBADREQ,
	    "NULL token");
	T_EQ_INT(jwt_verify(NULL, 10, es, KEY_ES256, NULL, NULL), APP_EBADREQ,
	    "NULL token with a length");
	expect(es, KEY_ES256, "", 0, APP_EBADREQ, "empty token");
	expect(es, KEY_ES256, ".", 1, APP_EBADREQ, "one dot");
	expect(es, KEY_ES256, "..", 2, APP_EBADREQ, "two dots");
	expect(es, KEY_ES256, "...", 3, APP_EBADREQ, "three dots");
	expect(es, KEY_ES256, tok, p.len[0] + 1 + p.len[1], APP_EBADREQ,
	    "two segments");
	expect(es, KEY_ES256, tok, p.len[0] + 1 + p.len[1] + 1, APP_EBADREQ,
	    "empty signature");
	expect_spliced(es, tok, len, 0, ".AAAA", 5, APP_EBADREQ,
	    "four segments");
	expect_spliced(es, tok, len, 0, ".", 1, APP_EBADREQ,
	    "an empty fourth segment");
	expect_spliced(es, tok, 0, p.len[0], "", 0, APP_EBADREQ,
	    "empty header");
	expect_spliced(es, tok, p.len[0] + 1, p.len[1], "", 0, APP_EBADREQ,
	    "empty payload");

	/* Padding, the standard alphabet, white space, NUL */
	for (j = 0; j < 3; j++) {
		at = (size_t)(p.seg[j] - tok) + p.len[j];
		expect_spliced(es, tok, at, 0, "=", 1, APP_EBADREQ,
		    j == 0 ? "'=' after the header" : j == 1 ?
		    "'=' after the payload" : "'=' after the signature");
		expect_spliced(es, tok, at, 0, "==", 2, APP_EBADREQ,
		    "'==' padding");
	}
	at = p.len[0] + 1;
	expect_spliced(es, tok, at, 1, "+", 1, APP_EBADREQ,
	    "'+' in the payload");
	expect_spliced(es, tok, at, 1, "/", 1, APP_EBADREQ,
	    "'/' in the payload");
	expect_spliced(es, tok, at, 1, " ", 1, APP_EBADREQ,
	    "space in the payload");
	expect_spliced(es, tok, at, 1, "", 1, APP_EBADREQ,
	    "NUL in the payload");
	expect_spliced(es, tok, at, 1, "*", 1, APP_EBADREQ,
	    "'*' in the payload");
	expect_spliced(es, tok, at, 1, "\xc3", 1, APP_EBADREQ,
	    "a high byte in the payload");
	expect_spliced(es, tok, len, 0, "\n", 1, APP_EBADREQ,
	    "trailing newline");
	expect_spliced(es, tok, 0, 0, " ", 1, APP_EBADREQ, "leading space");
	expect_spliced(es, tok, len, 0, "A", 1, APP_EUNAUTH,
	    "a 65-byte signature");
	expect_spliced(es, tok, len - 2, 2, "", 0, APP_EUNAUTH,
	    "a 63-byte signature");
	expect_spliced(es, tok, len - 1, 1, "", 0, APP_EBADREQ,
	    "a signature of 85 characters");
	expect(es, KEY_ES256, tok, len, APP_OK, "the token itself");
	free(tok);
	tok = NULL;

	/* Signed, but not JSON objects */
	expect_signed(es, KEY_ES256, eh, "not json", 8, APP_EBADREQ,
	    "payload not JSON");
	expect_signed(es, KEY_ES256, eh, "[1,2]", 5, APP_EBADREQ,
	    "payload an array");
	expect_signed(es, KEY_ES256, eh, "\"sub\"", 5, APP_EBADREQ,
	    "payload a string");
	expect_signed(es, KEY_ES256, eh, "{\"sub\":\"a\"} x", 13, APP_EBADREQ,
	    "payload with trailing garbage");
	expect_signed(es, KEY_ES256, eh, "{\"sub\":\"a\"}{}", 13, APP_EBADREQ,
	    "two payload objects");
	expect_signed(es, KEY_ES256, eh, "{\"sub\":\"a\",\"sub\":\"b\"}", 21,
	    APP_EBADREQ, "duplicate claim");
	expect_signed(es, KEY_ES256, eh, "{\"sub\":\"a\\u0000b\"}", 18,
	    APP_EBADREQ, "\\u0000 in a claim");
	expect_signed(es, KEY_ES256, eh, "{\"sub\":\"a\0b\"}", 13,
	    APP_EBADREQ, "NUL byte in the payload");
	expect_signed(es, KEY_ES256, eh, "{\"sub\":\"\xff\"}", 11,
	    APP_EBADREQ, "invalid UTF-8 in a claim");
	expect_signed(es, KEY_ES256, eh, "{}", 2, APP_OK, "empty claims");
	expect_signed(es, KEY_ES256, "{\"alg\":\"ES256\",\"alg\":\"none\"}",
	    pl, strlen(pl), APP_EBADREQ, "duplicate alg in the header");
	expect_signed(es, KEY_ES256, "[\"ES256\"]", pl, strlen(pl),
	    APP_EBADREQ, "header an array");
	expect_signed(es, KEY_ES256, "ES256", pl, strlen(pl), APP_EBADREQ,
	    "header not JSON");

	/* Deep nesting must be refused, not recursed into. */
	n = 10000;
	big = xmalloc(2 * n + 16);
	memcpy(big, "{\"a\":", 5);
	memset(big + 5, '[', n);
	memset(big + 5 + n, ']', n);
	memcpy(big + 5 + 2 * n, "}", 2);
	expect_signed(es, KEY_ES256, eh, big, strlen(big), APP_EBADREQ,
	    "10000 nested arrays");
	free(big);
	big = NULL;

	/* Size: just under the cap verifies, over it is refused. */
	big = xmalloc(40 * 1024 + 1);
	memset(big, 'x', 40 * 1024);
	big[40 * 1024] = '\0';
	bigclaims = json_pack("{s:s}", "filler", big);
	T_EQ_INT(jwt_sign(&key, bigclaims, &tok), APP_OK, "sign a big token");
	T_OK(tok != NULL && strlen(tok) < JWT_TOKEN_MAX &&
	    jwt_verify(tok, strlen(tok), es, KEY_ES256, NULL, NULL) == APP_OK,
	    "a %zu-byte token verifies", tok ? strlen(tok) : 0);
	free(tok);
	tok = NULL;
	json_decref(bigclaims);
	free(big);
	big = xmalloc(JWT_TOKEN_MAX);
	memset(big, 'x', JWT_TOKEN_MAX - 1);
	big[JWT_TOKEN_MAX - 1] = '\0';
	bigclaims = json_pack("{s:s}", "filler", big);
	T_EQ_INT(jwt_sign(&key, bigclaims, &tok), APP_OK, "sign a huge token");
	T_OK(tok != NULL && strlen(tok) > JWT_TOKEN_MAX &&
	    indep_verify(es, KEY_ES256, tok) == 1,
	    "the huge token has a good signature");
	if (tok != NULL)
		expect(es, KEY_ES256, tok, strlen(tok), APP_EBADREQ,
		    "a token over JWT_TOKEN_MAX is refused");
	free(tok);
	tok = NULL;
	T_EQ_INT(jwt_verify(big, (size_t)-1, es, KEY_ES256, NULL, NULL),
	    APP_EBADREQ, "a length of SIZE_MAX is refused unread");
	json_decref(bigclaims);
	free(big);
	big = NULL;

	/* Random tokens of URL characters and dots: refused, no crash. */
	ok = 0;
	for (i = 0; i < 2000; i++) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			break;
		n = 1 + rnd[0] % 200;
		t = xmalloc(n);
		for (j = 0; j < (int)n; j++)
			t[j] = rnd[j + 1] % 9 == 0 ? '.' :
			    url_alphabet[rnd[j + 1] % 64];
		if (jwt_verify(t, n, es, KEY_ES256, NULL, NULL) == APP_OK)
			ok++;
		free(t);
	}
	t = NULL;
	T_EQ_INT(ok, 0, "2000 random tokens refused");
out:
	free(t);
	free(tok);
	free(espem);
	free(rspem);
	EVP_PKEY_free(es);
	EVP_PKEY_free(rs);
	json_decref(claims);
}

/* An EC P-256 public key from x and y, the way a JWK user builds it. */
static EVP_PKEY *
ec_from_xy(const unsigned char *x, const unsigned char *y)
{
	OSSL_PARAM_BLD	*bld;
	OSSL_PARAM	*params = NULL;
	EVP_PKEY_CTX	*ctx = NULL;
	EVP_PKEY	*pkey = NULL;
	unsigned char	 pt[65];

	pt[0] = 0x04;	/* uncompressed point (SEC 1 2.3.3) */
	memcpy(pt + 1, x, 32);
	memcpy(pt + 33, y, 32);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "P-256", 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
	    sizeof(pt)) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static EVP_PKEY *
rsa_from_ne(const unsigned char *n, size_t nlen, const unsigned char *e,
    size_t elen)
{
	OSSL_PARAM_BLD	*bld;
	OSSL_PARAM	*params = NULL;
	EVP_PKEY_CTX	*ctx = NULL;
	EVP_PKEY	*pkey = NULL;
	BIGNUM		*bn = BN_bin2bn(n, (int)nlen, NULL);
	BIGNUM		*be = BN_bin2bn(e, (int)elen, NULL);

	if (bn == NULL || be == NULL || (bld = OSSL_PARAM_BLD_new()) == NULL)
		goto out;
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	OSSL_PARAM_BLD_free(bld);
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	BN_free(bn);
	BN_free(be);
	return pkey;
}

static void
check_ec_jwk(EVP_PKEY *key, const char *what, const char *wx,
    const char *wy)
{
	json_t		*jwk;
	const char	*x, *y;
	unsigned char	*bx = NULL, *by = NULL;
	size_t		 nx = 0, ny = 0;
	EVP_PKEY	*rebuilt = NULL;
	char		 kid[KEYS_KID_LEN + 1];

	memset(kid, 0, sizeof(kid));
	T_OK(keys_kid(key, kid) == APP_OK, "%s kid", what);
	jwk = jwt_jwk_new(key, KEY_ES256, kid);
	T_OK(jwk != NULL, "%s JWK", what);
	if (jwk == NULL)
		return;
	T_EQ_STR(json_string_value(json_object_get(jwk, "kty")), "EC",
	    "%s kty", what);
	T_EQ_STR(json_string_value(json_object_get(jwk, "crv")), "P-256",
	    "%s crv", what);
	T_EQ_STR(json_string_value(json_object_get(jwk, "kid")), kid,
	    "%s kid", what);
	T_EQ_STR(json_string_value(json_object_get(jwk, "alg")), "ES256",
	    "%s alg", what);
	T_EQ_STR(json_string_value(json_object_get(jwk, "use")), "sig",
	    "%s use", what);
	T_EQ_INT(json_object_size(jwk), 7, "%s has 7 members, no \"d\"", what);
	x = json_string_value(json_object_get(jwk, "x"));
	y = json_string_value(json_object_get(jwk, "y"));
	T_OK(x != NULL && y != NULL && strlen(x) == 43 && strlen(y) == 43,
	    "%s x and y are 43 characters", what);
	if (wx != NULL) {
		T_EQ_STR(x, wx, "%s x", what);
		T_EQ_STR(y, wy, "%s y", what);
	}
	if (x != NULL)
		bx = url_decode(x, strlen(x), &nx);
	if (y != NULL)
		by = url_decode(y, strlen(y), &ny);
	T_OK(nx == 32 && ny == 32, "%s x and y are 32 bytes", what);
	if (nx == 32 && ny == 32)
		rebuilt = ec_from_xy(bx, by);
	T_OK(rebuilt != NULL && EVP_PKEY_eq(rebuilt, key) == 1,
	    "%s the point from x, y is the key", what);
	EVP_PKEY_free(rebuilt);
	free(bx);
	free(by);
	json_decref(jwk);
}

static void
test_jwk(void)
{
	EVP_PKEY	*es = NULL, *rs = NULL, *pub = NULL, *rebuilt = NULL;
	char		*espem = NULL, *rspem = NULL, kid[KEYS_KID_LEN + 1];
	json_t		*jwk;
	const char	*n, *e;
	unsigned char	*bn = NULL, *be = NULL;
	size_t		 nn = 0, ne = 0;

	if (keys_generate(KEY_ES256, CN, DAYS, &es, &espem) != APP_OK ||
	    keys_generate(KEY_RS256, CN, DAYS, &rs, &rspem) != APP_OK) {
		T_OK(0, "jwk: keys");
		goto out;
	}
	check_ec_jwk(es, "ES256 private key", NULL, NULL);
	T_OK(keys_cert_pubkey(espem, &pub, NULL) == APP_OK, "ES256 cert key");
	check_ec_jwk(pub, "ES256 public key", NULL, NULL);
	EVP_PKEY_free(pub);
	pub = pub_from_pem(spec_pub_pem);
	check_ec_jwk(pub, "jwt.md key", spec_x, spec_y);
	EVP_PKEY_free(pub);
	pub = pub_from_pem(zx_pub_pem);
	check_ec_jwk(pub, "key with a leading zero in x", zx_x, zx_y);
	EVP_PKEY_free(pub);
	pub = NULL;

	memset(kid, 0, sizeof(kid));
	T_OK(keys_kid(rs, kid) == APP_OK, "RS256 kid");
	jwk = jwt_jwk_new(rs, KEY_RS256, kid);
	T_OK(jwk != NULL, "RS256 JWK");
	T_EQ_STR(json_string_value(json_object_get(jwk, "kty")), "RSA",
	    "RS256 kty");
	T_EQ_STR(json_string_value(json_object_get(jwk, "e")), "AQAB",
	    "RS256 e is 65537");
	T_EQ_STR(json_string_value(json_object_get(jwk, "kid")), kid,
	    "RS256 kid");
	T_EQ_STR(json_string_value(json_object_get(jwk, "alg")), "RS256",
	    "RS256 alg");
	T_EQ_STR(json_string_value(json_object_get(jwk, "use")), "sig",
	    "RS256 use");
	T_EQ_INT(json_object_size(jwk), 6,
	    "RS256 has 6 members, none private");
	n = json_string_value(json_object_get(jwk, "n"));
	e = json_string_value(json_object_get(jwk, "e"));
	if (n != NULL)
		bn = url_decode(n, strlen(n), &nn);
	if (e != NULL)
		be = url_decode(e, strlen(e), &ne);
	T_OK(nn == 256 && bn[0] >= 0x80,
	    "RS256 n is 256 bytes without a leading zero");
	if (bn != NULL && be != NULL)
		rebuilt = rsa_from_ne(bn, nn, be, ne);
	T_OK(rebuilt != NULL && EVP_PKEY_eq(rebuilt, rs) == 1,
	    "RS256 the key from n, e is the key");
	json_decref(jwk);

	T_OK(jwt_jwk_new(NULL, KEY_ES256, kid) == NULL, "JWK of NULL");
	T_OK(jwt_jwk_new(es, KEY_ES256, NULL) == NULL, "JWK without kid");
	T_OK(jwt_jwk_new(rs, KEY_ES256, kid) == NULL,
	    "JWK refuses an RSA key as ES256");
	T_OK(jwt_jwk_new(es, KEY_RS256, kid) == NULL,
	    "JWK refuses an EC key as RS256");
	T_OK(jwt_jwk_new(es, KEY_ALG__MAX, kid) == NULL, "JWK unknown alg");
out:
	EVP_PKEY_free(rebuilt);
	free(bn);
	free(be);
	free(espem);
	free(rspem);
	EVP_PKEY_free(es);
	EVP_PKEY_free(rs);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_b64url();
	test_tokens(KEY_ES256);
	test_tokens(KEY_RS256);
	test_kat();
	test_refusals();
	test_jwk();
	T_OK(rmdir(tmpdir) == 0, "temporary directory left empty");
	return t_done();
}
