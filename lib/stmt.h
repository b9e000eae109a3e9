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
	STMT_TOKEN_FACTS,
	STMT_TOKEN_ROBOT,
	STMT_TOKEN_REFRESH,
	STMT_LOGIN_FAILED,
	STMT_LOGIN_RESET,
	STMT_PASSWORD_UPGRADE,
	STMT_SESSION_INSERT,
	STMT_KEYS_LIST,
	STMT_KEY_NEXT_EXISTS,
	STMT_KEY_DEMOTE_ACTIVE,
	STMT_KEY_PROMOTE_NEXT,
	STMT_KEY_RETIRE,
	STMT_KEY_RETIRING_YOUNG,
	/* The admin API. */
	STMT_ADMIN_CALLER,
	STMT_AUDIT_INSERT,
	STMT_USER_GET,
	STMT_USER_HASH,
	STMT_USER_INSERT,
	STMT_USER_LIST,
	STMT_USER_SEARCH,
	STMT_USER_UPDATE,
	STMT_USER_DELETE,
	STMT_USER_PASSWORD,
	STMT_USER_SYSADMIN,
	STMT_USER_DISABLE,
	STMT_SESSIONS_REVOKE_USER,
	STMT_PROJECT_GET,
	STMT_PROJECT_EXISTS,
	STMT_PROJECT_INSERT,
	STMT_PROJECT_LIST,
	STMT_PROJECT_UPDATE,
	STMT_PROJECT_DELETE,
	STMT_MEMBER_LIST,
	STMT_MEMBER_GET,
	STMT_MEMBER_INSERT,
	STMT_MEMBER_UPDATE,
	STMT_MEMBER_DELETE,
	STMT_ROBOT_GET,
	STMT_ROBOT_LIST,
	STMT_ROBOT_INSERT,
	STMT_ROBOT_PERM_INSERT,
	STMT_ROBOT_PERMS_CLEAR,
	STMT_ROBOT_UPDATE,
	STMT_ROBOT_SECRET,
	STMT_ROBOT_DELETE,
	STMT_SESSION_LIST,
	STMT_SESSION_REVOKE,
	STMT_KEYS_ADMIN_LIST,
	STMT_AUDIT_LIST,
	/* berthctl import-htpasswd and import-harbor (lib/import.c). */
	STMT_IMPORT_USER,
	STMT_IMPORT_USER_ID,
	STMT_IMPORT_USER_REHASH,
	STMT_IMPORT_PROJECT,
	STMT_IMPORT_MEMBER,
	STMT_IMPORT_ROBOT,
	STMT_HARBOR_DUMP,		/* run on the Harbor database */
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
