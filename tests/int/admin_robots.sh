#!/bin/sh
# tests/int/admin_robots.sh: the second half of the admin API (robots,
# sessions, signing keys, the audit log) through nginx against a node
# started with deploy/node, with Harbor's request bodies, and the effect
# of each change on the token endpoint from the next request.
. "$(dirname "$0")/../lib.sh"

NODE=$ROOT/deploy/node
unset BERTH_CONF BERTH_DATABASE BERTH_SECRET_FILE
# The first free port of 18781-18789 (admin.sh has 18481-18489).
P=""
for p in 18781 18782 18783 18784 18785 18786 18787 18788 18789; do
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$p/" && continue
	[ $? -eq 7 ] && { P=$p; break; }
done
[ -n "$P" ] || { echo "no free port in 18781-18789" >&2; exit 1; }
N=$T/node
at_exit "BERTH_HOME='$N' '$NODE' stop"
# Keys reload every second, so that rotation shows in certs.pem at once.
env BERTH_HOME="$N" BERTH_PORT=$P BERTH_ADMIN_PASSWORD="$ADMIN_PW" \
    BERTH_KEY_RELOAD=1 BUILD="$BUILD" "$NODE" start >"$T/start.out" 2>&1 ||
    { cat "$T/start.out" >&2; exit 1; }
kill -0 "$(cat "$N/run/nginx.pid" 2>/dev/null)" 2>/dev/null ||
    { echo "nginx of this node is not running (port $P taken?)" >&2; exit 1; }
DATABASE=$(sed -n 's/^database = //p' "$N/berth.conf")
BASE=http://127.0.0.1:$P
U=$BASE/api/v2.0
ADM="admin:$ADMIN_PW"

api() {
	_cred=$1 _m=$2 _p=$3; shift 3
	set -- -X "$_m" "$@"
	if [ "$_cred" != - ]; then set -- -u "$_cred" "$@"; fi
	R=$(curl -sS -i --max-time 10 "$@" "$U$_p")
	S=$(http_status "$R")
	B=$(http_body "$R")
}
japi() {
	_c=$1 _m=$2 _p=$3 _j=$4; shift 4
	api "$_c" "$_m" "$_p" -H 'Content-Type: application/json' \
	    --data-binary "$_j" "$@"
}
hdr() { http_header "$R" "$1"; }
count() { sql "$1"; }
# tok CRED SCOPE: the actions granted for SCOPE, or the HTTP status
# when no token comes back.
tok() {
	_r=$(curl -s -w '\n%{http_code}' -u "$1" "$BASE/service/token?service=registry&scope=$2")
	_s=$(printf '%s' "$_r" | tail -n 1)
	[ "$_s" = 200 ] || { echo "$_s"; return; }
	jwt_part "$(jqr "$(printf '%s' "$_r" | sed '$d')" .token)" 2 |
	    jq -r '.access[0].actions|join(",")'
}

mkuser alice Alice-Pw-123
mkuser bob Bob-Pw-1234
mkuser dave Dave-Pw-1234
mkproject pa private
mkproject pb private
mkmember pa alice 1
mkmember pb bob 1
mkmember pa dave 2
AL=alice:Alice-Pw-123 BO=bob:Bob-Pw-1234 DA=dave:Dave-Pw-1234
PA=$(count "SELECT project_id FROM projects WHERE name = 'pa'")
PB=$(count "SELECT project_id FROM projects WHERE name = 'pb'")

# --- robots: create --------------------------------------------------------
RB='{"name":"ci","description":"CI pushes","duration":30,"level":"project","disable":false,
 "permissions":[{"kind":"project","namespace":"pa","access":[
  {"resource":"repository","action":"pull"},{"resource":"repository","action":"push","effect":"allow"}]}]}'
a0=$(count "SELECT count(*) FROM audit_log")
japi "$AL" POST /robots "$RB"
expect_eq "$S" 201 "POST /robots by pa's projectAdmin: 201"
expect_match "$(hdr Location)" '^/api/v2.0/robots/[0-9]+$' "with Location"
RID=$(hdr Location); RID=${RID##*/}
SEC=$(jqr "$B" .secret)
expect_eq "$(jqr "$B" '.name + " " + (.id|tostring)')" "robot\$pa+ci $RID" "RobotCreated: name and id"
expect_match "$SEC" '^[A-Za-z0-9_-]{43}$' "the secret: 256 bits, base64url"
expect_match "$(jqr "$B" .creation_time)" '^[0-9-]{10}T[0-9:.]+Z$' "creation_time RFC 3339"
now=$(date +%s)
exp=$(jqr "$B" .expires_at)
check "expires_at is 30 days ahead" test $((exp - now)) -gt $((30*86400 - 120)) -a $((exp - now)) -lt $((30*86400 + 120))
expect_eq "$(count "SELECT encode(secret_sha256, 'hex') FROM robots WHERE robot_id = $RID")" \
    "$(sha256_hex "$SEC")" "stored as SHA-256 of the secret"
expect_eq "$(count "SELECT count(*) FROM audit_log")" $((a0 + 1)) "one audit row"
expect_eq "$(count "SELECT actor || ' ' || action || ' ' || resource FROM audit_log ORDER BY audit_id DESC LIMIT 1")" \
    "alice robot.create robot\$pa+ci" "who, what, which"
check "the secret is in no audit row" sh -c "! psql -X -tA -d '$DATABASE' -c 'SELECT detail::text FROM audit_log' | grep -qF -- '$SEC'"

japi "$AL" POST /robots "$RB"
expect_eq "$S" 409 "the same name again: 409"
RBB=$(printf '%s' "$RB" | sed 's/"pa"/"pb"/')
japi "$AL" POST /robots "$RBB"
expect_eq "$S" 403 "alice granting on pb (not hers): 403 (CHECKLIST 27)"
japi "$AL" POST /robots "$(printf '%s' "$RB" | sed 's/"pa"/"nope"/')"
expect_eq "$S" 403 "on a project that does not exist: 403 as well (CHECKLIST 30)"
japi "$AL" POST /robots "$(printf '%s' "$RB" | sed 's/"ci"/"ci2"/; s/"level":"project"/"level":"system"/')"
expect_eq "$S" 403 "a projectAdmin creating a system robot: 403"
japi "$AL" POST /robots "$(printf '%s' "$RB" | sed 's/"ci"/"ci3"/; s/"namespace":"pa"/"namespace":"*"/')"
expect_eq "$S" 400 "namespace * on a project robot: 400"
japi "$DA" POST /robots "$(printf '%s' "$RB" | sed 's/"ci"/"ci4"/')"
expect_eq "$S" 403 "a developer of pa: 403"
for b in '{"name":"x","level":"project","duration":1,"permissions":[]}' \
    '{"name":"x","level":"project","duration":1,"secret":"weak","permissions":[{"kind":"project","namespace":"pa","access":[{"resource":"repository","action":"pull"}]}]}' \
    '{"name":"x","level":"project","duration":0,"permissions":[{"kind":"project","namespace":"pa","access":[{"resource":"repository","action":"pull"}]}]}' \
    '{"name":"x","level":"project","duration":1,"permissions":[{"kind":"project","namespace":"pa","access":[{"resource":"repository","action":"admin"}]}]}' \
    '{"name":"x","level":"project","duration":1,"permissions":[{"kind":"project","namespace":"pa","access":[{"resource":"repository","action":"pull","effect":"deny"}]}]}' \
    '{"name":"x","level":"project","duration":1,"permissions":[{"kind":"system","namespace":"/","access":[{"resource":"repository","action":"pull"}]}]}' \
    '{"name":"x","level":"project","duration":1,"permissions":[{"kind":"project","namespace":"pa","access":[{"resource":"repository","action":"pull","x":1}]}]}' \
    '{"name":"X$y","level":"project","duration":1,"permissions":[{"kind":"project","namespace":"pa","access":[{"resource":"repository","action":"pull"}]}]}' \
    '{"name":"x","level":"team","duration":1,"permissions":[]}' \
    '{"name":"x","level":"project","duration":1,"permissions":{}}'; do
	japi "$AL" POST /robots "$b"
	expect_eq "$S" 400 "POST /robots 400: $(printf '%s' "$b" | cut -c1-60)..."
done
api "$AL" POST /robots -H 'Content-Type: text/plain' --data-binary "$RB"
expect_eq "$S" 415 "not JSON: 415"
expect_eq "$(count "SELECT count(*) FROM robots")" 1 "nothing else was created"

# A system robot over two projects, and one over every project.
japi "$ADM" POST /robots '{"name":"mirror","level":"system","duration":-1,"permissions":[
 {"kind":"project","namespace":"pa","access":[{"resource":"repository","action":"pull"}]},
 {"kind":"project","namespace":"pb","access":[{"resource":"repository","action":"pull"},{"resource":"artifact","action":"delete"}]}]}'
expect_eq "$S" 201 "a system robot on pa and pb, by the admin"
SID=$(hdr Location); SID=${SID##*/}; SSEC=$(jqr "$B" .secret)
expect_eq "$(jqr "$B" '.name + " " + (.expires_at|tostring)')" "robot\$mirror -1" "named robot\$mirror, never expires"
japi "$ADM" POST /robots '{"name":"all","level":"system","duration":-1,"permissions":[
 {"kind":"project","namespace":"*","access":[{"resource":"repository","action":"pull"}]}]}'
expect_eq "$S" 201 "a system robot on every project"
AID=$(hdr Location); AID=${AID##*/}; ASEC=$(jqr "$B" .secret)

# Harbor's clients may choose the secret and leave duration out (-1).
japi "$AL" POST /robots '{"name":"chosen","level":"project","secret":"Chosen-Pw-12","permissions":[{"kind":"project","namespace":"pa","access":[{"resource":"repository","action":"pull"}]}]}'
expect_eq "$S" 201 "a chosen secret, no duration"
expect_eq "$(jqr "$B" '.secret + " " + (.expires_at|tostring)')" "Chosen-Pw-12 -1" "answered once, never expires"
CID=$(hdr Location); CID=${CID##*/}
check "a chosen secret is in no audit row" sh -c "! psql -X -tA -d '$DATABASE' -c 'SELECT detail::text FROM audit_log' | grep -q Chosen-Pw"
expect_eq "$(tok 'robot$pa+chosen:Chosen-Pw-12' repository:pa/app:pull)" pull "the chosen secret works"
api "$AL" DELETE "/robots/$CID"
expect_eq "$S" 200 "and the robot goes again"

# --- robots: read and list --------------------------------------------------
api "$AL" GET "/robots/$RID"
expect_eq "$S" 200 "GET /robots/{id} by its projectAdmin"
expect_eq "$(jqr "$B" '[.name,.level,(.duration|tostring),(.disable|tostring),(.editable|tostring)]|join(",")')" \
    "robot\$pa+ci,project,30,false,true" "Robot fields"
expect_eq "$(jqr "$B" '[.permissions[] | .kind + ":" + .namespace + ":" + ([.access[] | .resource + "/" + .action] | join("+"))] | join(" ")')" \
    "project:pa:repository/pull+repository/push" "permissions as Harbor has them"
expect_eq "$(jqr "$B" 'has("secret")')" false "no secret in Robot"
api "$BO" GET "/robots/$RID"
expect_eq "$S" 404 "bob (pb's admin) reading pa's robot: 404 (CHECKLIST 26)"
api "$DA" GET "/robots/$RID"
expect_eq "$S" 403 "a developer of pa: 403"
api "$AL" GET "/robots/$SID"
expect_eq "$S" 404 "a system robot is invisible to a projectAdmin"
api "$AL" GET "/robots/99999"
expect_eq "$S" 404 "no such robot: 404"
api "$AL" GET "/robots/abc"
expect_eq "$S" 404 "a non-numeric id: 404"

api "$AL" GET "/robots?q=Level%3Dproject%2CProjectID%3D$PA&page=1&page_size=10"
expect_eq "$S" 200 "GET /robots?q=Level=project,ProjectID=pa"
expect_eq "$(hdr X-Total-Count)" 1 "X-Total-Count"
expect_eq "$(jqr "$B" '[.[].name]|join(",")')" "robot\$pa+ci" "pa's robots"
api "$AL" GET "/robots?q=ProjectID%3D$PB"
expect_eq "$S" 404 "alice listing pb's robots: 404"
api "$AL" GET "/robots"
expect_eq "$S" 403 "alice listing every robot: 403"
api "$ADM" GET "/robots?page=1&page_size=2"
expect_eq "$S" 200 "the admin lists every robot"
expect_eq "$(hdr X-Total-Count)" 3 "three of them"
expect_match "$(hdr Link)" 'page=2&page_size=2>; rel="next"' "Link to the next page"
api "$ADM" GET "/robots?q=Level%3Dsystem"
expect_eq "$(jqr "$B" '[.[].name]|join(",")')" "robot\$mirror,robot\$all" "Level=system"
api "$ADM" GET "/robots?q=Name%3Dx"
expect_eq "$S" 400 "an unknown q key: 400"
api "$ADM" GET "/robots?foo=1"
expect_eq "$S" 400 "an unknown parameter: 400"

# --- robots at the token endpoint ------------------------------------------
expect_eq "$(tok "robot\$pa+ci:$SEC" repository:pa/app:pull,push,delete)" "pull,push" \
    "the new robot gets what it was granted on pa"
expect_eq "$(tok "robot\$pa+ci:$SEC" repository:pb/app:pull)" "" "and nothing on pb"
expect_eq "$(tok "robot\$mirror:$SSEC" repository:pb/app:pull,delete)" "pull,delete" "the system robot on pb"
expect_eq "$(tok "robot\$mirror:$SSEC" repository:pa/app:push)" "" "no push on pa"
expect_eq "$(tok "robot\$all:$ASEC" repository:pb/app:pull)" "pull" "namespace * covers pb"

# --- robots: update, refresh, delete ---------------------------------------
api "$AL" GET "/robots/$RID"
put=$(printf '%s' "$B" | jq -c '.description = "changed" | .disable = true')
a0=$(count "SELECT count(*) FROM audit_log")
japi "$AL" PUT "/robots/$RID" "$put"
expect_eq "$S" 200 "PUT the Robot back with disable=true"
expect_eq "$(count "SELECT description || ' ' || disabled FROM robots WHERE robot_id = $RID")" "changed true" "stored"
expect_eq "$(count "SELECT action FROM audit_log ORDER BY audit_id DESC LIMIT 1")" robot.update "audited"
expect_eq "$(tok "robot\$pa+ci:$SEC" repository:pa/app:pull)" 401 "disabled: the next token request gets 401"
japi "$AL" PUT "/robots/$RID" '{"disable":false}'
expect_eq "$(tok "robot\$pa+ci:$SEC" repository:pa/app:pull)" pull "enabled again: tokens again"
japi "$AL" PUT "/robots/$RID" '{"name":"robot$pa+other"}'
expect_eq "$S" 400 "renaming: 400"
japi "$AL" PUT "/robots/$RID" '{"level":"system"}'
expect_eq "$S" 400 "changing the level: 400"
japi "$AL" PUT "/robots/$RID" '{"permissions":[{"kind":"project","namespace":"pb","access":[{"resource":"repository","action":"pull"}]}]}'
expect_eq "$S" 403 "moving the robot's access to pb: 403"
japi "$AL" PUT "/robots/$RID" '{"permissions":[{"kind":"project","namespace":"pa","access":[{"resource":"repository","action":"pull"}]}]}'
expect_eq "$S" 200 "narrowing to pull"
expect_eq "$(tok "robot\$pa+ci:$SEC" repository:pa/app:pull,push)" pull "the next token has pull only"
japi "$AL" PUT "/robots/$RID" '{"duration":-1}'
expect_eq "$(count "SELECT expires_at IS NULL FROM robots WHERE robot_id = $RID")" t "duration -1: never expires"
japi "$BO" PUT "/robots/$RID" '{"disable":true}'
expect_eq "$S" 404 "bob disabling pa's robot: 404"
expect_eq "$(count "SELECT disabled FROM robots WHERE robot_id = $RID")" f "and nothing changed"

api "$AL" PATCH "/robots/$RID"
expect_eq "$S" 200 "PATCH with no body refreshes the secret"
NSEC=$(jqr "$B" .secret)
expect_match "$NSEC" '^[A-Za-z0-9_-]{43}$' "RobotSec with the new secret"
expect_eq "$(tok "robot\$pa+ci:$SEC" repository:pa/app:pull)" 401 "the old secret: 401"
expect_eq "$(tok "robot\$pa+ci:$NSEC" repository:pa/app:pull)" pull "the new one works"
japi "$AL" PATCH "/robots/$RID" '{"secret":"weak"}'
expect_eq "$S" 400 "a chosen secret breaking the rules: 400"
japi "$AL" PATCH "/robots/$RID" '{"secret":"Chosen-Secret-99"}'
expect_eq "$S" 200 "a chosen secret"
expect_eq "$(jqr "$B" .secret)" "" "answered as Harbor does: secret \"\""
expect_eq "$(tok 'robot$pa+ci:Chosen-Secret-99' repository:pa/app:pull)" pull "works at once"
expect_eq "$(tok "robot\$pa+ci:$NSEC" repository:pa/app:pull)" 401 "the generated one no longer"
api "$BO" PATCH "/robots/$RID"
expect_eq "$S" 404 "bob refreshing pa's robot: 404"
expect_eq "$(tok 'robot$pa+ci:Chosen-Secret-99' repository:pa/app:pull)" pull "and the secret is unchanged"

api "$BO" DELETE "/robots/$RID"
expect_eq "$S" 404 "bob deleting pa's robot: 404"
expect_eq "$(count "SELECT count(*) FROM robots WHERE robot_id = $RID")" 1 "still there"
api "$AL" DELETE "/robots/$RID"
expect_eq "$S" 200 "DELETE /robots/{id}"
expect_eq "$(count "SELECT count(*) FROM robot_permissions WHERE robot_id = $RID")" 0 "its permissions went with it"
expect_eq "$(tok 'robot$pa+ci:Chosen-Secret-99' repository:pa/app:pull)" 401 "deleted: 401 at once"
api "$AL" GET "/robots/$RID"
expect_eq "$S" 404 "and it is gone"
api 'robot$mirror:'"$SSEC" GET "/robots"
expect_eq "$S" 403 "a robot may not use the admin API"

# A project deleted and created again inherits no robot grant (CHECKLIST 29).
expect_eq "$(tok "robot\$mirror:$SSEC" repository:pb/app:pull)" pull "mirror pulls from pb"
api "$ADM" DELETE "/projects/pb"
expect_eq "$S" 200 "pb deleted"
japi "$BO" POST /projects '{"project_name":"pb"}'
expect_eq "$S" 201 "pb created again"
expect_eq "$(tok "robot\$mirror:$SSEC" repository:pb/app:pull)" "" "the system robot has nothing on the new pb"
expect_eq "$(tok "robot\$mirror:$SSEC" repository:pa/app:pull)" pull "and keeps pa"
api "$ADM" GET "/robots/$SID"
expect_eq "$(jqr "$B" '[.permissions[].namespace]|join(",")')" pa "its Robot shows pa only"
PB=$(count "SELECT project_id FROM projects WHERE name = 'pb'")

# --- sessions ----------------------------------------------------------------
# offline NAME:PW CLIENT: a refresh token.
offline() {
	curl -s -u "$1" "$BASE/service/token?service=registry&offline_token=true&client_id=$2" | jq -r .refresh_token
}
# refresh TOKEN CLIENT: the status of a refresh_token grant.
refresh() {
	curl -s -o /dev/null -w '%{http_code}' --data-urlencode "refresh_token=$1" \
	    -d grant_type=refresh_token -d service=registry -d client_id="$2" "$BASE/service/token"
}
ALID=$(count "SELECT user_id FROM users WHERE username = 'alice'")
BOID=$(count "SELECT user_id FROM users WHERE username = 'bob'")
rt1=$(offline "$AL" c1)
rt2=$(offline "$AL" c2)
rtb=$(offline "$BO" cb)
expect_eq "$(refresh "$rt1" c1)" 200 "a fresh refresh token works"
api "$AL" GET "/users/$ALID/sessions"
expect_eq "$S" 200 "GET /users/{self}/sessions"
expect_eq "$(hdr X-Total-Count)" 2 "two sessions"
expect_eq "$(jqr "$B" '[.[].client_id]|join(",")')" "c2,c1" "newest first, with client_id"
expect_eq "$(jqr "$B" '.[0]|[.service,(.revoked|tostring)]|join(",")')" "registry,false" "service, revoked"
check "no hash in the list" sh -c "! printf '%s' '$B' | grep -qi sha256"
S1=$(jqr "$B" '.[1].id')
SB=$(count "SELECT session_id FROM sessions WHERE user_id = $BOID")
api "$BO" GET "/users/$ALID/sessions"
expect_eq "$S" 404 "another user's sessions: 404"
api "$ADM" GET "/users/$ALID/sessions"
expect_eq "$S" 200 "the admin lists them"
api "$AL" DELETE "/users/$ALID/sessions/$SB"
expect_eq "$S" 404 "bob's session under alice's URL: 404"
expect_eq "$(count "SELECT revoked_at IS NULL FROM sessions WHERE session_id = $SB")" t "and nothing changed"
expect_eq "$(refresh "$rtb" cb)" 200 "bob's refresh token still works"
api "$AL" DELETE "/users/$ALID/sessions/$S1"
expect_eq "$S" 200 "DELETE /users/{id}/sessions/{sid}"
expect_eq "$(count "SELECT action FROM audit_log ORDER BY audit_id DESC LIMIT 1")" session.revoke "audited"
expect_eq "$(refresh "$rt1" c1)" 400 "the revoked refresh token: 400 invalid_grant"
expect_eq "$(refresh "$rt2" c2)" 200 "the other one still works"
api "$ADM" DELETE "/users/$ALID/sessions"
expect_eq "$S" 200 "DELETE /users/{id}/sessions: revoke all"
expect_eq "$(refresh "$rt2" c2)" 400 "every refresh token of alice is refused"
expect_eq "$(refresh "$rtb" cb)" 200 "bob's is not"
api "$AL" GET "/users/$ALID/sessions"
expect_eq "$(jqr "$B" '[.[].revoked]|all|tostring')" true "all listed as revoked"

# --- signing keys ----------------------------------------------------------
certs() { curl -s "$BASE/service/certs.pem" | grep -c 'BEGIN CERTIFICATE'; }
api "$AL" GET /keys
expect_eq "$S" 403 "a user listing keys: 403"
api "$AL" POST /keys/activate
expect_eq "$S" 403 "a user activating a key: 403"
api "$ADM" GET /keys
expect_eq "$S" 200 "GET /keys"
expect_eq "$(jqr "$B" '[.[].state]|join(",")')" active "one active key"
K1=$(jqr "$B" '.[0].kid')
check "no private material" sh -c "! printf '%s' '$B' | grep -qiE 'private|BEGIN'"
n0=$(certs)
api "$ADM" POST /keys/activate
expect_eq "$S" 404 "activate without a next key: 404"
api "$ADM" POST /keys
expect_eq "$S" 201 "POST /keys: the next key"
K2=$(jqr "$B" .kid)
expect_match "$K2" '^[A-Z0-9:]+$' "with its kid"
api "$ADM" POST /keys
expect_eq "$S" 409 "a second next key: 409"
c2() { [ "$(certs)" -eq $((n0 + 1)) ]; }
check "certs.pem publishes the next key within key_reload" wait_for 5 c2
api "$ADM" POST /keys/activate
expect_eq "$S" 200 "POST /keys/activate"
expect_eq "$(jqr "$B" .kid)" "$K2" "the next key is active"
api "$ADM" GET /keys
expect_eq "$(jqr "$B" '[.[] | .kid + "=" + .state]|join(",")')" "$K1=retiring,$K2=active" "states after activation"
kidnow() { [ "$(jwt_part "$(jqr "$(curl -s -u "$AL" "$BASE/service/token?service=registry")" .token)" 1 | jq -r .kid)" = "$K2" ]; }
check "tokens are signed with the new key within key_reload" wait_for 5 kidnow
api "$ADM" POST /keys/retire
expect_eq "$S" 200 "POST /keys/retire"
expect_eq "$(jqr "$B" '"\(.retired) \(.kept)"')" "0 1" "the old key is too young to retire"
sql "UPDATE signing_keys SET retired_at = now() - interval '1 day' WHERE kid = '$K1'"
api "$ADM" POST /keys/retire
expect_eq "$(jqr "$B" '"\(.retired) \(.kept)"')" "1 0" "once its tokens expired, it retires"
c3() { [ "$(certs)" -eq "$n0" ]; }
check "certs.pem no longer publishes it" wait_for 5 c3
expect_eq "$(count "SELECT string_agg(action, ',' ORDER BY audit_id) FROM audit_log WHERE resource_type = 'key'")" \
    "key.create,key.activate,key.retire,key.retire" "each step audited"

# --- the audit log ---------------------------------------------------------
api "$AL" GET /audit-logs
expect_eq "$S" 403 "a user reading the audit log: 403"
api "$ADM" GET "/audit-logs?page=1&page_size=3"
expect_eq "$S" 200 "GET /audit-logs"
expect_eq "$(hdr X-Total-Count)" "$(count "SELECT count(*) FROM audit_log")" "X-Total-Count"
expect_eq "$(jqr "$B" 'length')" 3 "a page of 3"
expect_eq "$(jqr "$B" '.[0].operation')" key.retire "newest first"
expect_match "$(hdr Link)" 'rel="next"' "Link"
api "$ADM" GET "/audit-logs?actor=alice&action=robot.create"
expect_eq "$(jqr "$B" '[.[] | .username + " " + .operation + " " + .resource]|join(",")')" \
    "alice robot.create robot\$pa+chosen,alice robot.create robot\$pa+ci" "by actor and action"
from=$(count "SELECT to_char((now() - interval '1 hour') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
api "$ADM" GET "/audit-logs?from=$from&to=2999-01-01T00:00:00.5%2B02:00"
expect_eq "$(hdr X-Total-Count)" "$(count "SELECT count(*) FROM audit_log")" "a time range holding everything"
api "$ADM" GET "/audit-logs?to=2000-01-01T00:00:00Z"
expect_eq "$(hdr X-Total-Count)" 0 "a range before everything"
for t in 2026-02-30T00:00:00Z 2026-01-01 2026-01-01T00:00:00 2026-01-01t00:00:00z \
    "2026-01-01 00:00:00Z" 2026-01-01T24:00:00Z 2026-01-01T00:00:00.Z yesterday; do
	api "$ADM" GET "/audit-logs?from=$(printf '%s' "$t" | jq -sRr @uri)"
	expect_eq "$S" 400 "from=$t: 400"
done
api "$ADM" GET "/audit-logs?sort=at"
expect_eq "$S" 400 "a parameter not in the allow-list: 400"


# --- who may do what: roles against the new routes (CHECKLIST 25) ----------
# Writes send a body that passes authorization and then fails (400) or
# collides (409), so that the table leaves the data as it was.
mkuser g3 G3-Pw-12345
mkuser m4 M4-Pw-12345
mkuser l5 L5-Pw-12345
mkuser olga Olga-Pw-1234
mkuser dis Dis-Pw-12345
mkmember pa g3 3
mkmember pa m4 4
mkmember pa l5 5
mkmember pa dis 1
sql "UPDATE users SET disabled = true WHERE username = 'dis'" >/dev/null
japi "$ADM" POST /robots '{"name":"tbl","level":"project","duration":-1,"permissions":[{"kind":"project","namespace":"pa","access":[{"resource":"repository","action":"pull"}]}]}'
TBL=$(hdr Location); TBL=${TBL##*/}; TSEC=$(jqr "$B" .secret)
OLGA=$(count "SELECT user_id FROM users WHERE username = 'olga'")
TB='{"name":"tbl","level":"project","duration":-1,"permissions":[{"kind":"project","namespace":"pa","access":[{"resource":"repository","action":"pull"}]}]}'
ROLES="anonymous outsider projectAdmin developer guest maintainer limitedGuest sysadmin robot disabled"
cred() {
	case $1 in
	anonymous) echo - ;; outsider) echo olga:Olga-Pw-1234 ;;
	projectAdmin) echo "$AL" ;; developer) echo "$DA" ;;
	guest) echo g3:G3-Pw-12345 ;; maintainer) echo m4:M4-Pw-12345 ;;
	limitedGuest) echo l5:L5-Pw-12345 ;; sysadmin) echo "$ADM" ;;
	robot) echo "robot\$pa+tbl:$TSEC" ;; disabled) echo dis:Dis-Pw-12345 ;;
	esac
}
# METHOD PATH BODY(- none) | expected status per role, in ROLES' order
# (no globbing of the unquoted fields: paths hold '?')
set -f
while IFS='|' read -r route want; do
	[ -n "$route" ] || continue
	set -- $route
	m=$1 path=$2 body=$3
	set -- $want
	for role in $ROLES; do
		c=$(cred "$role")
		if [ "$body" = - ]; then api "$c" "$m" "$path"
		else japi "$c" "$m" "$path" "$body"; fi
		expect_eq "$S" "$1" "$role: $m $path"
		shift
	done
done <<TABLE
GET /robots/$TBL -            | 401 404 200 403 403 403 403 200 403 401
PUT /robots/$TBL {"level":"x"} | 401 404 400 403 403 403 403 400 403 401
PATCH /robots/$TBL {"secret":"weak"} | 401 404 400 403 403 403 403 400 403 401
GET /robots?q=ProjectID%3D$PA - | 401 404 200 403 403 403 403 200 403 401
POST /robots $(printf '%s' "$TB" | tr -d ' ') | 401 403 409 403 403 403 403 409 403 401
GET /robots -                  | 401 403 403 403 403 403 403 200 403 401
GET /keys -                    | 401 403 403 403 403 403 403 200 403 401
POST /keys/retire -            | 401 403 403 403 403 403 403 200 403 401
GET /audit-logs -              | 401 403 403 403 403 403 403 200 403 401
GET /users/$OLGA/sessions -    | 401 200 404 404 404 404 404 200 403 401
DELETE /users/$OLGA/sessions/999999 - | 401 404 404 404 404 404 404 404 403 401
TABLE
set +f
expect_eq "$(tok "robot\$pa+tbl:$TSEC" repository:pa/app:pull)" pull "the table changed no robot's secret"

# An expired robot: refused from the next request (CHECKLIST 28).
sql "UPDATE robots SET expires_at = now() - interval '1 second' WHERE robot_id = $TBL" >/dev/null
expect_eq "$(tok "robot\$pa+tbl:$TSEC" repository:pa/app:pull)" 401 "an expired robot: 401"

check "no secret in any log" sh -c "! grep -rqF -- '$SSEC' '$N/log'"
check "no chosen secret in any log" sh -c "! grep -rqE 'Chosen-(Pw|Secret)' '$N/log'"
for p in $(workers "$N/run/admin.pid"); do
	check "admin worker $p is alive after every request" kill -0 "$p"
done
expect_eq "$(restarts "$N/log/berth-admin.log")" 0 "no admin worker died and was replaced"
check "no sanitizer report in the programs' logs" sh -c \
    "! grep -Eq 'AddressSanitizer|runtime error|LeakSanitizer' '$N'/log/berth-*.log"
