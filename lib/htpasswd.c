/* htpasswd: parsing one line of an htpasswd file (see htpasswd.h). */
#include <stdbool.h>
#include <string.h>

#include "htpasswd.h"

#define BCRYPT_LEN	60	/* "$2y$" "NN" "$" and 22 + 31 characters */
#define BCRYPT_TAIL	53
#define YESCRYPT_MAX	255	/* what password.h stores, without the NUL */

/* crypt(3)'s base64 alphabet, which bcrypt and yescrypt both use. */
static bool
crypt64(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '/';
}

static bool
prefix(const char *s, size_t len, const char *p)
{
	size_t	 n = strlen(p);

	return len >= n && memcmp(s, p, n) == 0;
}

/* "$2y$NN$" + 53 characters, the cost 04..31 as libxcrypt takes it. */
static bool
bcrypt_ok(const char *h, size_t len)
{
	int	 cost;

	if (len != BCRYPT_LEN || h[4] < '0' || h[4] > '9' ||
	    h[5] < '0' || h[5] > '9' || h[6] != '$')
		return false;
	cost = (h[4] - '0') * 10 + (h[5] - '0');
	if (cost < 4 || cost > 31)
		return false;
	for (size_t i = 7; i < len; i++)
		if (!crypt64(h[i]))
			return false;
	return true;
}

/* "$y$" and three non-empty fields of crypt64 separated by '$'. */
static bool
yescrypt_ok(const char *h, size_t len)
{
	size_t	 i, fields = 1, run = 0;

	if (len > YESCRYPT_MAX)
		return false;
	for (i = 3; i < len; i++) {
		if (h[i] == '$') {
			if (run == 0)
				return false;
			fields++;
			run = 0;
		} else if (crypt64(h[i]))
			run++;
		else
			return false;
	}
	return fields == 3 && run > 0;
}

/* DES crypt: 13 characters of crypt64, the first two the salt. */
static bool
des_like(const char *h, size_t len)
{
	if (len != 13)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!crypt64(h[i]))
			return false;
	return true;
}

/*
 * The kinds htpasswd writes that berth does not take, by how they
 * start, each with what the operator should know.
 */
static const struct {
	const char	*prefix;
	const char	*why;
} refused[] = {
	{ "$apr1$", "apr1-MD5 hash (htpasswd -m, its default): berth cannot "
	    "verify it; set the password again with htpasswd -B" },
	{ "{SHA}", "unsalted SHA-1 hash (htpasswd -s): refused as too weak; "
	    "set the password again with htpasswd -B" },
	{ "$1$", "MD5-crypt hash: refused as too weak; set the password "
	    "again with htpasswd -B" },
	{ "$5$", "SHA-256-crypt hash (htpasswd -2): not among the hashes "
	    "berth verifies; set the password again with htpasswd -B" },
	{ "$6$", "SHA-512-crypt hash (htpasswd -5): not among the hashes "
	    "berth verifies; set the password again with htpasswd -B" },
	{ "$2x$", "bcrypt $2x$ (a variant kept only for an old bug): "
	    "refused; set the password again with htpasswd -B" },
};

enum htpasswd_line
htpasswd_parse(const char *line, size_t len, struct htpasswd_entry *e,
    const char **why)
{
	const char	*colon, *h;
	size_t		 i, hlen;

	memset(e, 0, sizeof(*e));
	*why = NULL;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i == len || line[0] == '#')
		return HTPASSWD_SKIP;
	if (len > HTPASSWD_LINE_MAX) {
		*why = "line too long";
		return HTPASSWD_BAD;
	}
	if (memchr(line, '\0', len) != NULL) {
		*why = "line holds a NUL byte";
		return HTPASSWD_BAD;
	}
	if ((colon = memchr(line, ':', len)) == NULL) {
		*why = "no ':' between username and hash";
		return HTPASSWD_BAD;
	}
	if (colon == line) {
		*why = "empty username";
		return HTPASSWD_BAD;
	}
	e->user = line;
	e->userlen = (size_t)(colon - line);
	h = colon + 1;
	hlen = len - e->userlen - 1;
	if (hlen == 0) {
		*why = "empty hash";
		return HTPASSWD_BAD;
	}
	if (prefix(h, hlen, "$2y$") || prefix(h, hlen, "$2b$") ||
	    prefix(h, hlen, "$2a$")) {
		if (!bcrypt_ok(h, hlen)) {
			*why = "malformed bcrypt hash";
			return HTPASSWD_BAD;
		}
	} else if (prefix(h, hlen, "$y$")) {
		if (!yescrypt_ok(h, hlen)) {
			*why = "malformed yescrypt hash";
			return HTPASSWD_BAD;
		}
	} else {
		for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
			if (prefix(h, hlen, refused[i].prefix)) {
				*why = refused[i].why;
				return HTPASSWD_BAD;
			}
		*why = des_like(h, hlen) ?
		    "DES crypt hash (htpasswd -d): refused as too weak; set "
		    "the password again with htpasswd -B" :
		    "not a hash berth knows: plain text (htpasswd -p) or "
		    "damaged; set the password again with htpasswd -B";
		return HTPASSWD_BAD;
	}
	e->hash = h;
	e->hashlen = hlen;
	return HTPASSWD_OK;
}
