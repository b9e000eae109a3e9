/* scope: the Distribution token scope parser (docs/spec/auth/scope.md). */
#include <string.h>

#include "scope.h"

/* The known actions, in the order scope_actions_str() reports them. */
static const struct {
	const char	*name;
	unsigned	 bit;
} acttab[] = {
	{ "pull",	SCOPE_A_PULL },
	{ "push",	SCOPE_A_PUSH },
	{ "delete",	SCOPE_A_DELETE },
	{ "*",		SCOPE_A_ALL },
};

#define ACTTAB_N	(sizeof(acttab) / sizeof(acttab[0]))

/* actstr holds each known action at most once, so this is its bound. */
_Static_assert(ACTTAB_N <= SCOPE_ACTIONS_MAX, "actstr too small");

/* Undo data for an entry that existed before a scope_parse() call. */
struct undo {
	unsigned	 actions;
	size_t		 nact;
};

static bool
lower_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
class_char(unsigned char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/*
 * path-component := alpha-numeric [separator alpha-numeric]*, with
 * alpha-numeric /[a-z0-9]+/ and separator /[_.]|__|[-]+/.  This alone
 * refuses "", ".", "..", leading or trailing separators, "._", uppercase,
 * '%' and everything else outside the grammar.
 */
static bool
path_component_valid(const char *s, size_t len)
{
	size_t	 i = 0, start;

	for (;;) {
		start = i;
		while (i < len && lower_alnum((unsigned char)s[i]))
			i++;
		if (i == start)
			return false;
		if (i == len)
			return true;
		if (s[i] == '.')
			i++;
		else if (s[i] == '_') {
			if (++i < len && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < len && s[i] == '-')
				i++;
		} else
			return false;
	}
}

/*
 * host ':' port, host := domain-component ['.' domain-component]*,
 * domain-component := alnum runs joined by runs of '-', port := [0-9]+.
 * Only reached for a first component holding ':'; a host without a port
 * is already a valid path component, as every lowercase domain name is.
 */
static bool
host_port_valid(const char *s, size_t len)
{
	const char	*colon = memchr(s, ':', len);
	size_t		 hlen, i;

	if (colon == NULL)
		return false;
	hlen = (size_t)(colon - s);
	if (hlen + 1 == len)
		return false;
	for (i = hlen + 1; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	/* Alnum runs, each after a '.' or a run of '-' (but for the first). */
	i = 0;
	for (;;) {
		size_t	 run = i;

		while (i < hlen && lower_alnum((unsigned char)s[i]))
			i++;
		if (i == run)
			return false;
		if (i == hlen)
			return true;
		if (s[i] == '.')
			i++;
		else if (s[i] == '-') {
			while (i < hlen && s[i] == '-')
				i++;
		} else
			return false;
	}
}

bool
scope_name_valid(const char *name, size_t len)
{
	size_t	 i = 0, ncomp = 0;
	bool	 host = false;

	/* The registry's own limit on a repository name. */
	if (len == 0 || len > SCOPE_NAME_MAX)
		return false;
	for (;;) {
		const char	*slash = memchr(name + i, '/', len - i);
		size_t		 end = slash ? (size_t)(slash - name) : len;

		if (ncomp == 0 && memchr(name, ':', end) != NULL) {
			if (!host_port_valid(name, end))
				return false;
			host = true;
		} else if (!path_component_valid(name + i, end - i))
			return false;
		ncomp++;
		if (slash == NULL)
			break;
		i = end + 1;
	}
	/* A host:port alone names a registry, not a repository. */
	return !host || ncomp >= 2;
}

size_t
scope_actions_str(unsigned bits, const char *out[4])
{
	size_t	 n = 0;

	for (size_t i = 0; i < ACTTAB_N; i++)
		if (bits & acttab[i].bit)
			out[n++] = acttab[i].name;
	return n;
}

/* The acttab index of the action s[0..len), or -1 if unknown. */
static int
action_lookup(const char *s, size_t len)
{
	for (size_t i = 0; i < ACTTAB_N; i++)
		if (strlen(acttab[i].name) == len &&
		    memcmp(acttab[i].name, s, len) == 0)
			return (int)i;
	return -1;
}

/* Add known action acttab[i] to sc unless it is there already. */
static void
action_add(struct scope *sc, size_t i)
{
	if (sc->actions & acttab[i].bit)
		return;
	sc->actions |= acttab[i].bit;
	/* Cannot overflow: each of the ACTTAB_N actions is added once. */
	strcpy(sc->actstr[sc->nact++], acttab[i].name);
}

/*
 * type[(class)]: the class, which only plugins use, must be one run of
 * [a-zA-Z0-9] in one pair of parentheses closing the type; it is checked
 * and dropped, so that `repository(plugin):p/a` is authorized as the
 * repository p/a.  The type itself is any printable text: only the two
 * berth knows are granted anything.
 */
static enum app_err
parse_type(const char *t, size_t len, struct scope *sc, const char **why)
{
	const char	*open = memchr(t, '(', len);
	const char	*close = memchr(t, ')', len);
	size_t		 tylen = len;

	if (open != NULL || close != NULL) {
		size_t	 cstart, clen;

		if (open == NULL || close != t + len - 1 || close < open) {
			*why = "malformed scope class";
			return APP_EBADREQ;
		}
		tylen = (size_t)(open - t);
		cstart = tylen + 1;
		clen = len - 1 - cstart;
		if (clen == 0) {
			*why = "malformed scope class";
			return APP_EBADREQ;
		}
		if (clen > SCOPE_TYPE_MAX) {
			*why = "scope class too long";
			return APP_EBADREQ;
		}
		for (size_t i = cstart; i < cstart + clen; i++)
			if (!class_char((unsigned char)t[i])) {
				*why = "malformed scope class";
				return APP_EBADREQ;
			}
	}
	if (tylen == 0) {
		*why = "empty scope type";
		return APP_EBADREQ;
	}
	if (tylen > SCOPE_TYPE_MAX) {
		*why = "scope type too long";
		return APP_EBADREQ;
	}
	memcpy(sc->typestr, t, tylen);
	sc->typestr[tylen] = '\0';
	if (strcmp(sc->typestr, "repository") == 0)
		sc->type = SCOPE_T_REPOSITORY;
	else if (strcmp(sc->typestr, "registry") == 0)
		sc->type = SCOPE_T_REGISTRY;
	else
		sc->type = SCOPE_T_OTHER;
	return APP_OK;
}

/*
 * The name is stored as asked, never decoded or normalized: a name that
 * is not valid is kept so that the answer can show it denied.  An
 * over-long one is cut to fit the buffer and marked, so that it can
 * neither pass for nor merge with another name.
 */
static enum app_err
parse_name(const char *n, size_t len, struct scope *sc, const char **why)
{
	if (len == 0) {
		*why = "empty scope name";
		return APP_EBADREQ;
	}
	if (len > SCOPE_NAME_MAX) {
		memcpy(sc->name, n, SCOPE_NAME_MAX);
		sc->name[SCOPE_NAME_MAX] = '\0';
		sc->name_truncated = true;
		sc->name_valid = false;
		return APP_OK;
	}
	memcpy(sc->name, n, len);
	sc->name[len] = '\0';
	switch (sc->type) {
	case SCOPE_T_REPOSITORY:
		sc->name_valid = scope_name_valid(n, len);
		break;
	case SCOPE_T_REGISTRY:
		/* The only registry resource a registry asks about. */
		sc->name_valid = strcmp(sc->name, "catalog") == 0;
		break;
	case SCOPE_T_OTHER:
		sc->name_valid = false;
		break;
	}
	if (sc->type == SCOPE_T_REPOSITORY && sc->name_valid) {
		const char	*slash = memchr(n, '/', len);

		/* DESIGN.md: the project is the first path component. */
		if (slash != NULL) {
			memcpy(sc->project, n, (size_t)(slash - n));
			sc->project[slash - n] = '\0';
		}
	}
	return APP_OK;
}

/* action [',' action]*; empty items are skipped, so "" asks nothing. */
static enum app_err
parse_actions(const char *a, size_t len, struct scope *sc, const char **why)
{
	size_t	 i = 0;

	while (i < len) {
		const char	*comma = memchr(a + i, ',', len - i);
		size_t		 end = comma ? (size_t)(comma - a) : len;
		int		 k;

		if (end - i > SCOPE_ACTION_LEN) {
			*why = "scope action too long";
			return APP_EBADREQ;
		}
		if (end > i) {
			if ((k = action_lookup(a + i, end - i)) < 0)
				sc->actions |= SCOPE_A_OTHER;
			else
				action_add(sc, (size_t)k);
		}
		i = end + 1;
	}
	return APP_OK;
}

/*
 * One scope without spaces.  The type ends at the first colon and the
 * actions start after the last, since a name may hold a host:port.
 */
static enum app_err
parse_one(const char *s, size_t len, struct scope *sc, const char **why)
{
	const char	*c1 = memchr(s, ':', len), *c2 = NULL;
	enum app_err	 rc;

	memset(sc, 0, sizeof(*sc));
	for (size_t i = len; i > 0; i--)
		if (s[i - 1] == ':') {
			c2 = s + i - 1;
			break;
		}
	if (c1 == NULL || c1 == c2) {
		*why = "invalid scope";
		return APP_EBADREQ;
	}
	if ((rc = parse_type(s, (size_t)(c1 - s), sc, why)) != APP_OK ||
	    (rc = parse_name(c1 + 1, (size_t)(c2 - c1 - 1), sc, why)) !=
	    APP_OK)
		return rc;
	return parse_actions(c2 + 1, len - (size_t)(c2 - s) - 1, sc, why);
}

/* Merge sc into the entry of the same type and name, or append it. */
static enum app_err
list_add(struct scope_list *l, const struct scope *sc, const char **why)
{
	if (!sc->name_truncated)
		for (size_t j = 0; j < l->n; j++) {
			struct scope	*e = &l->s[j];

			if (e->name_truncated ||
			    strcmp(e->typestr, sc->typestr) != 0 ||
			    strcmp(e->name, sc->name) != 0)
				continue;
			for (size_t k = 0; k < sc->nact; k++)
				action_add(e, (size_t)action_lookup(
				    sc->actstr[k], strlen(sc->actstr[k])));
			e->actions |= sc->actions & SCOPE_A_OTHER;
			return APP_OK;
		}
	if (l->n == SCOPE_MAX) {
		*why = "too many scopes";
		return APP_EBADREQ;
	}
	l->s[l->n++] = *sc;
	return APP_OK;
}

enum app_err
scope_parse(struct scope_list *l, const char *s, size_t len, const char **why)
{
	struct undo	 undo[SCOPE_MAX];
	struct scope	 sc;
	const char	*reason = NULL;
	size_t		 oldn = l->n, i = 0;
	enum app_err	 rc = APP_EBADREQ;

	if (why != NULL)
		*why = NULL;
	/* Bounds the work of the whole request, not only its storage. */
	if (l->textlen > SCOPE_TEXT_MAX || len > SCOPE_TEXT_MAX - l->textlen) {
		reason = "scope text too long";
		goto fail;
	}
	/*
	 * The grammar is ASCII; whatever else arrives is refused before it
	 * can reach a JSON string (which must be UTF-8) or a log line.
	 */
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)s[k] < 0x20 || (unsigned char)s[k] > 0x7e) {
			reason = "scope holds a control or non-ASCII byte";
			goto fail;
		}

	for (size_t j = 0; j < oldn; j++) {
		undo[j].actions = l->s[j].actions;
		undo[j].nact = l->s[j].nact;
	}
	while (i < len) {
		const char	*sp;
		size_t		 end;

		/* oauth.md: a space-separated list; extra spaces are harmless. */
		if (s[i] == ' ') {
			i++;
			continue;
		}
		sp = memchr(s + i, ' ', len - i);
		end = sp ? (size_t)(sp - s) : len;
		if ((rc = parse_one(s + i, end - i, &sc, &reason)) != APP_OK ||
		    (rc = list_add(l, &sc, &reason)) != APP_OK)
			goto undo;
		i = end;
	}
	l->textlen += len;
	return APP_OK;

undo:
	for (size_t j = 0; j < oldn; j++) {
		struct scope	*e = &l->s[j];

		for (size_t k = undo[j].nact; k < e->nact; k++)
			memset(e->actstr[k], 0, sizeof(e->actstr[k]));
		e->actions = undo[j].actions;
		e->nact = undo[j].nact;
	}
	memset(&l->s[oldn], 0, (l->n - oldn) * sizeof(l->s[0]));
	l->n = oldn;
fail:
	if (why != NULL)
		*why = reason;
	return APP_EBADREQ;
}
