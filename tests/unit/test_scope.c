/*
 * Unit tests for lib/scope, driven by the case files in tests/data/scopes
 * (run from the repository root).  Adding a regression is adding a line.
 *
 * Every *.txt file there is read in name order.  Blank lines and lines
 * starting with '#' are skipped; every other line is
 *
 *	EXPECT <TAB> INPUT [<TAB> INPUT ...]
 *
 * In names*.txt, INPUT is one name given to scope_name_valid() and
 * EXPECT is "valid" or "invalid".  In the other files each INPUT is one
 * `scope` parameter, given in order to scope_parse() on one list, and
 * EXPECT is one of:
 *
 *	error		every INPUT but the last parses; the last is
 *			APP_EBADREQ with a reason, and leaves the list as
 *			it was
 *	error=WHY	the same, with exactly that reason
 *	count=N		all parse, to N scopes
 *	S1 ; S2 ...	all parse, to exactly these scopes, each rendered
 *			type|name|project|valid|actions: the type as asked,
 *			"other:" before it if berth does not know it;
 *			valid is "valid", "invalid" or "long" (truncated);
 *			actions are actstr in order, then "?" if an unknown
 *			action was asked
 *
 * Both EXPECT and INPUT take escapes: \\ \t \n \r \s (a space), \xHH
 * (any byte, NUL too), and \{N:text} for text repeated N times, where
 * \# inside text is the repetition's index (0, 1, ...).
 */
#include <dirent.h>
#include <stdlib.h>

#include "scope.h"
#include "t.h"

#define DATADIR		"tests/data/scopes"
#define BUF_MAX		(1 << 20)
#define FIELDS_MAX	8

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Put n bytes at out[*o] if they fit. */
static int
put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
	if (n > cap - *o)
		return -1;
	memcpy(out + *o, s, n);
	*o += n;
	return 0;
}

/*
 * Expand the escapes of in[0..len) into out (cap bytes; NUL-terminated
 * when room is left).  idx is what \# stands for.  Returns the length,
 * or -1 on a malformed escape or overflow.
 */
static long
unescape(const char *in, size_t len, char *out, size_t cap, long idx)
{
	size_t	 o = 0;

	for (size_t i = 0; i < len; i++) {
		char	 c = in[i], num[24];
		int	 hi, lo;

		if (c != '\\') {
			if (put(out, cap, &o, &c, 1) < 0)
				return -1;
			continue;
		}
		if (++i == len)
			return -1;
		switch (in[i]) {
		case '\\':
			if (put(out, cap, &o, "\\", 1) < 0)
				return -1;
			break;
		case 't':
			if (put(out, cap, &o, "\t", 1) < 0)
				return -1;
			break;
		case 'n':
			if (put(out, cap, &o, "\n", 1) < 0)
				return -1;
			break;
		case 'r':
			if (put(out, cap, &o, "\r", 1) < 0)
				return -1;
			break;
		case 's':
			if (put(out, cap, &o, " ", 1) < 0)
				return -1;
			break;
		case 'x':
			if (i + 2 >= len || (hi = hexval(in[i + 1])) < 0 ||
			    (lo = hexval(in[i + 2])) < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			if (put(out, cap, &o, &c, 1) < 0)
				return -1;
			i += 2;
			break;
		case '#':
			snprintf(num, sizeof(num), "%ld", idx);
			if (put(out, cap, &o, num, strlen(num)) < 0)
				return -1;
			break;
		case '{': {
			const char	*colon, *close;
			char		*end;
			long		 n, r;

			n = strtol(in + i + 1, &end, 10);
			colon = end;
			close = memchr(in + i, '}', len - i);
			if (n < 0 || colon >= in + len || *colon != ':' ||
			    close == NULL || close < colon)
				return -1;
			for (long k = 0; k < n; k++) {
				r = unescape(colon + 1, (size_t)(close - colon - 1),
				    out + o, cap - o, k);
				if (r < 0)
					return -1;
				o += (size_t)r;
			}
			i = (size_t)(close - in);
			break;
		}
		default:
			return -1;
		}
	}
	if (o < cap)
		out[o] = '\0';
	return (long)o;
}

/* Append the rendering of one scope (see the top of the file). */
static void
render_one(const struct scope *s, char *out, size_t cap)
{
	size_t	 o = strlen(out);

	o += (size_t)snprintf(out + o, cap - o, "%s%s|%s|%s|%s|",
	    s->type == SCOPE_T_OTHER ? "other:" : "", s->typestr, s->name,
	    s->project, s->name_truncated ? "long" :
	    s->name_valid ? "valid" : "invalid");
	for (size_t k = 0; k < s->nact && o < cap; k++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", k ? "," : "",
		    s->actstr[k]);
	if ((s->actions & SCOPE_A_OTHER) && o < cap)
		snprintf(out + o, cap - o, "%s?", s->nact ? "," : "");
}

static void
render(const struct scope_list *l, char *out, size_t cap)
{
	out[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		if (i > 0)
			strncat(out, " ; ", cap - strlen(out) - 1);
		render_one(&l->s[i], out, cap);
	}
}

/*
 * Invariants every parsed scope keeps, whatever the case: the bits and
 * the strings say the same, a project only for a valid name, and
 * name_valid as scope_name_valid() says for repositories.  NULL if all
 * hold, else what broke.
 */
static const char *
invariants(const struct scope_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct scope	*s = &l->s[i];
		const char		*acts[4];
		size_t			 n;

		n = scope_actions_str(s->actions, acts);
		if (n != s->nact)
			return "nact differs from the action bits";
		for (size_t k = 0; k < n; k++) {
			size_t	 m;

			for (m = 0; m < s->nact; m++)
				if (strcmp(s->actstr[m], acts[k]) == 0)
					break;
			if (m == s->nact)
				return "actstr differs from the action bits";
		}
		if (s->project[0] != '\0' && !s->name_valid)
			return "a project for an invalid name";
		if (s->type == SCOPE_T_REPOSITORY && !s->name_truncated &&
		    s->name_valid != scope_name_valid(s->name, strlen(s->name)))
			return "name_valid differs from scope_name_valid()";
		if (s->name_truncated && s->name_valid)
			return "a truncated name is valid";
	}
	return NULL;
}

static char	 inbuf[BUF_MAX], want[BUF_MAX], got[BUF_MAX], before[BUF_MAX];
static struct scope_list	 list;

static void
run_names(const char *where, const char *expect, const char *raw,
    const char *in, size_t len)
{
	bool	 v = scope_name_valid(in, len);

	T_OK((strcmp(expect, "valid") == 0 && v) ||
	    (strcmp(expect, "invalid") == 0 && !v), "%s: %s %.60s", where,
	    expect, raw);
}

static void
run_parse(const char *where, const char *expect, char **fields, size_t nf)
{
	const char	*why = NULL, *broke;
	enum app_err	 rc = APP_OK;
	size_t		 i, textlen = 0;
	long		 len = 0;

	memset(&list, 0, sizeof(list));
	for (i = 0; i < nf; i++) {
		len = unescape(fields[i], strlen(fields[i]), inbuf,
		    sizeof(inbuf), 0);
		if (len < 0) {
			T_OK(0, "%s: bad escape in the input", where);
			return;
		}
		render(&list, before, sizeof(before));
		textlen = list.textlen;
		why = "unset";
		rc = scope_parse(&list, inbuf, (size_t)len, &why);
		if (rc != APP_OK)
			break;
		if (why != NULL) {
			T_OK(0, "%s: why is not NULL on success", where);
			return;
		}
	}
	render(&list, got, sizeof(got));
	if (strcmp(expect, "error") == 0 || strncmp(expect, "error=", 6) == 0) {
		T_OK(rc == APP_EBADREQ && i == nf - 1 && why != NULL &&
		    (expect[5] == '\0' || strcmp(why, expect + 6) == 0) &&
		    strcmp(got, before) == 0 && list.textlen == textlen,
		    "%s: error (%s)", where, why ? why : "no reason");
		return;
	}
	if (rc != APP_OK) {
		T_OK(0, "%s: parse failed: %s", where, why ? why : "?");
		return;
	}
	if ((broke = invariants(&list)) != NULL) {
		T_OK(0, "%s: %s", where, broke);
		return;
	}
	if (strncmp(expect, "count=", 6) == 0) {
		T_EQ_INT(list.n, atol(expect + 6), "%s: %s", where, expect);
		return;
	}
	if (unescape(expect, strlen(expect), want, sizeof(want), 0) < 0) {
		T_OK(0, "%s: bad escape in the expectation", where);
		return;
	}
	T_EQ_STR(got, want, "%s: %.60s", where, expect);
}

static void
run_file(const char *file)
{
	char	 path[512], where[600];
	char	*line = NULL, *fields[FIELDS_MAX];
	size_t	 cap = 0, nf, lineno = 0;
	ssize_t	 n;
	FILE	*fp;
	bool	 names = strncmp(file, "names", 5) == 0;

	snprintf(path, sizeof(path), "%s/%s", DATADIR, file);
	if ((fp = fopen(path, "r")) == NULL) {
		T_OK(0, "open %s", path);
		return;
	}
	while ((n = getline(&line, &cap, fp)) != -1) {
		char	*p = line, *tab;

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%zu", file, lineno);
		for (nf = 0; nf < FIELDS_MAX; nf++) {
			fields[nf] = p;
			if ((tab = strchr(p, '\t')) == NULL) {
				nf++;
				break;
			}
			*tab = '\0';
			p = tab + 1;
		}
		if (nf < 2 || (names && nf != 2)) {
			T_OK(0, "%s: malformed case line", where);
			continue;
		}
		if (names) {
			long	 len = unescape(fields[1], strlen(fields[1]),
			    inbuf, sizeof(inbuf), 0);

			if (len < 0)
				T_OK(0, "%s: bad escape", where);
			else
				run_names(where, fields[0], fields[1], inbuf,
				    (size_t)len);
		} else
			run_parse(where, fields[0], fields + 1, nf - 1);
	}
	free(line);
	fclose(fp);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

static void
run_files(void)
{
	DIR		*d;
	struct dirent	*e;
	char		*names[64];
	size_t		 n = 0;

	if ((d = opendir(DATADIR)) == NULL) {
		T_OK(0, "open %s (run from the repository root)", DATADIR);
		return;
	}
	while ((e = readdir(d)) != NULL && n < 64) {
		size_t	 len = strlen(e->d_name);

		if (len > 4 && strcmp(e->d_name + len - 4, ".txt") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	T_OK(n >= 4, "%zu case files in %s", n, DATADIR);
	for (size_t i = 0; i < n; i++) {
		run_file(names[i]);
		free(names[i]);
	}
}

int
main(void)
{
	const char	*acts[4], *why;
	size_t		 n;

	run_files();

	n = scope_actions_str(SCOPE_A_ALL | SCOPE_A_DELETE | SCOPE_A_PUSH |
	    SCOPE_A_PULL | SCOPE_A_OTHER, acts);
	T_EQ_INT(n, 4, "scope_actions_str: four known actions, no other");
	T_OK(n == 4 && strcmp(acts[0], "pull") == 0 &&
	    strcmp(acts[1], "push") == 0 && strcmp(acts[2], "delete") == 0 &&
	    strcmp(acts[3], "*") == 0, "in the order pull, push, delete, *");
	T_EQ_INT(scope_actions_str(0, acts), 0, "no bits, no strings");
	T_EQ_INT(scope_actions_str(SCOPE_A_OTHER, acts), 0,
	    "an unknown action is never rendered");
	n = scope_actions_str(SCOPE_A_DELETE | SCOPE_A_PULL, acts);
	T_OK(n == 2 && strcmp(acts[0], "pull") == 0 &&
	    strcmp(acts[1], "delete") == 0, "pull and delete");

	memset(&list, 0, sizeof(list));
	T_EQ_INT(scope_parse(&list, "repository:a/b:pull", 19, NULL), APP_OK,
	    "why may be NULL");
	T_EQ_INT(scope_parse(&list, "repository", 10, NULL), APP_EBADREQ,
	    "also on an error");
	T_EQ_INT(list.textlen, 19, "textlen counts the parsed text only");
	T_EQ_INT(scope_parse(&list, "  ", 2, &why), APP_OK, "spaces parse");
	T_EQ_INT(list.textlen, 21, "and count against the cap");
	T_EQ_INT(scope_parse(&list, "repository:a/b:pull", 15, &why), APP_OK,
	    "the explicit length is obeyed");
	T_EQ_STR(list.s[0].name, "a/b", "one scope still");
	T_EQ_INT(list.s[0].nact, 1, "asking for nothing more");
	return t_done();
}
