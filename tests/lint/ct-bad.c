/*
 * A fixture for tests/lint/ct-compare: each marked line must be reported
 * (the Makefile's lint target checks the count), the others must not.
 * A comment mentioning strcmp(password, x) is prose and never counts.
 */
#include <string.h>

int	bad(const char *password, const unsigned char *mac, const char *pw);

int
bad(const char *password, const unsigned char *mac, const char *pw)
{
	unsigned char	 digest[32] = { 0 };
	int		 n = 0;

	n += strcmp(password, "x") == 0;		/* LINT: 1 */
	n += memcmp(mac, digest, 32) == 0;		/* LINT: 2 */
	n += strncmp(pw, "abc", 3) == 0;		/* LINT: 3 x */
	n += CRYPTO_memcmp(digest, mac, 32) == 0;	/* LINT: 4 */
	n += strcmp(pw, "$y$") == 0;	/* not secret: a scheme prefix */
	n += strcmp("GET", "POST") == 0;
	return n;
}
