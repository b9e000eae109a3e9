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

	/*
	 * The token endpoint: everything a request needs in one round trip.
	 * $2 (or $3) is the text[] of the projects the scopes name; their
	 * facts come back as one JSON array of [name, public, role].  One
	 * row always, with user_id NULL for an unknown name.
	 */
	[STMT_TOKEN_USER] = { "token_user",
	    "SELECT u.user_id, u.password_hash, u.sysadmin, u.disabled,"
	    " coalesce(f.failures, 0), coalesce(f.locked_until > now(), false),"
	    " (SELECT coalesce(json_agg(json_build_array(p.name, p.public,"
	    "   m.role)), '[]') FROM projects p"
	    "  LEFT JOIN project_members m ON m.project_id = p.project_id"
	    "   AND m.user_id = u.user_id"
	    "  WHERE p.name = ANY ($2::text[]))"
	    " FROM (SELECT $1::text AS name) q"
	    " LEFT JOIN users u ON u.username = q.name"
	    " LEFT JOIN login_failures f ON f.username = q.name", 2, 1 },
	[STMT_TOKEN_ANON] = { "token_anon",
	    "SELECT coalesce(json_agg(json_build_array(p.name, p.public, NULL)),"
	    " '[]') FROM projects p WHERE p.name = ANY ($1::text[])", 1, 1 },
	/*
	 * A robot by its name and project ('' for a system robot), its
	 * permissions as [kind, namespace, project name, resource, action],
	 * and which of the projects asked for are public.
	 */
	[STMT_TOKEN_ROBOT] = { "token_robot",
	    "SELECT r.robot_id, r.secret_sha256, r.disabled,"
	    " (r.expires_at IS NOT NULL AND r.expires_at <= now()),"
	    " (SELECT coalesce(json_agg(json_build_array(rp.kind, rp.namespace,"
	    "   pp.name, rp.resource, rp.action)), '[]')"
	    "  FROM robot_permissions rp"
	    "  LEFT JOIN projects pp ON pp.project_id = rp.project_id"
	    "  WHERE rp.robot_id = r.robot_id),"
	    " (SELECT coalesce(json_agg(json_build_array(p.name, p.public,"
	    "   NULL)), '[]') FROM projects p WHERE p.name = ANY ($3::text[]))"
	    " FROM robots r LEFT JOIN projects rpj ON rpj.project_id = r.project_id"
	    " WHERE r.name = $1 AND coalesce(rpj.name, '') = $2", 3, 1 },
	/*
	 * A refresh token: valid only while unrevoked, unexpired, for the
	 * same service, its user enabled and its password unchanged since.
	 */
	[STMT_TOKEN_REFRESH] = { "token_refresh",
	    "SELECT s.session_id, s.service, u.user_id, u.username, u.sysadmin,"
	    " (s.revoked_at IS NULL AND s.expires_at > now() AND NOT u.disabled"
	    "  AND s.created_at >= u.password_changed_at),"
	    " (SELECT coalesce(json_agg(json_build_array(p.name, p.public,"
	    "   m.role)), '[]') FROM projects p"
	    "  LEFT JOIN project_members m ON m.project_id = p.project_id"
	    "   AND m.user_id = u.user_id"
	    "  WHERE p.name = ANY ($2::text[]))"
	    " FROM sessions s JOIN users u ON u.user_id = s.user_id"
	    " WHERE s.token_sha256 = $1::bytea", 2, 1 },
	/*
	 * Count a failed login; lock the account once the count reaches
	 * $2, for $3 seconds.  A lockout that has run out starts the count
	 * again.
	 */
	[STMT_LOGIN_FAILED] = { "login_failed",
	    "INSERT INTO login_failures AS f (username, failures, locked_until)"
	    " VALUES ($1, 1, CASE WHEN $2::int <= 1"
	    "  THEN now() + make_interval(secs => $3::int) END)"
	    " ON CONFLICT (username) DO UPDATE SET"
	    "  failures = CASE WHEN f.locked_until <= now() THEN 1"
	    "   ELSE f.failures + 1 END,"
	    "  last_failure_at = now(),"
	    "  locked_until = CASE WHEN (CASE WHEN f.locked_until <= now()"
	    "   THEN 1 ELSE f.failures + 1 END) >= $2::int"
	    "   THEN now() + make_interval(secs => $3::int) END", 3, 0 },
	[STMT_LOGIN_RESET] = { "login_reset",
	    "DELETE FROM login_failures WHERE username = $1", 1, 0 },
	/* A stronger hash for the same password: no session is revoked. */
	[STMT_PASSWORD_UPGRADE] = { "password_upgrade",
	    "UPDATE users SET password_hash = $2"
	    " WHERE user_id = $1 AND password_hash = $3", 3, 0 },
	[STMT_SESSION_INSERT] = { "session_insert",
	    "INSERT INTO sessions (token_sha256, user_id, service, client_id,"
	    " expires_at)"
	    " VALUES ($1::bytea, $2, $3, $4, now() + make_interval(secs => $5::int))"
	    " RETURNING session_id", 5, 0 },
};

const struct stmt *
stmt_get(enum db_stmt s)
{
	return (unsigned)s < STMT__MAX ? &stmts[s] : NULL;
}
