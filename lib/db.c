/* db: connection, prepared statements, timeouts, SQLSTATE mapping. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"

long long
db_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
db_init(struct db *db, const struct config *c, const char *appname)
{
	memset(db, 0, sizeof(*db));
	db->conninfo = c->database;
	db->appname = appname;
	db->connect_timeout = c->db_connect_timeout;
	db->statement_timeout = c->db_statement_timeout;
	db->lock_timeout = c->db_lock_timeout;
}

void
db_close(struct db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	db->in_xact = false;
	memset(db->prepared, 0, sizeof(db->prepared));
}

/* First line of a libpq message, for an escaped log line. */
static const char *
pqmsg(const char *m)
{
	static char	 buf[512];
	size_t		 n;

	if (m == NULL)
		return "";
	n = strcspn(m, "\n");
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, m, n);
	buf[n] = '\0';
	return buf;
}

static void
backoff(struct db *db)
{
	db->backoff_ms = db->backoff_ms == 0 ? DB_RETRY_MIN_MS :
	    db->backoff_ms * 2;
	if (db->backoff_ms > DB_RETRY_MAX_MS)
		db->backoff_ms = DB_RETRY_MAX_MS;
	db->retry_at_ms = db_now_ms() + db->backoff_ms;
}

/*
 * The answer to what was just sent, as PQexec would give it (the first
 * error, else the last result; NULL without memory), or NULL with the
 * connection dropped when none came within the statement timeout and
 * DB_GRACE_MS.  The server ends a statement at statement_timeout
 * itself, so silence past that means the server hangs or the network to
 * it is gone, as when a primary's machine dies and its standby is
 * promoted: the socket stays open, and a blocking wait would hold the
 * worker until TCP gives up, many minutes later.  sent is the result of
 * the PQsend* call.
 */
static PGresult *
await(struct db *db, int sent)
{
	long long	 deadline, left;
	PGresult	*res = NULL, *r;
	struct pollfd	 pfd;

	if (!sent)
		return NULL;
	deadline = db_now_ms() + db->statement_timeout + DB_GRACE_MS;
	for (;;) {
		while (PQisBusy(db->conn)) {
			if ((left = deadline - db_now_ms()) <= 0)
				goto timeout;
			/* A broken connection: PQgetResult reports it. */
			if ((pfd.fd = PQsocket(db->conn)) < 0)
				break;
			pfd.events = POLLIN;
			pfd.revents = 0;
			if (poll(&pfd, 1, (int)left) > 0 &&
			    PQconsumeInput(db->conn) == 0)
				break;
		}
		if ((r = PQgetResult(db->conn)) == NULL)
			break;
		if (res != NULL && PQresultStatus(res) == PGRES_FATAL_ERROR)
			PQclear(r);
		else {
			PQclear(res);
			res = r;
		}
	}
	return res;
timeout:
	log_warn("database: no answer within %ld ms, dropping the connection",
	    db->statement_timeout + DB_GRACE_MS);
	PQclear(res);
	db_close(db);
	return NULL;
}

enum app_err
db_connect(struct db *db)
{
	char		 timeout[24], setup[256];
	const char	*kw[6], *val[6];
	PGresult	*res;

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return APP_OK;
	db_close(db);
	if (db_now_ms() < db->retry_at_ms)
		return APP_EUNAVAIL;

	/*
	 * The configured string comes first and is expanded; what follows
	 * overrides it.  Multiple hosts stay the operator's choice, but the
	 * session must accept writes whatever the string says: on a
	 * read-only one (a standby not yet promoted) reads would work and
	 * writes fail, so a node would hand out tokens and answer a wrong
	 * password with 401 while counting no failed login, and call itself
	 * ready.  With read-write, libpq moves on to the next host, and
	 * with none left the node is unavailable until one is promoted.
	 */
	snprintf(timeout, sizeof(timeout), "%ld", db->connect_timeout);
	kw[0] = "dbname";		val[0] = db->conninfo;
	kw[1] = "connect_timeout";	val[1] = timeout;
	kw[2] = "application_name";	val[2] = db->appname;
	kw[3] = "keepalives_idle";	val[3] = "30";
	kw[4] = "target_session_attrs";	val[4] = "read-write";
	kw[5] = NULL;			val[5] = NULL;
	db->conn = PQconnectdbParams(kw, val, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		/* The connection string may hold a password: never log it. */
		log_warn("database connection failed: %s",
		    db->conn ? pqmsg(PQerrorMessage(db->conn)) : "out of memory");
		db_close(db);
		backoff(db);
		return APP_EUNAVAIL;
	}

	/*
	 * Integers from the validated configuration, not request text.
	 * Generic plans: every statement berth prepares finds its rows by
	 * keys, and PostgreSQL's own choice keeps planning some of them
	 * again at every execution (the token endpoint's, whose estimated
	 * generic cost is a little above a custom plan's), which costs
	 * more than running them.
	 */
	snprintf(setup, sizeof(setup),
	    "SET statement_timeout = %ld; SET lock_timeout = %ld;"
	    " SET idle_in_transaction_session_timeout = %ld;"
	    " SET plan_cache_mode = force_generic_plan",
	    db->statement_timeout, db->lock_timeout,
	    db->statement_timeout * 2);
	res = await(db, PQsendQuery(db->conn, setup));
	if (db->conn == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_warn("database session setup failed: %s", db->conn ?
		    pqmsg(PQerrorMessage(db->conn)) : "no answer");
		PQclear(res);
		db_close(db);
		backoff(db);
		return APP_EUNAVAIL;
	}
	PQclear(res);
	db->backoff_ms = 0;
	db->retry_at_ms = 0;
	db->connects++;
	log_debug("database connected");
	return APP_OK;
}

enum app_err
db_sqlstate_err(const char *s)
{
	if (s == NULL || strlen(s) != 5)
		return APP_EUNAVAIL;	/* no SQLSTATE: the connection broke */
	if (strncmp(s, "08", 2) == 0 ||		/* connection exception */
	    strncmp(s, "53", 2) == 0 ||		/* insufficient resources */
	    strncmp(s, "57", 2) == 0 ||		/* canceled, shutting down */
	    strncmp(s, "40", 2) == 0 ||		/* serialization, deadlock */
	    strcmp(s, "55P03") == 0 ||		/* lock_not_available */
	    strcmp(s, "25006") == 0 ||		/* read-only: a standby */
	    strcmp(s, "42P01") == 0 ||		/* undefined table: not migrated */
	    strcmp(s, "42703") == 0)		/* undefined column: schema behind */
		return APP_EUNAVAIL;
	if (strcmp(s, "23505") == 0 ||		/* unique_violation */
	    strcmp(s, "23503") == 0)		/* foreign_key_violation */
		return APP_ECONFLICT;
	if (strncmp(s, "22", 2) == 0 ||		/* data exception */
	    strcmp(s, "23514") == 0 ||		/* check_violation */
	    strcmp(s, "23502") == 0)		/* not_null_violation */
		return APP_EBADREQ;
	return APP_EINTERNAL;
}

/*
 * Map a failed result to an error, log the cause, and drop the
 * connection when it is no use any more (broken, or a standby that a
 * multi-host connection string should move away from).
 */
static enum app_err
fail(struct db *db, const struct stmt *st, PGresult *res)
{
	const char	*state = res ? PQresultErrorField(res,
			    PG_DIAG_SQLSTATE) : NULL;
	enum app_err	 rc = db_sqlstate_err(state);

	/*
	 * No SQLSTATE on a connection that is still up: libpq failed on
	 * this side ("out of memory for query result").  Not an outage: a
	 * 503 and a health probe saying "database unreachable" would both
	 * be wrong.
	 */
	if (state == NULL && PQstatus(db->conn) == CONNECTION_OK)
		rc = APP_EINTERNAL;

	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s",
	    state != NULL ? state : "");
	log_warn("database: %s: %s %s", st ? st->name : "-",
	    state ? state : "-", pqmsg(res ? PQresultErrorMessage(res) :
	    PQerrorMessage(db->conn)));
	if (PQstatus(db->conn) != CONNECTION_OK ||
	    (state != NULL && (strncmp(state, "08", 2) == 0 ||
	    strcmp(state, "25006") == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0)))
		db_close(db);
	return rc;
}

static enum app_err
prepare(struct db *db, enum db_stmt s, const struct stmt *st)
{
	PGresult	*res;
	enum app_err	 rc;

	if (db->prepared[s])
		return APP_OK;
	res = await(db, PQsendPrepare(db->conn, st->name, st->sql, 0, NULL));
	if (db->conn == NULL)
		return APP_EUNAVAIL;	/* no answer: dropped */
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = fail(db, st, res);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	db->prepared[s] = true;
	return APP_OK;
}

static enum app_err
exec_once(struct db *db, enum db_stmt s, const struct stmt *st,
    const char *const *values, const int *lengths, const int *formats,
    PGresult **res_new)
{
	PGresult	*res;
	enum app_err	 rc;
	ExecStatusType	 est;

	if ((rc = db_connect(db)) != APP_OK)
		return rc;
	if ((rc = prepare(db, s, st)) != APP_OK)
		return rc;
	res = await(db, PQsendQueryPrepared(db->conn, st->name, st->nparams,
	    values, lengths, formats, 0));
	if (db->conn == NULL)
		return APP_EUNAVAIL;	/* no answer: dropped */
	est = PQresultStatus(res);
	if (est != PGRES_TUPLES_OK && est != PGRES_COMMAND_OK) {
		rc = fail(db, st, res);
		PQclear(res);
		return rc;
	}
	if (res_new != NULL)
		*res_new = res;
	else
		PQclear(res);
	return APP_OK;
}

enum app_err
db_exec(struct db *db, enum db_stmt s, const char *const *values,
    const int *lengths, const int *formats, PGresult **res_new)
{
	const struct stmt	*st = stmt_get(s);
	bool			 had_conn = db->conn != NULL;
	enum app_err		 rc;

	if (res_new != NULL)
		*res_new = NULL;
	db->sqlstate[0] = '\0';
	if (st == NULL)
		return APP_EINTERNAL;
	rc = exec_once(db, s, st, values, lengths, formats, res_new);
	/*
	 * A connection that died while idle (the server restarted, a
	 * failover) is only noticed when used.  A read outside a
	 * transaction can safely run again on a new one; a write cannot, as
	 * it may have committed.
	 */
	if (rc == APP_EUNAVAIL && had_conn && db->conn == NULL &&
	    st->readonly && !db->in_xact) {
		db->retry_at_ms = 0;
		rc = exec_once(db, s, st, values, lengths, formats, res_new);
	}
	return rc;
}

static enum app_err
simple(struct db *db, const char *sql)
{
	PGresult	*res;
	enum app_err	 rc = APP_OK;

	if (db->conn == NULL)
		return APP_EUNAVAIL;
	res = await(db, PQsendQuery(db->conn, sql));
	if (db->conn == NULL)
		return APP_EUNAVAIL;	/* no answer: dropped */
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = fail(db, NULL, res);
	PQclear(res);
	return rc;
}

enum app_err
db_begin(struct db *db)
{
	enum app_err	 rc;

	if ((rc = db_connect(db)) != APP_OK)
		return rc;
	if ((rc = simple(db, "BEGIN")) == APP_OK)
		db->in_xact = true;
	return rc;
}

enum app_err
db_commit(struct db *db)
{
	enum app_err	 rc = simple(db, "COMMIT");

	db->in_xact = false;
	return rc;
}

void
db_rollback(struct db *db)
{
	if (db->conn != NULL && db->in_xact)
		(void)simple(db, "ROLLBACK");
	db->in_xact = false;
}
