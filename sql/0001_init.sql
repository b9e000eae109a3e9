-- 0001_init: berth's first schema.
--
-- Applied by deploy/migrate inside one transaction; never edit this file
-- once it has landed: add a new numbered migration instead (migrate
-- refuses to run when an applied file's checksum has changed).
--
-- Conventions: surrogate keys are bigint identities, times are
-- timestamptz, names are stored exactly as validated by the API (lower
-- case), secrets only as SHA-256 digests or encrypted blobs.

-- Accounts.  Usernames are unique; e-mail addresses too when given.
-- password_hash holds a crypt(3) string (yescrypt, bcrypt) or an imported
-- Harbor PBKDF2 hash in the form lib/password.h documents.
CREATE TABLE users (
	user_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	username	text NOT NULL UNIQUE
			CHECK (username <> '' AND length(username) <= 255),
	email		text UNIQUE CHECK (length(email) <= 255),
	realname	text NOT NULL DEFAULT '' CHECK (length(realname) <= 255),
	comment		text NOT NULL DEFAULT '' CHECK (length(comment) <= 1024),
	password_hash	text NOT NULL,
	sysadmin	boolean NOT NULL DEFAULT false,
	disabled	boolean NOT NULL DEFAULT false,
	password_changed_at timestamptz NOT NULL DEFAULT now(),
	creation_time	timestamptz NOT NULL DEFAULT now(),
	update_time	timestamptz NOT NULL DEFAULT now()
);

-- A project is the first path component of a repository name.
CREATE TABLE projects (
	project_id	bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name		text NOT NULL UNIQUE
			CHECK (name <> '' AND length(name) <= 255),
	owner_id	bigint REFERENCES users (user_id) ON DELETE SET NULL,
	public		boolean NOT NULL DEFAULT false,
	creation_time	timestamptz NOT NULL DEFAULT now(),
	update_time	timestamptz NOT NULL DEFAULT now()
);

-- Harbor's roles: 1 projectAdmin, 2 developer, 3 guest, 4 maintainer,
-- 5 limitedGuest.  Deleting a project or a user removes the membership.
CREATE TABLE project_members (
	member_id	bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	project_id	bigint NOT NULL REFERENCES projects (project_id)
			ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users (user_id)
			ON DELETE CASCADE,
	role		smallint NOT NULL CHECK (role BETWEEN 1 AND 5),
	creation_time	timestamptz NOT NULL DEFAULT now(),
	update_time	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (project_id, user_id)
);
CREATE INDEX project_members_user ON project_members (user_id);

-- Robot accounts.  A project robot (project_id set) is named
-- robot$<project>+<name>, a system robot (project_id NULL) robot$<name>.
-- The secret is kept only as SHA-256 of a random value.
CREATE TABLE robots (
	robot_id	bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name		text NOT NULL CHECK (name <> '' AND length(name) <= 255),
	project_id	bigint REFERENCES projects (project_id) ON DELETE CASCADE,
	description	text NOT NULL DEFAULT '' CHECK (length(description) <= 1024),
	secret_sha256	bytea NOT NULL CHECK (length(secret_sha256) = 32),
	disabled	boolean NOT NULL DEFAULT false,
	duration	integer NOT NULL DEFAULT -1,	-- days, -1 never expires
	expires_at	timestamptz,			-- NULL: never
	creator		text NOT NULL DEFAULT '',
	creation_time	timestamptz NOT NULL DEFAULT now(),
	update_time	timestamptz NOT NULL DEFAULT now()
);
-- One name per project, and one per system level (NULL project_id).
CREATE UNIQUE INDEX robots_name ON robots (coalesce(project_id, 0), name);

-- What a robot may do.  project_id NULL with namespace '*' means every
-- project; a permission on a project goes away with the project.
CREATE TABLE robot_permissions (
	robot_id	bigint NOT NULL REFERENCES robots (robot_id)
			ON DELETE CASCADE,
	kind		text NOT NULL CHECK (kind IN ('project', 'system')),
	namespace	text NOT NULL,
	project_id	bigint REFERENCES projects (project_id) ON DELETE CASCADE,
	resource	text NOT NULL,
	action		text NOT NULL
);
CREATE UNIQUE INDEX robot_permissions_uniq ON robot_permissions
	(robot_id, kind, namespace, resource, action);
CREATE INDEX robot_permissions_project ON robot_permissions (project_id);

-- Refresh tokens (OAuth2 offline sessions): SHA-256 of a 256-bit random
-- value, bound to a user, a service and a client_id, with an absolute
-- expiry.  Revoking sets revoked_at; the row stays for the audit trail
-- until expiry.
CREATE TABLE sessions (
	session_id	bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	token_sha256	bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
	user_id		bigint NOT NULL REFERENCES users (user_id)
			ON DELETE CASCADE,
	service		text NOT NULL,
	client_id	text NOT NULL DEFAULT '',
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	last_used_at	timestamptz,
	revoked_at	timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);

-- The cluster's token-signing keys.  A key is 'next' (published in
-- certs.pem, not yet signing), 'active' (signing; exactly one), then
-- 'retiring' (still published until its tokens expire), then 'retired'.
-- The private key is encrypted with the secret every node shares.
CREATE TABLE signing_keys (
	key_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kid		text NOT NULL UNIQUE,	-- libtrust key id
	alg		text NOT NULL CHECK (alg IN ('ES256', 'RS256')),
	state		text NOT NULL
			CHECK (state IN ('next', 'active', 'retiring', 'retired')),
	certificate	text NOT NULL,		-- PEM, self-signed
	private_key	bytea NOT NULL,		-- sealed, see lib/keys.h
	created_at	timestamptz NOT NULL DEFAULT now(),
	activated_at	timestamptz,
	retired_at	timestamptz
);
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (state)
	WHERE state = 'active';
CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys (state)
	WHERE state = 'next';

-- Failed logins per username, shared by every node, for lockout.
CREATE TABLE login_failures (
	username	text PRIMARY KEY,
	failures	integer NOT NULL DEFAULT 0,
	first_failure_at timestamptz NOT NULL DEFAULT now(),
	last_failure_at	timestamptz NOT NULL DEFAULT now(),
	locked_until	timestamptz
);

-- Who changed what, when.  Never holds a secret: detail is written by
-- the code from validated fields only.
CREATE TABLE audit_log (
	audit_id	bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at		timestamptz NOT NULL DEFAULT now(),
	actor		text NOT NULL,
	action		text NOT NULL,
	resource_type	text NOT NULL,
	resource	text NOT NULL,
	detail		jsonb NOT NULL DEFAULT '{}',
	remote_addr	text,
	request_id	text
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
CREATE INDEX audit_log_action ON audit_log (action, at);
