/*
 * ceiling: the least a token service on this stack can do per request,
 * as a FastCGI responder for `make bench` to measure berth against.
 *
 * Per request it parses the Basic header, runs one prepared query for
 * the user, and signs one ES256 JWT of the size of berth's (the same
 * header fields, x5c included, and the same claims), then answers with
 * berth's JSON shape.  It checks no password, keeps no cache, reads no
 * configuration: what it costs is libfcgi, one PostgreSQL round trip,
 * one ECDSA signature and the formatting around them.  Not a service:
 * the signature does not match the certificate it carries (that is
 * only there for the size), and it trusts its input.  It ends each
 * request as berth does (lib/fcgiend.c: no lingering close once the
 * input is read), so that this too is measured alike on both sides.
 *
 * usage: ceiling CONNINFO X5C_FILE, under spawn-fcgi.  X5C_FILE holds
 * the base64 DER of a certificate (berth's, from certs.pem).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>
#include <libpq-fe.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "fcgiend.h"

static char *
b64url(const unsigned char *in, size_t len)
{
	char	*out, *p;
	int	 n;

	if ((out = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
		return NULL;
	n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (p = out; *p != '\0'; p++)
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	return out;
}

/* The user name from "Basic base64(user:password)", into user. */
static int
basic_user(const char *h, char *user, size_t usersz)
{
	unsigned char	 dec[1024];
	size_t		 len;
	int		 n;
	char		*colon;

	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0)
		return -1;
	h += 6;
	len = strlen(h);
	if (len == 0 || len % 4 != 0 || len / 4 * 3 >= sizeof(dec))
		return -1;
	if ((n = EVP_DecodeBlock(dec, (const unsigned char *)h, (int)len)) < 0)
		return -1;
	while (len > 0 && h[len - 1] == '=') {
		len--;
		n--;
	}
	dec[n] = '\0';
	if ((colon = strchr((char *)dec, ':')) == NULL ||
	    (size_t)(colon - (char *)dec) >= usersz)
		return -1;
	*colon = '\0';
	memcpy(user, dec, (size_t)(colon - (char *)dec) + 1);
	return 0;
}

/* ES256 over in: the raw r||s signature, base64url. */
static char *
sign(EVP_PKEY *key, const char *in)
{
	unsigned char	 der[80], raw[64];
	const unsigned char *p = der;
	size_t		 derlen = sizeof(der);
	EVP_MD_CTX	*md;
	ECDSA_SIG	*sig = NULL;
	const BIGNUM	*r, *s;
	char		*out = NULL;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return NULL;
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, der, &derlen, (const unsigned char *)in,
	    strlen(in)) != 1 ||
	    (sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		goto out;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, raw, 32) != 32 || BN_bn2binpad(s, raw + 32, 32) != 32)
		goto out;
	out = b64url(raw, sizeof(raw));
out:
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
	return out;
}

/* libfcgi's own printf knows no %zu: the head is formatted here. */
static void
answer(FCGX_Request *fr, int status, const char *body)
{
	char	 head[128];
	int	 n;

	n = snprintf(head, sizeof(head), "Status: %d\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
	    status, strlen(body));
	FCGX_PutStr(head, n, fr->out);
	FCGX_PutStr(body, (int)strlen(body), fr->out);
}

int
main(int argc, char **argv)
{
	FCGX_Request	 fr;
	PGconn		*db;
	PGresult	*res;
	EVP_PKEY	*key;
	FILE		*f;
	char		 x5c[4096], user[256], hdr[8192], claims[2048];
	char		 jti[33], iso[32], *h64, *c64, *sig, *input, *body;
	unsigned char	 rnd[16];
	const char	*params[1];
	time_t		 now;
	size_t		 n;
	int		 i;

	if (argc != 3) {
		fprintf(stderr, "usage: ceiling CONNINFO X5C_FILE\n");
		return 1;
	}
	if ((f = fopen(argv[2], "r")) == NULL ||
	    (n = fread(x5c, 1, sizeof(x5c) - 1, f)) == 0) {
		fprintf(stderr, "ceiling: cannot read %s\n", argv[2]);
		return 1;
	}
	fclose(f);
	while (n > 0 && (x5c[n - 1] == '\n' || x5c[n - 1] == '\r'))
		n--;
	x5c[n] = '\0';
	if ((key = EVP_EC_gen("P-256")) == NULL)
		return 1;
	db = PQconnectdb(argv[1]);
	if (PQstatus(db) != CONNECTION_OK) {
		fprintf(stderr, "ceiling: %s", PQerrorMessage(db));
		return 1;
	}
	res = PQprepare(db, "user", "SELECT user_id, password_hash, sysadmin,"
	    " disabled FROM users WHERE username = $1", 1, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return 1;
	PQclear(res);
	/* berth's header: typ, alg, kid (a libtrust id's length), x5c. */
	snprintf(hdr, sizeof(hdr), "{\"typ\":\"JWT\",\"alg\":\"ES256\","
	    "\"kid\":\"ABCD:EFGH:IJKL:MNOP:QRST:UVWX:YZ23:4567:ABCD:EFGH:IJKL:"
	    "MNOP\",\"x5c\":[\"%s\"]}", x5c);
	if ((h64 = b64url((unsigned char *)hdr, strlen(hdr))) == NULL)
		return 1;

	FCGX_Init();
	FCGX_InitRequest(&fr, 0, 0);
	while (FCGX_Accept_r(&fr) >= 0) {
		if (basic_user(FCGX_GetParam("HTTP_AUTHORIZATION", fr.envp),
		    user, sizeof(user)) == -1) {
			answer(&fr, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
			fcgi_finish(&fr);
			continue;
		}
		params[0] = user;
		res = PQexecPrepared(db, "user", 1, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK ||
		    PQntuples(res) != 1) {
			PQclear(res);
			answer(&fr, 503, "{\"errors\":[{\"code\":\"UNAVAILABLE\"}]}");
			fcgi_finish(&fr);
			continue;
		}
		PQclear(res);
		now = time(NULL);
		RAND_bytes(rnd, sizeof(rnd));
		for (i = 0; i < 16; i++)
			snprintf(jti + 2 * i, 3, "%02x", rnd[i]);
		snprintf(claims, sizeof(claims), "{\"iss\":\"berth\","
		    "\"sub\":\"%s\",\"aud\":\"registry\",\"exp\":%lld,"
		    "\"nbf\":%lld,\"iat\":%lld,\"jti\":\"%s\",\"access\":"
		    "[{\"type\":\"repository\",\"name\":\"p0001/app\","
		    "\"actions\":[\"pull\",\"push\"]}]}", user,
		    (long long)now + 300, (long long)now - 10, (long long)now,
		    jti);
		c64 = b64url((unsigned char *)claims, strlen(claims));
		input = body = sig = NULL;
		if (c64 != NULL && asprintf(&input, "%s.%s", h64, c64) == -1)
			input = NULL;
		if (input != NULL && (sig = sign(key, input)) != NULL) {
			strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ",
			    gmtime(&now));
			if (asprintf(&body, "{\"token\":\"%s.%s\","
			    "\"access_token\":\"%s.%s\",\"expires_in\":300,"
			    "\"issued_at\":\"%s\"}\n", input, sig, input, sig,
			    iso) == -1)
				body = NULL;
			else
				answer(&fr, 200, body);
		}
		if (body == NULL)
			answer(&fr, 500, "{\"errors\":[{\"code\":\"INTERNAL\"}]}");
		free(body);
		free(sig);
		free(input);
		free(c64);
		fcgi_finish(&fr);
	}
	return 0;
}
