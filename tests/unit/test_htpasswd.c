/* test_htpasswd: lines of an htpasswd file (lib/htpasswd.c). */
#include <string.h>

#include "htpasswd.h"
#include "t.h"

/* 53 characters of bcrypt's alphabet after "$2y$05$". */
#define BC_TAIL	"abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ./012"

static enum htpasswd_line
parse(const char *s, struct htpasswd_entry *e, const char **why)
{
	return htpasswd_parse(s, strlen(s), e, why);
}

static enum htpasswd_line
kind(const char *s)
{
	struct htpasswd_entry	 e;
	const char		*why;

	return parse(s, &e, &why);
}

/* The hash part of an accepted line, as a string. */
static const char *
hash_of(const char *s)
{
	static char		 buf[HTPASSWD_LINE_MAX + 1];
	struct htpasswd_entry	 e;
	const char		*why;

	if (parse(s, &e, &why) != HTPASSWD_OK)
		return "(refused)";
	memcpy(buf, e.hash, e.hashlen);
	buf[e.hashlen] = '\0';
	return buf;
}

/* Refused, with a message holding word. */
static int
refused(const char *s, const char *word)
{
	struct htpasswd_entry	 e;
	const char		*why;

	return parse(s, &e, &why) == HTPASSWD_BAD && why != NULL &&
	    strstr(why, word) != NULL;
}

int
main(void)
{
	struct htpasswd_entry	 e;
	const char		*why;
	char			 big[HTPASSWD_LINE_MAX + 64];
	static const char	 nul[] = "alice:$2y$05$" BC_TAIL "\0x";

	T_EQ_INT(kind(""), HTPASSWD_SKIP, "an empty line is skipped");
	T_EQ_INT(kind("  \t"), HTPASSWD_SKIP, "a blank line is skipped");
	T_EQ_INT(kind("\r"), HTPASSWD_SKIP, "a CR alone is skipped");
	T_EQ_INT(kind("# alice:$2y$05$" BC_TAIL), HTPASSWD_SKIP,
	    "a comment is skipped");

	T_EQ_INT(parse("alice:$2y$05$" BC_TAIL, &e, &why), HTPASSWD_OK,
	    "bcrypt $2y$ is accepted");
	T_OK(e.userlen == 5 && memcmp(e.user, "alice", 5) == 0,
	    "the user is what comes before the colon");
	T_EQ_STR(hash_of("alice:$2y$05$" BC_TAIL), "$2y$05$" BC_TAIL,
	    "the hash is kept exactly");
	T_EQ_STR(hash_of("alice:$2y$05$" BC_TAIL "\r"), "$2y$05$" BC_TAIL,
	    "a CRLF line ending is not part of the hash");
	T_EQ_STR(hash_of("a:$2b$31$" BC_TAIL), "$2b$31$" BC_TAIL,
	    "bcrypt $2b$ at cost 31 is accepted");
	T_EQ_STR(hash_of("a:$2a$04$" BC_TAIL), "$2a$04$" BC_TAIL,
	    "bcrypt $2a$ at cost 04 is accepted");
	T_OK(refused("a:$2y$03$" BC_TAIL, "malformed bcrypt"),
	    "a bcrypt cost of 03 is refused");
	T_OK(refused("a:$2y$32$" BC_TAIL, "malformed bcrypt"),
	    "a bcrypt cost of 32 is refused");
	T_OK(refused("a:$2y$5$" BC_TAIL "x", "malformed bcrypt"),
	    "a one-digit cost is refused");
	T_OK(refused("a:$2y$05$" BC_TAIL "x", "malformed bcrypt"),
	    "a bcrypt hash one character long is refused");
	T_OK(refused("a:$2y$05$abc", "malformed bcrypt"),
	    "a short bcrypt hash is refused");
	T_OK(refused("a:$2y$05$!bcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUV"
	    "WXYZ./012", "malformed bcrypt"),
	    "a character outside bcrypt's alphabet is refused");
	T_OK(refused("a:$2x$05$" BC_TAIL, "$2x$"), "bcrypt $2x$ is refused");

	T_EQ_STR(hash_of("a:$y$j9T$MvRX/o8pQDuugETm9RdeE.$EMpZNNgc/lcdl"),
	    "$y$j9T$MvRX/o8pQDuugETm9RdeE.$EMpZNNgc/lcdl",
	    "yescrypt is accepted");
	T_OK(refused("a:$y$", "malformed yescrypt"), "an empty yescrypt "
	    "hash is refused");
	T_OK(refused("a:$y$j9T$$x", "malformed yescrypt"),
	    "yescrypt with an empty field is refused");
	T_OK(refused("a:$y$j9T$salt", "malformed yescrypt"),
	    "yescrypt with two fields is refused");
	T_OK(refused("a:$y$j9T$s$h$x", "malformed yescrypt"),
	    "yescrypt with four fields is refused");
	T_OK(refused("a:$y$j9T$s$h:", "malformed yescrypt"),
	    "yescrypt with a foreign character is refused");

	T_OK(refused("mo:$apr1$1Wv9nkeS$NeTxmmnldeDTZa4M46CyJ1", "apr1-MD5"),
	    "apr1-MD5 is refused, named");
	T_OK(refused("s:{SHA}fIBlByPqqtJ6pqezu82tfSBZ5GU=", "SHA-1"),
	    "{SHA} is refused, named");
	T_OK(refused("m:$1$salt$hash", "MD5-crypt"), "MD5-crypt is refused");
	T_OK(refused("f:$5$salt$hash", "SHA-256-crypt"),
	    "SHA-256-crypt is refused");
	T_OK(refused("f:$6$salt$hash", "SHA-512-crypt"),
	    "SHA-512-crypt is refused");
	T_OK(refused("d:1PhnxdvTan2nY", "DES crypt"), "DES crypt is refused");
	T_OK(refused("p:Plain-Password", "plain text"),
	    "a plain text password is refused");
	T_OK(parse("p:Plain-Password", &e, &why) == HTPASSWD_BAD &&
	    e.user != NULL && e.userlen == 1 && e.user[0] == 'p',
	    "a refused hash still names its user");
	T_OK(refused("a:b:c", "plain text"),
	    "the user ends at the first colon");
	T_OK(parse("no-colon", &e, &why) == HTPASSWD_BAD && e.user == NULL &&
	    strstr(why, "':'") != NULL, "a line without ':' is refused");
	T_OK(refused(":$2y$05$" BC_TAIL, "empty username"),
	    "an empty username is refused");
	T_OK(refused("alice:", "empty hash"), "an empty hash is refused");
	T_OK(htpasswd_parse(nul, sizeof(nul) - 1, &e, &why) == HTPASSWD_BAD &&
	    strstr(why, "NUL") != NULL, "a NUL byte in a line is refused");
	memset(big, 'a', sizeof(big));
	memcpy(big + sizeof(big) - 8, ":$2y$05", 7);
	T_OK(htpasswd_parse(big, sizeof(big), &e, &why) == HTPASSWD_BAD &&
	    strstr(why, "too long") != NULL, "an overlong line is refused");
	return t_done();
}
