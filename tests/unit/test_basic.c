/* Unit tests for lib/basic: the Basic credentials parser (CHECKLIST 2-5). */
#include <stdlib.h>

#include "basic.h"
#include "t.h"

static enum app_err
parse(const char *h, struct basic_cred *c)
{
	return basic_parse(h, strlen(h), c);
}

int
main(void)
{
	struct basic_cred	 c;
	char			*big;

	/* "alice:s3cret" */
	T_EQ_INT(parse("Basic YWxpY2U6czNjcmV0", &c), APP_OK, "Basic parses");
	T_EQ_STR(c.user, "alice", "user");
	T_EQ_STR(c.password, "s3cret", "password");
	T_EQ_INT(c.passwordlen, 6, "password length");
	T_EQ_INT(parse("basic YWxpY2U6czNjcmV0", &c), APP_OK, "basic parses");
	T_EQ_INT(parse("BASIC YWxpY2U6czNjcmV0", &c), APP_OK, "BASIC parses");
	T_EQ_INT(parse("Basic   YWxpY2U6czNjcmV0", &c), APP_OK,
	    "several spaces after the scheme");
	/* "bob:pa:ss:word" splits at the first colon (RFC 7617). */
	T_EQ_INT(parse("Basic Ym9iOnBhOnNzOndvcmQ=", &c), APP_OK,
	    "a password with colons parses");
	T_EQ_STR(c.user, "bob", "user ends at the first colon");
	T_EQ_STR(c.password, "pa:ss:word", "the password keeps its colons");
	/* "a:b" needs padding: "YTpi" has none needed; "ab:c" = "YWI6Yw==" */
	T_EQ_INT(parse("Basic YWI6Yw==", &c), APP_OK, "padding is accepted");
	T_EQ_STR(c.password, "c", "and decoded");
	basic_wipe(&c);
	T_OK(c.password[0] == '\0' && c.user[0] == '\0', "basic_wipe clears");

	T_EQ_INT(parse("Basic !!!", &c), APP_EUNAUTH, "bad base64 is refused");
	T_EQ_INT(parse("Basic YWI6Yw", &c), APP_EUNAUTH,
	    "missing padding is refused");
	T_EQ_INT(parse("Basic YWI6Yw=", &c), APP_EUNAUTH, "short padding too");
	T_EQ_INT(parse("Basic YW=6Yw==", &c), APP_EUNAUTH,
	    "padding in the middle is refused");
	T_EQ_INT(parse("Basic YWJj", &c), APP_EUNAUTH,
	    "no colon (\"abc\") is refused");
	T_EQ_INT(parse("Basic OnB3", &c), APP_EUNAUTH,
	    "an empty user (\":pw\") is refused");
	T_EQ_INT(parse("Basic dTo=", &c), APP_EUNAUTH,
	    "an empty password (\"u:\") is refused");
	T_EQ_INT(parse("Basic ", &c), APP_EUNAUTH, "no credentials at all");
	T_EQ_INT(parse("Basic", &c), APP_EUNAUTH, "the scheme alone");
	T_EQ_INT(parse("Bearer eyJhbGciOi.x.y", &c), APP_EUNAUTH,
	    "Bearer is not a credential here");
	T_EQ_INT(parse("Basically YWI6Yw==", &c), APP_EUNAUTH,
	    "a longer scheme name is not Basic");
	/* "u\0x:pw" and "u\n:pw" */
	T_EQ_INT(parse("Basic dQB4OnB3", &c), APP_EUNAUTH,
	    "a NUL in the user is refused");
	T_EQ_INT(parse("Basic dQo6cHc=", &c), APP_EUNAUTH,
	    "a newline in the user is refused");
	/* "u:p\0w" */
	T_EQ_INT(parse("Basic dTpwAHc=", &c), APP_EUNAUTH,
	    "a NUL in the password is refused");
	T_EQ_INT(parse("Basic YWI6Yw== ", &c), APP_EUNAUTH,
	    "trailing space is refused");
	T_EQ_INT(parse("Basic YW I6Yw==", &c), APP_EUNAUTH,
	    "space inside is refused");

	big = malloc(65536 + 1);
	memcpy(big, "Basic ", 6);
	memset(big + 6, 'Q', 65536 - 6);
	big[65536] = '\0';
	T_EQ_INT(parse(big, &c), APP_EUNAUTH, "a 64 KiB header is refused");
	free(big);
	return t_done();
}
