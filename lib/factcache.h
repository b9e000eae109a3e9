/*
 * factcache: a token worker's memory of the project facts it has read
 * (whether a project exists, whether it is public, a caller's role in
 * it), all of one authorization epoch (sql/0002_authz_epoch.sql).
 *
 * Every change to projects or memberships raises the epoch in its own
 * transaction, and every token request reads the epoch in its first
 * statement; factcache_sync with an epoch other than the remembered one
 * forgets everything.  So a fact served from here is never older than
 * the request's own read of the database, on any node.  The caller's
 * own row (disabled, sysadmin, password) is never cached: it is read
 * with the epoch.
 *
 * Keyed by (user_id, project name); user_id 0 is anonymous.  Bounded
 * (FACTCACHE_SLOTS, direct-mapped: a newer entry replaces an older one
 * in its slot); a name longer than FACTCACHE_NAME_MAX is never kept.
 */
#ifndef BERTH_FACTCACHE_H
#define BERTH_FACTCACHE_H

#include <limits.h>
#include <stdbool.h>

#include "authz.h"

#define FACTCACHE_SLOTS		4096
#define FACTCACHE_NAME_MAX	63
/* No epoch known (its row missing): nothing is kept until there is one. */
#define FACTCACHE_NO_EPOCH	LLONG_MIN

struct fact {
	bool		 exists;
	bool		 public;
	enum authz_role	 role;
};

/* Remember facts of epoch from now on: another epoch forgets all;
 * FACTCACHE_NO_EPOCH forgets all and keeps nothing. */
void	factcache_sync(long long epoch);

/* The facts of (user_id, project) of the current epoch, if kept. */
bool	factcache_get(long long user_id, const char *project, struct fact *);

/* Keep the facts of (user_id, project), read at the current epoch. */
void	factcache_put(long long user_id, const char *project,
	    const struct fact *);

/* Forget everything (tests). */
void	factcache_clear(void);

#endif
