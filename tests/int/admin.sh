#!/bin/sh
# tests/int/admin.sh: the admin API (users, projects, members) through
# nginx against a node started with deploy/node: every endpoint with
# Harbor's request bodies, the CHECKLIST admin cases, the authorization
# table as data, and the effect of changes on the token endpoint.
. "$(dirname "$0")/../lib.sh"

NODE=$ROOT/deploy/node
unset BERTH_CONF BERTH_DATABASE BERTH_SECRET_FILE
# The first free port of 18481-18489, so that two runs at once (make
# test and make sanitize, two checkouts) do not talk to each other's node.
P=""
for p in 18481 18482 18483 18484 18485 18486 18487 18488 18489; do
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$p/" && continue
	[ $? -eq 7 ] && { P=$p; break; }
done
[ -n "$P" ] || { echo "no free port in 18481-18489" >&2; exit 1; }
N=$T/node
at_exit "BERTH_HOME='$N' '$NODE' stop"
env BERTH_HOME="$N" BERTH_PORT=$P BERTH_ADMIN_PASSWORD="$ADMIN_PW" \
    BUILD="$BUILD" "$NODE" start >"$T/start.out" 2>&1 ||
    { cat "$T/start.out" >&2; exit 1; }
# Ready must mean our nginx, not another that took the port meanwhile.
kill -0 "$(cat "$N/run/nginx.pid" 2>/dev/null)" 2>/dev/null ||
    { echo "nginx of this node is not running (port $P taken?)" >&2; exit 1; }
DATABASE=$(sed -n 's/^database = //p' "$N/berth.conf")
BASE=http://127.0.0.1:$P
U=$BASE/api/v2.0
ADM="admin:$ADMIN_PW"

# api CRED METHOD PATH [curl args...]: sets R (response), S (status),
# B (body).  CRED "-" sends no credentials.
api() {
	_cred=$1 _m=$2 _p=$3; shift 3
	if [ "$_m" = HEAD ]; then set -- -I "$@"; else set -- -X "$_m" "$@"; fi
	if [ "$_cred" != - ]; then set -- -u "$_cred" "$@"; fi
	R=$(curl -sS -i --max-time 10 "$@" "$U$_p")
	S=$(http_status "$R")
	B=$(http_body "$R")
}
# japi CRED METHOD PATH JSON [curl args...]: the same with a JSON body.
japi() {
	_c=$1 _m=$2 _p=$3 _j=$4; shift 4
	api "$_c" "$_m" "$_p" -H 'Content-Type: application/json' \
	    --data-binary "$_j" "$@"
}
hdr() { http_header "$R" "$1"; }
count() { sql "$1"; }
audits() { count "SELECT count(*) FROM audit_log"; }

# --- routing and authentication --------------------------------------------
api - GET /users/current
expect_eq "$S" 401 "no credentials: 401"
expect_match "$(hdr WWW-Authenticate)" '^Basic realm="berth"' "with WWW-Authenticate"
expect_match "$B" '"code":"UNAUTHORIZED"' "and Harbor's error shape"
api "admin:wrong" GET /users/current
expect_eq "$S" 401 "a wrong password: 401"
api - GET /users/current -H 'Authorization: Basic !!!'
expect_eq "$S" 401 "bad base64: 401"
api - GET /users/current -H 'Authorization: Bearer abc'
expect_eq "$S" 401 "a Bearer token: 401"
api "$ADM" GET /nothing
expect_eq "$S" 404 "unknown path: 404"
expect_match "$B" '"code":"NOT_FOUND"' "with a JSON error"
api "$ADM" GET /users/1/nothing
expect_eq "$S" 404 "unknown sub-path: 404"
api "$ADM" PATCH /users
expect_eq "$S" 405 "PATCH /users: 405"
expect_eq "$(hdr Allow)" "POST, GET" "with Allow"
api "$ADM" POST /users/current
expect_eq "$S" 405 "POST /users/current: 405"
expect_eq "$(hdr Allow)" "GET" "Allow: GET"
api "$ADM" DELETE /projects
expect_eq "$(hdr Allow)" "POST, HEAD, GET" "Allow on /projects"
api - PATCH /users
expect_eq "$S" 405 "405 comes before authentication"

api "$ADM" GET /users/current
expect_eq "$S" 200 "GET /users/current as admin"
expect_eq "$(jqr "$B" '.username + " " + (.sysadmin_flag|tostring) + " " + (.user_id|tostring)')" \
    "admin true 1" "UserResp fields"
expect_match "$(jqr "$B" .creation_time)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' \
    "creation_time is RFC 3339"
check "no password field in UserResp" sh -c "! printf '%s' '$B' | grep -q password"

# --- users -----------------------------------------------------------------
a0=$(audits)
japi "$ADM" POST /users '{"username":"alice","email":"alice@example.com","realname":"Alice A","password":"Alice-Pw-123","comment":"first"}'
expect_eq "$S" 201 "POST /users: 201"
loc=$(hdr Location)
expect_match "$loc" '^/api/v2.0/users/[0-9]+$' "Location names the user"
ALICE=${loc##*/}
expect_eq "$(audits)" $((a0 + 1)) "one audit row for the creation"
expect_eq "$(count "SELECT actor || ' ' || action || ' ' || resource FROM audit_log ORDER BY audit_id DESC LIMIT 1")" \
    "admin user.create alice" "who, what, which"
check "the audit row holds no password" sh -c "! psql -X -tA -d '$DATABASE' -c 'SELECT detail::text FROM audit_log' | grep -q Alice-Pw"
api "$ADM" GET "/users/$ALICE"
expect_eq "$S" 200 "GET the Location"
expect_eq "$(jqr "$B" '[.username,.email,.realname,.comment,(.sysadmin_flag|tostring),(.disabled|tostring)]|join(",")')" \
    "alice,alice@example.com,Alice A,first,false,false" "the fields as created"
japi "$ADM" POST /users '{"username":"alice","password":"Alice-Pw-123"}'
expect_eq "$S" 409 "a duplicate username: 409"
japi "$ADM" POST /users '{"username":"alice2","email":"alice@example.com","password":"Alice-Pw-123"}'
expect_eq "$S" 409 "a duplicate email: 409"
japi "$ADM" POST /users '{"username":"bob","email":"bob@example.com","password":"Bob-Pw-1234"}'
BOB=$(hdr Location); BOB=${BOB##*/}
japi "$ADM" POST /users '{"username":"a_b","password":"Ab-Pw-12345"}'
japi "$ADM" POST /users '{"username":"axb","password":"Ab-Pw-12345"}'

# Mass assignment and input rules (CHECKLIST 18, 19, 22-24).
a0=$(audits)
japi "alice:Alice-Pw-123" POST /users '{"username":"mallory","password":"Mallory-Pw-1","sysadmin_flag":true}'
expect_eq "$S" 403 "a non-admin creating a user: 403"
japi "$ADM" POST /users '{"username":"mallory","password":"Mallory-Pw-1","sysadmin_flag":true}'
expect_eq "$S" 400 "sysadmin_flag in POST /users: 400 (unknown field)"
japi "$ADM" POST /users '{"username":"mallory","password":"Mallory-Pw-1","user_id":1}'
expect_eq "$S" 400 "user_id in POST /users: 400"
japi "alice:Alice-Pw-123" PUT "/users/$ALICE" '{"realname":"A","sysadmin_flag":true}'
expect_eq "$S" 400 "sysadmin_flag in PUT /users/{self}: 400"
japi "alice:Alice-Pw-123" PUT "/users/$ALICE/sysadmin" '{"sysadmin_flag":true}'
expect_eq "$S" 403 "a user making themselves admin: 403"
expect_eq "$(count "SELECT sysadmin FROM users WHERE username = 'alice'")" f "alice is no admin"
expect_eq "$(count "SELECT count(*) FROM users WHERE username = 'mallory'")" 0 "no mallory"
for body in '{"username":"m1","password":"Mallory-Pw-1","x":1}' \
    '{"username":"m1","username":"m2","password":"Mallory-Pw-1"}' \
    '{"username":"m1","password":"Mallory-Pw-1","comment":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{}}}}}}}}}}' \
    '{"username":"m1\u0000","password":"Mallory-Pw-1"}' \
    '{"username":1,"password":"Mallory-Pw-1"}' \
    '{"username":"m1","password":"Mallory-Pw-1","email":true}' \
    '{"username":"m1"}' '[]' '{' '' \
    '{"username":"m1","password":"short"}' \
    '{"username":"m1","password":"nouppercase1"}' \
    '{"username":"m1","password":"Mallory-Pw-1","email":"not-an-address"}'; do
	japi "$ADM" POST /users "$body"
	expect_eq "$S" 400 "POST /users $(printf '%.60s' "$body"): 400"
done
printf '{"username":"m1","password":"Mallory-Pw-1","realname":"\377\376"}' >"$T/bad-utf8"
api "$ADM" POST /users -H 'Content-Type: application/json' --data-binary @"$T/bad-utf8"
expect_eq "$S" 400 "invalid UTF-8: 400"
for n in 'a/b' 'a:b' 'a@b' 'a*b' 'a b' '-ab' '.ab' 'Alice' 'j\u00f6rg' 'robot$x' 'current' 'search' \
    "$(head -c 256 /dev/zero | tr '\0' a)"; do
	japi "$ADM" POST /users "{\"username\":\"$n\",\"password\":\"Mallory-Pw-1\"}"
	expect_eq "$S" 400 "username '$(printf '%.20s' "$n")': 400"
done
pw=$(head -c 60000 /dev/zero | tr '\0' A)
japi "$ADM" POST /users "{\"username\":\"m1\",\"password\":\"$pw\"}"
expect_eq "$S" 400 "a 60 KB password: 400 before hashing"
head -c 1048576 /dev/zero | tr '\0' A | sed 's/^/{"username":"m1","password":"/; s/$/"}/' >"$T/big.json"
api "$ADM" POST /users -H 'Content-Type: application/json' --data-binary @"$T/big.json"
expect_eq "$S" 413 "a 1 MiB password: 413, never hashed"
api "$ADM" POST /users --data-binary '{"username":"m1","password":"Mallory-Pw-1"}'
expect_eq "$S" 415 "no application/json: 415"
api "$ADM" POST /users -H 'Content-Type: text/plain' --data-binary '{"username":"m1","password":"Mallory-Pw-1"}'
expect_eq "$S" 415 "text/plain: 415"
expect_match "$B" '"code":"UNSUPPORTED_MEDIA_TYPE"' "with Harbor's code"
api "$ADM" PUT "/users/$ALICE" -H 'Content-Type: application/x-www-form-urlencoded' --data 'realname=x'
expect_eq "$S" 415 "PUT with a form body: 415"
expect_eq "$(audits)" "$a0" "no refused request left an audit row"
expect_eq "$(count "SELECT count(*) FROM users WHERE username LIKE 'm%'")" 0 "and no user"

# Lists, paging, sorting, filters (CHECKLIST 20, 21).
api "$ADM" GET "/users?page=1&page_size=2&sort=username"
expect_eq "$S" 200 "GET /users paged"
expect_eq "$(hdr X-Total-Count)" 5 "X-Total-Count"
expect_eq "$(hdr Link)" '</api/v2.0/users?page=2&page_size=2&sort=username>; rel="next"' "Link: next"
expect_eq "$(jqr "$B" '[.[].username]|join(",")')" "a_b,admin" "sorted by username"
api "$ADM" GET "/users?page=2&page_size=2&sort=username"
expect_eq "$(hdr Link)" '</api/v2.0/users?page=1&page_size=2&sort=username>; rel="prev" , </api/v2.0/users?page=3&page_size=2&sort=username>; rel="next"' "Link: prev and next"
api "$ADM" GET "/users?sort=-username&page_size=1"
expect_eq "$(jqr "$B" '.[0].username')" bob "sort=-username"
api "$ADM" GET "/users?q=username%3D~a_"
expect_eq "$(jqr "$B" '[.[].username]|join(",")')" "a_b" "q=username=~a_ matches '_' literally"
api "$ADM" GET "/users?q=username%3Dalice"
expect_eq "$(jqr "$B" 'length')" 1 "q=username=alice: exact"
for bad in 'sort=password' 'sort=name%3BDROP%20TABLE%20users' 'sort=(select%20pg_sleep(5))' \
    'q=password%3D~a' 'q=username' 'page_size=2147483647' 'page=-1' 'page=0' 'page_size=0' \
    'page=abc' 'evil=1' 'page=1&page=2'; do
	api "$ADM" GET "/users?$bad"
	expect_eq "$S" 400 "GET /users?$bad: 400"
done
expect_eq "$(count "SELECT count(*) FROM users")" 5 "the users table is intact"
api "alice:Alice-Pw-123" GET /users
expect_eq "$S" 403 "a non-admin listing users: 403"
api "alice:Alice-Pw-123" GET "/users/search?username=a"
expect_eq "$S" 200 "any user searches users"
expect_eq "$(jqr "$B" '[.[].username]|join(",")')" "a_b,admin,alice,axb" "search matches substrings"
expect_eq "$(jqr "$B" '.[0]|keys|join(",")')" "user_id,username" "search answers user_id and username only"
api "alice:Alice-Pw-123" GET "/users/search?username=a_"
expect_eq "$(jqr "$B" '[.[].username]|join(",")')" "a_b" "search: '_' literal"
api "alice:Alice-Pw-123" GET "/users/search?username=%25"
expect_eq "$(jqr "$B" 'length')" 0 "search: '%' literal"
api "alice:Alice-Pw-123" GET "/users/search?username=a&page_size=1"
expect_eq "$(hdr X-Total-Count)" 4 "search: X-Total-Count"
api "alice:Alice-Pw-123" GET "/users/search"
expect_eq "$S" 400 "search without username: 400"

# Reading and changing users.
api "alice:Alice-Pw-123" GET "/users/$ALICE"
expect_eq "$S" 200 "a user reads their own account"
api "alice:Alice-Pw-123" GET "/users/$BOB"
s_other=$S b_other=$B
api "alice:Alice-Pw-123" GET "/users/999999"
expect_eq "$s_other/$b_other" "$S/$B" "another user and no user look the same (CHECKLIST 30)"
expect_eq "$S" 404 "both 404"
api "$ADM" GET "/users/abc"
expect_eq "$S" 404 "a non-numeric id: 404"
japi "alice:Alice-Pw-123" PUT "/users/$ALICE" '{"email":"alice@new.example","realname":"Alice B","comment":"changed"}'
expect_eq "$S" 200 "PUT /users/{self}: 200"
api "alice:Alice-Pw-123" GET "/users/current"
expect_eq "$(jqr "$B" '[.email,.realname,.comment]|join(",")')" "alice@new.example,Alice B,changed" "profile changed"
japi "alice:Alice-Pw-123" PUT "/users/$BOB" '{"realname":"pwned"}'
expect_eq "$S" 404 "PUT another user as non-admin: 404"
japi "$ADM" PUT "/users/$BOB" '{"realname":"Bob"}'
expect_eq "$S" 200 "admin changes another's profile"

# Passwords: the old one for oneself, not for an admin resetting another.
japi "alice:Alice-Pw-123" PUT "/users/$ALICE/password" '{"new_password":"Alice-Pw-456"}'
expect_eq "$S" 400 "own password without old_password: 400"
japi "alice:Alice-Pw-123" PUT "/users/$ALICE/password" '{"old_password":"Wrong-Pw-123","new_password":"Alice-Pw-456"}'
expect_eq "$S" 403 "a wrong old password: 403"
japi "alice:Alice-Pw-123" PUT "/users/$ALICE/password" '{"old_password":"Alice-Pw-123","new_password":"weak"}'
expect_eq "$S" 400 "a weak new password: 400"
rt=$(curl -s -u alice:Alice-Pw-123 "$BASE/service/token?service=registry&offline_token=true&client_id=t" | jq -r .refresh_token)
japi "alice:Alice-Pw-123" PUT "/users/$ALICE/password" '{"old_password":"Alice-Pw-123","new_password":"Alice-Pw-456"}'
expect_eq "$S" 200 "own password changed"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "refresh_token=$rt" \
    -d grant_type=refresh_token -d service=registry -d client_id=t "$BASE/service/token")" 400 \
    "a refresh token issued before the change is refused"
api "alice:Alice-Pw-123" GET /users/current
expect_eq "$S" 401 "the old password no longer opens the account"
api "alice:Alice-Pw-456" GET /users/current
expect_eq "$S" 200 "the new one does"
japi "$ADM" PUT "/users/$BOB/password" '{"new_password":"Bob-Pw-5678"}'
expect_eq "$S" 200 "an admin resets another's password without the old one"
api "bob:Bob-Pw-5678" GET /users/current
expect_eq "$S" 200 "bob's new password works"
japi "$ADM" PUT "/users/1/password" '{"new_password":"Admin-Test-Pw2"}'
expect_eq "$S" 400 "an admin changing their own needs the old one too"
check "no password in any audit row" sh -c "! psql -X -tA -d '$DATABASE' -c 'SELECT detail::text FROM audit_log' | grep -Eq 'Pw-|password\"'"

# The sysadmin flag.
japi "$ADM" PUT "/users/$BOB/sysadmin" '{"sysadmin_flag":true}'
expect_eq "$S" 200 "PUT /users/{id}/sysadmin"
api "bob:Bob-Pw-5678" GET /users
expect_eq "$S" 200 "bob, now admin, lists users"
japi "$ADM" PUT "/users/$BOB/sysadmin" '{"sysadmin_flag":"yes"}'
expect_eq "$S" 400 "sysadmin_flag must be a boolean"
japi "$ADM" PUT "/users/$BOB/sysadmin" '{"sysadmin_flag":false}'
api "bob:Bob-Pw-5678" GET /users
expect_eq "$S" 403 "and demoted, no more"
japi "$ADM" PUT "/users/1/sysadmin" '{"sysadmin_flag":false}'
expect_eq "$S" 403 "an admin cannot demote themselves"

# Deleting.
api "$ADM" DELETE "/users/1"
expect_eq "$S" 403 "an admin cannot delete themselves"
japi "$ADM" POST /users '{"username":"temp","password":"Temp-Pw-1234"}'
TEMP=$(hdr Location); TEMP=${TEMP##*/}
api "bob:Bob-Pw-5678" DELETE "/users/$TEMP"
expect_eq "$S" 404 "a non-admin deleting another: 404"
api "$ADM" DELETE "/users/$TEMP"
expect_eq "$S" 200 "DELETE /users/{id}: 200"
api "$ADM" GET "/users/$TEMP"
expect_eq "$S" 404 "it is gone"
api "$ADM" DELETE "/users/$TEMP"
expect_eq "$S" 404 "deleting it again: 404"

# --- projects ----------------------------------------------------------------
japi "alice:Alice-Pw-456" POST /projects '{"project_name":"team","metadata":{"public":"false"},"storage_limit":-1,"registry_id":null}'
expect_eq "$S" 201 "POST /projects as a user: 201"
loc=$(hdr Location)
expect_match "$loc" '^/api/v2.0/projects/[0-9]+$' "Location names the project"
TEAM=${loc##*/}
japi "alice:Alice-Pw-456" POST /projects '{"project_name":"team"}'
expect_eq "$S" 409 "a duplicate project: 409"
japi "$ADM" POST /projects '{"project_name":"pub","public":true}'
expect_eq "$S" 201 "a public project with the deprecated flag"
japi "$ADM" POST /projects '{"project_name":"secret","metadata":{"public":"false"}}'
SECRET=$(hdr Location); SECRET=${SECRET##*/}
for body in '{"project_name":"x1","metadata":{"public":"yes"}}' '{"project_name":"x1","metadata":{"public":true}}' \
    '{"project_name":"x1","metadata":{"auto_scan":"true","x":"y"}}' '{"project_name":"x1","registry_id":1}' \
    '{"project_name":"x1","owner_id":1}' '{"project_name":"x1","public":"true"}' '{"public":true}' \
    '{"project_name":"x1","storage_limit":-2}' '{"project_name":"x1","storage_limit":1.5}'; do
	japi "$ADM" POST /projects "$body"
	expect_eq "$S" 400 "POST /projects $(printf '%.50s' "$body"): 400"
done
for n in 'A' 'a/b' 'a:b' 'a@b' 'a*' 'a b' '-a' '.a' 'a.' 'a..b' 'a___b' 'j\u00f6rg' 'v2' \
    "$(head -c 256 /dev/zero | tr '\0' a)"; do
	japi "$ADM" POST /projects "{\"project_name\":\"$n\"}"
	expect_eq "$S" 400 "project name '$(printf '%.20s' "$n")': 400"
done
expect_eq "$(count "SELECT count(*) FROM projects")" 3 "only three projects exist"

api "$ADM" HEAD "/projects?project_name=team"
expect_eq "$S" 200 "HEAD /projects?project_name=team: 200"
api "$ADM" HEAD "/projects?project_name=nope"
expect_eq "$S" 404 "HEAD for a missing name: 404"
api "$ADM" HEAD "/projects"
expect_eq "$S" 400 "HEAD without project_name: 400"

api "alice:Alice-Pw-456" GET "/projects/$TEAM"
expect_eq "$S" 200 "GET /projects/{id}"
expect_eq "$(jqr "$B" '[.name,(.project_id|tostring),.owner_name,.metadata.public,(.current_user_role_id|tostring),(.deleted|tostring),(.repo_count|tostring)]|join(",")')" \
    "team,$TEAM,alice,false,1,false,0" "Project fields; the creator is projectAdmin"
api "alice:Alice-Pw-456" GET "/projects/team"
expect_eq "$(jqr "$B" .project_id)" "$TEAM" "GET /projects/{name}"
api "alice:Alice-Pw-456" GET "/projects/team" -H 'X-Is-Resource-Name: true'
expect_eq "$(jqr "$B" .project_id)" "$TEAM" "with X-Is-Resource-Name: true"
api "alice:Alice-Pw-456" GET "/projects/$TEAM" -H 'X-Is-Resource-Name: true'
expect_eq "$S" 404 "an id read as a name (X-Is-Resource-Name): 404"
api "bob:Bob-Pw-5678" GET "/projects/$SECRET"
s1=$S b1=$B
api "bob:Bob-Pw-5678" GET "/projects/999999"
expect_eq "$s1/$b1" "$S/$B" "a private project and none look the same (CHECKLIST 30)"
api "bob:Bob-Pw-5678" GET "/projects/secret/members"
s1=$S b1=$B
api "bob:Bob-Pw-5678" GET "/projects/nope/members"
expect_eq "$s1/$b1" "$S/$B" "also under /members"
api "bob:Bob-Pw-5678" GET "/projects/pub"
expect_eq "$S" 200 "a public project is visible to anyone"
expect_eq "$(jqr "$B" '.metadata.public + "," + (.current_user_role_id|tostring)')" "true,0" "public, no role"

api "bob:Bob-Pw-5678" GET "/projects"
expect_eq "$(jqr "$B" '[.[].name]|join(",")')" "pub" "a non-member lists only public projects"
api "alice:Alice-Pw-456" GET "/projects?sort=name"
expect_eq "$(jqr "$B" '[.[].name]|join(",")')" "pub,team" "a member lists public and own"
api "$ADM" GET "/projects?sort=-name&page_size=2"
expect_eq "$(hdr X-Total-Count)" 3 "admin: X-Total-Count 3"
expect_eq "$(jqr "$B" '[.[].name]|join(",")')" "team,secret" "sort=-name"
expect_eq "$(hdr Link)" '</api/v2.0/projects?page=2&page_size=2&sort=-name>; rel="next"' "Link on projects"
api "$ADM" GET "/projects?public=true"
expect_eq "$(jqr "$B" '[.[].name]|join(",")')" "pub" "public=true"
api "$ADM" GET "/projects?name=ea"
expect_eq "$(jqr "$B" '[.[].name]|join(",")')" "team" "name filter matches substrings"
api "$ADM" GET "/projects?name=%25"
expect_eq "$(jqr "$B" 'length')" 0 "name filter: '%' literal"
for bad in 'public=yes' 'sort=owner_id' 'sort=name;DROP' 'page_size=101' 'page=0' 'owner=1'; do
	api "$ADM" GET "/projects?$bad"
	expect_eq "$S" 400 "GET /projects?$bad: 400"
done

japi "alice:Alice-Pw-456" PUT "/projects/$TEAM" '{"metadata":{"public":"true"}}'
expect_eq "$S" 200 "PUT metadata.public"
api "bob:Bob-Pw-5678" GET "/projects/team"
expect_eq "$S" 200 "now visible to others"
japi "alice:Alice-Pw-456" PUT "/projects/team" '{"project_name":"team","public":false}'
expect_eq "$S" 200 "PUT by name with the deprecated flag"
api "bob:Bob-Pw-5678" GET "/projects/team"
expect_eq "$S" 404 "private again"
japi "alice:Alice-Pw-456" PUT "/projects/team" '{"project_name":"renamed"}'
expect_eq "$S" 400 "renaming: 400"

# --- members -----------------------------------------------------------------
japi "alice:Alice-Pw-456" POST "/projects/$TEAM/members" '{"role_id":2,"member_user":{"username":"bob"}}'
expect_eq "$S" 201 "POST member by username: 201"
loc=$(hdr Location)
expect_match "$loc" "^/api/v2.0/projects/$TEAM/members/[0-9]+\$" "Location names the member"
MBOB=${loc##*/}
japi "alice:Alice-Pw-456" POST "/projects/$TEAM/members" "{\"role_id\":3,\"member_user\":{\"user_id\":$BOB}}"
expect_eq "$S" 409 "the same user again (by user_id): 409"
japi "alice:Alice-Pw-456" POST "/projects/team/members" '{"role_id":3,"member_user":{"username":"nobody"}}'
expect_eq "$S" 404 "an unknown user: 404"
for body in '{"role_id":6,"member_user":{"username":"a_b"}}' '{"role_id":0,"member_user":{"username":"a_b"}}' \
    '{"role_id":"1","member_user":{"username":"a_b"}}' '{"role_id":1}' '{"role_id":1,"member_user":{}}' \
    '{"role_id":1,"member_group":{"group_name":"g"}}' '{"role_id":1,"member_user":{"username":"a_b","x":1}}'; do
	japi "alice:Alice-Pw-456" POST "/projects/$TEAM/members" "$body"
	expect_eq "$S" 400 "POST member $(printf '%.50s' "$body"): 400"
done
api "bob:Bob-Pw-5678" GET "/projects/$TEAM/members"
expect_eq "$S" 200 "a member lists members"
expect_eq "$(hdr X-Total-Count)" 2 "two members"
expect_eq "$(jqr "$B" '[.[]|.entity_name+":"+.role_name+":"+(.role_id|tostring)+":"+.entity_type]|join(",")')" \
    "alice:projectAdmin:1:u,bob:developer:2:u" "ProjectMemberEntity fields"
api "bob:Bob-Pw-5678" GET "/projects/$TEAM/members?entityname=bo&page_size=1"
expect_eq "$(jqr "$B" '[.[].entity_name]|join(",")')" "bob" "entityname filter"
api "bob:Bob-Pw-5678" GET "/projects/$TEAM/members/$MBOB"
expect_eq "$(jqr "$B" '[(.id|tostring),(.project_id|tostring),(.entity_id|tostring)]|join(",")')" \
    "$MBOB,$TEAM,$BOB" "GET a member"
japi "bob:Bob-Pw-5678" PUT "/projects/$TEAM/members/$MBOB" '{"role_id":1}'
expect_eq "$S" 403 "a developer cannot raise their own role"
japi "alice:Alice-Pw-456" PUT "/projects/$TEAM/members/$MBOB" '{"role_id":4}'
expect_eq "$S" 200 "PUT a member's role"
expect_eq "$(count "SELECT role FROM project_members WHERE member_id = $MBOB")" 4 "role 4 stored"

# An id of project B under project A's URL (CHECKLIST 26).
japi "$ADM" POST "/projects/secret/members" '{"role_id":3,"member_user":{"username":"axb"}}'
MSEC=$(hdr Location); MSEC=${MSEC##*/}
before=$(count "SELECT project_id || ':' || role FROM project_members WHERE member_id = $MSEC")
for m in GET PUT DELETE; do
	japi "alice:Alice-Pw-456" $m "/projects/$TEAM/members/$MSEC" '{"role_id":1}'
	expect_eq "$S" 404 "$m a member of another project under this one's URL: 404"
	japi "$ADM" $m "/projects/$TEAM/members/$MSEC" '{"role_id":1}'
	expect_eq "$S" 404 "$m the same as admin: 404"
done
expect_eq "$(count "SELECT project_id || ':' || role FROM project_members WHERE member_id = $MSEC")" "$before" \
    "the other project's member is unchanged"

# --- the token endpoint sees every change at once ---------------------------
# acts CRED: the actions granted for repository:team/x:pull, from the JWT.
acts() {
	_t=$(jqr "$(curl -s -u "$1" "$BASE/service/token?service=registry&scope=repository:team/x:pull")" .token)
	jwt_part "$_t" 2 | jq -r '.access[0].actions|join(",")'
}
expect_eq "$(acts bob:Bob-Pw-5678)" "pull" "bob, a member, may pull from team"
api "alice:Alice-Pw-456" DELETE "/projects/$TEAM/members/$MBOB"
expect_eq "$S" 200 "DELETE a member"
expect_eq "$(acts bob:Bob-Pw-5678)" "" \
    "removed through the API: no access on the next token request"
api "bob:Bob-Pw-5678" GET "/projects/$TEAM/members/$MBOB"
expect_eq "$S" 404 "and bob no longer sees the project"
japi "$ADM" PUT "/users/$BOB/disabled" '{"disabled":true}'
expect_eq "$S" 200 "PUT /users/{id}/disabled"
expect_eq "$(count "SELECT action FROM audit_log ORDER BY audit_id DESC LIMIT 1")" user.disable "audited"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -u bob:Bob-Pw-5678 "$BASE/service/token?service=registry")" 401 \
    "a user disabled through the API gets 401 from the token endpoint"
api "bob:Bob-Pw-5678" GET /users/current
expect_eq "$S" 401 "and from the admin API"
japi "$ADM" PUT "/users/$BOB/disabled" '{"disabled":false}'
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -u bob:Bob-Pw-5678 "$BASE/service/token?service=registry")" 200 \
    "enabled again, bob gets tokens"
japi "$ADM" PUT "/users/1/disabled" '{"disabled":true}'
expect_eq "$S" 403 "an admin cannot disable themselves"

# Disabling revokes refresh tokens.
rt=$(curl -s -u bob:Bob-Pw-5678 "$BASE/service/token?service=registry&offline_token=true&client_id=t" | jq -r .refresh_token)
japi "$ADM" PUT "/users/$BOB/disabled" '{"disabled":true}'
japi "$ADM" PUT "/users/$BOB/disabled" '{"disabled":false}'
expect_eq "$(count "SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND user_id = $BOB")" 0 \
    "disabling revoked bob's sessions"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "refresh_token=$rt" \
    -d grant_type=refresh_token -d service=registry -d client_id=t "$BASE/service/token")" 400 \
    "the refresh token is refused after re-enabling"

# A project deleted and created again inherits nothing (CHECKLIST 29).
japi "alice:Alice-Pw-456" POST "/projects/$TEAM/members" '{"role_id":2,"member_user":{"username":"bob"}}'
mkrobot team ci Robot-Secret-1 pull push
api "bob:Bob-Pw-5678" DELETE "/projects/$TEAM"
expect_eq "$S" 403 "a developer cannot delete the project"
api "alice:Alice-Pw-456" DELETE "/projects/$TEAM"
expect_eq "$S" 200 "the projectAdmin deletes it"
expect_eq "$(count "SELECT count(*) FROM project_members WHERE project_id = $TEAM")/$(count "SELECT count(*) FROM robots WHERE project_id = $TEAM")" \
    0/0 "its members and robots are gone"
japi "a_b:Ab-Pw-12345" POST /projects '{"project_name":"team"}'
expect_eq "$S" 201 "another user creates a project of the same name"
api "$ADM" GET "/projects/team/members"
expect_eq "$(jqr "$B" '[.[].entity_name]|join(",")')" "a_b" "which has only its creator as member"
expect_eq "$(acts bob:Bob-Pw-5678)" "" "bob has no access to the new team"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -u 'robot$team+ci:Robot-Secret-1' "$BASE/service/token?service=registry")" 401 \
    "the old project's robot no longer authenticates"

# Robots may not use the admin API, whatever their secret.
mkproject robo private
mkrobot robo ci Robot-Secret-3 pull
api 'robot$robo+ci:Robot-Secret-3' GET /users/current
expect_eq "$S" 403 "a robot with its secret: 403"
api 'robot$robo+ci:wrong' GET /users/current
expect_eq "$S" 403 "a robot with a wrong secret: 403 too (the secret is not checked)"
expect_eq "$(count "SELECT count(*) FROM login_failures WHERE username LIKE 'robot%'")" 0 \
    "and no failed login is counted"

# --- the authorization table (CHECKLIST 25) ---------------------------------
# Callers: each project role on project "scratch", which is recreated
# before every row (so that a DELETE allowed in one row does not change
# the next), a non-member, a system admin, a project robot, a disabled
# user, and nobody.
for u in outsider padmin dev guest maint lguest victim gone target; do
	mkuser $u Role-Pw-1234
done
sql "UPDATE users SET disabled = true WHERE username = 'gone'"
mkproject robots private
mkrobot robots ci Robot-Secret-2 pull
ROLES="anon nonmember r1 r2 r3 r4 r5 sysadmin robot disabled"
cred() {
	case $1 in
	anon) echo - ;; nonmember) echo outsider:Role-Pw-1234 ;;
	r1) echo padmin:Role-Pw-1234 ;; r2) echo dev:Role-Pw-1234 ;;
	r3) echo guest:Role-Pw-1234 ;; r4) echo maint:Role-Pw-1234 ;;
	r5) echo lguest:Role-Pw-1234 ;; sysadmin) echo "$ADM" ;;
	robot) echo 'robot$robots+ci:Robot-Secret-2' ;; disabled) echo gone:Role-Pw-1234 ;;
	esac
}
# reset: scratch and target anew, then SP, SM and ST (the ids of scratch,
# of victim's membership and of target) and a0 (the audit rows before the
# request), all in one psql run: the table makes 220 of them.
reset() {
	_r=$(sql "DELETE FROM projects WHERE name = 'scratch';
	    INSERT INTO projects (name, public) VALUES ('scratch', false);
	    INSERT INTO project_members (project_id, user_id, role)
	    SELECT p.project_id, u.user_id, r.role FROM projects p, users u
	    JOIN (VALUES ('padmin', 1), ('dev', 2), ('guest', 3), ('maint', 4),
	    ('lguest', 5), ('victim', 2)) r (name, role) ON u.username = r.name
	    WHERE p.name = 'scratch';
	    INSERT INTO users (username, password_hash) VALUES ('target', 'x')
	    ON CONFLICT DO NOTHING;
	    UPDATE users SET sysadmin = false, disabled = false WHERE username = 'target';
	    SELECT (SELECT project_id FROM projects WHERE name = 'scratch'),
	    (SELECT member_id FROM project_members m JOIN users u USING (user_id) WHERE u.username = 'victim'),
	    (SELECT user_id FROM users WHERE username = 'target'),
	    (SELECT count(*) FROM audit_log)")
	IFS='|' read -r SP SM ST a0 <<-EOT
	$_r
	EOT
}
# Bodies, by name.
body() {
	case $1 in
	-) echo "" ;;
	newuser) echo "{\"username\":\"new$n\",\"password\":\"New-Pw-12345\"}" ;;
	profile) echo '{"realname":"T"}' ;;
	password) echo '{"new_password":"Target-Pw-123"}' ;;
	sysadmin) echo '{"sysadmin_flag":false}' ;;
	disabled) echo '{"disabled":false}' ;;
	project) echo "{\"project_name\":\"new$n\"}" ;;
	public) echo '{"metadata":{"public":"false"}}' ;;
	member) echo '{"role_id":3,"member_user":{"username":"outsider"}}' ;;
	role) echo '{"role_id":2}' ;;
	esac
}
# METHOD PATH BODY | anon nonmember r1 r2 r3 r4 r5 sysadmin robot disabled
cat >"$T/table" <<'TABLE'
GET    /users/current               -        401 200 200 200 200 200 200 200 403 401
POST   /users                       newuser  401 403 403 403 403 403 403 201 403 401
GET    /users                       -        401 403 403 403 403 403 403 200 403 401
GET    /users/search?username=a     -        401 200 200 200 200 200 200 200 403 401
GET    /users/@T@                   -        401 404 404 404 404 404 404 200 403 401
PUT    /users/@T@                   profile  401 404 404 404 404 404 404 200 403 401
PUT    /users/@T@/password          password 401 404 404 404 404 404 404 200 403 401
PUT    /users/@T@/sysadmin          sysadmin 401 404 404 404 404 404 404 200 403 401
PUT    /users/@T@/disabled          disabled 401 404 404 404 404 404 404 200 403 401
DELETE /users/@T@                   -        401 404 404 404 404 404 404 200 403 401
POST   /projects                    project  401 201 201 201 201 201 201 201 403 401
HEAD   /projects?project_name=scratch -      401 200 200 200 200 200 200 200 403 401
GET    /projects                    -        401 200 200 200 200 200 200 200 403 401
GET    /projects/@P@                -        401 404 200 200 200 200 200 200 403 401
PUT    /projects/@P@                public   401 404 200 403 403 403 403 200 403 401
DELETE /projects/@P@                -        401 404 200 403 403 403 403 200 403 401
GET    /projects/@P@/members        -        401 404 200 200 200 200 200 200 403 401
POST   /projects/@P@/members        member   401 404 201 403 403 403 403 201 403 401
GET    /projects/@P@/members/@M@    -        401 404 200 200 200 200 200 200 403 401
PUT    /projects/@P@/members/@M@    role     401 404 200 403 403 403 403 200 403 401
DELETE /projects/@P@/members/@M@    -        401 404 200 403 403 403 403 200 403 401
PATCH  /projects/@P@                -        405 405 405 405 405 405 405 405 405 405
TABLE
n=0
while read -r m path bname want; do
	set -- $want
	for role in $ROLES; do
		n=$((n + 1))
		reset
		p=$(printf '%s' "$path" | sed "s/@P@/$SP/; s/@M@/$SM/; s/@T@/$ST/")
		b=$(body "$bname")
		if [ -n "$b" ]; then japi "$(cred $role)" "$m" "$p" "$b"
		else api "$(cred $role)" "$m" "$p"; fi
		expect_eq "$S" "$1" "table: $role $m $path"
		# A change that succeeded is audited once; anything else never.
		case $m:$S in
		POST:2*|PUT:2*|DELETE:2*) want=$((a0 + 1)) ;;
		*) want=$a0 ;;
		esac
		expect_eq "$(audits)" "$want" "table: $role $m $path: audit rows"
		shift
	done
done <"$T/table"

# The database goes away: 503 (never 401, never 500), and back.
"$ROOT/deploy/pg" stop "$N/pg"
api "$ADM" GET /users/current
expect_eq "$S" 503 "database down: 503"
expect_match "$B" '"code":"SERVICE_UNAVAILABLE"' "with a JSON error"
japi "$ADM" POST /projects '{"project_name":"during-outage"}'
expect_eq "$S" 503 "a change while it is down: 503"
"$ROOT/deploy/pg" start "$N/pg"
st() { [ "$(curl -s -o /dev/null -w '%{http_code}' -u "$ADM" "$U/users/current")" = 200 ]; }
check "the admin API recovers within 5 s" wait_for 5 st
expect_eq "$(count "SELECT count(*) FROM projects WHERE name = 'during-outage'")" 0 \
    "nothing was created during the outage"

# Every change left exactly one audit row; none holds a secret.
check "no test password or secret in audit_log" sh -c \
    "! psql -X -tA -d '$DATABASE' -c 'SELECT detail::text || resource FROM audit_log' | grep -Eq 'Pw-|Secret'"
check "no test password or secret in any log" sh -c \
    "! grep -rEq 'Pw-[0-9]|Robot-Secret|Authorization' '$N/log'"
for p in $(workers "$N/run/admin.pid"); do
	check "admin worker $p is alive after every request" kill -0 "$p"
done
expect_eq "$(restarts "$N/log/berth-admin.log")" 0 "no admin worker died and was replaced"
check "no sanitizer report in the programs' logs" sh -c \
    "! grep -Eq 'AddressSanitizer|runtime error|LeakSanitizer' '$N'/log/berth-*.log"
