#!/bin/sh
# tests/fcgi/valgrind.sh: each program under valgrind (memcheck) behind
# spawn-fcgi serves a few thousand mixed requests (every token grant,
# the CHECKLIST's bad input, admin reads and writes, health), then stops
# on SIGTERM so that valgrind reports what was never freed: no memory
# error, no definite or indirect leak.
#
# The programs run with spawn-fcgi -n, which execs valgrind in its own
# process, so the test waits for it and sees valgrind's exit status
# (--error-exitcode) as well as its log.  No suppressions: what the
# libraries allocate once for the process (OpenSSL's providers, libpq's
# connection, jansson's seed) is still reachable at exit, which is
# neither a definite nor an indirect leak.
. "$(dirname "$0")/../lib.sh"

# ASan and valgrind each replace the allocator: not both at once.
if ldd "$BUILD/berth-token" 2>/dev/null | grep -q libasan; then
	echo "# valgrind: skipped in a sanitizer build"
	exit 0
fi
# spawn-fcgi -n execs without a PATH search.
VALGRIND=$(command -v valgrind) || { echo "# valgrind is not installed" >&2; exit 1; }

VGEXIT=99
# A locked account costs no password hash, which is slow under valgrind.
export BERTH_LOCKOUT_THRESHOLD=2 BERTH_LOCKOUT_SECONDS=600
berth_db pg || { echo "# could not set up the database" >&2; exit 1; }

# vg PROG: berth-PROG under valgrind on $T/PROG.sock, in the background.
vg() {
	rm -f "$T/$1.sock"
	spawn-fcgi -n -s "$T/$1.sock" -- "$VALGRIND" -q --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect \
	    --show-leak-kinds=definite,indirect --error-exitcode=$VGEXIT \
	    --log-file="$T/vg-$1.log" \
	    "$BUILD/berth-$1" 2>>"$T/$1.log" &
	echo $! >"$T/$1.pid"
	at_exit "kill $! 2>/dev/null"
}
for p in token admin health; do vg "$p"; done
for p in token admin health; do
	wait_for 60 test -S "$T/$p.sock" || { echo "# $p did not start" >&2; exit 1; }
done

PW=Passw0rd-1 RS=Robot-Secret-0123456789
mkuser alice "$PW"
mkuser root2 "$PW" sysadmin
mkuser dis "$PW"
mkuser mallory "$PW"
mkproject team private
mkproject pub public
mkmember team alice 2
sql "UPDATE users SET disabled = true WHERE username = 'dis'" >/dev/null
mkrobot team ci "$RS" pull push
mkrobot '' sys "$RS" pull
b64() { printf '%s' "$1" | base64 -w0; }
auth() { printf 'Authorization: Basic %s' "$(b64 "$1:$2")"; }
AU=$(auth alice "$PW") AD=$(auth admin "$ADMIN_PW")
FORM='Content-Type: application/x-www-form-urlencoded'
JSON='Content-Type: application/json'
S=service=registry
A=repository:team/app

# many N WANT DESC PROG METHOD URI [options]: the request N times over
# one connection; every answer must have status WANT (counted in
# $T/wrong otherwise).
total=0
: >"$T/wrong"
many() {
	_n=$1 _w=$2 _d=$3; shift 3
	fcgi "$@" -r "$_n" -t 300 >"$T/many.out" 2>/dev/null
	# Answers follow one another without a line break between them.
	_got=$(grep -o "HTTP/1.1 $_w [A-Z]" "$T/many.out" | wc -l)
	total=$((total + _n))
	[ "$_got" = "$_n" ] ||
	    echo "#   $_d: $_got of $_n answered $_w; got: $(grep -o 'HTTP/1.1 [0-9]* ' "$T/many.out" | sort | uniq -c | tr -s ' \n' ' ')" >>"$T/wrong"
}
# once WANT DESC PROG METHOD URI [options]
once() { many 1 "$@"; }

t0=$(date +%s)
# --- tokens: every grant -------------------------------------------------------
many 200 200 "GET, Basic, cached" token GET "/service/token?$S&scope=$A:pull,push&scope=repository:pub/x:pull" -H "$AU"
many 50 200 "GET, a system admin, the catalog" token GET "/service/token?$S&scope=registry:catalog:*&scope=repository:alpine:pull" -H "$(auth root2 "$PW")"
many 100 200 "GET, a project robot" token GET "/service/token?$S&scope=$A:pull,push" -H "$(auth 'robot$team+ci' "$RS")"
many 50 200 "GET, a system robot" token GET "/service/token?$S&scope=$A:pull" -H "$(auth 'robot$sys' "$RS")"
many 200 200 "GET, anonymous, a public pull" token GET "/service/token?$S&scope=repository:pub/app:pull"
many 20 200 "GET, offline_token=true" token GET "/service/token?$S&offline_token=true&client_id=docker" -H "$AU"
r=$(fcgi token GET "/service/token?$S&offline_token=true&client_id=docker" -H "$AU")
RT=$(jqr "$(http_body "$r")" .refresh_token)
many 100 200 "POST grant_type=password" token POST /service/token -H "$FORM" \
    -d "grant_type=password&username=alice&password=$PW&client_id=containerd&access_type=offline&$S&scope=$A:pull"
many 100 200 "POST grant_type=refresh_token" token POST /service/token -H "$FORM" \
    -d "grant_type=refresh_token&refresh_token=$RT&client_id=docker&$S&scope=$A:pull"
many 50 200 "certs.pem" token GET /service/certs.pem
many 50 200 "jwks.json" token GET /service/jwks.json
# --- tokens: refusals (CHECKLIST 2-17) ---------------------------------------
for h in 'Basic !!!' "Basic $(b64 nocolon)" "Basic $(b64 :pw)" "Basic $(b64 user:)" \
    'Bearer eyJhbGciOiJFUzI1NiJ9.e30.sig'; do
	many 10 401 "Authorization '$h'" token GET "/service/token?$S&scope=$A:pull" -H "Authorization: $h"
done
head -c 65536 /dev/zero | tr '\0' A >"$T/big"
many 5 401 "a 64 KiB Authorization header" token GET "/service/token?$S" -F "HTTP_AUTHORIZATION=$T/big"
once 401 "a wrong password" token GET "/service/token?$S" -H "$(auth alice nope)"
many 2 401 "wrong passwords until mallory is locked" token GET "/service/token?$S" -H "$(auth mallory nope)"
many 20 401 "a locked account" token GET "/service/token?$S" -H "$(auth mallory "$PW")"
once 401 "a disabled account" token GET "/service/token?$S" -H "$(auth dis "$PW")"
once 401 "an unknown account" token GET "/service/token?$S" -H "$(auth nobody "$PW")"
many 10 401 "a robot's wrong secret" token GET "/service/token?$S" -H "$(auth 'robot$team+ci' nope)"
for q in "scope=$A:pull" "service=other" "service=registry&service=evil" \
    "$S&scope=repository" "$S&scope=repository:foo" "$S&scope=repository:team/a%zz:pull" \
    "$S&scope=repository:team/a:pull%"; do
	many 10 400 "query '$q'" token GET "/service/token?$q"
done
for n in 'team/../team/app' 'team//app' 'Team/app'; do
	many 10 200 "name '$n' (denied, CHECKLIST 9)" token GET "/service/token?$S&scope=repository:$n:pull" -H "$AU"
done
many 10 400 "a control character in a name" token GET "/service/token?$S&scope=repository:team/a%01b:pull" -H "$AU"
{ printf '%s' "$S"; i=0; while [ $i -lt 10000 ]; do printf '&scope=repository:team/a:pull'; i=$((i + 1)); done; } >"$T/q"
many 5 400 "10,000 scope parameters" token GET /service/token -F "QUERY_STRING=$T/q"
head -c 1048576 /dev/zero | tr '\0' a | sed 's/^/service=registry\&x=/' >"$T/q"
many 5 400 "a 1 MiB query" token GET /service/token -F "QUERY_STRING=$T/q"
many 10 400 "a repeated grant_type" token POST /service/token -H "$FORM" -d "grant_type=password&grant_type=password&$S&client_id=t"
many 10 400 "an unknown grant_type" token POST /service/token -H "$FORM" -d "grant_type=client_credentials&client_id=t&$S"
many 10 400 "a JSON body" token POST /service/token -H "$JSON" -d '{"grant_type":"password"}'
many 10 400 "an unknown refresh token" token POST /service/token -H "$FORM" -d "grant_type=refresh_token&refresh_token=AAAA$RT&client_id=docker&$S"
for cl in -1 abc; do
	many 5 400 "CONTENT_LENGTH '$cl'" token POST /service/token -H "$FORM" -d "grant_type=password" -p "CONTENT_LENGTH=$cl"
done
many 5 413 "CONTENT_LENGTH past SIZE_MAX" token POST /service/token -H "$FORM" -d "grant_type=password" -p "CONTENT_LENGTH=99999999999999999999999"
many 5 413 "a body over the cap" token POST /service/token -H "$FORM" -d grant_type=password -p CONTENT_LENGTH=10000000
many 10 405 "PUT /service/token" token PUT "/service/token?$S"
many 10 404 "an unknown path" token GET /service/nope

# --- admin: reads ------------------------------------------------------------
ADM=/api/v2.0
many 50 200 "GET /users/current" admin GET $ADM/users/current -H "$AD"
many 20 200 "GET /users" admin GET "$ADM/users?page_size=2&sort=-username&q=username%3D~a" -H "$AD"
many 20 200 "GET /users/search" admin GET "$ADM/users/search?username=al" -H "$AD"
many 50 200 "GET /projects" admin GET "$ADM/projects?page_size=1&sort=name" -H "$AD"
many 20 200 "GET /projects/team" admin GET $ADM/projects/team -H "$AD"
many 20 200 "GET members" admin GET $ADM/projects/team/members -H "$AD"
many 20 200 "GET /robots" admin GET "$ADM/robots?q=Level%3Dproject" -H "$AD"
many 20 200 "GET /keys" admin GET $ADM/keys -H "$AD"
many 20 200 "GET /audit-logs" admin GET "$ADM/audit-logs?page_size=5" -H "$AD"
many 20 200 "GET /users/1/sessions" admin GET $ADM/users/1/sessions -H "$AD"
# --- admin: writes -----------------------------------------------------------
i=0
while [ $i -lt 20 ]; do
	once 201 "POST /projects" admin POST $ADM/projects -H "$AD" -H "$JSON" -d "{\"project_name\":\"vg-$i\",\"metadata\":{\"public\":\"true\"}}"
	once 200 "PUT /projects" admin PUT $ADM/projects/vg-$i -H "$AD" -H "$JSON" -d '{"metadata":{"public":"false"}}'
	once 201 "POST members" admin POST $ADM/projects/vg-$i/members -H "$AD" -H "$JSON" -d '{"role_id":2,"member_user":{"username":"alice"}}'
	mid=$(sql "SELECT m.member_id FROM project_members m JOIN projects p USING (project_id) WHERE p.name = 'vg-$i'" | head -n 1)
	once 200 "PUT member" admin PUT $ADM/projects/vg-$i/members/$mid -H "$AD" -H "$JSON" -d '{"role_id":3}'
	once 201 "POST /robots" admin POST $ADM/robots -H "$AD" -H "$JSON" -d "{\"name\":\"r$i\",\"level\":\"project\",\"duration\":30,\"permissions\":[{\"kind\":\"project\",\"namespace\":\"vg-$i\",\"access\":[{\"resource\":\"repository\",\"action\":\"pull\"}]}]}"
	rid=$(sql "SELECT robot_id FROM robots WHERE name = 'r$i'")
	once 200 "PATCH robot" admin PATCH $ADM/robots/$rid -H "$AD"
	once 200 "DELETE robot" admin DELETE $ADM/robots/$rid -H "$AD"
	once 200 "DELETE member" admin DELETE $ADM/projects/vg-$i/members/$mid -H "$AD"
	once 200 "DELETE /projects" admin DELETE $ADM/projects/vg-$i -H "$AD"
	i=$((i + 1))
done
# A password hash each: a few only.
once 201 "POST /users" admin POST $ADM/users -H "$AD" -H "$JSON" -d '{"username":"vguser","email":"vg@example.com","realname":"V G","password":"Vg-Passw0rd"}'
uid=$(sql "SELECT user_id FROM users WHERE username = 'vguser'")
many 10 200 "PUT /users/{id}" admin PUT $ADM/users/$uid -H "$AD" -H "$JSON" -d '{"realname":"V. G."}'
once 200 "PUT password" admin PUT $ADM/users/$uid/password -H "$AD" -H "$JSON" -d '{"new_password":"Vg-Passw0rd-2"}'
many 5 200 "PUT sysadmin" admin PUT $ADM/users/$uid/sysadmin -H "$AD" -H "$JSON" -d '{"sysadmin_flag":false}'
many 5 200 "PUT disabled" admin PUT $ADM/users/$uid/disabled -H "$AD" -H "$JSON" -d '{"disabled":true}'
many 5 200 "DELETE sessions" admin DELETE $ADM/users/1/sessions -H "$AD"
once 200 "DELETE /users/{id}" admin DELETE $ADM/users/$uid -H "$AD"
once 201 "POST /keys" admin POST $ADM/keys -H "$AD"
once 200 "POST /keys/activate" admin POST $ADM/keys/activate -H "$AD"
once 200 "POST /keys/retire" admin POST $ADM/keys/retire -H "$AD"
# --- admin: refusals (CHECKLIST 18-24) -----------------------------------------
many 10 401 "no credentials" admin GET $ADM/users/current
many 10 403 "a robot" admin GET $ADM/users/current -H "$(auth 'robot$team+ci' "$RS")"
many 10 415 "no JSON content type" admin POST $ADM/projects -H "$AD" -d '{"project_name":"x"}'
for b in '{"project_name":"x","id":1}' '{"project_name":"x","project_name":"y"}' \
    '{"project_name":"x","metadata":{"public":{"a":{"b":{"c":{"d":{"e":{"f":{"g":1}}}}}}}}}' \
    '{"project_name":"x\u0000"}' '{"project_name":"-bad"}' '{"project_name":"x","storage_limit":"1"}' '[1,2'; do
	many 5 400 "body $b" admin POST $ADM/projects -H "$AD" -H "$JSON" -d "$b"
done
for q in 'sort=password' 'sort=name%3BDROP%20TABLE%20users' 'page_size=2147483647' 'page=-1' 'x=1'; do
	many 5 400 "query $q" admin GET "$ADM/projects?$q" -H "$AD"
done
head -c 1048576 /dev/zero | tr '\0' a >"$T/pw"
# Answered before the body is read: the connection ends there.
once 413 "a 1 MiB body" admin POST $ADM/users -H "$AD" -H "$JSON" -f "$T/pw"
many 10 405 "a method the route lacks" admin PATCH $ADM/projects -H "$AD"
many 10 404 "an unknown route" admin GET $ADM/nope -H "$AD"
many 10 404 "a project that does not exist" admin GET $ADM/projects/ghost -H "$AD"

# --- health --------------------------------------------------------------------
many 100 200 "GET /health" health GET /health
many 50 200 "GET /health/ready" health GET /health/ready
many 50 200 "GET /health/live" health GET /health/live
many 50 200 "GET /api/v2.0/ping" health GET /api/v2.0/ping
many 20 200 "HEAD /api/v2.0/health" health HEAD /api/v2.0/health
many 10 405 "POST /health" health POST /health
many 10 404 "an unknown path" health GET /nope
echo "# valgrind: $total requests in $(( $(date +%s) - t0 )) s"
if [ -s "$T/wrong" ]; then
	nok "each of the $total requests got the answer it should"
	cat "$T/wrong"
else
	ok "each of the $total requests got the answer it should"
fi

# --- a clean stop, and valgrind's verdict --------------------------------------
for p in token admin health; do
	pid=$(cat "$T/$p.pid")
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "$p: no memory error, no definite or indirect leak, clean exit"
	else
		nok "$p: no memory error, no definite or indirect leak, clean exit"
		echo "#   exit status $rc ($VGEXIT: valgrind found errors)"
		grep -v '^==[0-9]*== *$' "$T/vg-$p.log" | head -n 60 | sed 's/^/#   /'
	fi
	check "$p: logged its clean stop" grep -q ' stopping$' "$T/$p.log"
done
