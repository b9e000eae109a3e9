/* Unit tests for lib/form: query strings and form bodies. */
#include <stdlib.h>

#include "form.h"
#include "t.h"

static enum app_err
parse(const char *s, size_t max, struct form *f)
{
	return form_parse(s, strlen(s), max, f);
}

int
main(void)
{
	struct form	 f;
	char		*big;

	T_EQ_INT(parse("a=1&b=two+words&c=%41%62%2F", 16, &f), APP_OK,
	    "plain pairs parse");
	T_EQ_INT(f.n, 3, "three pairs");
	T_EQ_STR(form_get(&f, "a"), "1", "a=1");
	T_EQ_STR(form_get(&f, "b"), "two words", "+ is a space");
	T_EQ_STR(form_get(&f, "c"), "Ab/", "percent escapes decode, any case");
	T_OK(form_get(&f, "d") == NULL, "a missing name is NULL");
	form_free(&f);

	T_EQ_INT(parse("scope=a&scope=b&scope=c", 16, &f), APP_OK,
	    "repeated names parse");
	T_EQ_INT(form_count(&f, "scope"), 3, "repeats are counted");
	T_EQ_STR(form_get(&f, "scope"), "a", "form_get returns the first");
	T_EQ_STR(f.pairs[2].value, "c", "order is kept");
	form_free(&f);

	T_EQ_INT(parse("&&a=1&&flag&=v&", 16, &f), APP_OK,
	    "empty pairs are skipped");
	T_EQ_INT(f.n, 3, "a, flag and the empty name");
	T_EQ_STR(form_get(&f, "flag"), "", "a name without = has value \"\"");
	T_EQ_STR(form_get(&f, ""), "v", "an empty name is kept as such");
	form_free(&f);

	T_EQ_INT(parse("a=b=c", 4, &f), APP_OK, "value may hold '='");
	T_EQ_STR(form_get(&f, "a"), "b=c", "split at the first '='");
	form_free(&f);

	T_EQ_INT(parse("a=%zz", 4, &f), APP_EBADREQ, "%%zz is refused");
	T_EQ_INT(parse("a=%", 4, &f), APP_EBADREQ, "a trailing %% is refused");
	T_EQ_INT(parse("a=%4", 4, &f), APP_EBADREQ, "a short escape is refused");
	T_EQ_INT(parse("%4=1", 4, &f), APP_EBADREQ, "in names too");
	T_EQ_INT(parse("a=%00", 4, &f), APP_EBADREQ, "%%00 is refused");
	T_EQ_INT(form_parse("a=\0b", 4, 4, &f), APP_EBADREQ,
	    "a raw NUL is refused");
	T_EQ_INT(parse("a=%252e", 4, &f), APP_OK, "double encoding decodes once");
	T_EQ_STR(form_get(&f, "a"), "%2e", "and stays %%2e");
	form_free(&f);

	T_EQ_INT(parse("a=1&b=2&c=3", 3, &f), APP_OK, "exactly the cap");
	form_free(&f);
	T_EQ_INT(parse("a=1&b=2&c=3&d=4", 3, &f), APP_EBADREQ, "over the cap");
	T_OK(f.pairs == NULL && f.buf == NULL, "nothing kept after a refusal");

	T_EQ_INT(parse("", 3, &f), APP_OK, "an empty string parses");
	T_EQ_INT(f.n, 0, "to nothing");
	form_free(&f);
	form_free(&f);
	T_OK(1, "form_free twice is harmless");

	/* 10,000 scope parameters never allocate 10,000 pairs. */
	big = malloc(10000 * 8 + 1);
	big[0] = '\0';
	for (int i = 0; i < 10000; i++)
		strcat(big + (i ? i * 8 - 1 : 0), i ? "&scope=x" : "scope=x");
	T_EQ_INT(form_parse(big, strlen(big), 64, &f), APP_EBADREQ,
	    "10,000 pairs are refused past a cap of 64");
	free(big);
	return t_done();
}
