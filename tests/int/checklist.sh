#!/bin/sh
# tests/int/checklist.sh: the CHECKLIST cases as a client sees them,
# through nginx in front of two nodes on one database.  tests/fcgi/token.sh
# drives the token endpoint over its socket; this script is about what
# the web server changes on the way: header passing and its limits,
# Content-Length and chunked bodies, nginx's own refusals (in JSON),
# percent-encoding and raw paths, methods, duplicated parameters.  And
# the cases that need more than one node or a fresh install: 25 (the
# system robot's column of the role table), 28 (a change on one node is
# effective at once on the other), 30, 41.  tests/CHECKLIST.md maps every
# case to its checks.
#
# Around each batch of bad requests: a checksum of every stored table
# (nothing changed), PostgreSQL's statement log (what reached the
# database), and at the end the same worker pids on both nodes.
. "$(dirname "$0")/../lib.sh"

NODE=$ROOT/deploy/node
unset BERTH_CONF BERTH_DATABASE BERTH_SECRET_FILE BERTH_ADMIN_PASSWORD
# free PORT...: the first of them nobody listens on.
free() {
	for _p in "$@"; do
		curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$_p/" && continue
		[ $? -eq 7 ] && { echo "$_p"; return 0; }
	done
	return 1
}
P1=$(free 19401 19402 19403 19404 19405) || { echo "no free port in 19401-19405" >&2; exit 1; }
P2=$(free 19411 19412 19413 19414 19415) || { echo "no free port in 19411-19415" >&2; exit 1; }

# --- a fresh node, as make run starts it, and a second one joining it --------
N1=$T/n1 N2=$T/n2
at_exit "BERTH_HOME='$N1' '$NODE' stop"
env BERTH_HOME="$N1" BERTH_PORT=$P1 BUILD="$BUILD" "$NODE" start >"$T/n1.out" 2>&1 ||
    { cat "$T/n1.out" >&2; exit 1; }
kill -0 "$(cat "$N1/run/nginx.pid" 2>/dev/null)" 2>/dev/null ||
    { echo "nginx of node 1 is not running (port $P1 taken?)" >&2; exit 1; }
at_exit "BERTH_HOME='$N2' '$NODE' stop"
env BERTH_HOME="$N2" BERTH_PORT=$P2 BUILD="$BUILD" BERTH_DATABASE="$(sed -n 's/^database = //p' "$N1/berth.conf")" \
    BERTH_SECRET_FILE="$N1/secret" "$NODE" start >"$T/n2.out" 2>&1 ||
    { cat "$T/n2.out" >&2; exit 1; }
DATABASE=$(sed -n 's/^database = //p' "$N1/berth.conf")
B1=http://127.0.0.1:$P1 B2=http://127.0.0.1:$P2
TK=$B1/service/token
S=service=registry
pids_of() { for _p in token admin health; do sort -n "$1/run/$_p.pid"; done | tr '\n' ' '; }
W1=$(pids_of "$N1") W2=$(pids_of "$N2")

# --- CHECKLIST 41: a fresh install has no account with a known password ------
APW=$(cat "$N1/admin-password" 2>/dev/null)
expect_match "$APW" '^[A-Za-z0-9]{20}$' "a fresh node's admin password is generated: 20 random characters (CHECKLIST 41)"
expect_eq "$(sql "SELECT string_agg(username, ',') FROM users")" admin "a fresh database holds one account, admin"
expect_eq "$(sql "SELECT (SELECT count(*) FROM robots) + (SELECT count(*) FROM sessions)")" 0 \
    "and no robot and no session"
n=0
# `command curl`: these are public default passwords, not test secrets;
# the secrets gate must not look for words like "password" in every log.
for pw in Harbor12345 admin password berth changeme Admin12345 123456 ''; do
	[ "$(command curl -s -o /dev/null -w '%{http_code}' -u "admin:$pw" "$TK?$S")" = 401 ] && n=$((n + 1))
done
expect_eq "$n" 8 "admin with Harbor12345, admin, password, berth, changeme, Admin12345, 123456 or nothing: 401"
sql "DELETE FROM login_failures" >/dev/null	# those 7 were counted
# The same command on another empty database draws another password.
psql -X -q -h "$N1/pg/run" -U postgres -d postgres -c "CREATE DATABASE berth_fresh OWNER berth" >/dev/null
FRESH=$(printf '%s' "$DATABASE" | sed 's/dbname=berth/dbname=berth_fresh/')
"$ROOT/deploy/migrate" -c "$FRESH" -d "$ROOT/sql" >/dev/null 2>&1
out=$(env BERTH_CONF=/dev/null BERTH_DATABASE="$FRESH" BERTH_SECRET_FILE="$N1/secret" \
    "$BUILD/berthctl" init -p "$T/fresh-pw" 2>&1)
APW2=$(cat "$T/fresh-pw" 2>/dev/null)
expect_match "$APW2" '^[A-Za-z0-9]{20}$' "berthctl init on another empty database generates a password too"
check "and it is another one: no constant default" test "$APW2" != "$APW"
expect_eq "$(printf '%s\n' "$out" | grep -c "admin password: $APW2")" 1 "printed once, for the operator"
h0=$(psql -X -tA -d "$FRESH" -c "SELECT string_agg(username || password_hash, ',') FROM users")
env BERTH_CONF=/dev/null BERTH_DATABASE="$FRESH" BERTH_SECRET_FILE="$N1/secret" \
    BERTH_ADMIN_PASSWORD=Other-Pw-12345 "$BUILD/berthctl" init >/dev/null 2>&1
expect_eq "$(psql -X -tA -d "$FRESH" -c "SELECT string_agg(username || password_hash, ',') FROM users")" "$h0" \
    "init on an initialized database changes no account, whatever BERTH_ADMIN_PASSWORD says"
out=$(env BERTH_CONF=/dev/null BERTH_DATABASE="$FRESH" BERTH_SECRET_FILE="$N1/secret" \
    BERTH_ADMIN_PASSWORD=admin "$BUILD/berthctl" init 2>&1); rc=$?
check "a given admin password must pass the password policy (admin is refused)" test "$rc" -ne 0
ADM="admin:$APW"

# --- the data -------------------------------------------------------------------
PW=Passw0rd-1
for u in alice gus pam nobody dis; do mkuser $u "$PW"; done
mkuser colon 'pa:ss:W0rd'
mkproject team private
mkproject other private
mkproject pub public
mkmember team alice 2
mkmember team gus 3
mkmember team pam 1
mkmember team dis 2
sql "UPDATE users SET disabled = true WHERE username = 'dis'" >/dev/null
mkrobot team ci Robot-Secret-1234 pull push

b64() { printf '%s' "$1" | base64 -w0; }
# req ARGS...: curl -i; sets R (response), ST (status), BD (body).
req() { R=$(curl -sS -i --max-time 15 "$@" 2>/dev/null); ST=$(http_status "$R"); BD=$(http_body "$R"); }
# tok QUERY [curl args]: GET /service/token?QUERY on node 1.
tok() { _q=$1; shift; req "$@" "$TK?$_q"; }
# acts: the actions of the first access entry of the token in BD.
acts() { jwt_part "$(jqr "$BD" .token)" 2 | jq -c '.access[0].actions' 2>/dev/null; }
# isjson: BD is a JSON error with a code.
isjson() {
	expect_match "$(http_header "$R" Content-Type) $(jqr "$BD" '.errors[0].code // empty')" \
	    '^application/json [A-Z_]+$' "$1"
}
# raw REQUEST [half]: bytes straight to node 1's nginx (printf escapes),
# the answer as it comes until nginx closes (5 s at most); "half" shuts
# our side after sending, a client that will send no more.
cat >"$T/raw.pl" <<'EOT'
use IO::Socket::INET;
my ($port, $half, $t) = @ARGV;
my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Timeout => 10) or die "connect: $!";
local $/; my $req = <STDIN>; print $s $req;
shutdown($s, 1) if $half;
local $SIG{ALRM} = sub { exit 0 }; alarm $t;
my $buf; while (sysread($s, $buf, 65536)) { print $buf }
EOT
raw() { R=$(printf "$1" | perl "$T/raw.pl" "$P1" "${2:-}" 5); ST=$(http_status "$R"); BD=$(http_body "$R"); }
# rawget QUERY-FILE: GET /service/token?<the file's bytes>, for queries
# longer than one command-line argument may be.
rawget() {
	R=$({ printf 'GET /service/token?'; cat "$1"; printf ' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'; } |
	    perl "$T/raw.pl" "$P1" "" 5); ST=$(http_status "$R"); BD=$(http_body "$R")
}

# What is stored: every table's rows, one checksum.
snap() {
	sql "SELECT md5(coalesce(string_agg(x, '|' ORDER BY x), '')) FROM (
	    SELECT 'u' || t::text x FROM users t UNION ALL SELECT 'p' || t::text FROM projects t
	    UNION ALL SELECT 'm' || t::text FROM project_members t UNION ALL SELECT 'r' || t::text FROM robots t
	    UNION ALL SELECT 'rp' || t::text FROM robot_permissions t UNION ALL SELECT 's' || t::text FROM sessions t
	    UNION ALL SELECT 'f' || t::text FROM login_failures t UNION ALL SELECT 'a' || t::text FROM audit_log t
	    UNION ALL SELECT 'k' || t::text FROM signing_keys t) s"
}
# Every statement PostgreSQL runs is logged from here on; mark NAME puts
# a line in that log, ran A B prints berth's statements between marks.
PSU="psql -X -q -tA -h $N1/pg/run -U postgres -d postgres"
$PSU -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
at_exit "$PSU -c \"ALTER SYSTEM RESET log_statement\""
PGLOG=$N1/pg/postgres.log
mark() { sql "SELECT 'berth-mark-$1'" >/dev/null; }
ran() {
	sed -n "/berth-mark-$1'/,/berth-mark-$2'/p" "$PGLOG" | grep 'LOG:  execute ' |
	    grep -Ev 'execute (keys_load|health_probe)' | sed 's/.*LOG:  execute \([a-z_]*\):.*/\1/'
}
sleep 0.5

# --- the token endpoint through nginx (CHECKLIST 1-17) --------------------------
tok "$S"
expect_eq "$ST/$(jwt_part "$(jqr "$BD" .token)" 2 | jq -c .access)" '200/[]' \
    "nginx: no credentials, no scope: an anonymous token, empty access (CHECKLIST 1)"
mark a0
tok "$S&scope=repository:team/app:pull,push" -u "alice:$PW"
mark a1
expect_eq "$ST/$(acts)" '200/["pull","push"]' "nginx passes Authorization: a developer gets pull, push"
expect_match "$(ran a0 a1 | tr '\n' ' ')" '^token_user (token_facts )?$' \
    "the statement log shows that request's statements: alice's row, and the project facts if this worker had not read them (so it can show none)"
# Each worker reads the facts of (alice, team) once, then serves them
# from memory while nothing in projects or memberships changes.
mark w0
for i in 1 2 3 4 5 6 7 8; do tok "$S&scope=repository:team/app:pull,push" -u "alice:$PW"; done
mark w1
expect_eq "$(ran w0 w1 | grep -c '^token_user$')/$(ran w0 w1 | grep -vc '^token_user$\|^token_facts$')" 8/0 \
    "8 more: one token_user each, nothing else but facts"
check "and the facts at most once per worker ($(ran w0 w1 | grep -c '^token_facts$') times)" \
    test "$(ran w0 w1 | grep -c '^token_facts$')" -le 2
ALICE_TOKEN=$(jqr "$BD" .token)

mark bad1; before=$(snap)
# 2: malformed Basic credentials, refused before any database lookup.
for h in 'Basic !!!' "Basic $(b64 nocolon)" "Basic $(b64 :$PW)" "Basic $(b64 alice:)" 'Basic' 'Basic    ' \
    "Basic $(b64 "alice:$PW")!" "Basic $(b64 "alice:$PW") x"; do
	tok "$S&scope=repository:team/app:pull" -H "Authorization: $h"
	expect_eq "$ST" 401 "nginx: Authorization '$(printf '%.16s' "$h")..$(printf '%s' "$h" | tail -c 4)' is 401 (CHECKLIST 2)"
	expect_match "$(http_header "$R" WWW-Authenticate)" '^Basic realm=' "  with WWW-Authenticate"
done
mark bad1b
expect_eq "$(ran bad1 bad1b | wc -l)" 0 "malformed credentials, an empty user or password: no database lookup at all"
# 4: a 64 KiB header stops at nginx's large_client_header_buffers; 15 KiB
# passes nginx and stops at berth's 1 KiB cap.
long=$(head -c 65536 /dev/zero | tr '\0' Q)
tok "$S" -H "Authorization: Basic $long"
expect_eq "$ST" 400 "nginx: a 64 KiB Authorization header: 400 from nginx, never buffered (CHECKLIST 4)"
isjson "  in JSON"
long=$(head -c 15000 /dev/zero | tr '\0' Q)
tok "$S" -H "Authorization: Basic $long"
expect_eq "$ST" 401 "nginx: a 15 KB Authorization header reaches berth: 401, over its 1 KiB cap"
tok "$S" -H "Authorization: Basic $(b64 "alice:$PW")" -H "Authorization: Basic $(b64 alice:wrong)"
expect_eq "$ST" 400 "nginx: two Authorization headers: 400, neither is used"
isjson "  in JSON"
# 5
tok "$S&scope=repository:team/app:pull" -H "Authorization: Bearer $ALICE_TOKEN"
expect_eq "$ST" 401 "nginx: a valid JWT as Bearer is no credential: 401 (CHECKLIST 5)"
# 6: service missing, unknown, twice; aud only ever the configured one.
for q in "scope=repository:team/app:pull" "service=other" "service=registry&service=evil" "service=Registry" \
    "service=registry%00" "service=registry%20" "service=" "service[]=registry"; do
	tok "$q"
	expect_eq "$ST/$(jqr "$BD" .error)" 400/invalid_request "nginx: '$q': 400 invalid_request (CHECKLIST 6)"
done
# 7
for sc in repository repository:foo 'repository:' ':team/app:pull'; do
	tok "$S&scope=$sc"
	expect_eq "$ST/$(jqr "$BD" .error)" 400/invalid_request "nginx: scope '$sc': 400 invalid_request (CHECKLIST 7)"
done
# 11: the caps (README: 32 scopes, 8 KiB query, 64 parameters, max_body)
q="$S"; i=0; while [ $i -lt 40 ]; do q="$q&scope=repository:team/r$i:pull"; i=$((i + 1)); done
tok "$q"
expect_eq "$ST" 400 "nginx: 40 scopes, past the cap of 32: 400 (CHECKLIST 11)"
tok "$S&x=$(head -c 9000 /dev/zero | tr '\0' a)"
expect_eq "$ST" 400 "nginx: a 9 KB query, past berth's 8 KiB cap: 400"
{ printf '%s' "$S"; i=0; while [ $i -lt 10000 ]; do printf '&scope=repository:team/a:pull'; i=$((i + 1)); done; } >"$T/q"
rawget "$T/q"
expect_eq "$ST" 414 "nginx: 10,000 scope parameters in the URI: 414 from nginx"
isjson "  in JSON"
{ printf '%s&x=' "$S"; head -c 1048576 /dev/zero | tr '\0' a; } >"$T/q1m"
rawget "$T/q1m"
expect_eq "$ST" 414 "nginx: a 1 MiB query: 414 from nginx"
sed 's/^service=registry&/grant_type=password\&client_id=c\&service=registry\&/' "$T/q" >"$T/qbody"
req -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$T/qbody" "$TK"
expect_eq "$ST" 413 "nginx: 10,000 scopes in a POST body (300 KB): berth's 413, past max_body"
head -c 62000 "$T/qbody" | sed 's/&[^&]*$//' >"$T/qbody2"
req -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$T/qbody2" "$TK"
expect_eq "$ST" 400 "nginx: 2,000 scopes in a 62 KB POST body: 400, past 64 parameters"
# 13: grants and body types; duplicated parameters.
P="grant_type=password&client_id=c&$S&username=alice&password=$PW"
for body in "grant_type=client_credentials&client_id=c&$S" "grant_type=&client_id=c&$S"; do
	req -d "$body" "$TK"
	expect_eq "$ST/$(jqr "$BD" .error)" 400/unsupported_grant_type "nginx: POST $(printf '%.30s' "$body"): unsupported_grant_type (CHECKLIST 13)"
done
for dup in grant_type=refresh_token username=gus password=other client_id=d service=evil access_type=offline\&access_type=online \
    offline_token=true\&offline_token=false; do
	req -d "$P&$dup" "$TK"
	expect_eq "$ST/$(jqr "$BD" .error)" 400/invalid_request "nginx: POST with ${dup%%=*} given twice, differently: invalid_request"
done
req -H 'Content-Type: application/json' -d '{"grant_type":"password","username":"alice"}' "$TK"
expect_eq "$ST" 400 "nginx: POST with a JSON body: 400"
req -F grant_type=password -F username=alice -F "password=$PW" -F client_id=c -F "$S" "$TK"
expect_eq "$ST" 400 "nginx: POST multipart/form-data: 400"
req -d "grant_type=password&client_id=c&$S" "$TK?username=alice&password=Query-Pw-1"
expect_eq "$ST" 400 "nginx: POST with the credentials in the query string: 400, not 401 (only the body counts)"
# 15: Content-Length as nginx lets it through, or not.
H='POST /service/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n'
for cl in -1 abc 99999999999999999999999 +5 '5, 5' 0x10; do
	raw "${H}Content-Length: $cl\r\n\r\ngrant_type=password"
	expect_eq "$ST" 400 "nginx: Content-Length '$cl': 400 from nginx (CHECKLIST 15)"
	isjson "  in JSON"
done
raw "${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\ngrant_type=password"
expect_eq "$ST" 400 "nginx: two Content-Length headers: 400"
raw "${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n"
expect_eq "$ST" 400 "nginx: Content-Length and chunked at once: 400"
raw "${H}Transfer-Encoding: gzip\r\n\r\n"
expect_eq "$ST" 501 "nginx: an unknown Transfer-Encoding: 501"
isjson "  in JSON"
raw "${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nabcde\r\n0\r\n\r\n"
expect_eq "$ST" 400 "nginx: a malformed chunk: 400"
raw "${H}Content-Length: 5\r\n\r\n$P"
expect_eq "$ST/$(jqr "$BD" .error)" 400/invalid_request \
    "nginx: a body longer than its Content-Length: berth reads 5 bytes, 400"
mark cl1
raw "${H}Content-Length: 500\r\n\r\n$P" half
mark cl2
expect_eq "$ST:$(ran cl1 cl2 | wc -l)" ":0" "nginx: a body shorter than its Content-Length never reaches berth (no answer, no statement)"
head -c 100000 /dev/zero | tr '\0' a >"$T/b100k"
req -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$T/b100k" "$TK"
expect_eq "$ST" 413 "nginx: a 100 KB body: berth's 413 (max_body 64 KiB)"
isjson "  in JSON"
req -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$T/b100k" "$TK"
expect_eq "$ST" 413 "nginx: a 100 KB chunked body: de-chunked by nginx, berth's 413"
head -c 2000000 /dev/zero | tr '\0' a >"$T/b2m"
up=$(curl -s -o "$T/out" -w '%{http_code} %{size_upload}' -H 'Expect: 100-continue' \
    -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$T/b2m" "$TK")
expect_eq "$up" "413 0" "nginx: a 2 MB body announced with Expect: 413 before a byte of it is sent"
expect_match "$(cat "$T/out")" '"code":"PAYLOAD_TOO_LARGE"' "  in JSON"
# 16: percent-encoding, in the query (berth decodes) and the path (nginx).
for q in "$S&scope=repository:team/a%zz:pull" "$S&scope=repository:team/a:pull%" "$S&scope=repository:team/a%0:pull" \
    "$S&scope=repository:team/a%00b:pull" "$S&%zz=1" "$S&scope=%"; do
	tok "$q"
	expect_eq "$ST" 400 "nginx: query '$(printf '%s' "$q" | cut -c18-)': 400 (CHECKLIST 16)"
	isjson "  in JSON"
done
for p in '/service/token%zz' '/service/token%' '/service/token%00' '/../service/token'; do
	req --path-as-is "$B1$p?$S"
	expect_eq "$ST" 400 "nginx: path '$p': 400 from nginx"
	isjson "  in JSON"
done
# Raw paths: nginx decodes and normalizes to choose a location, berth
# routes on the raw REQUEST_URI: another spelling of a path is not it.
for p in /service/./token /service//token /service/%74oken /service/token/ '/service/token;x' \
    /health/../service/token /api/v2.0/../../service/token /service/token%3Fservice=registry; do
	req --path-as-is "$B1$p?$S"
	expect_eq "$ST:$(jqr "$BD" '.token // empty')" "404:" "nginx: path '$p' is not the token endpoint: 404, no token"
	isjson "  in JSON"
done
req --path-as-is -u "$ADM" "$B1/health/../api/v2.0/users/current"
expect_eq "$ST" 404 "nginx: /health/../api/v2.0/users/current: 404 (berth routes on the raw path)"
# 17: methods.
for m in PUT DELETE PATCH OPTIONS PROPFIND FOO TRACE CONNECT; do
	req -X "$m" "$TK?$S"
	expect_eq "$ST/$(http_header "$R" Allow)" "405/GET, POST" "nginx: $m /service/token: 405 with Allow: GET, POST (CHECKLIST 17)"
	isjson "  in JSON"
done
req -I "$TK?$S"
expect_eq "$ST/$(http_header "$R" Allow)/$BD" "405/GET, POST/" "nginx: HEAD /service/token: 405 with Allow, no body"
for p in /api/v2.0/users /api/v2.0/projects /health /service/certs.pem; do
	req -X TRACE -u "$ADM" "$B1$p"
	expect_match "$ST/$(http_header "$R" Allow)" '^405/[A-Z]' "nginx: TRACE $p (refused by nginx): berth's 405 with its Allow"
done
mark bad2
after=$(snap)
expect_eq "$after" "$before" "nothing stored changed after this batch of bad token requests"
expect_eq "$(ran bad1 bad2 | sort | uniq -c | tr -s ' ' | tr '\n' ',')" "" \
    "and not one of them reached the database: each was refused before"

# Accepted spellings through nginx.
tok "$S&scope=repository:team/app:pull" -H "Authorization: basic $(b64 "alice:$PW")"
expect_eq "$ST" 200 "nginx: scheme 'basic' (CHECKLIST 5)"
tok "$S&scope=repository:team/app:pull" -H "Authorization: BASIC $(b64 "alice:$PW")"
expect_eq "$ST" 200 "nginx: scheme 'BASIC'"
tok "$S&scope=repository:team/app:pull" -u 'colon:pa:ss:W0rd'
expect_eq "$ST/$(acts)" '200/[]' "nginx: a password holding ':' splits at the first colon (CHECKLIST 3)"
tok "service=registr%79"
expect_eq "$ST/$(jqr "$(jwt_part "$(jqr "$BD" .token)" 2)" .aud)" 200/registry "nginx: service=registr%79 decodes to the service; aud is the configured one"
tok "$S&account=pam&scope=repository:team/app:delete" -u "alice:$PW"
expect_eq "$ST/$(jqr "$(jwt_part "$(jqr "$BD" .token)" 2)" .sub)/$(acts)" '200/alice/[]' \
    "nginx: account=pam with alice's credentials: sub is alice, with alice's rights (account is never trusted)"
tok "service=registry&service=registry"
expect_eq "$ST" 200 "nginx: service twice, the same value: one request"
for sc in repository:localhost:5000/team/app:pull repository:localhost%3A5000%2Fteam%2Fapp:pull; do
	tok "$S&scope=$sc" -u "alice:$PW"
	expect_eq "$ST/$(jwt_part "$(jqr "$BD" .token)" 2 | jq -r '.access[0].name')" 200/localhost:5000/team/app \
	    "nginx: $sc: the name is localhost:5000/team/app (CHECKLIST 8)"
done
set -f
for n in 'team/../app' 'team%2F..%2Fapp' 'team/%2e%2e/app' 'team/%252e%252e/app' 'Team/app' "team/a'b" \
    'team/a%22b' 'team\app' 'team/a%5Cb' 'team/a%01b' 'team/a%7Fb' 'team/%C3%A9' '/team/app' 'team/app/' \
    'team//app' 'team/./app'; do
	tok "$S&scope=repository:$n:pull" -u "pam:$PW"
	got=$(jwt_part "$(jqr "$BD" .token)" 2 | jq -c '.access[0] | [.name, .actions]' 2>/dev/null)
	want=$(printf '%s' "$n" | perl -pe 's/%([0-9A-Fa-f]{2})/chr(hex($1))/ge' | jq -Rsc '[., []]')
	if [ "$ST" = 400 ] || [ "$got" = "$want" ]; then
		ok "nginx: name '$(printf '%.24s' "$n" | sed 's/\\/\\\\/g')' is denied, never normalized: $ST (CHECKLIST 9)"
	else
		nok "nginx: name '$(printf '%.24s' "$n" | sed 's/\\/\\\\/g')' is denied, never normalized (CHECKLIST 9)"
		echo "#   $ST $got, want 400 or $want"
	fi
done
# Over 255 bytes: denied; the answer shows the first 255 bytes, which
# merge with no other scope, not even one of that very name.
a250=$(head -c 250 /dev/zero | tr '\0' a)
tok "$S&scope=repository:team/${a250}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:pull&scope=repository:team/$a250:pull" -u "pam:$PW"
expect_eq "$ST/$(jwt_part "$(jqr "$BD" .token)" 2 | jq -c '[.access[] | [(.name | length), .actions]]')" \
    '200/[[255,[]],[255,["pull"]]]' "nginx: a 300-byte name is denied, and merges with no 255-byte name (CHECKLIST 9)"
tok "$S&scope=repository:team/app:" -u "pam:$PW"
expect_eq "$ST/$(acts)" '200/[]' "nginx: an empty action list: nothing, never all (CHECKLIST 10)"
tok "$S&scope=repository(plugin):team/app:pull" -u "alice:$PW"
expect_eq "$(acts)" '["pull"]' "nginx: repository(plugin) like repository (CHECKLIST 12)"
tok "$S&scope=repository%28plugin%29:team/app:pull" -u "alice:$PW"
expect_eq "$(acts)" '["pull"]' "nginx: the same, percent-encoded"
tok "$S&scope=image:team/app:pull" -u "pam:$PW"
expect_eq "$(acts)" '[]' "nginx: an unknown resource type: nothing"
tok "$S&scope=registry:catalog:*" -u "$ADM"
expect_eq "$(acts)" '["*"]' "nginx: registry:catalog:* for a system admin"
tok "$S&scope=registry:catalog:*" -u "pam:$PW"
expect_eq "$(acts)" '[]' "nginx: and for nobody else"
set +f
# 11: a fixed number of database queries per request, whatever the number
# of scopes: the caller's row, and the facts of all the projects at once
# when this worker has not read them yet (the first time for these
# callers and projects); a robot's facts come with its row.
q="$S"; i=0; while [ $i -lt 30 ]; do q="$q&scope=repository:p$((i % 3))/r$i:pull"; i=$((i + 1)); done
for who in - "alice:$PW" 'robot$team+ci:Robot-Secret-1234'; do
	i=$((i + 1))
	mark "q$i"
	if [ "$who" = - ]; then tok "$q"; else tok "$q" -u "$who"; fi
	mark "r$i"
	case $who in
	-) want="token_anon token_facts" what=anonymous n=two ;;
	robot*) want=token_robot what="a robot" n=one ;;
	*) want="token_user token_facts" what="a user" n=two ;;
	esac
	expect_eq "$ST:$(ran "q$i" "r$i" | tr '\n' ' ')" "200:$want " \
	    "nginx: 30 scopes over 3 projects, $what: $n statements (CHECKLIST 11)"
	check "  naming the 3 projects once each" sh -c \
	    "sed -n \"/berth-mark-q$i'/,/berth-mark-r$i'/p\" '$PGLOG' | grep -q 'DETAIL:  parameters: .*[{]p[0-2],p[0-2],p[0-2][}]'"
done
# 13, 14: the grants through nginx, chunked as skopeo sends them.
req -H 'Transfer-Encoding: chunked' -d "$P&access_type=offline" "$TK"
expect_eq "$ST" 200 "nginx: a chunked POST grant_type=password: 200"
RT=$(jqr "$BD" .refresh_token)
req -d "grant_type=refresh_token&client_id=c&service=other&refresh_token=$RT" "$TK"
expect_eq "$ST/$(jqr "$BD" .error)" 400/invalid_request "nginx: a refresh token used with another service: 400 (CHECKLIST 14)"
sql "UPDATE sessions SET service = 'other' WHERE token_sha256 = decode('$(sha256_hex "$RT")', 'hex')" >/dev/null
req -d "grant_type=refresh_token&client_id=c&$S&refresh_token=$RT" "$TK"
expect_eq "$ST/$(jqr "$BD" .error)" 400/invalid_grant "nginx: a refresh token of service A asked for B: invalid_grant"
req -I "$B1/service/certs.pem"
expect_eq "$ST/$BD" "200/" "nginx: HEAD /service/certs.pem: 200, no body"

# --- CHECKLIST 30: who may not see, cannot tell -------------------------------
same() {	# same DESC CURL-ARGS-A -- CURL-ARGS-B: status and body alike
	_d=$1; shift; _a=""
	while [ "$1" != -- ]; do _a="$_a '$1'"; shift; done; shift
	eval req $_a; _s1=$ST _b1=$(printf '%s' "$BD" | jq -c 'del(.token, .access_token, .issued_at)' 2>/dev/null)
	req "$@"; _b2=$(printf '%s' "$BD" | jq -c 'del(.token, .access_token, .issued_at)' 2>/dev/null)
	expect_eq "$_s1 $_b1" "$ST $_b2" "$_d"
}
same "token: an unknown user and a wrong password answer alike (CHECKLIST 30)" \
    -u ghost:Wrong-Pw-1 "$TK?$S" -- -u alice:Wrong-Pw-1 "$TK?$S"
same "token: a disabled user too" -u "dis:$PW" "$TK?$S" -- -u ghost:Wrong-Pw-1 "$TK?$S"
same "token: an unknown robot and a wrong robot secret alike" \
    -u 'robot$team+nope:Robot-Secret-1234' "$TK?$S" -- -u 'robot$team+ci:Wrong-Secret-1' "$TK?$S"
tok "$S&scope=repository:other/app:pull" -u "alice:$PW"
a1=$(jwt_part "$(jqr "$BD" .token)" 2 | jq -c '.access[0].actions')
tok "$S&scope=repository:ghost/app:pull" -u "alice:$PW"
expect_eq "$a1" "$(jwt_part "$(jqr "$BD" .token)" 2 | jq -c '.access[0].actions')" \
    "token: a private project and one that does not exist: the same empty actions"
GUS=$(sql "SELECT user_id FROM users WHERE username = 'gus'")
same "admin: another user's id and none, as a non-admin" -u "alice:$PW" "$B1/api/v2.0/users/$GUS" -- \
    -u "alice:$PW" "$B1/api/v2.0/users/99999"
same "admin: a private project and none" -u "nobody:$PW" "$B1/api/v2.0/projects/team" -- \
    -u "nobody:$PW" "$B1/api/v2.0/projects/nope"
sql "DELETE FROM login_failures" >/dev/null
# Deliberate: one namespace of project names, so that creating one can
# fail with 409; whether a name is taken is visible to any user (Harbor's
# HEAD /projects).  README: "Where berth differs".
req -I -u "nobody:$PW" "$B1/api/v2.0/projects?project_name=team"
expect_eq "$ST" 200 "admin: HEAD /projects?project_name=<private> tells anyone the name is taken (by design)"

# --- admin API input through nginx (CHECKLIST 18-24, beyond admin.sh) ----------
U=$B1/api/v2.0
# japi CRED METHOD PATH JSON [curl args]
japi() { _c=$1 _m=$2 _p=$3 _j=$4; shift 4; req -u "$_c" -X "$_m" -H 'Content-Type: application/json' --data-binary "$_j" "$@" "$U$_p"; }
ALICE=$(sql "SELECT user_id FROM users WHERE username = 'alice'")
TEAM=$(sql "SELECT project_id FROM projects WHERE name = 'team'")
req -u "$ADM" -X POST -H 'Content-Type: application/json' --data-binary \
    '{"name":"tbl","level":"project","duration":-1,"permissions":[{"kind":"project","namespace":"team","access":[{"resource":"repository","action":"pull"}]}]}' "$U/robots"
RID=$(http_header "$R" Location); RID=${RID##*/}
mark bad3; before=$(snap)
for body in '{"user_id":1}' '{"username":"admin"}' '{"sysadmin_flag":true}' '{"disabled":false}' \
    '{"admin_role_in_auth":true}' '{"password":"Other-Pw-123"}' '{"creation_time":"2000-01-01T00:00:00Z"}'; do
	japi "alice:$PW" PUT "/users/$ALICE" "$body"
	expect_eq "$ST" 400 "admin: a user's PUT of their own account with $(printf '%.30s' "$body"): 400 (CHECKLIST 18)"
done
japi "alice:$PW" POST "/projects/team/members" '{"role_id":1,"member_user":{"username":"alice"}}'
expect_eq "$ST" 403 "admin: a developer adding themselves as projectAdmin: 403"
japi "pam:$PW" PUT "/projects/team" '{"metadata":{"public":"false"},"owner_id":1}'
expect_eq "$ST" 400 "admin: owner_id in PUT /projects: 400"
japi "pam:$PW" PUT "/projects/team" '{"project_id":99}'
expect_eq "$ST" 400 "admin: project_id in PUT /projects: 400"
for rid in 99999999999999999999 1e400 1.0 -1 '"2"' null true '[2]'; do
	japi "pam:$PW" POST "/projects/team/members" "{\"role_id\":$rid,\"member_user\":{\"username\":\"nobody\"}}"
	expect_eq "$ST" 400 "admin: role_id $rid: 400 (CHECKLIST 19)"
done
for d in 36501 99999999999 9223372036854775807 -2 1.5 '"30"'; do
	japi "$ADM" PUT "/robots/$RID" "{\"duration\":$d}"
	expect_eq "$ST" 400 "admin: robot duration $d: 400"
done
printf '{"project_name":"x%s"}' "$(printf '\355\240\200')" >"$T/surrogate"
req -u "$ADM" -H 'Content-Type: application/json' --data-binary @"$T/surrogate" "$U/projects"
expect_eq "$ST" 400 "admin: an encoded UTF-16 surrogate (invalid UTF-8): 400"
japi "$ADM" POST /projects '{"project_name":"x\ud800"}'
expect_eq "$ST" 400 "admin: a lone \\ud800 escape: 400"
japi "$ADM" POST /projects "$(printf '{"project_name":"x","metadata":%s1%s}' "$(printf '[%.0s' $(seq 1 20))" "$(printf ']%.0s' $(seq 1 20))")"
expect_eq "$ST" 400 "admin: nesting 20 deep: 400"
for ct in 'text/json' 'application/json-patch+json' 'application/jsonx' 'application/x-www-form-urlencoded' 'multipart/form-data; boundary=x'; do
	req -u "$ADM" -X PUT -H "Content-Type: $ct" --data-binary '{"metadata":{"public":"true"}}' "$U/projects/team"
	expect_eq "$ST" 415 "admin: PUT with Content-Type $ct: 415 (CHECKLIST 23)"
done
req -u "$ADM" -X PATCH -H 'Content-Type: text/plain' --data-binary '{"secret":"Chosen-Pw-123"}' "$U/robots/$RID"
expect_eq "$ST" 415 "admin: PATCH /robots/{id} with a text/plain body: 415"
req -u "$ADM" -X PUT --data-binary '{"sysadmin_flag":true}' "$U/users/$ALICE/sysadmin"
expect_eq "$ST" 415 "admin: PUT .../sysadmin without Content-Type (curl's form default): 415"
pw=$(head -c 257 /dev/zero | tr '\0' A)
japi "$ADM" PUT "/users/$ALICE/password" "{\"new_password\":\"${pw}b1\"}"
expect_eq "$ST" 400 "admin: a 259-byte new password: 400, before hashing (CHECKLIST 24)"
head -c 200000 /dev/zero | tr '\0' A | sed 's/^/{"new_password":"/; s/$/b1"}/' >"$T/pw200k"
req -u "$ADM" -X PUT -H 'Content-Type: application/json' --data-binary @"$T/pw200k" "$U/users/$ALICE/password"
expect_eq "$ST" 413 "admin: a 200 KB password: berth's 413, never read"
head -c 1048576 /dev/zero | tr '\0' A | sed 's/^/{"new_password":"/; s/$/b1"}/' >"$T/pw1m"
req -u "$ADM" -X PUT -H 'Content-Type: application/json' --data-binary @"$T/pw1m" "$U/users/$ALICE/password"
expect_eq "$ST" 413 "admin: a 1 MiB password: nginx's 413 (berth never sees it; the list says 400)"
isjson "  in JSON"
req -u "$ADM" "$U/users?q=username%3D~%25%27%20OR%201%3D1"
expect_eq "$ST/$(jqr "$BD" length)" 200/0 "admin: q=username=~%' OR 1=1 is a literal search: nothing"
for bad in 'sort=password' 'sort=username%3BDROP%20TABLE%20users' 'page_size=100&page_size=1' \
    'page_size=-1' 'page_size=1e3' 'page=2147483648' 'page=%00'; do
	req -u "$ADM" "$U/users?$bad"
	expect_eq "$ST" 400 "admin: GET /users?$bad: 400 (CHECKLIST 20, 21)"
done
req -u "$ADM" "$U/users?q=username%3D~%25"
expect_eq "$ST/$(jqr "$BD" length)" 200/0 "admin: q=username=~% matches '%' literally: nothing"
for n in 'a%2Fb' 'a/b' '..' '.hidden' 'ROBOT' 'robot$x'; do
	japi "$ADM" POST /projects "{\"project_name\":\"$n\"}"
	expect_eq "$ST" 400 "admin: project name '$n': 400 (CHECKLIST 22)"
done
for p in '/users/1/..' '/users//1' '/users/%31' '/users/1%2F' '/users/1/' '/./users/1' '/users/01'; do
	req --path-as-is -u "$ADM" "$U$p"
	expect_match "$ST" '^(400|404)$' "admin: path '$p' is not /users/1: $ST"
done
for m in TRACE CONNECT PROPFIND; do
	req -X "$m" -u "$ADM" "$U/users/1"
	expect_eq "$ST/$(http_header "$R" Allow)" "405/GET, PUT, DELETE" "admin: $m /users/1: 405 with Allow"
done
mark bad4
expect_eq "$(snap)" "$before" "nothing stored changed after this batch of bad admin requests"
expect_eq "$(ran bad3 bad4 | grep -E 'insert|update|delete|revoke|password|sysadmin|disable|clear|secret|promote|demote|retire|login_' | sort -u | tr '\n' ' ')" "" \
    "and no statement that writes ran"

# --- CHECKLIST 25: the system robot's column of the role table ------------------
# Project robots are admin.sh's and admin_robots.sh's column; a system
# robot (robot$NAME, made by a system admin) is refused the admin API
# alike: 403 without its secret being looked at, 405 where the method is
# wrong, whatever the route.
japi "pam:$PW" POST /robots '{"name":"sys2","level":"system","duration":-1,"permissions":[{"kind":"project","namespace":"team","access":[{"resource":"repository","action":"pull"}]}]}'
expect_eq "$ST" 403 "a projectAdmin may not make a system robot (CHECKLIST 25, 27)"
japi "$ADM" POST /robots '{"name":"sys","level":"system","duration":-1,"permissions":[{"kind":"project","namespace":"*","access":[{"resource":"repository","action":"pull"}]}]}'
expect_eq "$ST" 201 "a system admin makes one"
SYS="robot\$sys:$(jqr "$BD" .secret)"
tok "$S&scope=repository:team/app:pull,push" -u "$SYS"
expect_eq "$ST/$(acts)" '200/["pull"]' "which gets its permission at the token endpoint, no more"
MID=$(sql "SELECT member_id FROM project_members m JOIN users u USING (user_id) WHERE u.username = 'gus'")
SID=$(sql "SELECT session_id FROM sessions LIMIT 1")
a0=$(snap)
set -f
while read -r m path want; do
	[ -n "$m" ] || continue
	for c in "$SYS" 'robot$sys:wrong-secret'; do
		if [ "$m" = HEAD ]; then req -I -u "$c" "$U$path"; else
			req -u "$c" -X "$m" -H 'Content-Type: application/json' --data-binary '{}' "$U$path"; fi
		expect_eq "$ST" "$want" "table: system robot$([ "$c" = "$SYS" ] || echo ' (wrong secret)'): $m $path"
	done
done <<TABLE
GET    /users/current                403
POST   /users                        403
GET    /users                        403
GET    /users/search?username=a      403
GET    /users/$ALICE                 403
PUT    /users/$ALICE                 403
PUT    /users/$ALICE/password        403
PUT    /users/$ALICE/sysadmin        403
PUT    /users/$ALICE/disabled        403
DELETE /users/$ALICE                 403
GET    /users/$ALICE/sessions        403
DELETE /users/$ALICE/sessions        403
DELETE /users/$ALICE/sessions/$SID   403
POST   /projects                     403
HEAD   /projects?project_name=team   403
GET    /projects                     403
GET    /projects/$TEAM               403
PUT    /projects/$TEAM               403
DELETE /projects/$TEAM               403
PATCH  /projects/$TEAM               405
GET    /projects/$TEAM/members       403
POST   /projects/$TEAM/members       403
GET    /projects/$TEAM/members/$MID  403
PUT    /projects/$TEAM/members/$MID  403
DELETE /projects/$TEAM/members/$MID  403
POST   /robots                       403
GET    /robots                       403
GET    /robots/$RID                  403
PUT    /robots/$RID                  403
PATCH  /robots/$RID                  403
DELETE /robots/$RID                  403
GET    /keys                         403
POST   /keys                         403
POST   /keys/activate                403
POST   /keys/retire                  403
GET    /audit-logs                   403
TABLE
set +f
expect_eq "$(snap)" "$a0" "the system robot changed nothing"

# --- CHECKLIST 28: a change through node 1 holds on node 2 from its next request
# Node 2's workers have each seen the credentials first (its credentials
# cache is warm), then every one of 6 requests to node 2 must see the change.
# n2 EXPECTED CURL-ARGS: of 6 requests to node 2, how many answered
# EXPECTED (a status, or status/actions of the token's first scope).
n2() {
	_want=$1; shift; _n=0; _i=0
	while [ $_i -lt 6 ]; do
		req "$@"
		_got=$ST
		case $_want in */*) _got="$ST/$(jwt_part "$(jqr "$BD" .token)" 2 | jq -c '.access[0].actions' 2>/dev/null)" ;; esac
		[ "$_got" = "$_want" ] && _n=$((_n + 1))
		_i=$((_i + 1))
	done
	echo "$_n"
}
T2=$B2/service/token
mkuser carl "$PW"; mkuser dora "$PW"; mkuser eve "$PW"; mkuser fred "$PW"
mkproject gone private
mkmember team carl 2
mkmember team dora 2
mkmember gone fred 2
CARL=$(sql "SELECT user_id FROM users WHERE username = 'carl'")
EVE=$(sql "SELECT user_id FROM users WHERE username = 'eve'")
CM=$(sql "SELECT member_id FROM project_members m JOIN users u USING (user_id) WHERE u.username = 'dora'")
expect_eq "$(n2 200 -u "carl:$PW" "$T2?$S")" 6 "node 2 knows carl (6 logins, its cache warm)"
japi "$ADM" PUT "/users/$CARL/disabled" '{"disabled":true}' -H 'X-Forwarded-For: 203.0.113.9' -H 'X-Real-IP: 203.0.113.9'
expect_eq "$ST" 200 "node 1: carl disabled"
expect_eq "$(sql "SELECT remote_addr || ' ' || (request_id = '$(http_header "$R" X-Request-Id)') FROM audit_log ORDER BY audit_id DESC LIMIT 1")" \
    "127.0.0.1 true" "its audit row has the peer's address, not X-Forwarded-For, and nginx's request id"
expect_eq "$(n2 401 -u "carl:$PW" "$T2?$S")" 6 "node 2: carl's next token requests are 401 (CHECKLIST 28: disable)"
expect_eq "$(n2 401 -u "carl:$PW" "$B2/api/v2.0/users/current")" 6 "node 2: and the admin API 401"

expect_eq "$(n2 '200/["pull","push"]' -u "dora:$PW" "$T2?$S&scope=repository:team/app:pull,push")" 6 "node 2: dora pushes to team"
req -u "pam:$PW" -X DELETE "$U/projects/team/members/$CM"
expect_eq "$ST" 200 "node 1: dora removed from team"
expect_eq "$(n2 '200/[]' -u "dora:$PW" "$T2?$S&scope=repository:team/app:pull,push")" 6 "node 2: dora gets nothing on team at once (remove member)"

# The project facts each worker keeps (lib/factcache.h) go with any
# change to projects or members, made through the API or in SQL.
mkuser hank "$PW"
mkmember team hank 2
mkproject dark private
GM=$(sql "SELECT member_id FROM project_members m JOIN users u USING (user_id) WHERE u.username = 'hank'")
expect_eq "$(n2 '200/["pull","push"]' -u "hank:$PW" "$T2?$S&scope=repository:team/app:pull,push")" 6 "node 2: hank, a developer, pushes to team"
japi "pam:$PW" PUT "/projects/team/members/$GM" '{"role_id":3}'
expect_eq "$ST" 200 "node 1: hank made a guest"
expect_eq "$(n2 '200/["pull"]' -u "hank:$PW" "$T2?$S&scope=repository:team/app:pull,push")" 6 "node 2: hank pulls only, at once (change role)"
sql "UPDATE project_members SET role = 2 WHERE member_id = $GM" >/dev/null
expect_eq "$(n2 '200/["pull","push"]' -u "hank:$PW" "$T2?$S&scope=repository:team/app:pull,push")" 6 "node 2: a role changed in SQL, behind the API, holds at once too"
expect_eq "$(n2 '200/[]' "$T2?$S&scope=repository:dark/app:pull")" 6 "node 2: anonymous gets nothing on private dark"
japi "$ADM" PUT "/projects/dark" '{"metadata":{"public":"true"}}'
expect_eq "$ST" 200 "node 1: dark made public"
expect_eq "$(n2 '200/["pull"]' "$T2?$S&scope=repository:dark/app:pull")" 6 "node 2: anonymous pulls from dark at once"
japi "$ADM" PUT "/projects/dark" '{"metadata":{"public":"false"}}'
expect_eq "$(n2 '200/[]' "$T2?$S&scope=repository:dark/app:pull")" 6 "node 2: private again, nothing at once"
expect_eq "$(n2 '200/[]' -u "hank:$PW" "$T2?$S&scope=repository:later/app:pull")" 6 "node 2: hank gets nothing on a project that does not exist"
mkproject later private
mkmember later hank 3
expect_eq "$(n2 '200/["pull"]' -u "hank:$PW" "$T2?$S&scope=repository:later/app:pull")" 6 "node 2: once it exists with hank a guest, pull at once"
# The epoch's row deleted by hand: nothing is remembered, every answer
# is still right and fresh.
sql "DELETE FROM authz_epoch" >/dev/null
expect_eq "$(n2 '200/["pull"]' -u "hank:$PW" "$T2?$S&scope=repository:later/app:pull")" 6 "node 2: no epoch row: hank still pulls from later"
sql "UPDATE project_members SET role = 2 WHERE user_id = (SELECT user_id FROM users WHERE username = 'hank') AND project_id = (SELECT project_id FROM projects WHERE name = 'later')" >/dev/null
expect_eq "$(n2 '200/["pull","push"]' -u "hank:$PW" "$T2?$S&scope=repository:later/app:pull,push")" 6 "node 2: and a change holds at once"
expect_eq "$(n2 '200/[]' "$T2?$S&scope=repository:dark/app:pull")" 6 "node 2: anonymous too"
sql "INSERT INTO authz_epoch (one, epoch) VALUES (true, 1)" >/dev/null

mkrobot gone bot Robot-Secret-5678 pull
expect_eq "$(n2 '200/["pull"]' -u "fred:$PW" "$T2?$S&scope=repository:gone/app:pull")" 6 "node 2: fred pulls from project gone"
req -u "$ADM" -X DELETE "$U/projects/gone"
expect_eq "$ST" 200 "node 1: project gone deleted"
expect_eq "$(n2 '200/[]' -u "fred:$PW" "$T2?$S&scope=repository:gone/app:pull")" 6 "node 2: nothing on gone (delete project)"
expect_eq "$(n2 401 -u 'robot$gone+bot:Robot-Secret-5678' "$T2?$S")" 6 "node 2: its robot is 401"

req -u "eve:$PW" "$B2/service/token?$S&offline_token=true&client_id=c"
ERT=$(jqr "$BD" .refresh_token)
expect_eq "$(n2 200 -d "grant_type=refresh_token&client_id=c&$S&refresh_token=$ERT" "$T2")" 6 "node 2: eve's refresh token works"
ESID=$(sql "SELECT session_id FROM sessions WHERE user_id = $EVE")
req -u "eve:$PW" -X DELETE "$U/users/$EVE/sessions/$ESID"
expect_eq "$ST" 200 "node 1: eve revokes her session"
expect_eq "$(n2 400 -d "grant_type=refresh_token&client_id=c&$S&refresh_token=$ERT" "$T2")" 6 "node 2: the refresh token is refused (revoke session)"

req -u "eve:$PW" "$B2/service/token?$S&offline_token=true&client_id=c"
ERT=$(jqr "$BD" .refresh_token)
expect_eq "$(n2 200 -u "eve:$PW" "$T2?$S")" 6 "node 2 knows eve's password"
japi "eve:$PW" PUT "/users/$EVE/password" "{\"old_password\":\"$PW\",\"new_password\":\"Newer-Pw-123\"}"
expect_eq "$ST" 200 "node 1: eve changes her password"
expect_eq "$(n2 401 -u "eve:$PW" "$T2?$S")" 6 "node 2: the old password is 401 on every request (change password)"
expect_eq "$(n2 400 -d "grant_type=refresh_token&client_id=c&$S&refresh_token=$ERT" "$T2")" 6 "node 2: and her refresh token is refused"
expect_eq "$(n2 200 -u eve:Newer-Pw-123 "$T2?$S")" 6 "node 2: the new one works"
sql "DELETE FROM login_failures" >/dev/null

expect_eq "$(n2 200 -u 'robot$team+ci:Robot-Secret-1234' "$T2?$S")" 6 "node 2: robot\$team+ci gets tokens"
CI=$(sql "SELECT robot_id FROM robots WHERE name = 'ci'")
req -u "$ADM" "$U/robots/$CI"
japi "$ADM" PUT "/robots/$CI" "$(printf '%s' "$BD" | jq -c '.disable = true')"
expect_eq "$ST" 200 "node 1: robot\$team+ci disabled"
expect_eq "$(n2 401 -u 'robot$team+ci:Robot-Secret-1234' "$T2?$S")" 6 "node 2: 401 (disable robot)"
japi "$ADM" PUT "/robots/$CI" '{"disable":false}'
expect_eq "$(n2 200 -u 'robot$team+ci:Robot-Secret-1234' "$T2?$S")" 6 "node 2: enabled again, tokens again"
sql "UPDATE robots SET expires_at = now() - interval '1 second' WHERE robot_id = $CI" >/dev/null
expect_eq "$(n2 401 -u 'robot$team+ci:Robot-Secret-1234' "$T2?$S")" 6 "node 2: once it expires, 401 (expire robot)"

# --- the bars of every case -----------------------------------------------------
expect_eq "$(pids_of "$N1")" "$W1" "node 1: the same token, admin and health workers as at the start"
expect_eq "$(pids_of "$N2")" "$W2" "node 2: the same workers too"
dead=""
for p in $W1 $W2; do kill -0 "$p" 2>/dev/null || dead="$dead $p"; done
expect_eq "$dead" "" "every worker of both nodes is alive"
check "no sanitizer report in the programs' logs" sh -c \
    "! grep -Eq 'AddressSanitizer|runtime error|LeakSanitizer' '$N1'/log/berth-*.log '$N2'/log/berth-*.log"
secrets="$PW|Robot-Secret|Newer-Pw|$APW|eyJ"
for s in "$RT" "$ERT"; do [ -n "$s" ] && secrets="$secrets|$s"; done
check "no password, secret or token in berth's or nginx's logs" sh -c \
    "! grep -rEq -- '$secrets' '$N1/log' '$N2/log'"
