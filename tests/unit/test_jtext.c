/* Unit tests for lib/jtext: JSON text for the token path. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jtext.h"
#include "t.h"

/* s as jtext_str writes it, or NULL. */
static char *
str(const char *s)
{
	struct jtext	 j;

	jtext_init(&j);
	jtext_str(&j, s);
	return jtext_take(&j, NULL);
}

/* Whether jtext's string of s parses back to s with jansson. */
static int
roundtrips(const char *s)
{
	char		*t = str(s);
	json_t		*v;
	json_error_t	 e;
	int		 ok;

	if (t == NULL)
		return 0;
	v = json_loads(t, JSON_DECODE_ANY, &e);
	ok = v != NULL && json_is_string(v) && strcmp(json_string_value(v), s) == 0;
	json_decref(v);
	free(t);
	return ok;
}

int
main(void)
{
	struct jtext	 j;
	char		*t, big[5000];
	size_t		 len;

	t = str("plain");
	T_EQ_STR(t, "\"plain\"", "a plain string is quoted");
	free(t);
	t = str("a\"b\\c\n\x01/");
	T_EQ_STR(t, "\"a\\\"b\\\\c\\u000a\\u0001/\"",
	    "quote, backslash and control characters are escaped");
	free(t);
	T_OK(roundtrips("héllo wörld ✓ 𝄞"), "UTF-8 passes through");
	T_OK(roundtrips("tab\there\r\n"), "control characters round-trip");
	T_OK(str("\xff") == NULL, "an invalid byte fails");
	T_OK(str("\xc0\xaf") == NULL, "an overlong sequence fails");
	T_OK(str("\xed\xa0\x80") == NULL, "a surrogate fails");
	T_OK(str("\xe2\x82") == NULL, "a truncated sequence fails");

	jtext_init(&j);
	jtext_lit(&j, "{");
	jtext_str(&j, "n");
	jtext_lit(&j, ":");
	jtext_int(&j, -9223372036854775807LL - 1);
	jtext_lit(&j, ",\"big\":");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	jtext_str(&j, big);
	jtext_lit(&j, "}");
	t = jtext_take(&j, &len);
	T_OK(t != NULL && len == strlen(t) && len == 4999 + 35,
	    "the buffer grows past its first size, length right");
	T_OK(t != NULL && strncmp(t, "{\"n\":-9223372036854775808,", 26) == 0,
	    "the smallest integer");
	free(t);
	T_OK(j.buf == NULL && j.len == 0, "take leaves the jtext empty");

	jtext_init(&j);
	jtext_lit(&j, "[");
	jtext_str(&j, "\xff");
	jtext_lit(&j, "]");
	T_OK(jtext_take(&j, NULL) == NULL, "a failure sticks to the end");
	return t_done();
}
