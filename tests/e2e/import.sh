#!/bin/sh
# tests/e2e/import.sh: moving in.  berthctl import-htpasswd and
# import-harbor against a node started with deploy/node, each on data
# this test builds itself: an htpasswd file written by Apache's
# htpasswd, and a "Harbor" database (Harbor 2.2+'s tables and columns
# that the importer reads, as Harbor's migrations define them) whose
# PBKDF2 hashes are computed here with openssl kdf.
#
# Each import runs twice: the second changes nothing (same checksum of
# every table the import writes, no new audit row).  Then, through nginx
# and Debian's docker-registry with skopeo: imported users log in with
# their original passwords (bcrypt from htpasswd, Harbor's PBKDF2 of
# both versions), roles map as Harbor had them, a public project pulls
# anonymously, an imported robot pushes with its new secret, and every
# hash used is upgraded to yescrypt at the first login.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

P=19501			# berth (nginx)
RP=19502		# the registry
B=http://127.0.0.1:$P
REG=127.0.0.1:$RP
N=$T/node
ADMIN_PW=Admin-Test-Pw1
# Passwords as the operators' users have them.
HAL_PW=Hal-Htpasswd-1		# htpasswd -B ($2y$)
HEL_PW=Hel-Htpasswd-1		# the same, rewritten as $2b$
HAN_PW=Han-Htpasswd-1		# the same, rewritten as $2a$
ALICE_PW=Alice-Harbor-1		# Harbor, password_version sha256: developer
GUS_PW=Gus-Harbor-1		# Harbor, sha1: guest
MIA_PW=Mia-Harbor-1		# maintainer
LENA_PW=Lena-Harbor-1		# limitedGuest
SAM_PW=Sam-Harbor-1		# Harbor system admin
HADMIN_PW=Harbor12345		# Harbor's admin: berth's own is kept
PRE_PW=Pre-Berth-Pw1		# a berth user before the import...
PRE_HPW=Pre-Harbor-1		# ...whom Harbor knows with another password

ctl() { BERTH_CONF="$N/berth.conf" "$BUILD/berthctl" "$@"; }
# run CMD...: its output in $T/out, its exit status in $rc.
run() { "$@" >"$T/out" 2>&1; rc=$?; }
out() { cat "$T/out"; }

# --- the node --------------------------------------------------------------------
at_exit "BERTH_HOME='$N' '$NODE' stop"
if ! node "$N" $P start BERTH_ADMIN_PASSWORD=$ADMIN_PW >"$T/node.out" 2>&1; then
	nok "the berth node starts"
	sed 's/^/#   /' "$T/node.out" | tail -n 20
	exit 1
fi
ok "the berth node starts"
use_node "$N" || { nok "the node's berth.conf names its database"; exit 1; }
mkuser preuser "$PRE_PW" && mkproject preproj private ||
    { nok "berth's own users and projects are written"; exit 1; }

# snap: a checksum of every row the imports may write (all columns, the
# hashes and times included) and of the audit log and sessions.
snap() {
	bsql "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
	    SELECT 'u' || t::text AS x FROM users t
	    UNION ALL SELECT 'p' || t::text FROM projects t
	    UNION ALL SELECT 'm' || t::text FROM project_members t
	    UNION ALL SELECT 'r' || t::text FROM robots t
	    UNION ALL SELECT 'q' || t::text FROM robot_permissions t
	    UNION ALL SELECT 's' || t::text FROM sessions t
	    UNION ALL SELECT 'a' || t::text FROM audit_log t) z"
}
counts() {
	bsql "SELECT (SELECT count(*) FROM users) || ' ' ||
	    (SELECT count(*) FROM projects) || ' ' ||
	    (SELECT count(*) FROM project_members) || ' ' ||
	    (SELECT count(*) FROM robots) || ' ' ||
	    (SELECT count(*) FROM robot_permissions) || ' ' ||
	    (SELECT count(*) FROM audit_log)"
}
hash_of() { bsql "SELECT password_hash FROM users WHERE username = '$1'"; }

# --- htpasswd ------------------------------------------------------------------------
H=$T/users.htpasswd
# hp ARGS...: one line of htpasswd -n (which adds a blank line).
hp() { htpasswd -n "$@" 2>/dev/null | grep .; }
{
	echo "# written by htpasswd; comments and blank lines are skipped"
	echo
	hp -bB hal "$HAL_PW"
	hp -bB hel "$HEL_PW" | sed 's/:\$2y\$/:$2b$/'
	hp -bB han "$HAN_PW" | sed 's/:\$2y\$/:$2a$/'
	hp -bm mo Mo-Htpasswd-1		# apr1-MD5: refused
	hp -bs sha Sha-Htpasswd-1	# {SHA}: refused
	hp -bd des Des-Pw1		# DES crypt: refused
	hp -bp plain Plain-Pw1		# plain text: refused
	hp -b5 five Five-Htpasswd-1	# SHA-512-crypt: refused
	hp -bB Bob Bob-Htpasswd-1	# upper case: refused
	hp -bB hal Other-Pw-123		# hal again: refused
	hp -bB admin Not-Admin-Pw1	# berth's admin: kept
	hp -bB preuser Other-Pw-123	# exists: kept
	echo "no-colon-here"
} >"$H"
expect_eq "$(wc -l <"$H")/$(grep -c . "$H")" "15/14" "the htpasswd file has its 15 lines"

before=$(snap)
run ctl import-htpasswd -n "$H"
expect_eq "$rc" 1 "import-htpasswd -n: exit 1 (some lines refused)"
expect_match "$(out)" 'dry run: nothing was written' "a dry run says so"
expect_eq "$(snap)" "$before" "and changes nothing"

run ctl import-htpasswd "$H"
expect_eq "$rc" 1 "import-htpasswd: exit 1, the good lines imported and the bad refused"
cp "$T/out" "$T/ht1.out"
for l in '3: user "hal": created' '4: user "hel": created' '5: user "han": created' \
    '6: user "mo": refused: apr1-MD5' '7: user "sha": refused: unsalted SHA-1' \
    '8: user "des": refused: DES crypt' '9: user "plain": refused: not a hash' \
    '10: user "five": refused: SHA-512-crypt' "11: user \"Bob\": refused: username may hold only" \
    '12: user "hal": refused: already on line 3' '13: user "admin": exists; kept' \
    '14: user "preuser": exists; kept' "15: refused: no ':'"; do
	expect_match "$(out)" "users.htpasswd:$l" "line ${l%%:*}: ${l#*: }"
done
expect_match "$(out)" '3 user\(s\) created, 0 updated, 2 kept, 8 line\(s\) refused' "the summary counts them"
expect_nomatch "$(out)" '\$2[aby]\$|\$apr1\$|\{SHA\}|Plain-Pw1' "the report shows no hash or password"
expect_match "$(hash_of hal)/$(hash_of hel)/$(hash_of han)" '^\$2y\$05\$.{53}/\$2b\$05\$.{53}/\$2a\$05\$.{53}$' \
    "bcrypt hashes are kept exactly as htpasswd wrote them"
expect_eq "$(bsql "SELECT count(*) FROM users WHERE username IN ('mo','sha','des','plain','five','Bob','bob')")" 0 \
    "no refused user was created"
expect_eq "$(hash_of admin | cut -c1-3)" '$y$' "berth's admin keeps its own hash"
expect_eq "$(bsql "SELECT action || ' ' || actor || ' ' || (detail->'created')::text || ' ' || (detail->>'refused')
    FROM audit_log WHERE action LIKE 'import.%'")" \
    'import.htpasswd berthctl ["hal", "hel", "han"] 8' "one audit row names the users created"

snap1=$(snap) counts1=$(counts)
run ctl import-htpasswd "$H"
expect_eq "$rc" 1 "import-htpasswd again: exit 1 (the same lines refused)"
expect_match "$(out)" 'nothing to change' "the second run has nothing to change"
expect_match "$(out)" '0 user\(s\) created, 0 updated, 5 kept' "and keeps the five"
expect_eq "$(counts)" "$counts1" "row counts are the same after the second run"
expect_eq "$(snap)" "$snap1" "and every row is the same (no audit row either)"

# -u: a new hash for a user that exists, once.
htpasswd -nbB preuser "$PRE_HPW" | grep . >"$T/pre.htpasswd"
run ctl import-htpasswd -u "$T/pre.htpasswd"
expect_eq "$rc" 0 "import-htpasswd -u: exit 0"
expect_match "$(out)" 'user "preuser": exists; password hash replaced' "replaces the hash of an existing user"
expect_eq "$(hash_of preuser)" "$(cut -d: -f2 "$T/pre.htpasswd")" "with the file's"
snap2=$(snap)
run ctl import-htpasswd -u - <"$T/pre.htpasswd"
expect_match "$(out)" '-:1: user "preuser": exists with this hash already' \
    "a second -u (the file on standard input) finds the same hash"
expect_eq "$(snap)" "$snap2" "and changes nothing"
# Back to berth's password, for the Harbor part below.
bsql "UPDATE users SET password_hash = '$(printf '%s\n' "$PRE_PW" | "$BUILD/berthctl" hash)'
    WHERE username = 'preuser'" >/dev/null

# Nothing half-written: a failure in the middle rolls back every line.
bsql "CREATE FUNCTION t_boom() RETURNS trigger LANGUAGE plpgsql AS
    \$\$BEGIN IF NEW.username = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END\$\$;
    CREATE TRIGGER t_boom BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION t_boom()" >/dev/null
{ htpasswd -nbB first First-Pw-123; htpasswd -nbB boom Boom-Pw-123; htpasswd -nbB last Last-Pw-123; } |
    grep . >"$T/boom.htpasswd"
before=$(snap)
run ctl import-htpasswd "$T/boom.htpasswd"
expect_eq "$rc" 2 "an import failing on its second user: exit 2"
expect_match "$(out)" 'nothing was imported' "saying nothing was imported"
expect_eq "$(snap)" "$before" "and the first user is not there either (one transaction)"
bsql "DROP TRIGGER t_boom ON users; DROP FUNCTION t_boom()" >/dev/null

# --- a Harbor database ---------------------------------------------------------------
# In the node's cluster, as database "registry" (Harbor's name for it).
"$ROOT/deploy/pg" createdb "$N/pg" registry >/dev/null ||
    { nok "a database for Harbor is created"; exit 1; }
HDB=$("$ROOT/deploy/pg" conninfo "$N/pg" registry)
hsql() { psql -X -q -tA -v ON_ERROR_STOP=1 -d "$HDB" -c "$1"; }
# pbkdf2 sha256|sha1 PASSWORD SALT: Harbor's utils.Encrypt.
pbkdf2() {
	openssl kdf -keylen 16 -kdfopt digest:"$1" -kdfopt pass:"$2" \
	    -kdfopt salt:"$3" -kdfopt iter:4096 PBKDF2 | tr -d ':\n' | tr 'A-F' 'a-f'
}
A_SALT=saltOfAlice0123456789abcdefABCDEF
if ! hsql "
-- The columns import-harbor reads, as Harbor's migrations create them
-- (0001 initial schema, 1.7's password_version, 1.8's robot, 2.2's
-- robot secret, duration and the role_permission/permission_policy
-- tables); robot.visible as later 2.x have it.
CREATE TABLE role (role_id SERIAL PRIMARY KEY NOT NULL, role_mask int DEFAULT 0 NOT NULL,
  role_code varchar(20), name varchar(20));
CREATE TABLE harbor_user (user_id SERIAL PRIMARY KEY NOT NULL, username varchar(255),
  email varchar(255), password varchar(40) NOT NULL, realname varchar(255) NOT NULL,
  comment varchar(30), deleted boolean DEFAULT false NOT NULL, reset_uuid varchar(40) DEFAULT NULL,
  salt varchar(40) DEFAULT NULL, sysadmin_flag boolean DEFAULT false NOT NULL,
  creation_time timestamp default CURRENT_TIMESTAMP, update_time timestamp default CURRENT_TIMESTAMP,
  password_version varchar(16) Default 'sha256', UNIQUE (username), UNIQUE (email));
CREATE TABLE project (project_id SERIAL PRIMARY KEY NOT NULL, owner_id int NOT NULL,
  name varchar(255) NOT NULL, creation_time timestamp default CURRENT_TIMESTAMP,
  update_time timestamp default CURRENT_TIMESTAMP, deleted boolean DEFAULT false NOT NULL,
  registry_id int, FOREIGN KEY (owner_id) REFERENCES harbor_user(user_id), UNIQUE (name));
CREATE TABLE project_member (id SERIAL NOT NULL, project_id int NOT NULL, entity_id int NOT NULL,
  entity_type char(1) NOT NULL, role int NOT NULL, creation_time timestamp default CURRENT_TIMESTAMP,
  update_time timestamp default CURRENT_TIMESTAMP, PRIMARY KEY (id),
  CONSTRAINT unique_project_entity_type UNIQUE (project_id, entity_id, entity_type));
CREATE TABLE project_metadata (id SERIAL NOT NULL, project_id int NOT NULL, name varchar(255) NOT NULL,
  value varchar(255), creation_time timestamp default CURRENT_TIMESTAMP,
  update_time timestamp default CURRENT_TIMESTAMP, PRIMARY KEY (id),
  CONSTRAINT unique_project_id_and_name UNIQUE (project_id, name),
  FOREIGN KEY (project_id) REFERENCES project(project_id));
CREATE TABLE robot (id SERIAL PRIMARY KEY NOT NULL, name varchar(255), description varchar(1024),
  project_id int, expiresat bigint, disabled boolean DEFAULT false NOT NULL,
  creation_time timestamp default CURRENT_TIMESTAMP, update_time timestamp default CURRENT_TIMESTAMP,
  visible boolean DEFAULT true NOT NULL, secret varchar(2048), salt varchar(64), duration int,
  CONSTRAINT unique_robot UNIQUE (name, project_id));
CREATE TABLE role_permission (id SERIAL PRIMARY KEY NOT NULL, role_type varchar(255) NOT NULL,
  role_id int NOT NULL, permission_policy_id int NOT NULL,
  creation_time timestamp default CURRENT_TIMESTAMP,
  CONSTRAINT unique_role_permission UNIQUE (role_type, role_id, permission_policy_id));
CREATE TABLE permission_policy (id SERIAL PRIMARY KEY NOT NULL, scope varchar(255) NOT NULL,
  resource varchar(255), action varchar(255), effect varchar(255),
  creation_time timestamp default CURRENT_TIMESTAMP,
  CONSTRAINT unique_rbac_policy UNIQUE (scope, resource, action, effect));

INSERT INTO role (role_id, role_code, name) VALUES (1, 'MDRWS', 'projectAdmin'),
  (2, 'RWS', 'developer'), (3, 'RS', 'guest'), (4, 'DRWS', 'maintainer'), (5, 'LRS', 'limitedGuest');
INSERT INTO harbor_user (user_id, username, email, password, salt, password_version, realname,
  comment, deleted, sysadmin_flag, creation_time) VALUES
 (1, 'admin', 'admin@example.com', '$(pbkdf2 sha256 "$HADMIN_PW" s1)', 's1', 'sha256',
  'system admin', 'admin user', false, true, '2021-03-04 05:06:07'),
 (2, 'anonymous', 'anonymous@example.com', '', NULL, 'sha256', 'anonymous user', 'anonymous user',
  true, false, now()),
 (3, 'alice', 'alice@example.com', '$(pbkdf2 sha256 "$ALICE_PW" "$A_SALT")', '$A_SALT', 'sha256',
  'Alice A.', 'dev', false, false, '2022-01-02 03:04:05'),
 (4, 'gus', 'gus@example.com', '$(pbkdf2 sha1 "$GUS_PW" gsalt)', 'gsalt', 'sha1', 'Gus', '', false,
  false, now()),
 (5, 'Carol', 'carol@example.com', '$(pbkdf2 sha256 x y)', 'y', 'sha256', 'Carol', '', false, false, now()),
 (6, 'dora#6', 'dora@example.com#6', '$(pbkdf2 sha256 x y)', 'y', 'sha256', 'Dora', '', true, false, now()),
 (7, 'ldapuser', 'ldap@example.com', '', '', 'sha256', 'From LDAP', '', false, false, now()),
 (8, 'sam', 'sam@example.com', '$(pbkdf2 sha256 "$SAM_PW" ssalt)', 'ssalt', 'sha256', 'Sam', '',
  false, true, now()),
 (9, 'mia', 'mia@example.com', '$(pbkdf2 sha256 "$MIA_PW" msalt)', 'msalt', 'sha256', 'Mia', '',
  false, false, now()),
 (10, 'lena', 'lena@example.com', '$(pbkdf2 sha256 "$LENA_PW" lsalt)', 'lsalt', 'sha256', 'Lena', '',
  false, false, now()),
 (11, 'preuser', 'pre@example.com', '$(pbkdf2 sha256 "$PRE_HPW" psalt)', 'psalt', 'sha256', 'Pre', '',
  false, false, now());
INSERT INTO project (project_id, owner_id, name, deleted, creation_time) VALUES
 (1, 1, 'library', false, '2021-03-04 05:06:07'), (2, 3, 'team', false, '2022-05-06 07:08:09'),
 (3, 1, 'old-3', true, now()), (4, 1, 'api', false, now()), (5, 3, 'preproj', false, now()),
 (6, 1, 'Bad_Name', false, now());
INSERT INTO project_metadata (project_id, name, value) VALUES (1, 'public', 'true'),
 (2, 'public', 'false'), (5, 'public', 'true');
INSERT INTO project_member (project_id, entity_id, entity_type, role) VALUES
 (1, 1, 'u', 1), (2, 1, 'u', 1), (2, 3, 'u', 2), (2, 4, 'u', 3), (2, 9, 'u', 4), (2, 10, 'u', 5),
 (2, 5, 'u', 2), (2, 6, 'u', 2), (2, 7, 'u', 2), (2, 11, 'u', 2), (2, 1, 'g', 2), (5, 3, 'u', 1);
INSERT INTO robot (id, name, description, project_id, expiresat, disabled, visible, secret, salt,
  duration, creation_time) VALUES
 (1, 'team+ci', 'CI pushes', 2, -1, false, true, 'f00d', 'rsalt', -1, '2023-01-01 00:00:00'),
 (2, 'robot\$team+legacy', 'before 2.2', 2, -1, false, true, NULL, NULL, NULL, now()),
 (3, 'sysbot', 'pulls everywhere', 0, extract(epoch FROM now() + interval '30 days')::bigint,
  false, true, 'f00d', 'rsalt', 30, now()),
 (4, 'trivy-scanner-1', 'Harbor''s own', 0, -1, false, false, 'f00d', 'rsalt', -1, now()),
 (5, 'team+denied', 'has a deny rule', 2, -1, false, true, 'f00d', 'rsalt', -1, now()),
 (6, 'team+off', 'disabled in Harbor', 2, -1, true, true, 'f00d', 'rsalt', -1, now()),
 (7, 'preproj+bot', 'of a project berth has', 5, -1, false, true, 'f00d', 'rsalt', -1, now()),
 (8, 'team+Bad', 'bad name', 2, -1, false, true, 'f00d', 'rsalt', -1, now());
INSERT INTO permission_policy (id, scope, resource, action, effect) VALUES
 (1, '/project/2', 'repository', 'pull', 'allow'), (2, '/project/2', 'repository', 'push', 'allow'),
 (3, '/project/2', 'helm-chart', 'read', 'allow'), (4, '/project/*', 'repository', 'pull', 'allow'),
 (5, '/system', 'registry', 'read', 'allow'), (6, '/project/2', 'repository', 'delete', 'deny'),
 (7, '/project/5', 'repository', 'pull', 'allow');
INSERT INTO role_permission (role_type, role_id, permission_policy_id) VALUES
 ('robotaccount', 1, 1), ('robotaccount', 1, 2), ('robotaccount', 1, 3),
 ('robotaccount', 3, 4), ('robotaccount', 3, 5), ('robotaccount', 4, 4),
 ('robotaccount', 5, 1), ('robotaccount', 5, 6), ('robotaccount', 6, 1),
 ('robotaccount', 7, 7), ('robotaccount', 8, 1);
" >"$T/harbor.out" 2>&1; then
	nok "the Harbor database is built"; sed 's/^/#   /' "$T/harbor.out"; exit 1
fi
ok "the Harbor database is built"
hsnap() { hsql "SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM harbor_user t"; }
hbefore=$(hsnap)

# Not a Harbor database: refused, nothing written.
before=$(snap)
run ctl import-harbor "$BERTH_DB"
expect_eq "$rc" 2 "import-harbor on a database that is not Harbor's: exit 2"
expect_match "$(out)" 'not a Harbor 2.2 or later database' "saying so"
expect_eq "$(snap)" "$before" "and writing nothing"

run ctl import-harbor -n "$HDB"
expect_eq "$rc" 1 "import-harbor -n: exit 1 (some rows refused)"
expect_match "$(out)" 'dry run: nothing was written' "a dry run says so"
expect_nomatch "$(out)" ': secret ' "and shows no robot secret"
expect_eq "$(snap)" "$before" "and changes nothing"

run ctl import-harbor "$HDB"
cp "$T/out" "$T/harbor1.out"
expect_eq "$rc" 1 "import-harbor: exit 1, the good rows imported and the bad refused"
for l in 'user "alice": created' 'user "gus": created' 'user "sam": created \(system admin\)' \
    'user "ldapuser": created; disabled: no local password' \
    'user "admin": berth.s own admin is kept' 'user "preuser": exists in berth: kept' \
    'user "Carol": refused: username may hold only' \
    'project "library": created \(public\)' 'project "team": created \(private\)' \
    'project "api": refused: project name is reserved' 'project "Bad_Name": refused' \
    'project "preproj": exists in berth: kept as it is' \
    'project "team": member "alice" added as developer' 'project "team": member "gus" added as guest' \
    'project "team": member with Harbor user id 5 left out' \
    'robot "robot\$team\+ci": created with 2 permission' 'robot "robot\$team\+ci": 1 permission\(s\) left out' \
    'robot "robot\$sysbot": created with 1 permission' 'robot "robot\$team\+off": created disabled' \
    'robot "robot\$team\+legacy": refused: made before Harbor 2.2' \
    'robot "robot\$team\+denied": refused: it has a deny rule' 'robot "robot\$team\+Bad": refused' \
    'users: 6 created, 2 kept, 2 deleted or Harbor.s own left out' \
    'projects: 2 created, 1 kept, 1 deleted left out' \
    'members: 8 added, 2 of users not imported and 1 of groups left out' \
    'robots: 3 created, 0 kept, 1 of projects not imported and 1 of Harbor.s own left out' \
    '6 refused'; do
	expect_match "$(out)" "$l" "import-harbor: $(printf '%s' "$l" | tr -d '\\')"
done
expect_nomatch "$(out)" 'trivy|dora|anonymous|old-3' "deleted rows and Harbor's own are not named"
expect_nomatch "$(out)" "pbkdf2|$A_SALT|$(pbkdf2 sha256 "$ALICE_PW" "$A_SALT")|f00d" \
    "the report shows no Harbor hash, salt or secret"
CI_SECRET=$(sed -n 's/.*robot "robot\$team+ci": secret \([^ ]*\) .*/\1/p' "$T/out")
SYS_SECRET=$(sed -n 's/.*robot "robot\$sysbot": secret \([^ ]*\) .*/\1/p' "$T/out")
OFF_SECRET=$(sed -n 's/.*robot "robot\$team+off": secret \([^ ]*\) .*/\1/p' "$T/out")
expect_match "$CI_SECRET $SYS_SECRET $OFF_SECRET" '^[A-Za-z0-9_-]{43} [A-Za-z0-9_-]{43} [A-Za-z0-9_-]{43}$' \
    "each imported robot's new secret is shown once"
expect_eq "$(hash_of alice)" "\$harbor-pbkdf2-sha256\$$A_SALT\$$(pbkdf2 sha256 "$ALICE_PW" "$A_SALT")" \
    "alice's Harbor hash is kept in the form lib/password verifies"
expect_match "$(hash_of gus)" '^\$harbor-pbkdf2-sha1\$gsalt\$[0-9a-f]{32}$' "gus's sha1 hash too"
expect_eq "$(bsql "SELECT email || ' ' || realname || ' ' || comment || ' ' || sysadmin || ' ' || disabled ||
    ' ' || to_char(creation_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM users WHERE username = 'alice'")" \
    'alice@example.com Alice A. dev false false 2022-01-02 03:04:05' "alice's fields and creation time come along"
expect_eq "$(bsql "SELECT sysadmin FROM users WHERE username = 'sam'")/$(bsql "SELECT disabled FROM users WHERE username = 'ldapuser'")" \
    "t/t" "sam is a system admin, ldapuser (no local password) disabled"
expect_eq "$(bsql "SELECT string_agg(name || ':' || public || ':' || coalesce(u.username, '-'), ' ' ORDER BY name)
    FROM projects p LEFT JOIN users u ON u.user_id = p.owner_id")" \
    'library:true:admin preproj:false:- team:false:alice' "projects: public flag and owner; berth's preproj stays private"
expect_eq "$(bsql "SELECT string_agg(u.username || ':' || m.role, ' ' ORDER BY u.username)
    FROM project_members m JOIN projects p USING (project_id) JOIN users u USING (user_id) WHERE p.name = 'team'")" \
    'admin:1 alice:2 gus:3 ldapuser:2 lena:5 mia:4 preuser:2' "team's members with Harbor's roles"
expect_eq "$(bsql "SELECT count(*) FROM project_members m JOIN projects p USING (project_id) WHERE p.name = 'preproj'")" 0 \
    "berth's own preproj got no member from Harbor"
expect_eq "$(bsql "SELECT string_agg(r.name || ':' || coalesce(p.name, '-') || ':' || r.disabled || ':' || r.duration ||
    ':' || (r.expires_at IS NULL), ' ' ORDER BY r.name) FROM robots r LEFT JOIN projects p USING (project_id)")" \
    'ci:team:false:-1:true off:team:true:-1:true sysbot:-:false:30:false' "robots: project, disabled flag, duration, expiry"
expect_eq "$(bsql "SELECT string_agg(r.name || ':' || q.namespace || ':' || q.resource || ':' || q.action, ' '
    ORDER BY r.name, q.action) FROM robot_permissions q JOIN robots r USING (robot_id)")" \
    'ci:team:repository:pull ci:team:repository:push off:team:repository:pull sysbot:*:repository:pull' \
    "robot permissions: what berth grants, on the right namespace"
expect_eq "$(bsql "SELECT count(*) FROM audit_log WHERE action = 'import.harbor'")" 1 "one audit row for the Harbor import"
expect_eq "$(bsql "SELECT (detail->'users')::text || ' ' || (detail->'robots')::text FROM audit_log WHERE action = 'import.harbor'")" \
    '["alice", "gus", "ldapuser", "sam", "mia", "lena"] ["robot$team+ci", "robot$sysbot", "robot$team+off"]' \
    "naming the users and robots created"
expect_nomatch "$(bsql "SELECT detail::text FROM audit_log")" "$CI_SECRET|pbkdf2|\\\$2y\\\$" \
    "the audit log holds no secret or hash"
expect_eq "$(hsnap)" "$hbefore" "the Harbor database is only read"

snap1=$(snap) counts1=$(counts)
run ctl import-harbor "$HDB"
expect_eq "$rc" 1 "import-harbor again: exit 1 (the same rows refused)"
expect_match "$(out)" 'nothing to change' "the second run has nothing to change"
expect_match "$(out)" 'users: 0 created, 8 kept' "every user is kept"
expect_match "$(out)" 'projects: 0 created, 3 kept' "every project is kept"
expect_nomatch "$(out)" ': secret ' "no robot gets a new secret"
expect_eq "$(counts)" "$counts1" "row counts are the same after the second run"
expect_eq "$(snap)" "$snap1" "and every row is the same (no audit row either)"

# --- through the registry: the imported passwords, roles and robots ----------------
# A member for hal, the htpasswd user, in the project Harbor brought.
mkmember team hal 2 || nok "hal is made a developer of team"
r=$(curl -sS -i --max-time 10 "$B/service/certs.pem")
http_body "$r" >"$T/certs.pem"
if ! registry_start reg $RP "$B/service/token" registry berth "$T/certs.pem"; then
	nok "the registry starts with berth's certificates"
	exit 1
fi
ok "the registry starts with berth's certificates"
oci_image "$T/img" v1 "moved in" && oci_image "$T/img" v2 "second"
check "an OCI image is built by hand" test -f "$T/img/v2.digest"
denied() {
	_d=$1; shift
	if "$@" >"$T/out" 2>&1; then
		nok "$_d"; echo "#   the command succeeded"
	else
		expect_match "$(out)" 'unauthorized|denied|authentication required' "$_d"
	fi
}
# acts CRED SCOPE: the actions a token grants for SCOPE, or the status.
acts() {
	_r=$(curl -s -w '\n%{http_code}' -u "$1" "$B/service/token?service=registry&scope=$2")
	_s=$(printf '%s' "$_r" | tail -n 1)
	[ "$_s" = 200 ] || { echo "$_s"; return; }
	jwt_part "$(jqr "$(printf '%s' "$_r" | sed '$d')" .token)" 2 | jq -c '.access[0].actions'
}

check "hal (htpasswd, bcrypt \$2y\$) pushes team/hal:v1 with skopeo" \
    sko copy --dest-tls-verify=false --dest-creds "hal:$HAL_PW" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v1" "docker://$REG/team/hal:v1"
expect_match "$(hash_of hal)" '^\$y\$' "hal's hash is yescrypt after the first login"
check "alice (Harbor, PBKDF2-SHA256) logs in with skopeo" \
    sko login --tls-verify=false --authfile "$S/alice-auth.json" -u alice -p "$ALICE_PW" "$REG"
check "and pushes team/app:v1 as a developer" \
    sko copy --dest-tls-verify=false --dest-creds "alice:$ALICE_PW" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v1" "docker://$REG/team/app:v1"
expect_match "$(hash_of alice)" '^\$y\$' "alice's hash is yescrypt after the first login"
check "alice pulls it back with the same password, now checked against yescrypt" \
    sko copy --src-tls-verify=false --src-creds "alice:$ALICE_PW" --src-authfile "$NOAUTH" \
    "docker://$REG/team/app:v1" "oci:$S/pull-alice:v1"
expect_eq "$(oci_content "$S/pull-alice" v1 2>/dev/null)" "moved in" "the pulled image holds what was pushed"
check "gus (Harbor, PBKDF2-SHA1, guest) pulls team/app:v1 with skopeo" \
    sko copy --src-tls-verify=false --src-creds "gus:$GUS_PW" --src-authfile "$NOAUTH" \
    "docker://$REG/team/app:v1" "oci:$S/pull-gus:v1"
denied "a guest may not push" \
    sko copy --dest-tls-verify=false --dest-creds "gus:$GUS_PW" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v2" "docker://$REG/team/app:v2"
expect_match "$(hash_of gus)" '^\$y\$' "gus's sha1 hash is yescrypt after the first login"
check "robot\$team+ci pushes with the secret the import showed" \
    sko copy --dest-tls-verify=false --dest-creds "robot\$team+ci:$CI_SECRET" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v2" "docker://$REG/team/robo:v2"
check "berth's admin pushes library/app:v1 (Harbor's public project)" \
    sko copy --dest-tls-verify=false --dest-creds "admin:$ADMIN_PW" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v1" "docker://$REG/library/app:v1"
check "anonymous pulls it" \
    sko copy --src-tls-verify=false --src-no-creds "docker://$REG/library/app:v1" "oci:$S/pull-anon:v1"
denied "anonymous may not pull from the private team project" \
    sko copy --src-tls-verify=false --src-no-creds "docker://$REG/team/app:v1" "oci:$S/pull-anon2:v1"

# Roles and accounts at the token endpoint.
expect_eq "$(acts "hel:$HEL_PW" repository:library/app:pull)/$(acts "han:$HAN_PW" repository:library/app:pull)" \
    '["pull"]/["pull"]' "hel (\$2b\$) and han (\$2a\$) log in with their htpasswd passwords"
expect_match "$(hash_of hel)/$(hash_of han)" '^\$y\$.*/\$y\$' "and their hashes are yescrypt now"
expect_eq "$(acts "alice:$ALICE_PW" repository:team/app:pull,push,delete)" '["pull","push"]' "developer: pull, push"
expect_eq "$(acts "gus:$GUS_PW" repository:team/app:pull,push)" '["pull"]' "guest: pull only"
expect_eq "$(acts "mia:$MIA_PW" 'repository:team/app:*')" '["*"]' "maintainer: everything"
expect_eq "$(acts "lena:$LENA_PW" repository:team/app:pull,push)" '["pull"]' "limitedGuest: pull only"
expect_eq "$(acts "sam:$SAM_PW" 'registry:catalog:*')" '["*"]' "Harbor's system admin is berth's"
expect_eq "$(acts "preuser:$PRE_PW" repository:team/app:pull,push)" '["pull","push"]' \
    "berth's preuser keeps its password and gets Harbor's membership"
expect_eq "$(acts "preuser:$PRE_HPW" repository:team/app:pull)" 401 "Harbor's password for preuser does not open it"
expect_eq "$(acts "admin:$HADMIN_PW" repository:team/app:pull)" 401 "nor Harbor's admin password berth's admin"
expect_eq "$(acts "ldapuser:whatever-1A" repository:team/app:pull)" 401 "the user without a local password cannot log in"
# What README says to do for such a user: a password, then enable it.
LID=$(bsql "SELECT user_id FROM users WHERE username = 'ldapuser'")
s1=$(curl -s -o /dev/null -w '%{http_code}' -u "admin:$ADMIN_PW" -H 'Content-Type: application/json' \
    -X PUT -d '{"new_password":"Ldap-Now-Local-1"}' "$B/api/v2.0/users/$LID/password")
s2=$(curl -s -o /dev/null -w '%{http_code}' -u "admin:$ADMIN_PW" -H 'Content-Type: application/json' \
    -X PUT -d '{"disabled":false}' "$B/api/v2.0/users/$LID/disabled")
expect_eq "$s1/$s2/$(acts "ldapuser:Ldap-Now-Local-1" repository:team/app:pull,push)" '200/200/["pull","push"]' \
    "given a password and enabled by an admin, it logs in with its Harbor membership"
expect_eq "$(acts "Carol:x" repository:team/app:pull)" 401 "the refused user does not exist"
expect_eq "$(acts "alice:Wrong-Pw-123" repository:team/app:pull)" 401 "a wrong password is still wrong"
expect_eq "$(acts "robot\$sysbot:$SYS_SECRET" repository:team/app:pull,push)" '["pull"]' "robot\$sysbot pulls everywhere"
expect_eq "$(acts "robot\$team+off:$OFF_SECRET" repository:team/app:pull)" 401 "the robot Harbor had disabled stays disabled"
expect_eq "$(acts "robot\$team+ci:f00d" repository:team/app:pull)" 401 "a robot's Harbor secret is not its secret"

n=$(grep -Ec 'untrusted key|invalid token|token signed|unable to verify|failed to verify' "$T/reg/registry.log")
expect_eq "$n" 0 "the registry rejected no token as invalid"
hits=""
for s in "$HAL_PW" "$ALICE_PW" "$GUS_PW" "$SAM_PW" "$CI_SECRET" "$SYS_SECRET" "$OFF_SECRET" eyJ; do
	grep -Fq -e "$s" "$N"/log/* 2>/dev/null && hits="$hits [$(printf '%s' "$s" | cut -c1-6)...]"
done
expect_eq "$hits" "" "no password or robot secret in berth's or nginx's logs"
