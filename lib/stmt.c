/* stmt: the SQL of berth, one row per statement. */
#include <stddef.h>

#include "stmt.h"

static const struct stmt stmts[STMT__MAX] = {
	/*
	 * One round trip for the health endpoint: the database's clock
	 * (for the offset), the schema version, and the active key id.
	 * Fails with 42P01 before the first migration, which the caller
	 * reads as "reachable, schema missing".
	 */
	[STMT_HEALTH_PROBE] = { "health_probe",
	    "SELECT extract(epoch FROM clock_timestamp())::float8,"
	    " (SELECT coalesce(max(version), 0) FROM schema_migrations),"
	    " (SELECT kid FROM signing_keys WHERE state = 'active')",
	    0, 1 },
	[STMT_ADVISORY_XACT_LOCK] = { "advisory_xact_lock",
	    "SELECT pg_advisory_xact_lock($1::bigint)", 1, 0 },
	/* Every key a registry may need to trust, newest first. */
	[STMT_KEYS_LOAD] = { "keys_load",
	    "SELECT kid, alg, state, certificate, private_key"
	    " FROM signing_keys"
	    " WHERE state IN ('next', 'active', 'retiring')"
	    " ORDER BY key_id DESC", 0, 1 },
	[STMT_KEY_ACTIVE_EXISTS] = { "key_active_exists",
	    "SELECT kid FROM signing_keys WHERE state = 'active'", 0, 1 },
	[STMT_KEY_INSERT] = { "key_insert",
	    "INSERT INTO signing_keys (kid, alg, state, certificate,"
	    " private_key, activated_at)"
	    " VALUES ($1, $2, $3, $4, $5::bytea,"
	    "  CASE WHEN $3 = 'active' THEN now() END)", 5, 0 },
	/*
	 * The first account of an empty database, and only then: a node
	 * joining an initialized cluster must change nothing.
	 */
	[STMT_ADMIN_CREATE] = { "admin_create",
	    "INSERT INTO users (username, password_hash, sysadmin, comment)"
	    " SELECT $1, $2, true, 'created by berthctl init'"
	    " WHERE NOT EXISTS (SELECT 1 FROM users)"
	    " ON CONFLICT (username) DO NOTHING"
	    " RETURNING user_id", 2, 0 },
};

const struct stmt *
stmt_get(enum db_stmt s)
{
	return (unsigned)s < STMT__MAX ? &stmts[s] : NULL;
}
