/*
 * test_password: hashing, verification of every accepted kind, refusal
 * of weak and malformed hashes, needs_upgrade, the policy and the dummy.
 *
 * Fixed vectors were made outside libxcrypt and berth:
 *   - "$2y$05$Sxck..." by Apache's `htpasswd -bnB alice Harbor12345`
 *     (apr-util's own bcrypt);
 *   - "$2a$05$CCCC..." for "U*U" from Openwall crypt_blowfish's tests;
 *   - the Harbor vectors (and the empty-salt one) by Python's
 *     hashlib.pbkdf2_hmac(md, pw, salt, 4096, 16).hex().
 */
#include <crypt.h>
#include <stdbool.h>
#include <string.h>

#include "password.h"
#include "t.h"

#define PW		"Harbor12345"
#define HARBOR_SALT	"ZTLt0Q3uwS2gzN8rXvUbxkHS6OCzrkVQ"
#define HARBOR_SHA256	"cc20a916b9b691ed5828b1d75e0a291e"
#define HARBOR_SHA1	"8eac39a6e50468bc44c52b22d795c930"
#define HTPASSWD	"$2y$05$SxckKNkiFh/jUvCi4zW9V." \
			"kREyqrXF6gNqa0Kv5W8nE.sxCDHdTEq"
#define OPENWALL	"$2a$05$CCCCCCCCCCCCCCCCCCCCC." \
			"E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"

/* Verify pw (a C string) against hash; check the result and needs_upgrade. */
static void
check(const char *pw, const char *hash, enum app_err want, int want_upgrade,
    const char *what)
{
	enum app_err	 rc;
	bool		 up = !want_upgrade;

	rc = password_verify(pw, strlen(pw), hash, &up);
	T_EQ_INT(rc, want, "verify: %s", what);
	if (want == APP_OK)
		T_EQ_INT(up, want_upgrade, "needs_upgrade: %s", what);
}

/* A hash of pw made by libxcrypt itself with the given prefix and cost. */
static int
make_crypt(const char *prefix, unsigned long count, const char *pw,
    char *out, size_t outsz)
{
	static struct crypt_data	 cd;
	char				 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char			*h;

	if (crypt_gensalt_rn(prefix, count, NULL, 0, setting,
	    sizeof(setting)) == NULL)
		return -1;
	if ((h = crypt_rn(pw, setting, &cd, sizeof(cd))) == NULL ||
	    strlen(h) >= outsz)
		return -1;
	memcpy(out, h, strlen(h) + 1);
	return 0;
}

static void
test_hash(void)
{
	char		 h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];
	char		 small[20];
	char		 longpw[PASSWORD_MAX + 1];
	bool		 up = true;

	T_EQ_INT(password_hash(PW, strlen(PW), h1, sizeof(h1)), APP_OK,
	    "hash a password");
	T_OK(strncmp(h1, "$y$", 3) == 0, "new hash is yescrypt: %s", h1);
	T_EQ_INT(password_hash(PW, strlen(PW), h2, sizeof(h2)), APP_OK,
	    "hash it again");
	T_OK(strcmp(h1, h2) != 0, "two hashes of one password differ (salt)");

	T_EQ_INT(password_verify(PW, strlen(PW), h1, &up), APP_OK,
	    "verify the right password");
	T_OK(!up, "a fresh yescrypt hash needs no upgrade");
	T_EQ_INT(password_verify(PW, strlen(PW), h1, NULL), APP_OK,
	    "needs_upgrade may be NULL");
	check("Harbor12346", h1, APP_EUNAUTH, 0, "wrong password");
	check("Harbor1234", h1, APP_EUNAUTH, 0, "prefix of the password");
	check("Harbor123456", h1, APP_EUNAUTH, 0, "password plus a byte");
	check("harbor12345", h1, APP_EUNAUTH, 0, "case differs");

	/* Explicit length: the bytes after pwlen are not part of it. */
	T_EQ_INT(password_verify("Harbor12345XYZ", strlen(PW), h1, NULL),
	    APP_OK, "pwlen bounds the password, no NUL needed");

	/* Input bounds, on hashing and on verifying. */
	memset(longpw, 'a', sizeof(longpw));
	T_EQ_INT(password_hash("", 0, h2, sizeof(h2)), APP_EBADREQ,
	    "hash: empty password");
	T_EQ_INT(password_hash(NULL, 0, h2, sizeof(h2)), APP_EBADREQ,
	    "hash: NULL password");
	T_EQ_INT(password_hash(longpw, PASSWORD_MAX + 1, h2, sizeof(h2)),
	    APP_EBADREQ, "hash: PASSWORD_MAX+1 bytes");
	T_EQ_STR(h2, "", "hash: output emptied on failure");
	T_EQ_INT(password_hash("Harb\0r12345", 11, h2, sizeof(h2)),
	    APP_EBADREQ, "hash: NUL inside");
	T_EQ_INT(password_verify("", 0, h1, &up), APP_EBADREQ,
	    "verify: empty password");
	T_EQ_INT(password_verify(longpw, PASSWORD_MAX + 1, h1, &up),
	    APP_EBADREQ, "verify: PASSWORD_MAX+1 bytes");
	T_EQ_INT(password_verify("Harbor12345\0", 12, h1, &up), APP_EBADREQ,
	    "verify: trailing NUL inside pwlen");
	T_EQ_INT(password_verify("Harb\0r12345", 11, h1, &up), APP_EBADREQ,
	    "verify: NUL inside");

	T_EQ_INT(password_hash(longpw, PASSWORD_MAX, h2, sizeof(h2)), APP_OK,
	    "hash: exactly PASSWORD_MAX bytes");
	T_EQ_INT(password_verify(longpw, PASSWORD_MAX, h2, NULL), APP_OK,
	    "verify: exactly PASSWORD_MAX bytes");
	T_EQ_INT(password_verify(longpw, PASSWORD_MAX - 1, h2, NULL),
	    APP_EUNAUTH, "verify: one byte short of PASSWORD_MAX");

	T_EQ_INT(password_hash(PW, strlen(PW), small, sizeof(small)),
	    APP_EINTERNAL, "hash: output buffer too small");
	T_EQ_STR(small, "", "hash: small output left empty");
}

static void
test_crypt_kinds(void)
{
	static const char *const bcrypts[] = { "$2b$", "$2y$", "$2a$" };
	char		 h[CRYPT_OUTPUT_SIZE], what[64];
	size_t		 i;

	/* bcrypt made by libxcrypt here, one per accepted prefix. */
	for (i = 0; i < sizeof(bcrypts) / sizeof(bcrypts[0]); i++) {
		snprintf(what, sizeof(what), "runtime bcrypt %s", bcrypts[i]);
		T_EQ_INT(make_crypt(bcrypts[i], 5, PW, h, sizeof(h)), 0,
		    "make %s", what);
		T_OK(strncmp(h, bcrypts[i], 4) == 0, "%s has its prefix",
		    what);
		check(PW, h, APP_OK, 1, what);
		check("Harbor12346", h, APP_EUNAUTH, 0, what);
	}

	/* bcrypt from elsewhere. */
	check(PW, HTPASSWD, APP_OK, 1, "htpasswd -B vector");
	check("Harbor1234", HTPASSWD, APP_EUNAUTH, 0,
	    "htpasswd -B vector, wrong password");
	check("U*U", OPENWALL, APP_OK, 1, "Openwall $2a$ vector");
	check("U*V", OPENWALL, APP_EUNAUTH, 0,
	    "Openwall $2a$ vector, wrong password");
	/* One character of the digest changed: no match. */
	check(PW, "$2y$05$SxckKNkiFh/jUvCi4zW9V.kREyqrXF6gNqa0Kv5W8nE."
	    "sxCDHdTEr", APP_EUNAUTH, 0, "htpasswd vector, digest changed");

	/* yescrypt at another cost, and gost-yescrypt: verify, then upgrade. */
	T_EQ_INT(make_crypt("$y$", 3, PW, h, sizeof(h)), 0,
	    "make yescrypt at cost 3");
	check(PW, h, APP_OK, 1, "yescrypt at a non-default cost");
	check("Harbor12346", h, APP_EUNAUTH, 0, "yescrypt cost 3, wrong");
	T_EQ_INT(make_crypt("$gy$", 0, PW, h, sizeof(h)), 0,
	    "make gost-yescrypt");
	check(PW, h, APP_OK, 1, "gost-yescrypt");
	check("Harbor12346", h, APP_EUNAUTH, 0, "gost-yescrypt, wrong");
}

static void
test_harbor(void)
{
	check(PW, "$harbor-pbkdf2-sha256$" HARBOR_SALT "$" HARBOR_SHA256,
	    APP_OK, 1, "Harbor sha256 vector");
	check("Harbor12346", "$harbor-pbkdf2-sha256$" HARBOR_SALT "$"
	    HARBOR_SHA256, APP_EUNAUTH, 0, "Harbor sha256, wrong password");
	check(PW, "$harbor-pbkdf2-sha256$" HARBOR_SALT "$"
	    "CC20A916B9B691ED5828B1D75E0A291E", APP_OK, 1,
	    "Harbor sha256, upper-case hex");
	check(PW, "$harbor-pbkdf2-sha1$" HARBOR_SALT "$" HARBOR_SHA1,
	    APP_OK, 1, "Harbor sha1 vector");
	check("Harbor12346", "$harbor-pbkdf2-sha1$" HARBOR_SALT "$"
	    HARBOR_SHA1, APP_EUNAUTH, 0, "Harbor sha1, wrong password");
	check(PW, "$harbor-pbkdf2-sha1$" HARBOR_SALT "$" HARBOR_SHA256,
	    APP_EUNAUTH, 0, "sha256 digest labelled sha1");
	check(PW, "$harbor-pbkdf2-sha256$" HARBOR_SALT "$" HARBOR_SHA1,
	    APP_EUNAUTH, 0, "sha1 digest labelled sha256");
	check(PW, "$harbor-pbkdf2-sha256$" HARBOR_SALT "$"
	    "cc20a916b9b691ed5828b1d75e0a291f", APP_EUNAUTH, 0,
	    "Harbor sha256, last digit changed");
	check(PW, "$harbor-pbkdf2-sha256$" HARBOR_SALT "$"
	    "dc20a916b9b691ed5828b1d75e0a291e", APP_EUNAUTH, 0,
	    "Harbor sha256, first digit changed");
	check(PW, "$harbor-pbkdf2-sha256$" HARBOR_SALT "X$" HARBOR_SHA256,
	    APP_EUNAUTH, 0, "Harbor sha256, other salt");
	check("p\xc3\xa4ss w0rD!#", "$harbor-pbkdf2-sha256$"
	    "salt with spaces & odd:chars$a6f486dce14466f26aeff17a3b10519d",
	    APP_OK, 1, "Harbor sha256, UTF-8 password, odd salt");
}

static void
test_malformed(void)
{
	static const char *const bad[] = {
		"",
		"*",
		"*0",
		"*1",
		"garbage",
		PW,			/* stored in plain */
		"$",
		"$y$",
		"$y$j9T$",
		"$y$j9T$$",
		"$gy$",
		"$2b$",
		"$2y$05$",
		"$2y$05$SxckKNkiFh/jUvCi4zW9V.kREyqrXF6gNqa0Kv5W8nE.sxCDHdTE",
		"$2y$05$SxckKNkiFh/jUvCi4zW9V.kREyqrXF6gNqa0Kv5W8nE.sxCDHdTEqq",
		"$harbor-pbkdf2-sha256$",
		"$harbor-pbkdf2-sha256$$",
		"$harbor-pbkdf2-sha256$" HARBOR_SALT,
		"$harbor-pbkdf2-sha256$" HARBOR_SALT "$",
		"$harbor-pbkdf2-sha256$$" HARBOR_SHA256,
		/* Right for PW with an empty salt, which Harbor never makes. */
		"$harbor-pbkdf2-sha256$$725c3fe4186dd06af23d085ea2cf06c9",
		"$harbor-pbkdf2-sha256$" HARBOR_SALT "$"
		    "cc20a916b9b691ed5828b1d75e0a291",
		"$harbor-pbkdf2-sha256$" HARBOR_SALT "$" HARBOR_SHA256 "0",
		"$harbor-pbkdf2-sha256$" HARBOR_SALT "$" HARBOR_SHA256 "$",
		"$harbor-pbkdf2-sha256$" HARBOR_SALT "$"
		    "gc20a916b9b691ed5828b1d75e0a291e",
		"$harbor-pbkdf2-sha256$" HARBOR_SALT "$"
		    " c20a916b9b691ed5828b1d75e0a291e",
		"$harbor-pbkdf2-sha256$ZTLt$0Q3u$" HARBOR_SHA256,
		"$harbor-pbkdf2-sha512$" HARBOR_SALT "$" HARBOR_SHA256,
		"$harbor-pbkdf2-sha1$",
		HARBOR_SHA256,		/* Harbor's column without the salt */
		"$1$abc$OGyl6dDvZCDiGmIVbeuCq/",	/* MD5 crypt of "x" */
		"$7$",
	};
	/* Prefixes for crypt_gensalt: "" is DES, "_" BSDi DES. */
	static const char *const weak[] = {
		"", "_", "$1$", "$md5", "$sha1", "$5$", "$6$", "$7$"
	};
	char		 h[CRYPT_OUTPUT_SIZE], longhash[400], what[80];
	size_t		 i;
	bool		 up = true;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(what, sizeof(what), "malformed hash \"%.40s\"",
		    bad[i]);
		check(PW, bad[i], APP_EUNAUTH, 0, what);
	}
	check("x", "$1$abc$OGyl6dDvZCDiGmIVbeuCq/", APP_EUNAUTH, 0,
	    "MD5 crypt refused even for its right password");

	/* Kinds libxcrypt verifies but we do not: weak or not ours. */
	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		snprintf(what, sizeof(what), "refused kind \"%s\"", weak[i]);
		if (make_crypt(weak[i], 0, PW, h, sizeof(h)) == -1) {
			printf("# %s: not in this libxcrypt, skipped\n", what);
			continue;
		}
		check(PW, h, APP_EUNAUTH, 0, what);
	}

	T_EQ_INT(password_verify(PW, strlen(PW), NULL, &up), APP_EUNAUTH,
	    "NULL hash");
	T_OK(!up, "needs_upgrade false when not OK");

	/* Longer than PASSWORD_HASH_MAX: refused before libxcrypt sees it. */
	memset(longhash, 'A', sizeof(longhash) - 1);
	longhash[sizeof(longhash) - 1] = '\0';
	memcpy(longhash, "$y$j9T$", 7);
	check(PW, longhash, APP_EUNAUTH, 0, "over-long $y$ hash");
	memcpy(longhash, "$harbor-pbkdf2-sha256$", 22);
	memcpy(longhash + sizeof(longhash) - 34, "$" HARBOR_SHA256, 33);
	check(PW, longhash, APP_EUNAUTH, 0, "over-long Harbor hash");

	/* A real yescrypt hash with junk after it. */
	T_EQ_INT(password_hash(PW, strlen(PW), h, PASSWORD_HASH_MAX), APP_OK,
	    "hash for the junk test");
	strcat(h, "x");
	check(PW, h, APP_EUNAUTH, 0, "yescrypt hash with a trailing byte");
}

static void
test_policy(void)
{
	static const struct {
		const char	*pw;
		size_t		 len;
		enum app_err	 want;
		const char	*what;
	} cases[] = {
		{ PW, sizeof(PW) - 1, APP_OK, "Harbor's default password" },
		{ "Abcdefg1", 8, APP_OK, "exactly 8" },
		{ "Abcdef1", 7, APP_EBADREQ, "7 characters" },
		{ "harbor12345", 11, APP_EBADREQ, "no upper-case" },
		{ "HARBOR12345", 11, APP_EBADREQ, "no lower-case" },
		{ "HarborHarbor", 12, APP_EBADREQ, "no digit" },
		{ "", 0, APP_EBADREQ, "empty" },
		{ NULL, 0, APP_EBADREQ, "NULL" },
		{ "Harbor\0" "12345", 12, APP_EBADREQ, "NUL inside" },
		{ "Aa1\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 13, APP_OK,
		    "8 characters in 13 bytes" },
		{ "Aa1\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 11, APP_EBADREQ,
		    "7 characters in 11 bytes" },
		{ "\xc3\x84\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4"
		    "\xc3\xa4\xc3\xa4", 18, APP_EBADREQ,
		    "non-ASCII letters do not count as a class" },
	};
	char		 buf[PASSWORD_MAX + 1];
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = "unset";
		T_EQ_INT(password_check_policy(cases[i].pw, cases[i].len, &why),
		    cases[i].want, "policy: %s", cases[i].what);
		if (cases[i].want == APP_OK)
			T_OK(why == NULL, "policy: %s: no reason",
			    cases[i].what);
		else
			T_OK(why != NULL && strcmp(why, "unset") != 0 &&
			    why[0] != '\0', "policy: %s: reason \"%s\"",
			    cases[i].what, why ? why : "(null)");
	}

	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "Aa1", 3);
	T_EQ_INT(password_check_policy(buf, 128, NULL), APP_OK,
	    "policy: 128 characters");
	T_EQ_INT(password_check_policy(buf, 129, NULL), APP_EBADREQ,
	    "policy: 129 characters");
	T_EQ_INT(password_check_policy(buf, PASSWORD_MAX + 1, NULL),
	    APP_EBADREQ, "policy: PASSWORD_MAX+1 bytes");
}

static void
test_dummy(void)
{
	const char	*d = password_dummy_hash();
	bool		 up = true;

	T_OK(d != NULL && strncmp(d, "$y$", 3) == 0, "dummy is yescrypt: %s",
	    d ? d : "(null)");
	T_OK(password_dummy_hash() == d, "dummy is computed once");
	T_OK(password_verify("", 0, d, &up) != APP_OK,
	    "dummy: empty password does not verify");
	T_EQ_INT(password_verify(PW, strlen(PW), d, &up), APP_EUNAUTH,
	    "dummy: a normal password does not verify");
	T_EQ_INT(password_verify("0000000000000000000000000000000000000000"
	    "000000000000000000000000", 64, d, &up), APP_EUNAUTH,
	    "dummy: a 64-digit hex password does not verify");
}

int
main(void)
{
	test_hash();
	test_crypt_kinds();
	test_harbor();
	test_malformed();
	test_policy();
	test_dummy();
	return t_done();
}
