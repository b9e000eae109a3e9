/*
 * scope: the Distribution token scopes, parsed from untrusted text.
 *
 * A scope is type[(class)]:name:actions (docs/spec/auth/scope.md).  The
 * name may itself hold ':' (a host:port prefix), so the type ends at the
 * first colon and the actions start after the last.  The class is
 * parsed and ignored for authorization.  Actions are a comma-separated
 * list; an empty list is allowed and grants nothing.  One `scope`
 * parameter may hold several scopes separated by spaces (oauth.md).
 *
 * A repository's project is its first path component, taken literally:
 * `localhost:5000/team/app` is in project "localhost:5000" (a name no
 * project can have, so nobody is granted it).  A host-looking first
 * component is not stripped or skipped: the registry sends repository
 * names as its own paths, without the client's registry host, and
 * Harbor project names may hold '.' (`my.team/app` is project
 * "my.team").
 *
 * No I/O: unit-tested on tests/data/scopes and fuzzed alone.
 */
#ifndef BERTH_SCOPE_H
#define BERTH_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define SCOPE_MAX		32	/* scopes in one request */
#define SCOPE_TEXT_MAX		4096	/* bytes of all scope text together */
#define SCOPE_NAME_MAX		255	/* bytes of a repository name */
#define SCOPE_TYPE_MAX		32
#define SCOPE_ACTIONS_MAX	8	/* actions in one scope */
#define SCOPE_ACTION_LEN	16

/* The actions berth knows, as bits; anything else is SCOPE_A_OTHER. */
enum scope_action {
	SCOPE_A_PULL	= 1 << 0,
	SCOPE_A_PUSH	= 1 << 1,
	SCOPE_A_DELETE	= 1 << 2,
	SCOPE_A_ALL	= 1 << 3,	/* "*" */
	SCOPE_A_OTHER	= 1 << 4,	/* unknown: never granted */
};

enum scope_type {
	SCOPE_T_REPOSITORY,
	SCOPE_T_REGISTRY,
	SCOPE_T_OTHER,			/* never granted */
};

struct scope {
	enum scope_type	 type;
	char		 typestr[SCOPE_TYPE_MAX + 1];	/* as asked, without class */
	char		 name[SCOPE_NAME_MAX + 1];
	bool		 name_valid;	/* a well-formed repository name, or
					   "catalog" for registry; false for
					   other types */
	bool		 name_truncated; /* asked name was over SCOPE_NAME_MAX:
					   name holds its first bytes only,
					   name_valid is false, never merged */
	char		 project[SCOPE_NAME_MAX + 1];	/* first path component
					   of a valid name with two or more;
					   "" otherwise */
	unsigned	 actions;	/* enum scope_action bits asked */
	/* The action strings as asked, known ones only, in order, no repeats. */
	char		 actstr[SCOPE_ACTIONS_MAX][SCOPE_ACTION_LEN + 1];
	size_t		 nact;
};

struct scope_list {
	struct scope	 s[SCOPE_MAX];
	size_t		 n;
	size_t		 textlen;	/* running total against SCOPE_TEXT_MAX */
};

/*
 * Parse one scope parameter (len bytes, possibly several scopes
 * separated by single or repeated spaces) and append to l, merging a
 * scope whose type and name are already in l (actions united).
 * APP_EBADREQ, with a static reason in *why, for: fewer than two colons,
 * an empty type or name, a type, class or action over its length, a
 * malformed class, any byte outside printable ASCII (NUL, control
 * characters, DEL, non-ASCII: the grammar is ASCII, and the scope is
 * echoed into JSON and logs), more than SCOPE_MAX scopes or
 * SCOPE_TEXT_MAX bytes in all (every byte of s counts, spaces too).
 * On an error l is left as it was.  A name that is not a valid
 * repository name is not an error: the scope parses with name_valid
 * false and is granted nothing; a name over SCOPE_NAME_MAX bytes also,
 * with name_truncated set.  Empty action items (",,") are skipped;
 * unknown actions set SCOPE_A_OTHER and are not kept in actstr.
 */
enum app_err	 scope_parse(struct scope_list *l, const char *s, size_t len,
		    const char **why) WUR;

/*
 * Whether name is a repository name as the registry allows it:
 * components of [a-z0-9] joined by '.', '_', '__' or runs of '-', split
 * by single '/', optionally after a host[:port] component; at most
 * SCOPE_NAME_MAX bytes.  Never normalizes.  Stricter than the reference
 * grammar on hosts: lowercase only, no IPv6 literal, and a component
 * holding ':' must be a host:port followed by at least one more
 * component.
 */
bool		 scope_name_valid(const char *name, size_t len);

/* Action bits to strings ("pull", "push", "delete", "*"), in that order,
 * into out; returns how many. */
size_t		 scope_actions_str(unsigned bits, const char *out[4]);

#endif
