/*
 * stmt: every SQL statement berth runs, in one table (lib/stmt.c).
 *
 * Each is prepared once per connection, on first use, and run with
 * PQexecPrepared; parameters are $n placeholders, never text pasted
 * into SQL.  A statement marked read-only may be retried once on a new
 * connection when the old one was lost before it ran.
 */
#ifndef BERTH_STMT_H
#define BERTH_STMT_H

enum db_stmt {
	STMT_HEALTH_PROBE,
	STMT_ADVISORY_XACT_LOCK,
	STMT_KEYS_LOAD,
	STMT_KEY_ACTIVE_EXISTS,
	STMT_KEY_INSERT,
	STMT_ADMIN_CREATE,
	STMT_TOKEN_USER,
	STMT_TOKEN_ANON,
	STMT_TOKEN_ROBOT,
	STMT_TOKEN_REFRESH,
	STMT_LOGIN_FAILED,
	STMT_LOGIN_RESET,
	STMT_PASSWORD_UPGRADE,
	STMT_SESSION_INSERT,
	STMT__MAX
};

struct stmt {
	const char	*name;		/* prepared statement name */
	const char	*sql;
	int		 nparams;
	int		 readonly;	/* safe to retry on a new connection */
};

const struct stmt	*stmt_get(enum db_stmt);

/* Advisory lock keys (pg_advisory_xact_lock), one per purpose. */
#define LOCK_KEY_INIT	7263846201LL	/* creating the first signing key */

#endif
