/* stmt: the SQL of berth, one row per statement. */
#include <stddef.h>

#include "stmt.h"

/* Times as Harbor writes them: RFC 3339, UTC, milliseconds. */
#define TS(col) "to_char(" col " AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* Harbor's UserResp, plus berth's "disabled"; u is the users row. */
#define USER_JSON "json_build_object('user_id', u.user_id," \
	" 'username', u.username, 'email', coalesce(u.email, '')," \
	" 'realname', u.realname, 'comment', u.comment," \
	" 'sysadmin_flag', u.sysadmin, 'admin_role_in_auth', false," \
	" 'disabled', u.disabled," \
	" 'creation_time', " TS("u.creation_time") "," \
	" 'update_time', " TS("u.update_time") ")"

/*
 * Harbor's Project; p is the projects row, u its owner, role the
 * caller's role there (NULL: none).  berth keeps no repositories.
 */
#define PROJECT_JSON(role) "json_build_object('project_id', p.project_id," \
	" 'name', p.name, 'owner_id', coalesce(p.owner_id, 0)," \
	" 'owner_name', coalesce(u.username, '')," \
	" 'creation_time', " TS("p.creation_time") "," \
	" 'update_time', " TS("p.update_time") "," \
	" 'deleted', false, 'repo_count', 0," \
	" 'metadata', json_build_object('public'," \
	"  CASE WHEN p.public THEN 'true' ELSE 'false' END)," \
	" 'current_user_role_id', coalesce(" role ", 0)," \
	" 'current_user_role_ids', CASE WHEN " role " IS NULL" \
	"  THEN '[]'::json ELSE json_build_array(" role ") END)"

/* Harbor's ProjectMemberEntity; m is the project_members row. */
#define MEMBER_JSON(name) "json_build_object('id', m.member_id," \
	" 'project_id', m.project_id, 'entity_name', " name "," \
	" 'role_name', CASE m.role WHEN 1 THEN 'projectAdmin'" \
	"  WHEN 2 THEN 'developer' WHEN 3 THEN 'guest'" \
	"  WHEN 4 THEN 'maintainer' WHEN 5 THEN 'limitedGuest' END," \
	" 'role_id', m.role, 'entity_id', m.user_id, 'entity_type', 'u')"

/*
 * Harbor's Robot; r is the robots row, p its project (NULL for a system
 * robot).  The name is the login name; expires_at is Unix seconds, -1
 * for never; permissions group the rows by kind and namespace.  Never
 * the secret.
 */
#define ROBOT_JSON "json_build_object('id', r.robot_id," \
	" 'name', 'robot$' || CASE WHEN p.name IS NULL THEN r.name" \
	"  ELSE p.name || '+' || r.name END," \
	" 'description', r.description," \
	" 'level', CASE WHEN r.project_id IS NULL THEN 'system'" \
	"  ELSE 'project' END," \
	" 'duration', r.duration, 'editable', true, 'disable', r.disabled," \
	" 'expires_at', coalesce(extract(epoch FROM r.expires_at)::bigint, -1)," \
	" 'permissions', (SELECT coalesce(json_agg(json_build_object(" \
	"   'kind', x.kind, 'namespace', x.namespace, 'access', x.access)" \
	"   ORDER BY x.namespace), '[]') FROM (SELECT rp.kind, rp.namespace," \
	"   json_agg(json_build_object('resource', rp.resource," \
	"    'action', rp.action, 'effect', 'allow')" \
	"    ORDER BY rp.resource, rp.action) AS access" \
	"   FROM robot_permissions rp WHERE rp.robot_id = r.robot_id" \
	"   GROUP BY rp.kind, rp.namespace) x)," \
	" 'creation_time', " TS("r.creation_time") "," \
	" 'update_time', " TS("r.update_time") ")"

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
	 * The token endpoint.  A request is answered from one statement: the
	 * caller's row (a user by name, a refresh token's session and user,
	 * or nothing when anonymous) and the authorization epoch
	 * (sql/0002_authz_epoch.sql).  The facts of the projects the scopes
	 * name come from the worker's memory of that epoch
	 * (lib/factcache.h), or, when it has not seen them, from
	 * token_facts: a second statement, once per worker per project and
	 * caller until the next change.  Every lookup is by a unique key, so
	 * the one generic plan every session uses (plan_cache_mode,
	 * lib/db.c) is an index scan at any table size.
	 */
	/*
	 * One row, user_id NULL for an unknown name; the epoch last (NULL,
	 * never no row, should its row be missing: then nothing is
	 * remembered).
	 */
	[STMT_TOKEN_USER] = { "token_user",
	    "SELECT u.user_id, u.password_hash, u.sysadmin, u.disabled,"
	    " coalesce(f.failures, 0), coalesce(f.locked_until > now(), false),"
	    " e.epoch"
	    " FROM (SELECT $1::text AS name) q LEFT JOIN authz_epoch e ON true"
	    " LEFT JOIN users u ON u.username = q.name"
	    " LEFT JOIN login_failures f ON f.username = q.name", 1, 1 },
	/* No caller: the epoch alone, one row. */
	[STMT_TOKEN_ANON] = { "token_anon",
	    "SELECT (SELECT epoch FROM authz_epoch)", 0, 1 },
	/*
	 * $1 the text[] of the projects the scopes name, $2 the caller's
	 * user_id (NULL: anonymous, a robot).  The epoch, then a row per
	 * project that exists: its name, public flag and the user's role (or
	 * NULL), always the last three columns (cgi-bin/token.c); one row
	 * with a NULL name when none does.  The epoch is of the same
	 * snapshot as the facts.
	 */
	[STMT_TOKEN_FACTS] = { "token_facts",
	    "SELECT (SELECT epoch FROM authz_epoch), p.name, p.public,"
	    " (SELECT m.role FROM project_members m"
	    "  WHERE m.project_id = p.project_id AND m.user_id = $2::bigint)"
	    " FROM (SELECT $1::text[] AS names) q"
	    " LEFT JOIN projects p ON p.name = ANY (q.names)", 2, 1 },
	/*
	 * A robot by its name and project ('' for a system robot), its
	 * permissions as [kind, namespace, project name, resource, action]
	 * (JSON: robots are not the hot path), then the facts, read each
	 * time.  No row for an unknown robot.
	 */
	[STMT_TOKEN_ROBOT] = { "token_robot",
	    "SELECT r.robot_id, r.secret_sha256, r.disabled,"
	    " (r.expires_at IS NOT NULL AND r.expires_at <= now()),"
	    " (SELECT coalesce(json_agg(json_build_array(rp.kind, rp.namespace,"
	    "   pp.name, rp.resource, rp.action)), '[]')"
	    "  FROM robot_permissions rp"
	    "  LEFT JOIN projects pp ON pp.project_id = rp.project_id"
	    "  WHERE rp.robot_id = r.robot_id),"
	    " p.name, p.public, NULL::int"
	    " FROM robots r LEFT JOIN projects rpj ON rpj.project_id = r.project_id"
	    " LEFT JOIN projects p ON p.name = ANY ($3::text[])"
	    " WHERE r.name = $1 AND coalesce(rpj.name, '') = $2", 3, 1 },
	/*
	 * A refresh token: valid only while unrevoked, unexpired, for the
	 * same service, its user enabled and its password unchanged since.
	 * No row for an unknown token; the epoch last.
	 */
	[STMT_TOKEN_REFRESH] = { "token_refresh",
	    "SELECT s.session_id, s.service, u.user_id, u.username, u.sysadmin,"
	    " (s.revoked_at IS NULL AND s.expires_at > now() AND NOT u.disabled"
	    "  AND s.created_at >= u.password_changed_at), e.epoch"
	    " FROM sessions s JOIN users u ON u.user_id = s.user_id"
	    " LEFT JOIN authz_epoch e ON true"
	    " WHERE s.token_sha256 = $1::bytea", 1, 1 },
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

	/*
	 * Key rotation (lib/keystore.c), each step under the keys' advisory
	 * lock.  retired_at is when a key stopped signing: it stays
	 * published ('retiring') until every token it signed has expired.
	 */
	[STMT_KEYS_LIST] = { "keys_list",
	    "SELECT kid, alg, state, created_at, coalesce(retired_at,"
	    " activated_at) FROM signing_keys ORDER BY key_id", 0, 1 },
	[STMT_KEY_NEXT_EXISTS] = { "key_next_exists",
	    "SELECT kid FROM signing_keys WHERE state = 'next'", 0, 1 },
	[STMT_KEY_DEMOTE_ACTIVE] = { "key_demote_active",
	    "UPDATE signing_keys SET state = 'retiring', retired_at = now()"
	    " WHERE state = 'active'", 0, 0 },
	[STMT_KEY_PROMOTE_NEXT] = { "key_promote_next",
	    "UPDATE signing_keys SET state = 'active', activated_at = now()"
	    " WHERE state = 'next' RETURNING kid", 0, 0 },
	[STMT_KEY_RETIRE] = { "key_retire",
	    "UPDATE signing_keys SET state = 'retired'"
	    " WHERE state = 'retiring'"
	    " AND retired_at <= now() - make_interval(secs => $1::int)"
	    " RETURNING kid", 1, 0 },
	[STMT_KEY_RETIRING_YOUNG] = { "key_retiring_young",
	    "SELECT kid FROM signing_keys WHERE state = 'retiring'"
	    " AND retired_at > now() - make_interval(secs => $1::int)", 1, 1 },
	/*
	 * The admin API.  Answers are built as JSON by the database, with
	 * Harbor's field names, so that the C side only passes them on.
	 * Sorting goes through CASE on an allow-listed key the handler
	 * chose, never a column named by the request.
	 */
	/* The caller's account, for login_verify; one row always. */
	[STMT_ADMIN_CALLER] = { "admin_caller",
	    "SELECT u.user_id, u.password_hash, u.sysadmin, u.disabled,"
	    " coalesce(f.failures, 0), coalesce(f.locked_until > now(), false)"
	    " FROM (SELECT $1::text AS name) q"
	    " LEFT JOIN users u ON u.username = q.name"
	    " LEFT JOIN login_failures f ON f.username = q.name", 1, 1 },
	[STMT_AUDIT_INSERT] = { "audit_insert",
	    "INSERT INTO audit_log (actor, action, resource_type, resource,"
	    " detail, remote_addr, request_id)"
	    " VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)", 7, 0 },
	[STMT_USER_GET] = { "user_get",
	    "SELECT " USER_JSON " FROM users u WHERE u.user_id = $1", 1, 1 },
	[STMT_USER_HASH] = { "user_hash",
	    "SELECT password_hash, username FROM users WHERE user_id = $1",
	    1, 1 },
	[STMT_USER_INSERT] = { "user_insert",
	    "INSERT INTO users (username, email, realname, comment,"
	    " password_hash) VALUES ($1, nullif($2, ''), $3, $4, $5)"
	    " RETURNING user_id", 5, 0 },
	/* $1 a LIKE pattern or NULL, $2 the sort key, $3 limit, $4 offset. */
	[STMT_USER_LIST] = { "user_list",
	    "WITH f AS (SELECT * FROM users"
	    "  WHERE $1::text IS NULL OR username LIKE $1 ESCAPE '\\'),"
	    " o AS (SELECT f.*, row_number() OVER (ORDER BY"
	    "  CASE WHEN $2 = 'username' THEN username END,"
	    "  CASE WHEN $2 = '-username' THEN username END DESC,"
	    "  CASE WHEN $2 = 'creation_time' THEN creation_time END,"
	    "  CASE WHEN $2 = '-creation_time' THEN creation_time END DESC,"
	    "  user_id) AS ord FROM f)"
	    " SELECT (SELECT count(*) FROM f),"
	    " coalesce((SELECT json_agg(" USER_JSON " ORDER BY u.ord) FROM o u"
	    "  WHERE u.ord > $4::bigint AND u.ord <= $4::bigint + $3::bigint),"
	    "  '[]')", 4, 1 },
	[STMT_USER_SEARCH] = { "user_search",
	    "WITH f AS (SELECT user_id, username FROM users"
	    "  WHERE username LIKE $1 ESCAPE '\\'),"
	    " o AS (SELECT f.*, row_number() OVER (ORDER BY username) AS ord"
	    "  FROM f)"
	    " SELECT (SELECT count(*) FROM f),"
	    " coalesce((SELECT json_agg(json_build_object('user_id', user_id,"
	    "  'username', username) ORDER BY ord) FROM o"
	    "  WHERE ord > $3::bigint AND ord <= $3::bigint + $2::bigint),"
	    "  '[]')", 3, 1 },
	/* A field given as NULL keeps its value; an empty email clears it. */
	[STMT_USER_UPDATE] = { "user_update",
	    "UPDATE users SET"
	    " email = CASE WHEN $2::text IS NULL THEN email"
	    "  ELSE nullif($2, '') END,"
	    " realname = coalesce($3, realname),"
	    " comment = coalesce($4, comment), update_time = now()"
	    " WHERE user_id = $1 RETURNING username", 4, 0 },
	[STMT_USER_DELETE] = { "user_delete",
	    "DELETE FROM users WHERE user_id = $1 RETURNING username", 1, 0 },
	/* A new password ends every refresh token issued before it. */
	[STMT_USER_PASSWORD] = { "user_password",
	    "UPDATE users SET password_hash = $2, password_changed_at = now(),"
	    " update_time = now() WHERE user_id = $1 RETURNING username",
	    2, 0 },
	[STMT_USER_SYSADMIN] = { "user_sysadmin",
	    "UPDATE users SET sysadmin = $2::boolean, update_time = now()"
	    " WHERE user_id = $1 RETURNING username", 2, 0 },
	[STMT_USER_DISABLE] = { "user_disable",
	    "UPDATE users SET disabled = $2::boolean, update_time = now()"
	    " WHERE user_id = $1 RETURNING username", 2, 0 },
	[STMT_SESSIONS_REVOKE_USER] = { "sessions_revoke_user",
	    "UPDATE sessions SET revoked_at = now()"
	    " WHERE user_id = $1 AND revoked_at IS NULL", 1, 0 },
	/*
	 * A project by id ($1) or name ($2), with the role of the caller
	 * ($3) in it: project_id, public, role, name, the JSON.
	 */
	[STMT_PROJECT_GET] = { "project_get",
	    "SELECT p.project_id, p.public, m.role, p.name, "
	    PROJECT_JSON("m.role") " FROM projects p"
	    " LEFT JOIN users u ON u.user_id = p.owner_id"
	    " LEFT JOIN project_members m ON m.project_id = p.project_id"
	    "  AND m.user_id = $3::bigint"
	    " WHERE p.project_id = $1::bigint OR p.name = $2::text", 3, 1 },
	[STMT_PROJECT_EXISTS] = { "project_exists",
	    "SELECT 1 FROM projects WHERE name = $1", 1, 1 },
	/* The creator becomes the projectAdmin, in the same statement. */
	[STMT_PROJECT_INSERT] = { "project_insert",
	    "WITH p AS (INSERT INTO projects (name, public, owner_id)"
	    "  VALUES ($1, $2::boolean, $3::bigint) RETURNING project_id),"
	    " m AS (INSERT INTO project_members (project_id, user_id, role)"
	    "  SELECT project_id, $3::bigint, 1 FROM p)"
	    " SELECT project_id FROM p", 3, 0 },
	/*
	 * The projects the caller ($3, sysadmin $4) may see, filtered by a
	 * name pattern ($1) and publicity ($2), sorted by $5, paged by $6
	 * and $7.
	 */
	[STMT_PROJECT_LIST] = { "project_list",
	    "WITH f AS (SELECT p.*, m.role FROM projects p"
	    "  LEFT JOIN project_members m ON m.project_id = p.project_id"
	    "   AND m.user_id = $3::bigint"
	    "  WHERE ($4::boolean OR p.public OR m.role IS NOT NULL)"
	    "  AND ($1::text IS NULL OR p.name LIKE $1 ESCAPE '\\')"
	    "  AND ($2::boolean IS NULL OR p.public = $2::boolean)),"
	    " o AS (SELECT f.*, row_number() OVER (ORDER BY"
	    "  CASE WHEN $5 = 'name' THEN name END,"
	    "  CASE WHEN $5 = '-name' THEN name END DESC,"
	    "  CASE WHEN $5 = 'creation_time' THEN creation_time END,"
	    "  CASE WHEN $5 = '-creation_time' THEN creation_time END DESC,"
	    "  project_id) AS ord FROM f)"
	    " SELECT (SELECT count(*) FROM f),"
	    " coalesce((SELECT json_agg(" PROJECT_JSON("p.role")
	    "  ORDER BY p.ord) FROM o p"
	    "  LEFT JOIN users u ON u.user_id = p.owner_id"
	    "  WHERE p.ord > $7::bigint AND p.ord <= $7::bigint + $6::bigint),"
	    "  '[]')", 7, 1 },
	[STMT_PROJECT_UPDATE] = { "project_update",
	    "UPDATE projects SET public = $2::boolean, update_time = now()"
	    " WHERE project_id = $1", 2, 0 },
	/* Members, robots and their permissions go with it (ON DELETE CASCADE). */
	[STMT_PROJECT_DELETE] = { "project_delete",
	    "DELETE FROM projects WHERE project_id = $1 RETURNING name", 1, 0 },
	/* $1 project, $2 entity name pattern or NULL, $3 limit, $4 offset. */
	[STMT_MEMBER_LIST] = { "member_list",
	    "WITH f AS (SELECT m.*, u.username FROM project_members m"
	    "  JOIN users u ON u.user_id = m.user_id"
	    "  WHERE m.project_id = $1::bigint"
	    "  AND ($2::text IS NULL OR u.username LIKE $2 ESCAPE '\\')),"
	    " o AS (SELECT f.*, row_number() OVER (ORDER BY member_id) AS ord"
	    "  FROM f)"
	    " SELECT (SELECT count(*) FROM f),"
	    " coalesce((SELECT json_agg(" MEMBER_JSON("m.username")
	    "  ORDER BY m.ord) FROM o m"
	    "  WHERE m.ord > $4::bigint AND m.ord <= $4::bigint + $3::bigint),"
	    "  '[]')", 4, 1 },
	/* A member by id, with the project it belongs to as stored. */
	[STMT_MEMBER_GET] = { "member_get",
	    "SELECT m.project_id, " MEMBER_JSON("u.username")
	    " FROM project_members m JOIN users u ON u.user_id = m.user_id"
	    " WHERE m.member_id = $1::bigint", 1, 1 },
	/* The user by id ($2) when given, else by name ($3). */
	[STMT_MEMBER_INSERT] = { "member_insert",
	    "INSERT INTO project_members (project_id, user_id, role)"
	    " SELECT $1::bigint, u.user_id, $4::smallint FROM users u"
	    " WHERE CASE WHEN $2::bigint IS NOT NULL THEN u.user_id = $2::bigint"
	    "  ELSE u.username = $3::text END"
	    " RETURNING member_id, user_id", 4, 0 },
	/* Only under the project the URL named: ids of another do nothing. */
	[STMT_MEMBER_UPDATE] = { "member_update",
	    "UPDATE project_members SET role = $3::smallint, update_time = now()"
	    " WHERE member_id = $1::bigint AND project_id = $2::bigint"
	    " RETURNING user_id", 3, 0 },
	[STMT_MEMBER_DELETE] = { "member_delete",
	    "DELETE FROM project_members"
	    " WHERE member_id = $1::bigint AND project_id = $2::bigint"
	    " RETURNING user_id", 2, 0 },
	/*
	 * Robots.  A robot by id with its project as stored: project_id
	 * (NULL: system), the project's public flag, the caller's ($2) role
	 * there, the login name, the JSON.
	 */
	[STMT_ROBOT_GET] = { "robot_get",
	    "SELECT r.project_id, p.public, m.role,"
	    " 'robot$' || CASE WHEN p.name IS NULL THEN r.name"
	    "  ELSE p.name || '+' || r.name END, " ROBOT_JSON
	    " FROM robots r LEFT JOIN projects p ON p.project_id = r.project_id"
	    " LEFT JOIN project_members m ON m.project_id = r.project_id"
	    "  AND m.user_id = $2::bigint"
	    " WHERE r.robot_id = $1::bigint", 2, 1 },
	/* $1 level ('project', 'system' or NULL), $2 project or NULL. */
	[STMT_ROBOT_LIST] = { "robot_list",
	    "WITH f AS (SELECT r.* FROM robots r"
	    "  WHERE ($1::text IS NULL OR ($1 = 'system') = (r.project_id IS NULL))"
	    "  AND ($2::bigint IS NULL OR r.project_id = $2::bigint)),"
	    " o AS (SELECT f.*, row_number() OVER (ORDER BY robot_id) AS ord"
	    "  FROM f)"
	    " SELECT (SELECT count(*) FROM f),"
	    " coalesce((SELECT json_agg(" ROBOT_JSON " ORDER BY r.ord) FROM o r"
	    "  LEFT JOIN projects p ON p.project_id = r.project_id"
	    "  WHERE r.ord > $4::bigint AND r.ord <= $4::bigint + $3::bigint),"
	    "  '[]')", 4, 1 },
	/* The secret arrives as the hex of its SHA-256, never itself. */
	[STMT_ROBOT_INSERT] = { "robot_insert",
	    "INSERT INTO robots (name, project_id, description, secret_sha256,"
	    " disabled, duration, expires_at, creator)"
	    " VALUES ($1, $2::bigint, $3, decode($4, 'hex'), $5::boolean,"
	    "  $6::int, CASE WHEN $6::int = -1 THEN NULL"
	    "  ELSE now() + make_interval(days => $6::int) END, $7)"
	    " RETURNING robot_id, " TS("creation_time") ","
	    " coalesce(extract(epoch FROM expires_at)::bigint, -1)", 7, 0 },
	/* $4 NULL: every project ('*'); else the project's name. */
	[STMT_ROBOT_PERM_INSERT] = { "robot_perm_insert",
	    "INSERT INTO robot_permissions (robot_id, kind, namespace,"
	    " project_id, resource, action)"
	    " VALUES ($1::bigint, $2, $3, $4::bigint, $5, $6)"
	    " ON CONFLICT DO NOTHING", 6, 0 },
	[STMT_ROBOT_PERMS_CLEAR] = { "robot_perms_clear",
	    "DELETE FROM robot_permissions WHERE robot_id = $1::bigint", 1, 0 },
	/*
	 * A field given as NULL keeps its value; a new duration counts from
	 * the creation, as Harbor's does.
	 */
	[STMT_ROBOT_UPDATE] = { "robot_update",
	    "UPDATE robots SET description = coalesce($2, description),"
	    " disabled = coalesce($3::boolean, disabled),"
	    " duration = coalesce($4::int, duration),"
	    " expires_at = CASE WHEN coalesce($4::int, duration) = -1 THEN NULL"
	    "  ELSE creation_time + make_interval(days =>"
	    "  coalesce($4::int, duration)) END,"
	    " update_time = now() WHERE robot_id = $1::bigint"
	    " RETURNING robot_id", 4, 0 },
	[STMT_ROBOT_SECRET] = { "robot_secret",
	    "UPDATE robots SET secret_sha256 = decode($2, 'hex'),"
	    " update_time = now() WHERE robot_id = $1::bigint"
	    " RETURNING robot_id", 2, 0 },
	[STMT_ROBOT_DELETE] = { "robot_delete",
	    "DELETE FROM robots WHERE robot_id = $1::bigint RETURNING robot_id",
	    1, 0 },
	/* A user's refresh tokens, newest first: never the hash. */
	[STMT_SESSION_LIST] = { "session_list",
	    "WITH f AS (SELECT * FROM sessions WHERE user_id = $1::bigint),"
	    " o AS (SELECT f.*, row_number() OVER (ORDER BY session_id DESC)"
	    "  AS ord FROM f)"
	    " SELECT (SELECT count(*) FROM f),"
	    " coalesce((SELECT json_agg(json_build_object('id', s.session_id,"
	    "  'client_id', s.client_id, 'service', s.service,"
	    "  'creation_time', " TS("s.created_at") ","
	    "  'expires_at', " TS("s.expires_at") ","
	    "  'revoked', s.revoked_at IS NOT NULL) ORDER BY s.ord) FROM o s"
	    "  WHERE s.ord > $3::bigint AND s.ord <= $3::bigint + $2::bigint),"
	    "  '[]')", 3, 1 },
	/* Only the session of the user the URL named. */
	[STMT_SESSION_REVOKE] = { "session_revoke",
	    "UPDATE sessions SET revoked_at = coalesce(revoked_at, now())"
	    " WHERE session_id = $1::bigint AND user_id = $2::bigint"
	    " RETURNING session_id", 2, 0 },
	/* Every key but the private material. */
	[STMT_KEYS_ADMIN_LIST] = { "keys_admin_list",
	    "SELECT coalesce(json_agg(json_build_object('kid', kid, 'alg', alg,"
	    " 'state', state, 'creation_time', " TS("created_at") ","
	    " 'activation_time', " TS("activated_at") ","
	    " 'retirement_time', " TS("retired_at") ") ORDER BY key_id), '[]')"
	    " FROM signing_keys", 0, 1 },
	/*
	 * The audit log, newest first, filtered by actor ($1), action ($2)
	 * and a time range ($3, $4), each NULL for any.
	 */
	[STMT_AUDIT_LIST] = { "audit_list",
	    "WITH f AS (SELECT * FROM audit_log"
	    "  WHERE ($1::text IS NULL OR actor = $1)"
	    "  AND ($2::text IS NULL OR action = $2)"
	    "  AND ($3::timestamptz IS NULL OR at >= $3::timestamptz)"
	    "  AND ($4::timestamptz IS NULL OR at <= $4::timestamptz)),"
	    " o AS (SELECT f.*, row_number() OVER (ORDER BY at DESC,"
	    "  audit_id DESC) AS ord FROM f)"
	    " SELECT (SELECT count(*) FROM f),"
	    " coalesce((SELECT json_agg(json_build_object('id', l.audit_id,"
	    "  'username', l.actor, 'operation', l.action,"
	    "  'resource_type', l.resource_type, 'resource', l.resource,"
	    "  'op_time', " TS("l.at") ", 'detail', l.detail,"
	    "  'remote_addr', l.remote_addr, 'request_id', l.request_id)"
	    "  ORDER BY l.ord) FROM o l"
	    "  WHERE l.ord > $6::bigint AND l.ord <= $6::bigint + $5::bigint),"
	    "  '[]')", 6, 1 },
	/*
	 * berthctl import-htpasswd and import-harbor: each adds what is
	 * missing and leaves what exists as it is, so that a second run
	 * changes nothing.  Times come as Unix seconds (NULL: now).
	 */
	/*
	 * A user unless the name is taken (no row then).  An e-mail address
	 * another account holds already is left out rather than failing the
	 * import; the second column says so.
	 */
	[STMT_IMPORT_USER] = { "import_user",
	    "INSERT INTO users (username, email, realname, comment,"
	    " password_hash, sysadmin, disabled, creation_time)"
	    " SELECT $1, CASE WHEN $2::text = '' OR EXISTS (SELECT 1 FROM users"
	    "  WHERE email = $2::text) THEN NULL ELSE $2::text END, $3, $4, $5,"
	    " $6::boolean, $7::boolean, coalesce(to_timestamp($8::bigint), now())"
	    " ON CONFLICT (username) DO NOTHING"
	    " RETURNING user_id, (email IS NULL AND $2::text <> '')", 8, 0 },
	[STMT_IMPORT_USER_ID] = { "import_user_id",
	    "SELECT user_id FROM users WHERE username = $1", 1, 1 },
	/*
	 * import-htpasswd -u: a new hash for an existing user, only when it
	 * differs, as a password change (refresh tokens issued before end).
	 */
	[STMT_IMPORT_USER_REHASH] = { "import_user_rehash",
	    "UPDATE users SET password_hash = $2, password_changed_at = now(),"
	    " update_time = now() WHERE username = $1 AND password_hash <> $2"
	    " RETURNING user_id", 2, 0 },
	[STMT_IMPORT_PROJECT] = { "import_project",
	    "INSERT INTO projects (name, public, owner_id, creation_time)"
	    " VALUES ($1, $2::boolean, $3::bigint,"
	    "  coalesce(to_timestamp($4::bigint), now()))"
	    " ON CONFLICT (name) DO NOTHING RETURNING project_id", 4, 0 },
	[STMT_IMPORT_MEMBER] = { "import_member",
	    "INSERT INTO project_members (project_id, user_id, role)"
	    " VALUES ($1::bigint, $2::bigint, $3::smallint)"
	    " ON CONFLICT (project_id, user_id) DO NOTHING RETURNING member_id",
	    3, 0 },
	/* The secret arrives as the hex of its SHA-256; $7 NULL: never expires. */
	[STMT_IMPORT_ROBOT] = { "import_robot",
	    "INSERT INTO robots (name, project_id, description, secret_sha256,"
	    " disabled, duration, expires_at, creator, creation_time)"
	    " VALUES ($1, $2::bigint, $3, decode($4, 'hex'), $5::boolean,"
	    "  $6::int, to_timestamp($7::bigint), 'harbor-import',"
	    "  coalesce(to_timestamp($8::bigint), now()))"
	    " ON CONFLICT DO NOTHING RETURNING robot_id", 8, 0 },
	/*
	 * Everything import-harbor reads from a Harbor 2.2+ database, as
	 * one JSON document from one statement, so one snapshot: users,
	 * projects with their public flag and members (with the role's
	 * name), robots with their permissions.  Harbor's timestamps are
	 * UTC without a zone.  Columns that only some 2.x versions have
	 * are read through to_jsonb(row) and come back null when missing.
	 * No secret is read: only whether a robot has one (a robot without
	 * is one of before 2.2, which authenticated otherwise).
	 */
	[STMT_HARBOR_DUMP] = { "harbor_dump",
	    "SELECT json_build_object("
	    " 'users', (SELECT coalesce(json_agg(json_build_object("
	    "   'id', u.user_id, 'username', u.username,"
	    "   'email', coalesce(u.email, ''),"
	    "   'realname', coalesce(u.realname, ''),"
	    "   'comment', coalesce(u.comment, ''),"
	    "   'sysadmin', u.sysadmin_flag, 'deleted', u.deleted,"
	    "   'password', coalesce(u.password, ''),"
	    "   'salt', coalesce(u.salt, ''),"
	    "   'password_version', to_jsonb(u) ->> 'password_version',"
	    "   'created', extract(epoch FROM u.creation_time)::bigint)"
	    "   ORDER BY u.user_id), '[]') FROM harbor_user u),"
	    " 'projects', (SELECT coalesce(json_agg(json_build_object("
	    "   'id', p.project_id, 'name', p.name, 'deleted', p.deleted,"
	    "   'owner_id', p.owner_id,"
	    "   'public', EXISTS (SELECT 1 FROM project_metadata md"
	    "    WHERE md.project_id = p.project_id AND md.name = 'public'"
	    "    AND md.value = 'true'"
	    "    AND NOT coalesce((to_jsonb(md) ->> 'deleted')::boolean, false)),"
	    "   'created', extract(epoch FROM p.creation_time)::bigint,"
	    "   'members', (SELECT coalesce(json_agg(json_build_object("
	    "     'entity_id', m.entity_id, 'entity_type', m.entity_type,"
	    "     'role', r.name) ORDER BY m.id), '[]')"
	    "    FROM project_member m LEFT JOIN role r ON r.role_id = m.role"
	    "    WHERE m.project_id = p.project_id))"
	    "   ORDER BY p.project_id), '[]') FROM project p),"
	    " 'robots', (SELECT coalesce(json_agg(json_build_object("
	    "   'id', b.id, 'name', b.name,"
	    "   'description', coalesce(b.description, ''),"
	    "   'project_id', coalesce(b.project_id, 0),"
	    "   'disabled', b.disabled, 'expiresat', coalesce(b.expiresat, -1),"
	    "   'duration', to_jsonb(b) -> 'duration',"
	    "   'visible', coalesce((to_jsonb(b) ->> 'visible')::boolean, true),"
	    "   'has_secret', coalesce(b.secret, '') <> '',"
	    "   'created', extract(epoch FROM b.creation_time)::bigint,"
	    "   'permissions', (SELECT coalesce(json_agg(json_build_object("
	    "     'scope', pp.scope, 'resource', pp.resource,"
	    "     'action', pp.action, 'effect', coalesce(pp.effect, ''))"
	    "     ORDER BY pp.id), '[]')"
	    "    FROM role_permission rp"
	    "    JOIN permission_policy pp ON pp.id = rp.permission_policy_id"
	    "    WHERE rp.role_type = 'robotaccount' AND rp.role_id = b.id))"
	    "   ORDER BY b.id), '[]') FROM robot b))", 0, 1 },
};


const struct stmt *
stmt_get(enum db_stmt s)
{
	return (unsigned)s < STMT__MAX ? &stmts[s] : NULL;
}
