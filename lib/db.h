/*
 * db: the process's one PostgreSQL connection.
 *
 * Nothing here ever exits.  The connection is opened on first use and
 * re-opened after it is lost; while the database cannot be reached every
 * call answers APP_EUNAVAIL at once (after a failed attempt the next one
 * waits a short, growing back-off of at most DB_RETRY_MAX_MS), so a
 * flood of requests during an outage costs the database nothing and the
 * service heals by itself when it is back.
 *
 * Every connection is a read-write session (target_session_attrs=
 * read-write, whatever the configured string says): with several hosts
 * libpq picks the primary, and a standby alone is an outage, not a
 * node that reads but cannot write.
 *
 * Each connection runs with the configured statement_timeout and
 * lock_timeout, so a blocked query becomes a 503 well before the web
 * server's FastCGI timeout.  A server that does not answer at all (hung,
 * or its machine gone with the socket still open) is given the statement
 * timeout and DB_GRACE_MS, then the connection is dropped: 503, and the
 * next attempt goes through the host list again.  SQLSTATE is mapped to
 * enum app_err in one place, db_sqlstate_err().
 */
#ifndef BERTH_DB_H
#define BERTH_DB_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "config.h"
#include "err.h"
#include "stmt.h"

#define DB_RETRY_MIN_MS	100
#define DB_RETRY_MAX_MS	1000
#define DB_GRACE_MS	1000	/* past statement_timeout: no answer, drop */

struct db {
	PGconn		*conn;
	const char	*conninfo;
	const char	*appname;
	long		 connect_timeout;	/* seconds */
	long		 statement_timeout;	/* ms */
	long		 lock_timeout;		/* ms */
	bool		 prepared[STMT__MAX];
	bool		 in_xact;
	long long	 retry_at_ms;		/* no attempt before this */
	long		 backoff_ms;
	unsigned long	 connects;		/* successful connects */
	char		 sqlstate[6];		/* of the last failure, or "" */
};

/* Set up from the configuration; does not connect.  appname is shown in
 * pg_stat_activity. */
void		db_init(struct db *, const struct config *, const char *appname);

/* Connect now if not connected (respecting the back-off). */
enum app_err	db_connect(struct db *) WUR;

/*
 * Run a statement of the table with its parameters.  values holds
 * stmt_get(s)->nparams strings; lengths and formats may be NULL (all
 * text) or give binary parameters as libpq does.  On APP_OK *res_new
 * (if res_new is not NULL) is the result, which the caller PQclear()s.
 */
enum app_err	db_exec(struct db *, enum db_stmt s,
		    const char *const *values, const int *lengths,
		    const int *formats, PGresult **res_new) WUR;

/* Transactions around several db_exec calls. */
enum app_err	db_begin(struct db *) WUR;
enum app_err	db_commit(struct db *) WUR;
void		db_rollback(struct db *);

/* The error for a SQLSTATE (five characters, or NULL). */
enum app_err	db_sqlstate_err(const char *sqlstate);

/* Drop the connection (it will be re-opened on next use). */
void		db_close(struct db *);

/* Milliseconds on the monotonic clock. */
long long	db_now_ms(void);

#endif
