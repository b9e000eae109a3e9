/*
 * password: yescrypt hashes for new passwords; verification of those and
 * of imported bcrypt and Harbor PBKDF2 hashes.  See password.h.
 */
#include <crypt.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ct.h"
#include "hex.h"
#include "password.h"

#define YESCRYPT_PREFIX		"$y$"
#define POLICY_MAX_CHARS	128	/* characters, Harbor's upper bound */
#define HARBOR_ITERATIONS	4096	/* fixed in Harbor's utils.Encrypt */
#define HARBOR_KEYLEN		16	/* bytes, stored as 32 hex digits */
#define DUMMY_RANDOM		32	/* random bytes behind the dummy hash */

/*
 * Used only if the dummy hash cannot be computed: a yescrypt hash, at the
 * default cost, of 32 random bytes that were thrown away.
 */
#define DUMMY_FALLBACK \
	"$y$j9T$MvRX/o8pQDuugETm9RdeE." \
	"$EMpZNNgc/lcdlp/UncUzkwziKkppKgcoh1/6anBLE9A"

/*
 * The kinds of stored hash that may verify, by prefix.  This is an
 * allow-list: libxcrypt would also happily verify DES, MD5 ($1$) and
 * other weak kinds, and a stored hash of such a kind can only come from
 * a mistaken import, so it never matches.  Crypt kinds (md == NULL) are
 * verified by libxcrypt; Harbor kinds are "<prefix><salt>$<hex>".
 */
enum hash_kind {
	HASH_YESCRYPT,
	HASH_GOST_YESCRYPT,
	HASH_BCRYPT_2B,
	HASH_BCRYPT_2Y,
	HASH_BCRYPT_2A,
	HASH_HARBOR_SHA256,
	HASH_HARBOR_SHA1,
	HASH__MAX
};

static const struct {
	const char	 *prefix;
	const EVP_MD	*(*md)(void);
} hash_kinds[HASH__MAX] = {
	[HASH_YESCRYPT] =	{ YESCRYPT_PREFIX, NULL },
	[HASH_GOST_YESCRYPT] =	{ "$gy$", NULL },
	[HASH_BCRYPT_2B] =	{ "$2b$", NULL },
	[HASH_BCRYPT_2Y] =	{ "$2y$", NULL },
	[HASH_BCRYPT_2A] =	{ "$2a$", NULL },
	[HASH_HARBOR_SHA256] =	{ "$harbor-pbkdf2-sha256$", EVP_sha256 },
	[HASH_HARBOR_SHA1] =	{ "$harbor-pbkdf2-sha1$", EVP_sha1 },
};

/* A password we will work on: not empty, bounded, no NUL inside. */
static bool
password_ok(const char *pw, size_t pwlen)
{
	return pw != NULL && pwlen > 0 && pwlen <= PASSWORD_MAX &&
	    memchr(pw, '\0', pwlen) == NULL;
}

/*
 * crypt_rn() on pw with setting, the result copied to out.  -1 if
 * libxcrypt refuses (unknown or malformed setting, out of memory) or the
 * result does not fit.  crypt_rn() wants a C string, so pw is copied;
 * that copy and libxcrypt's work area are wiped on every path.
 */
static int
run_crypt(const char *pw, size_t pwlen, const char *setting, char *out,
    size_t outsz)
{
	struct crypt_data	 cd;
	char			 phrase[PASSWORD_MAX + 1];
	const char		*res;
	size_t			 len;
	int			 rc = -1;

	memset(&cd, 0, sizeof(cd));
	memcpy(phrase, pw, pwlen);
	phrase[pwlen] = '\0';

	/* crypt_rn() fails with NULL; refuse a "*" failure token as well. */
	res = crypt_rn(phrase, setting, &cd, sizeof(cd));
	if (res == NULL || res[0] == '*')
		goto out;
	len = strlen(res);
	if (len >= outsz)
		goto out;
	memcpy(out, res, len + 1);
	rc = 0;
out:
	OPENSSL_cleanse(phrase, sizeof(phrase));
	OPENSSL_cleanse(&cd, sizeof(cd));
	return rc;
}

static enum app_err WUR
verify_crypt(const char *pw, size_t pwlen, const char *hash, size_t hashlen)
{
	char		 computed[CRYPT_OUTPUT_SIZE];
	enum app_err	 rc = APP_EUNAUTH;

	if (run_crypt(pw, pwlen, hash, computed, sizeof(computed)) == -1)
		goto out;
	if (!ct_equal_n(computed, strlen(computed), hash, hashlen))
		goto out;
	rc = APP_OK;
out:
	OPENSSL_cleanse(computed, sizeof(computed));
	return rc;
}

/*
 * Harbor stores hex(PBKDF2(password, salt, 4096, 16 bytes, md)) with the
 * salt in its own column; an import joins them as "<prefix><salt>$<hex>".
 * The salt is used as its bytes, exactly as Harbor does, and may hold
 * anything but '$' (and NUL).  Anything else is malformed: no match.
 */
static enum app_err WUR
verify_harbor(const char *pw, size_t pwlen, const char *hash, size_t hashlen,
    enum hash_kind kind)
{
	unsigned char	 want[HARBOR_KEYLEN], got[HARBOR_KEYLEN];
	const char	*salt, *hex, *end = hash + hashlen;
	size_t		 saltlen;
	enum app_err	 rc = APP_EUNAUTH;

	salt = hash + strlen(hash_kinds[kind].prefix);
	if ((hex = memchr(salt, '$', (size_t)(end - salt))) == NULL)
		goto out;
	saltlen = (size_t)(hex - salt);
	hex++;
	if (saltlen == 0 || saltlen > INT_MAX ||
	    (size_t)(end - hex) != 2 * sizeof(want) ||
	    hex_decode(hex, want, sizeof(want)) == -1)
		goto out;

	/* pwlen <= PASSWORD_MAX, so the int conversion is safe. */
	if (PKCS5_PBKDF2_HMAC(pw, (int)pwlen, (const unsigned char *)salt,
	    (int)saltlen, HARBOR_ITERATIONS, hash_kinds[kind].md(),
	    (int)sizeof(got), got) != 1) {
		rc = APP_EINTERNAL;
		goto out;
	}
	if (!ct_equal(got, want, sizeof(got)))
		goto out;
	rc = APP_OK;
out:
	OPENSSL_cleanse(got, sizeof(got));
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

/* The kind of hash by its prefix, or -1 if it is not on the allow-list. */
static int
hash_kind(const char *hash)
{
	size_t	 i;

	for (i = 0; i < HASH__MAX; i++)
		/* not secret: the scheme prefix is public. */
		if (strncmp(hash, hash_kinds[i].prefix,
		    strlen(hash_kinds[i].prefix)) == 0)
			return (int)i;
	return -1;
}

/*
 * The cost field of the default yescrypt setting ("j9T" in libxcrypt
 * 4.4), taken once from crypt_gensalt_rn() so that a change of
 * libxcrypt's default makes older hashes report needs_upgrade.  NULL if
 * libxcrypt fails, in which case every hash is reported as old.
 */
static const char *
yescrypt_default_params(void)
{
	static char	 params[CRYPT_GENSALT_OUTPUT_SIZE];
	char		 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char	*p, *end;

	if (params[0] != '\0')
		return params;
	if (crypt_gensalt_rn(YESCRYPT_PREFIX, 0, NULL, 0, setting,
	    sizeof(setting)) == NULL)
		return NULL;
	p = setting + strlen(YESCRYPT_PREFIX);
	if ((end = strchr(p, '$')) == NULL || end == p)
		return NULL;
	memcpy(params, p, (size_t)(end - p));
	params[end - p] = '\0';
	return params;
}

/* Whether hash is "$y$<params>$<salt>$<hash>" at the default cost. */
static bool
hash_is_current(const char *hash)
{
	const char	*params, *p, *end;
	size_t		 len;

	/* not secret: the scheme and cost fields are public. */
	if (strncmp(hash, YESCRYPT_PREFIX, strlen(YESCRYPT_PREFIX)) != 0 ||
	    (params = yescrypt_default_params()) == NULL)
		return false;
	p = hash + strlen(YESCRYPT_PREFIX);
	if ((end = strchr(p, '$')) == NULL)
		return false;
	len = strlen(params);
	return (size_t)(end - p) == len && memcmp(p, params, len) == 0;
}

enum app_err
password_hash(const char *pw, size_t pwlen, char *out, size_t outsz)
{
	char		 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	size_t		 max;
	enum app_err	 rc = APP_EINTERNAL;

	if (out != NULL && outsz > 0)
		out[0] = '\0';
	if (!password_ok(pw, pwlen)) {
		rc = APP_EBADREQ;
		goto out;
	}
	if (out == NULL || outsz == 0)
		goto out;
	/* Count 0: libxcrypt's default cost; NULL: salt from the OS. */
	if (crypt_gensalt_rn(YESCRYPT_PREFIX, 0, NULL, 0, setting,
	    sizeof(setting)) == NULL)
		goto out;
	/* Never hand out a hash too long for password_verify(). */
	max = outsz < PASSWORD_HASH_MAX ? outsz : PASSWORD_HASH_MAX;
	if (run_crypt(pw, pwlen, setting, out, max) == -1) {
		out[0] = '\0';
		goto out;
	}
	rc = APP_OK;
out:
	return rc;
}

enum app_err
password_verify(const char *pw, size_t pwlen, const char *hash,
    bool *needs_upgrade)
{
	size_t		 hashlen;
	int		 kind;
	enum app_err	 rc = APP_EUNAUTH;

	if (needs_upgrade != NULL)
		*needs_upgrade = false;
	if (!password_ok(pw, pwlen)) {
		rc = APP_EBADREQ;
		goto out;
	}
	if (hash == NULL)
		goto out;
	if ((hashlen = strnlen(hash, PASSWORD_HASH_MAX)) == PASSWORD_HASH_MAX)
		goto out;
	if ((kind = hash_kind(hash)) == -1)
		goto out;

	if (hash_kinds[kind].md == NULL)
		rc = verify_crypt(pw, pwlen, hash, hashlen);
	else
		rc = verify_harbor(pw, pwlen, hash, hashlen,
		    (enum hash_kind)kind);
	if (rc == APP_OK && needs_upgrade != NULL)
		*needs_upgrade = !hash_is_current(hash);
out:
	return rc;
}

/*
 * Harbor's rule (requireValidSecret and the portal's form) on top of our
 * own bounds.  Length is counted in characters, as the header and
 * Harbor's portal count it: UTF-8 continuation bytes do not start a new
 * character.  The classes are ASCII, as Harbor's [a-z], [A-Z], [0-9].
 */
enum app_err
password_check_policy(const char *pw, size_t pwlen, const char **why)
{
	const char	*msg = NULL;
	size_t		 i, nchars = 0;
	bool		 upper = false, lower = false, digit = false;
	unsigned char	 c;
	enum app_err	 rc = APP_EBADREQ;

	if (pw == NULL || pwlen == 0) {
		msg = "the password is empty";
		goto out;
	}
	if (pwlen > PASSWORD_MAX) {
		msg = "the password is too long";
		goto out;
	}
	if (memchr(pw, '\0', pwlen) != NULL) {
		msg = "the password contains a NUL character";
		goto out;
	}
	for (i = 0; i < pwlen; i++) {
		c = (unsigned char)pw[i];
		if ((c & 0xc0) != 0x80)
			nchars++;
		if (c >= 'A' && c <= 'Z')
			upper = true;
		else if (c >= 'a' && c <= 'z')
			lower = true;
		else if (c >= '0' && c <= '9')
			digit = true;
	}
	if (nchars < PASSWORD_MIN)
		msg = "the password must be at least 8 characters long";
	else if (nchars > POLICY_MAX_CHARS)
		msg = "the password must be at most 128 characters long";
	else if (!upper || !lower || !digit)
		msg = "the password needs at least one upper-case letter, "
		    "one lower-case letter and one digit";
	else
		rc = APP_OK;
out:
	if (why != NULL)
		*why = msg;
	return rc;
}

const char *
password_dummy_hash(void)
{
	static char	 dummy[PASSWORD_HASH_MAX];
	unsigned char	 rnd[DUMMY_RANDOM];
	char		 pw[2 * DUMMY_RANDOM + 1];
	const char	*ret = DUMMY_FALLBACK;
	size_t		 i;

	if (dummy[0] != '\0')
		return dummy;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	/* Hex, because a password may not hold a NUL. */
	for (i = 0; i < sizeof(rnd); i++) {
		pw[2 * i] = "0123456789abcdef"[rnd[i] >> 4];
		pw[2 * i + 1] = "0123456789abcdef"[rnd[i] & 0x0f];
	}
	pw[2 * sizeof(rnd)] = '\0';
	if (password_hash(pw, 2 * sizeof(rnd), dummy, sizeof(dummy)) != APP_OK)
		goto out;
	ret = dummy;
out:
	OPENSSL_cleanse(rnd, sizeof(rnd));
	OPENSSL_cleanse(pw, sizeof(pw));
	return ret;
}
