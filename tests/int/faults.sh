#!/bin/sh
# tests/int/faults.sh: database and worker faults against a real
# PostgreSQL, through nginx, with each program under its supervisor as
# deploy/node runs it (spawn-fcgi -F 1, workers = 2) (CHECKLIST 31, 32,
# 34, 35):
#   a. the database down at start: 503 (never 401 or 500), no failed
#      login counted, ready by itself when it starts;
#   b. the database stopped and started again under load: 503 while it
#      is down, every 2xx right, recovery within 5 s, no worker exits;
#   c. a query blocked by a lock: 503 at the lock or statement timeout,
#      below nginx's FastCGI timeout (read from the configurations);
#   e. a worker killed under load: only its request in flight fails, the
#      supervisor starts another; a worker that dies at once is
#      restarted less and less often; workers end with the supervisor;
#   d. the database out of connections: 503, recovery when they close.
# Ports 19001-19009 (the first free one).
. "$(dirname "$0")/../lib.sh"

P=""
for p in 19001 19002 19003 19004 19005 19006 19007 19008 19009; do
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$p/" && continue
	[ $? -eq 7 ] && { P=$p; break; }
done
[ -n "$P" ] || { echo "no free port in 19001-19009" >&2; exit 1; }
BASE=http://127.0.0.1:$P
TOK=$BASE/service/token
U=$BASE/api/v2.0
ADM="admin:$ADMIN_PW"
ALICE_PW=Alice-Pw-123
U_PW=Many-Pw-1234

# The token and health programs give up waiting for a lock after 500 ms;
# the admin program lets its statements run 1 s and would wait 5 s for a
# lock, so that its statement timeout is the one that ends a wait.
export BERTH_LOCKOUT_THRESHOLD=3 BERTH_DB_LOCK_TIMEOUT=500
unset BERTH_WORKERS
berth_db pg || exit 1

mkuser alice "$ALICE_PW" || exit 1
mkproject team private
mkproject pub public
mkmember team alice 2
# u1..u300 share one hash: each login of the "uncached" loop names a user
# this worker has not seen, so the password is hashed every time.
h=$(printf '%s\n' "$U_PW" | "$BUILD/berthctl" hash) || exit 1
sql "INSERT INTO users (username, password_hash)
    SELECT 'u' || g, '$h' FROM generate_series(1, 300) g" >/dev/null
sql "INSERT INTO project_members (project_id, user_id, role)
    SELECT p.project_id, u.user_id, 3 FROM projects p, users u
    WHERE p.name = 'team' AND u.username LIKE 'u%'" >/dev/null

# --- the node: as deploy/node lays it out, started by hand so that the
# --- programs can start while the database is down --------------------------
N=$T/node
mkdir -p "$N/run" "$N/log" "$N/nginx"
chmod 755 "$N" "$N/run"
sockopts="" nginx_user=""
if [ "$(id -u)" = 0 ]; then
	sockopts="-U www-data -G www-data -M 0660"
	nginx_user="user www-data;"
fi
# prog_start PROG [VAR=value...]: one supervisor keeping two workers.
prog_start() {
	_p=$1; shift
	rm -f "$N/run/$_p.sock" "$N/run/$_p.pid"
	# shellcheck disable=SC2086
	env BERTH_WORKERS=2 "$@" spawn-fcgi -s "$N/run/$_p.sock" -F 1 \
	    -P "$N/run/$_p.pid" $sockopts -- \
	    /bin/sh -c 'exec "$0" 2>>"$1"' "$BUILD/berth-$_p" \
	    "$N/log/berth-$_p.log" >/dev/null
}
at_exit 'for _p in token admin health; do kill $(cat "$N/run/$_p.pid"); done'
sup() { cat "$N/run/$1.pid"; }
wk() { workers "$N/run/$1.pid"; }
all_workers() { echo "$(wk token) / $(wk admin) / $(wk health)"; }
all_restarts() {
	echo $(($(restarts "$N/log/berth-token.log") + $(restarts "$N/log/berth-admin.log") +
	    $(restarts "$N/log/berth-health.log")))
}

# status URL [curl args]: the status code alone.
status() { _u=$1; shift; curl -s -o /dev/null --max-time 20 -w '%{http_code}' "$@" "$_u"; }
# is URL CODE [curl args]: for wait_for.
is() { _u=$1 _c=$2; shift 2; [ "$(status "$_u" "$@")" = "$_c" ]; }
# get URL [curl args]: sets R (response), S (status), B (body).
get() {
	_u=$1; shift
	R=$(curl -sS -i --max-time 20 "$@" "$_u")
	S=$(http_status "$R")
	B=$(http_body "$R")
}
# berth_said: the answer in R is berth's own (nginx's fallback page for
# an unreachable program has no X-Request-Id).
berth_said() { [ -n "$(http_header "$R" X-Request-Id)" ]; }
# grants FILE: the access of the token in a token response, as
# "type:name:actions ..."; the username of an admin answer.
grants() {
	jq -r 'if .username then .username else ((.token // .access_token)
	    | split(".")[1] | gsub("-"; "+") | gsub("_"; "/")
	    | (. + ("=" * ((4 - (length % 4)) % 4))) | @base64d | fromjson
	    | .access | map(.type + ":" + .name + ":" + (.actions | join(",")))
	    | join(" ")) end' "$1" 2>/dev/null
}
SC_ALICE="service=registry&scope=repository:team/app:pull,push"
G_ALICE="repository:team/app:pull,push"

# --- a. the database down at start (CHECKLIST 31) ----------------------------
"$ROOT/deploy/pg" stop "$PGDIR"
for p in token admin health; do prog_start $p; done
sed -e "s|@HOME@|$N|g" -e "s|@PORT@|$P|g" -e "s|@ROOT@|$ROOT|g" \
    -e "s|@USER@|$nginx_user|" -e "s|@LOGLEVEL@|${BERTH_NGINX_LOG_LEVEL:-warn}|" \
    "$ROOT/deploy/nginx/node.conf.in" >"$N/nginx/nginx.conf"
nginx -c "$N/nginx/nginx.conf" -p "$N/nginx" -e "$N/log/nginx-error.log" \
    >>"$N/log/nginx-error.log" 2>&1 &
at_exit "kill \$(cat '$N/run/nginx.pid')"
check "with the database down, the programs start: /health/live is 200" \
    wait_for 10 is "$BASE/health/live" 200
wait_for 5 sh -c "kill -0 \$(cat '$N/run/nginx.pid')" ||
    { echo "nginx of this test is not running (port $P taken?)" >&2; exit 1; }
six() { [ "$(echo $(wk token) $(wk admin) $(wk health) | wc -w)" = 6 ]; }
wait_for 5 six
w0=$(all_workers)
expect_match "$w0" '^[0-9]+ [0-9]+ / [0-9]+ [0-9]+ / [0-9]+ [0-9]+$' \
    "each program is a supervisor with two workers ($w0)"
get "$BASE/health/ready"
expect_eq "$S" 503 "/health/ready is 503"
expect_eq "$(jqr "$B" .status)" "not ready" "and says not ready"

# No key could be loaded yet, so the token program answers before it
# looks for the user; b. has logins with the key loaded.
get "$TOK?$SC_ALICE" -u "alice:$ALICE_PW"
expect_eq "$S" 503 "a token for the right password is 503, not 401 or 500"
expect_eq "$(jqr "$B" .error)" temporarily_unavailable "with a JSON body"
expect_eq "$(jqr "$B" '.errors[0].code')" SERVICE_UNAVAILABLE "in both error shapes"
expect_eq "$(http_header "$R" Retry-After)" 1 "and Retry-After: 1"
check "answered by berth, not by nginx" berth_said
get "$TOK" -d grant_type=password -d client_id=faults -d service=registry \
    -d username=alice -d "password=$ALICE_PW" -d scope=repository:team/app:pull
expect_eq "$S/$(jqr "$B" .error)" 503/temporarily_unavailable "the password grant is a JSON 503"
get "$TOK?service=registry&scope=repository:pub/app:pull"
expect_eq "$S/$(jqr "$B" .error)" 503/temporarily_unavailable "an anonymous token is a JSON 503"
get "$BASE/service/certs.pem"
expect_eq "$S" 503 "certs.pem is 503 (no key was ever loaded)"
get "$U/users/current" -u "$ADM"
expect_eq "$S/$(jqr "$B" '.errors[0].code')" 503/SERVICE_UNAVAILABLE \
    "the admin API is a JSON 503 for the right password"
# Several seconds of logins, right and wrong, more than the lockout
# threshold (3): none may count, none may end a worker.
codes=""
for i in 1 2 3 4 5 6; do
	codes="$codes $(status "$TOK?$SC_ALICE" -u "alice:$ALICE_PW")"
	codes="$codes $(status "$TOK?$SC_ALICE" -u "alice:wrong-$i")"
	codes="$codes $(status "$U/users/current" -u "admin:wrong-$i")"
	sleep 0.3
done
expect_eq "$codes" "$(printf ' 503%.0s' $(seq 18))" "18 logins, right and wrong, all 503"
expect_eq "$(all_workers)" "$w0" "no worker exited while the database was down"
expect_eq "$(all_restarts)" 0 "the supervisors restarted none"

"$ROOT/deploy/pg" start "$PGDIR"
check "the token endpoint heals within 5 s of the database starting" \
    wait_for 5 is "$TOK?$SC_ALICE" 200 -u "alice:$ALICE_PW"
check "/health/ready is 200 within 5 s" wait_for 5 is "$BASE/health/ready" 200
check "the admin API heals within 5 s" wait_for 5 is "$U/users/current" 200 -u "$ADM"
expect_eq "$(sql "SELECT count(*) FROM login_failures WHERE username IN ('alice', 'admin')")" 0 \
    "no failed login was counted during the outage"
curl -s --max-time 20 -u "alice:$ALICE_PW" "$TOK?$SC_ALICE" >"$T/a.json"
expect_eq "$(grants "$T/a.json")" "$G_ALICE" "alice is not locked out and gets her grant"
check "certs.pem is served" is "$BASE/service/certs.pem" 200
expect_eq "$(all_workers)" "$w0" "the same workers serve"

# --- b. stopped and started under load (CHECKLIST 32) -------------------------
RT=$(curl -s --max-time 20 -u "alice:$ALICE_PW" \
    "$TOK?service=registry&client_id=faults&offline_token=true" | jq -r .refresh_token)
expect_match "$RT" '^[A-Za-z0-9_-]{40,}$' "a refresh token for the load"

# req KIND N: one request of the load; body in $T/KIND.body, headers in
# $T/KIND.hdr; prints the status.
req() {
	_f=$T/$1
	case $1 in
	cached)	set -- -u "alice:$ALICE_PW" "$TOK?$SC_ALICE" ;;
	uncached) set -- -u "u$2:$U_PW" "$TOK?service=registry&scope=repository:team/app:pull" ;;
	refresh) set -- -d grant_type=refresh_token -d client_id=faults -d service=registry \
		    -d "refresh_token=$RT" -d scope=repository:team/app:pull "$TOK" ;;
	anon)	set -- "$TOK?service=registry&scope=repository:pub/app:pull" ;;
	admin)	set -- -u "$ADM" "$U/users/current" ;;
	esac
	curl -s --max-time 20 -D "$_f.hdr" -o "$_f.body" -w '%{http_code}' "$@"
}
want() {
	case $1 in
	cached) echo "$G_ALICE" ;;
	uncached|refresh) echo "repository:team/app:pull" ;;
	anon) echo "repository:pub/app:pull" ;;
	admin) echo admin ;;
	esac
}
# load KIND: requests until $T/stop exists, one line each in $T/KIND.log:
# start_ms end_ms status who verdict.  who: b when berth answered, n for
# nginx's own page; verdict: bad for a 200 without the right grant.
load() {
	_k=$1 _i=0 _w=$(want "$1")
	rm -f "$T/$_k.log"
	while [ ! -e "$T/stop" ]; do
		_i=$((_i % 300 + 1))
		_s=$(date +%s%3N)
		_c=$(req "$_k" $_i)
		_e=$(date +%s%3N)
		_who=n
		grep -qi '^x-request-id:' "$T/$_k.hdr" && _who=b
		_v=good
		[ "$_c" = 200 ] && [ "$(grants "$T/$_k.body")" != "$_w" ] && _v=bad
		echo "$_s $_e $_c $_who $_v" >>"$T/$_k.log"
	done
}
KINDS="cached uncached refresh anon admin"
load_start() {
	rm -f "$T/stop"
	lpids=""
	for k in "$@"; do load "$k" & lpids="$lpids $!"; done
	at_exit "touch '$T/stop'"
}
load_stop() { touch "$T/stop"; wait $lpids; }
now_ms() { date +%s%3N; }
pgsu() { psql -X -q -tA -h "$PGDIR/run" -U postgres -d postgres -c "$1"; }

w0=$(all_workers)
load_start $KINDS
sleep 1.5
"$ROOT/deploy/pg" stop "$PGDIR"
t_down=$(now_ms)
# Wrong passwords meanwhile, more than the lockout threshold.
codes=""
for i in 1 2 3 4; do codes="$codes $(status "$TOK?$SC_ALICE" -u "alice:wrong-$i")"; done
sleep 2
t_up0=$(now_ms)
"$ROOT/deploy/pg" start "$PGDIR"
t_up=$(now_ms)
# Run on until every kind has answered 200 three times in a row since the
# database came back, and no longer than 6 s.
recovered() {
	for k in $KINDS; do
		awk -v u="$t_up" '$1 >= u' "$T/$k.log" | tail -n 3 |
		    awk '$3 == 200 { n++ } END { exit !(n == 3) }' || return 1
	done
}
wait_for 6 recovered
load_stop
for k in $KINDS; do
	n=$(wc -l <"$T/$k.log")
	down=$(awk -v d="$t_down" -v u="$t_up0" '$1 >= d && $2 <= u' "$T/$k.log" | wc -l)
	bad=$(awk -v d="$t_down" -v u="$t_up0" '$1 >= d && $2 <= u && !($3 == 503 && $4 == "b")' "$T/$k.log" | wc -l)
	check "$k: $down of $n answers came while the database was down" test "$down" -ge 2
	expect_eq "$bad" 0 "$k: every one of them a 503 from berth"
	expect_eq "$(awk '$3 != 200 && $3 != 503' "$T/$k.log" | wc -l)" 0 \
	    "$k: every answer is 200 or 503 (no 401, no 500)"
	expect_eq "$(awk '$5 == "bad"' "$T/$k.log" | wc -l)" 0 \
	    "$k: every 200 carries the right grant"
	# Recovered: the start of the first 200 after the last other answer.
	rec=$(awk '$3 != 200 { r = "" } $3 == 200 && r == "" { r = $1 } END { print r }' "$T/$k.log")
	check "$k: full recovery within 5 s of the database's return ($((${rec:-0} - t_up)) ms)" \
	    test -n "$rec" -a "$((${rec:-0} - t_up))" -le 5000
done
expect_eq "$codes" " 503 503 503 503" "wrong passwords while it was down: 503"
expect_eq "$(sql "SELECT count(*) FROM login_failures")" 0 "no failed login was counted"
expect_eq "$(all_workers)" "$w0" "no worker exited (the same pids)"
expect_eq "$(all_restarts)" 0 "and none was restarted"
# The supervisors never touch the database or a request: their only
# socket is the FastCGI one they listen on, they log only their own work.
for p in token admin health; do
	s=$(sup $p)
	expect_eq "$(ls -l "/proc/$s/fd" | grep -c 'socket:')" 1 \
	    "the $p supervisor holds one socket, the listening one"
	expect_eq "$(grep "berth-$p\[$s\]" "$N/log/berth-$p.log" |
	    grep -Evc ' (supervising [0-9]+ workers|worker [0-9]+ started)$')" 0 \
	    "and logged nothing but starting its workers"
done

# --- c. a query blocked by a lock (CHECKLIST 34) ------------------------------
# By the configurations, not by timing: nginx and Apache wait longer for
# the programs than berth's database timeouts let a request take, with the
# defaults and with this test's values.
rt=$(sed -n 's/^fastcgi_read_timeout \([0-9]*\)s;$/\1/p' "$ROOT/deploy/nginx/berth-locations.conf")
at=$(sed -n 's/^ProxyTimeout \([0-9]*\)$/\1/p' "$ROOT/deploy/apache/berth-locations.conf")
env -i BERTH_CONF=/dev/null "$BUILD/berthctl" config >"$T/defaults.conf"
dflt() { sed -n "s/^$1 = //p" "$T/defaults.conf"; }
ct=$(dflt db_connect_timeout) st=$(dflt db_statement_timeout) lt=$(dflt db_lock_timeout)
check "nginx's fastcgi_read_timeout ($rt s) exceeds connect + statement timeout ($ct s + $st ms)" \
    test -n "$rt" -a $((ct * 1000 + st)) -lt $((rt * 1000))
check "so does Apache's ProxyTimeout ($at s)" test -n "$at" -a $((ct * 1000 + st)) -lt $((${at:-0} * 1000))
check "the lock timeout ($lt ms) is within the statement timeout" test "$lt" -le "$st"
check "this test's timeouts are below them too" test 500 -lt $((rt * 1000)) -a 1000 -lt $((rt * 1000))

# The admin program again, with its statement timeout below its lock
# timeout (the token program's lock timeout ends its waits).
wt0=$(wk token) wh0=$(wk health)
kill "$(sup admin)"
wait_for 5 sh -c "! kill -0 $(sup admin) 2>/dev/null"
prog_start admin BERTH_DB_STATEMENT_TIMEOUT=1000 BERTH_DB_LOCK_TIMEOUT=5000
two() { [ "$(wk "$1" | wc -w)" = 2 ]; }
wait_for 5 two admin
check "the admin program serves again" wait_for 5 is "$U/users/current" 200 -u "$ADM"

# hold TABLE: a psql session holding an ACCESS EXCLUSIVE lock on TABLE
# until unhold.
hold() {
	rm -f "$T/lock.in" "$T/lock.out"
	mkfifo "$T/lock.in"
	psql -X -q -tA -v ON_ERROR_STOP=1 -d "$DATABASE" -f "$T/lock.in" >"$T/lock.out" 2>&1 &
	holder=$!
	at_exit "kill $holder"
	exec 3>"$T/lock.in"
	echo "BEGIN; LOCK TABLE $1 IN ACCESS EXCLUSIVE MODE; SELECT 'held';" >&3
	wait_for 10 grep -q held "$T/lock.out"
}
unhold() { echo "ROLLBACK;" >&3; exec 3>&-; wait "$holder"; }

check "a session holds an ACCESS EXCLUSIVE lock on users" hold users
get "$TOK?$SC_ALICE" -u "alice:$ALICE_PW"
expect_eq "$S/$(jqr "$B" .error)" 503/temporarily_unavailable \
    "a token whose query waits for the lock: a JSON 503"
check "from berth, not nginx's timeout page" berth_said
check "berth's log names the lock timeout (55P03)" grep -q 'token_user: 55P03' "$N/log/berth-token.log"
get "$TOK?service=registry&scope=repository:pub/app:pull"
expect_eq "$S" 200 "an anonymous token (no users row needed) is issued meanwhile"
get "$U/users/current" -u "$ADM"
expect_eq "$S/$(jqr "$B" '.errors[0].code')" 503/SERVICE_UNAVAILABLE \
    "an admin call that waits for the lock: a JSON 503"
check "berth-admin's log names the statement timeout (57014)" grep -q '57014' "$N/log/berth-admin.log"
unhold
get "$TOK?$SC_ALICE" -u "alice:$ALICE_PW"
expect_eq "$S" 200 "the lock released, the token is issued again"

# A write of the token endpoint: the offline session of a docker login.
sessions=$(sql "SELECT count(*) FROM sessions")
check "a session holds an ACCESS EXCLUSIVE lock on sessions" hold sessions
get "$TOK?service=registry&client_id=faults&offline_token=true" -u "alice:$ALICE_PW"
expect_eq "$S/$(jqr "$B" .error)/$(jqr "$B" '.errors[0].code')" \
    503/temporarily_unavailable/SERVICE_UNAVAILABLE \
    "an offline token whose session waits for the lock: the token endpoint's JSON 503"
expect_nomatch "$B" 'eyJ|refresh_token' "with no token in it"
unhold
expect_eq "$(sql "SELECT count(*) FROM sessions")" "$sessions" "and no session"

audits=$(sql "SELECT count(*) FROM audit_log")
projects=$(sql "SELECT count(*) FROM projects")
check "a session holds an ACCESS EXCLUSIVE lock on audit_log" hold audit_log
get "$U/projects" -u "$ADM" -H 'Content-Type: application/json' \
    -d '{"project_name":"blocked","metadata":{"public":"false"}}'
expect_eq "$S/$(jqr "$B" '.errors[0].code')" 503/SERVICE_UNAVAILABLE \
    "an admin write whose audit row waits for the lock: a JSON 503"
check "from berth" berth_said
unhold
expect_eq "$(sql "SELECT count(*) FROM projects")/$(sql "SELECT count(*) FROM audit_log")" \
    "$projects/$audits" "nothing changed: no project, no audit row"
get "$U/projects" -u "$ADM" -H 'Content-Type: application/json' \
    -d '{"project_name":"blocked","metadata":{"public":"false"}}'
expect_eq "$S" 201 "the lock released, the same write succeeds"
expect_eq "$(wk token) / $(wk health)" "$wt0 / $wh0" "no token or health worker exited"
expect_eq "$(all_restarts)" 0 "none was restarted"

# --- e. a worker killed under load (CHECKLIST 35) -----------------------------
s0=$(sup token) w0=$(wk token)
victim=${w0%% *}
load_start cached anon uncached
sleep 1
kill -KILL "$victim"
t_kill=$(now_ms)
replaced() { two token && ! wk token | grep -qw "$victim"; }
check "the supervisor starts a new worker" wait_for 5 replaced
w1=$(wk token)
new=$(printf '%s\n' $w1 | grep -vxF "$(printf '%s\n' $w0)")
served() { grep -q "berth-token\[$new\] .*token issued" "$N/log/berth-token.log"; }
check "the new worker ($new) issues tokens" wait_for 10 served
sleep 1
load_stop
expect_eq "$(sup token)" "$s0" "the same supervisor"
expect_eq "$(echo "$w1" | wc -w)" 2 "two workers again"
check "the supervisor logged how the worker died" \
    grep -q "worker $victim was killed by signal 9" "$N/log/berth-token.log"
n=$(cat "$T/cached.log" "$T/anon.log" "$T/uncached.log" | wc -l)
fails=$(cat "$T/cached.log" "$T/anon.log" "$T/uncached.log" | awk '$3 != 200' | wc -l)
check "at most the one request in flight on it failed ($fails of $n)" test "$fails" -le 1
expect_eq "$(cat "$T/cached.log" "$T/anon.log" "$T/uncached.log" | awk '$3 != 200 && $4 == "b"' | wc -l)" 0 \
    "berth itself answered no error"
for k in cached anon uncached; do
	after=$(awk -v k="$t_kill" '$1 > k && $3 == 200' "$T/$k.log" | wc -l)
	check "$k: the node kept serving ($after tokens after the kill)" test "$after" -ge 2
done
expect_eq "$(cat "$T/cached.log" "$T/anon.log" "$T/uncached.log" | awk '$5 == "bad"' | wc -l)" 0 \
    "every 200 carries the right grant"

# The request in flight on a killed worker fails, and only it.  With
# users locked, two token requests wait in the two workers (the token
# program again, waiting up to 4 s for a lock); one worker is killed and
# the lock released: one request fails, the other gets its token.
kill "$(sup token)"
wait_for 5 sh -c "! kill -0 $(sup token) 2>/dev/null"
prog_start token BERTH_DB_LOCK_TIMEOUT=4000
wait_for 5 two token
check "the token program serves again" wait_for 5 is "$TOK?$SC_ALICE" 200 -u "alice:$ALICE_PW"
hold users
cpids=""
for i in 1 2; do
	curl -s --max-time 20 -u "alice:$ALICE_PW" -D "$T/if$i.hdr" -o "$T/if$i.body" \
	    -w '%{http_code}' "$TOK?$SC_ALICE" >"$T/if$i.code" &
	cpids="$cpids $!"
done
waiting() {
	[ "$(pgsu "SELECT count(*) FROM pg_stat_activity
	    WHERE application_name = 'berth-token' AND wait_event_type = 'Lock'")" = 2 ]
}
check "two token requests wait for the lock, one in each worker" wait_for 3 waiting
w0=$(wk token)
victim=${w0%% *}
kill -KILL "$victim"
unhold
wait $cpids
r1=$(cat "$T/if1.code"):$(grep -ci '^x-request-id:' "$T/if1.hdr"):$(grants "$T/if1.body")
r2=$(cat "$T/if2.code"):$(grep -ci '^x-request-id:' "$T/if2.hdr"):$(grants "$T/if2.body")
expect_eq "$(printf '%s\n' "$r1" "$r2" | sort | tr '\n' ' ')" "200:1:$G_ALICE 503:0: " \
    "the request on the killed worker failed (nginx's 503), the other got its token"
check "the killed worker is replaced" wait_for 5 replaced

# A supervisor of its own for the rest, on its own socket.
bo_spawn() {
	rm -f "$T/bo.sock" "$T/bo.pid"
	env BERTH_WORKERS="$1" spawn-fcgi -s "$T/bo.sock" -F 1 -P "$T/bo.pid" -- \
	    /bin/sh -c 'exec "$0" 2>>"$1"' "$BUILD/berth-health" "$T/bo.log" >/dev/null
	at_exit "kill \$(cat '$T/bo.pid')"
}
bo_up() { [ "$(workers "$T/bo.pid" | wc -w)" = 2 ] && [ "$(workers "$T/bo.pid")" != "$(cat "$T/bo.pid")" ]; }
# Killed hard, a supervisor leaves no worker behind.
bo_spawn 2
wait_for 5 bo_up
bw=$(workers "$T/bo.pid")
kill -KILL "$(cat "$T/bo.pid")"
check "workers end with a supervisor killed by SIGKILL ($bw)" \
    wait_for 5 sh -c "! kill -0 ${bw% *} 2>/dev/null && ! kill -0 ${bw#* } 2>/dev/null"

# A worker that dies at once: kill each new one as soon as it shows, for
# 7.5 s from the supervisor's start.  Without a back-off that is a fork
# every few milliseconds, with one start a second at most 8; the waits
# double, so starts come at about 0, 1, 3 and 7 s.
t0=$(now_ms) seen="" starts=""
bo_spawn 1
while [ $(($(now_ms) - t0)) -lt 7500 ]; do
	w=$(workers "$T/bo.pid")
	if [ -n "$w" ] && [ "$w" != "$(cat "$T/bo.pid" 2>/dev/null)" ]; then
		case " $seen " in *" $w "*) ;; *)
			seen="$seen $w"; starts="$starts $(($(now_ms) - t0))" ;;
		esac
		kill -KILL "$w" 2>/dev/null
	fi
	sleep 0.05
done
nst=$(echo $starts | wc -w)
check "a worker killed at once is started 3 to 5 times in 7.5 s ($nst, at$starts ms)" \
    test "$nst" -ge 3 -a "$nst" -le 5
set -- $starts
d1=$((${2:-0} - ${1:-0})) d2=$((${3:-0} - ${2:-0}))
check "about a second before the first restart ($d1 ms)" test "$d1" -ge 700
check "about two before the second ($d2 ms): the wait grows" test "$d2" -ge 1700 -a "$d2" -ge $((d1 + 500))
logged() { [ "$(restarts "$T/bo.log")" = "$nst" ]; }
check "the supervisor logged each of the $nst deaths and its wait" wait_for 3 logged
bsup=$(cat "$T/bo.pid")
kill -TERM "$bsup"
check "SIGTERM stops the supervisor even while a restart is pending" \
    wait_for 5 sh -c "! kill -0 $bsup 2>/dev/null"
check "it logged its stop" grep -q "berth-health\[$bsup\] .*stopped" "$T/bo.log"

# --- d. out of connections ------------------------------------------------------
pgsu "ALTER SYSTEM SET max_connections = 12" >/dev/null
"$ROOT/deploy/pg" stop "$PGDIR"
"$ROOT/deploy/pg" start "$PGDIR"
expect_eq "$(pgsu "SHOW max_connections")" 12 "the database now allows 12 connections"
w0=$(all_workers)
# Idle sessions of berth's role take every slot but the superusers':
# each filler connects, then waits on a FIFO nobody writes to.  One more
# filler every 0.2 s while a new connection still gets in (twelve at
# first, at most 40), so that a filler lost on the way does not leave a
# slot free; if it never fills, what the fillers said and what the
# server saw are printed.
rm -f "$T/fill.in"
mkfifo "$T/fill.in"
fillers="" nfill=0
fill() {
	nfill=$((nfill + 1))
	psql -X -q -d "$DATABASE" -f "$T/fill.in" >/dev/null 2>"$T/fill$nfill.err" &
	fillers="$fillers $!"
	at_exit "kill $!"
}
for i in $(seq 12); do fill; done
full() { ! psql -X -q -d "$DATABASE" -c "SELECT 1" >/dev/null 2>"$T/full.err"; }
filled=false
for i in $(seq 50); do
	full && { filled=true; break; }
	[ "$nfill" -lt 40 ] && fill
	sleep 0.2
done
check "idle sessions fill every connection ($nfill fillers)" $filled || {
	for f in "$T"/fill*.err; do
		[ -s "$f" ] && echo "# $(basename "$f"): $(head -n 1 "$f")"
	done
	pgsu "SELECT usename, backend_type, state FROM pg_stat_activity" | sed 's/^/# /'
}
expect_match "$(cat "$T/full.err")" 'too many clients|slots are reserved' \
    "a new connection is refused by PostgreSQL"
get "$TOK?$SC_ALICE" -u "alice:$ALICE_PW"
expect_eq "$S/$(jqr "$B" .error)" 503/temporarily_unavailable "a token: a JSON 503"
check "from berth" berth_said
get "$U/users/current" -u "$ADM"
expect_eq "$S/$(jqr "$B" '.errors[0].code')" 503/SERVICE_UNAVAILABLE "the admin API: a JSON 503"
check "/health/ready is 503" wait_for 5 is "$BASE/health/ready" 503
check "berth's log names the refusal (53300)" grep -q '53300\|too many clients\|slots are reserved' \
    "$N/log/berth-token.log"
kill $fillers 2>/dev/null
check "the sessions closed, tokens within 5 s" wait_for 5 is "$TOK?$SC_ALICE" 200 -u "alice:$ALICE_PW"
check "the admin API within 5 s" wait_for 5 is "$U/users/current" 200 -u "$ADM"
check "ready within 5 s" wait_for 5 is "$BASE/health/ready" 200
expect_eq "$(all_workers)" "$w0" "no worker exited"

# --- the end: SIGTERM to each supervisor stops its workers ---------------------
w0=$(all_workers)
expect_eq "$(restarts "$N/log/berth-token.log")" 2 "two workers restarted in all: the two killed"
for p in token admin health; do kill "$(sup $p)"; done
gone() { for p in $w0; do [ "$p" = / ] || ! kill -0 "$p" 2>/dev/null || return 1; done; }
check "SIGTERM to the supervisors stops every worker" wait_for 5 gone
check "no sanitizer report in the programs' logs" sh -c \
    "! grep -Eq 'AddressSanitizer|runtime error|LeakSanitizer' '$N'/log/berth-*.log '$T/bo.log'"
check "no test password in any log" sh -c "! grep -rqE 'Pw-[0-9]' '$N/log' '$T/bo.log'"
