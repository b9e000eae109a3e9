#!/bin/sh
# tests/int/failover.sh: CHECKLIST 33, a PostgreSQL failover under a
# running node.  A primary and a streaming standby on this machine
# (deploy/pg standby), one node through nginx whose connection string
# names every database node with target_session_attrs=read-write.  The
# primary stops (fast), requests get a JSON 503, the standby is promoted,
# and the same workers write again within seconds: refresh tokens issued
# before the failover still work, as nothing berth needs is kept in a
# process.  Then a second standby follows the new primary, which stops
# the hard way (immediate), and the second standby takes over.  Last, a
# third standby follows, and the primary hangs (SIGSTOP: a machine that
# froze or fell off the network, whose sockets stay open): requests still
# get a 503 in bounded time, and the promotion heals the node again.  A
# token worker pointed at a standby alone must not hand out what needs a
# write.
#
# The node runs with db_statement_timeout = 1000 ms and db_connect_timeout
# = 2 s so that waiting out the hung primary takes seconds, not minutes.
#
# tests/run: in the background.  Most of its time is spent waiting on
# stopped and hung servers, with a core to spare, so it runs beside the
# other tests from the start of the run.  Its port (19100) and clusters
# are its own, and its bounds (15 s to heal) hold on a busy machine.
. "$(dirname "$0")/../lib.sh"

NODE=$ROOT/deploy/node
PG=$ROOT/deploy/pg
PORT=19100
B=http://127.0.0.1:$PORT
unset BERTH_CONF BERTH_DATABASE BERTH_SECRET_FILE BERTH_ADMIN_PASSWORD
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
ALICE_PW=Alice-Failover-1

# Four database nodes: db1 the first primary, db2 its standby (later the
# primary), db3 made later as db2's standby, db4 as db3's.
D1=$T/db1 D2=$T/db2 D3=$T/db3 D4=$T/db4
for d in "$D1" "$D2" "$D3" "$D4"; do at_exit "'$PG' stop '$d'"; done
"$PG" init "$D1" >/dev/null && "$PG" start "$D1" &&
    "$PG" createdb "$D1" berth >/dev/null || { echo "no primary" >&2; exit 1; }
"$PG" standby "$D2" "$D1" && "$PG" start "$D2" || { echo "no standby" >&2; exit 1; }

# q DIR SQL: as the superuser, on one database node.
q() { psql -X -q -tA -h "$1/run" -U postgres -d berth -c "$2" 2>/dev/null; }
# caught_up PRIMARY STANDBY: the standby has replayed all the primary wrote.
caught_up() {
	_lsn=$(q "$1" "SELECT pg_current_wal_insert_lsn()")
	[ -n "$_lsn" ] && [ "$(q "$2" "SELECT pg_last_wal_replay_lsn() >= '$_lsn'")" = t ]
}
pg_immediate() { runuser -u postgres -- "$pgbin/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null 2>&1; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

check "db2 streams from db1" wait_for 10 sh -c \
    "[ \"\$(psql -X -tA -h '$D1/run' -U postgres -d postgres -c \"SELECT state FROM pg_stat_replication\")\" = streaming ]"
expect_eq "$(q "$D2" "SELECT pg_is_in_recovery()")" t "db2 is a standby"

DB="host=$D1/run,$D2/run,$D3/run,$D4/run dbname=berth user=berth target_session_attrs=read-write"
N=$T/node
at_exit "BERTH_HOME='$N' '$NODE' stop"
env BERTH_HOME="$N" BERTH_PORT=$PORT BERTH_DATABASE="$DB" \
    BERTH_DB_STATEMENT_TIMEOUT=1000 BERTH_DB_LOCK_TIMEOUT=500 BERTH_DB_CONNECT_TIMEOUT=2 \
    BERTH_ADMIN_PASSWORD="$ADMIN_PW" BUILD="$BUILD" "$NODE" start \
    >"$T/start.out" 2>&1 || { cat "$T/start.out" >&2; exit 1; }
kill -0 "$(cat "$N/run/nginx.pid" 2>/dev/null)" 2>/dev/null ||
    { echo "nginx of this node is not running (port $PORT taken?)" >&2; exit 1; }
# The node's worker processes (the supervisors' children, tests/lib.sh's
# workers), all three programs.
node_workers() {
	echo $(workers "$N/run/token.pid") $(workers "$N/run/admin.pid") \
	    $(workers "$N/run/health.pid")
}
all_alive() {
	for _f in token admin health; do for _p in $(workers "$N/run/$_f.pid"); do
		kill -0 "$_p" || { echo "berth-$_f $_p exited"; tail -n 5 "$N/log/berth-$_f.log"; return 1; }
	done; done
}
W0=$(node_workers)

# req CURL-ARGS...: sets R, S (status), J ("json" when the body is JSON,
# else "notjson", then "retry-after=" and the header's value).
req() {
	R=$(curl -sS -i --max-time 20 "$@" 2>&1)
	S=$(http_status "$R")
	if http_body "$R" | jq -se 'length == 1 and (.[0] | type == "object")' >/dev/null 2>&1
	then J=json; else J=notjson; fi
	J="$J retry-after=$(http_header "$R" Retry-After)"
}
# password_grant: POST grant_type=password with access_type=offline.
password_grant() {
	req -d grant_type=password -d client_id=failover -d service=registry \
	    -d username=alice -d password="$ALICE_PW" -d access_type=offline \
	    -d scope=repository:before/app:pull "$B/service/token"
}
# refresh_grant TOKEN
refresh_grant() {
	req -d grant_type=refresh_token -d client_id=failover -d service=registry \
	    -d refresh_token="$1" -d scope=repository:before/app:pull "$B/service/token"
}
# new_project NAME
new_project() {
	req -u "admin:$ADMIN_PW" -H 'Content-Type: application/json' \
	    --data-binary "{\"project_name\":\"$1\",\"metadata\":{\"public\":\"false\"}}" \
	    "$B/api/v2.0/projects"
}
# session_stored TOKEN DIR: the token's hash is a session row on DIR.
session_stored() {
	_h=$(printf '%s' "$1" | sha256sum | cut -d' ' -f1)
	[ "$(q "$2" "SELECT count(*) FROM sessions WHERE token_sha256 = decode('$_h', 'hex')")" = 1 ]
}
# all_refresh: every refresh token issued so far ($TOKENS) still works.
all_refresh() {
	_n=0
	for _rt in $TOKENS; do
		refresh_grant "$_rt"
		[ "$S" = 200 ] || { echo "refresh token $((_n + 1)) of $(echo $TOKENS | wc -w): $S"; return 1; }
		_n=$((_n + 1))
	done
}
pulls() { jqr "$(http_body "$R")" '.access_token' | { read -r _t; jwt_part "$_t" 2; } | jq -c '.access'; }

# outage TAG [KIND...]: one request of each KIND (default: every kind);
# "KIND STATUS JSON RETRY-AFTER" for each goes to $T/outage.
outage() {
	_tag=$1; shift
	[ $# -gt 0 ] || set -- token-get token-offline wrong-password \
	    refresh-grant password-grant admin-create admin-read ready
	for _k in "$@"; do
		case $_k in
		token-get) req -u "alice:$ALICE_PW" \
		    "$B/service/token?service=registry&scope=repository:before/app:pull" ;;
		token-offline) req -u "alice:$ALICE_PW" \
		    "$B/service/token?service=registry&offline_token=true" ;;
		wrong-password) req -u "alice:wrong-password" "$B/service/token?service=registry" ;;
		refresh-grant) refresh_grant "$R0" ;;
		password-grant) password_grant ;;
		admin-create) new_project "during$_tag" ;;
		admin-read) req -u "admin:$ADMIN_PW" "$B/api/v2.0/users/current" ;;
		# A load balancer's probe: no Retry-After asked of it.
		ready) req "$B/health/ready"; J=${J%% *} ;;
		esac
		echo "$_k $S $J" >>"$T/outage"
	done
}
# outage_ok WHAT: every answer recorded was a JSON 503 with Retry-After.
outage_ok() {
	_bad=$(grep -Ev '( 503 json retry-after=1|^ready 503 json)$' "$T/outage")
	if [ -s "$T/outage" ] && [ -z "$_bad" ]; then
		ok "$1: $(wc -l <"$T/outage") answers, each a JSON 503 with Retry-After: 1"
	else
		nok "$1: every answer a JSON 503 with Retry-After: 1"
		printf '%s\n' "$_bad" | sort | uniq -c | head -n 20 | sed 's/^/#   /'
	fi
	rm -f "$T/outage"
}
# heal NAME PRIMARY STOPPED_MS: promote PRIMARY, then poll until a new
# refresh token is issued (a write), at most 15 s; every answer until
# then must be a JSON 503.  Sets RT to the new refresh token.
heal() {
	_t0=$(ms)
	"$PG" promote "$2"
	RT=""
	while [ $(( $(ms) - _t0 )) -lt 15000 ]; do
		password_grant
		if [ "$S" = 200 ]; then
			RT=$(jqr "$(http_body "$R")" '.refresh_token // ""')
			break
		fi
		echo "poll $S $J" >>"$T/outage"
		sleep 0.1
	done
	_t1=$(ms)
	echo "# $1: writes work again $((_t1 - _t0)) ms after pg_ctl promote began," \
	    "$((_t1 - $3)) ms after the primary stopped"
	check "$1: a new refresh token is issued within 15 s of the promotion" test -n "$RT"
	if [ -s "$T/outage" ]; then
		outage_ok "$1: while the standby was being promoted"
	else
		ok "$1: the first request after the promotion already worked"
	fi
}

# --- before: everything works against db1 -------------------------------------
req -u "admin:$ADMIN_PW" -H 'Content-Type: application/json' \
    --data-binary "{\"username\":\"alice\",\"email\":\"alice@example.com\",\"realname\":\"Alice\",\"password\":\"$ALICE_PW\"}" \
    "$B/api/v2.0/users"
expect_eq "$S" 201 "before: the admin creates alice"
new_project before
expect_eq "$S" 201 "before: the admin creates project before"
req -u "admin:$ADMIN_PW" -H 'Content-Type: application/json' \
    --data-binary '{"role_id":3,"member_user":{"username":"alice"}}' \
    "$B/api/v2.0/projects/before/members"
expect_eq "$S" 201 "before: alice becomes a guest of before"
password_grant
expect_eq "$S" 200 "before: the password grant with access_type=offline"
R0=$(jqr "$(http_body "$R")" '.refresh_token // ""')
check "before: it issues a refresh token" test -n "$R0"
TOKENS=$R0
refresh_grant "$R0"
expect_eq "$S" 200 "before: the refresh token grant works"
expect_eq "$(pulls)" '[{"type":"repository","name":"before/app","actions":["pull"]}]' \
    "before: and grants alice's pull"
req "$B/health/ready"
expect_eq "$S" 200 "before: /health/ready is 200"
check "before: db2 has replayed everything db1 wrote" wait_for 10 caught_up "$D1" "$D2"
check "before: the refresh token's session is on db2" session_stored "$R0" "$D2"
expect_eq "$(q "$D2" "SELECT count(*) FROM projects WHERE name = 'before'")" 1 \
    "before: project before is on db2"

# --- db1 stops (fast); only the standby db2 is there ------------------------
t_stop=$(ms)
"$PG" stop "$D1"
check "db1 is stopped" sh -c "! '$PG' status '$D1'"
for i in 1 2 3; do outage "$i"; sleep 0.3; done
outage_ok "db1 stopped, db2 not promoted"

# A token worker of its own, pointed at the standby alone and without
# target_session_attrs: berth must still not serve from a read-only
# session what needs a write.
BASIC=$(printf 'alice:%s' "$ALICE_PW" | base64 | tr -d '\n')
BERTH_CONF=$N/berth.conf BERTH_DATABASE="host=$D2/run dbname=berth user=berth" \
    spawn token 1
r=$(fcgi token GET "/service/token?service=registry&offline_token=true" \
    -H "Authorization: Basic $BASIC")
expect_eq "$(http_status "$r")" 503 "standby alone: a refresh token is not issued (503)"
expect_nomatch "$(http_body "$r")" refresh_token "standby alone: and none is in the body"
r=$(fcgi token GET "/service/token?service=registry" \
    -H "Authorization: Basic $(printf 'alice:wrong' | base64)")
expect_eq "$(http_status "$r")" 503 "standby alone: a wrong password is 503, not an uncounted 401"
r=$(fcgi token GET "/service/token?service=registry&scope=repository:before/app:pull" \
    -H "Authorization: Basic $BASIC")
expect_eq "$(http_status "$r")" 503 "standby alone: no token at all from a read-only session"
check "standby alone: the worker is alive" alive token
kill $(cat "$T/token.pid") 2>/dev/null

# --- db2 is promoted; the same workers heal -----------------------------------
heal "fast stop" "$D2" "$t_stop"
check "after: the new refresh token is stored on db2" session_stored "$RT" "$D2"
refresh_grant "$R0"
expect_eq "$S" 200 "after: the refresh token issued before the failover still works"
expect_eq "$(pulls)" '[{"type":"repository","name":"before/app","actions":["pull"]}]' \
    "after: with alice's pull"
refresh_grant "$RT"
expect_eq "$S" 200 "after: the new refresh token works"
TOKENS="$TOKENS $RT"
new_project after
expect_eq "$S" 201 "after: the admin creates project after"
req -u "admin:$ADMIN_PW" "$B/api/v2.0/projects/after"
expect_eq "$S" 200 "after: and reads it back"
expect_eq "$(q "$D2" "SELECT count(*) FROM projects WHERE name LIKE 'during%'")" 0 \
    "after: nothing asked for during the outage was created"
req "$B/health/ready"
expect_eq "$S" 200 "after: /health/ready is 200"
expect_eq "$(q "$D2" "SELECT count(*) FROM login_failures")" 0 \
    "after: no failed login was counted during the outage"
expect_eq "$(node_workers)" "$W0" "after: the same worker processes"
check "after: every worker is alive" all_alive

# --- db3 follows db2; db2 stops the hard way (immediate) ---------------------
"$PG" standby "$D3" "$D2" && "$PG" start "$D3"
expect_eq "$(q "$D3" "SELECT pg_is_in_recovery()")" t "db3 is a standby of db2"
password_grant
expect_eq "$S" 200 "a refresh token issued on db2"
R2=$(jqr "$(http_body "$R")" '.refresh_token // ""')
TOKENS="$TOKENS $R2"
check "db3 has replayed everything db2 wrote" wait_for 10 caught_up "$D2" "$D3"
check "and holds the newest refresh token" session_stored "$R2" "$D3"
t_stop=$(ms)
pg_immediate "$D2"
check "db2 is stopped (immediate)" sh -c "! '$PG' status '$D2'"
for i in 4 5 6; do outage "$i"; sleep 0.3; done
outage_ok "db2 killed, db3 not promoted"
heal "immediate stop" "$D3" "$t_stop"
TOKENS="$TOKENS $RT"
check "after the second failover: all four refresh tokens work" all_refresh
new_project again
expect_eq "$S" 201 "after the second failover: an admin change"
expect_eq "$(q "$D3" "SELECT string_agg(name, ',' ORDER BY name) FROM projects")" \
    "after,again,before" "db3 holds every project, none from the outages"
req "$B/health/ready"
expect_eq "$S" 200 "after the second failover: /health/ready is 200"
expect_eq "$(node_workers)" "$W0" "after the second failover: still the same workers"
check "and every worker is alive" all_alive

# --- db4 follows db3; db3 hangs with its connections open -------------------
"$PG" standby "$D4" "$D3" && "$PG" start "$D4"
expect_eq "$(q "$D4" "SELECT pg_is_in_recovery()")" t "db4 is a standby of db3"
password_grant
R3=$(jqr "$(http_body "$R")" '.refresh_token // ""')
check "a refresh token issued on db3" test -n "$R3"
TOKENS="$TOKENS $R3"
check "db4 has replayed everything db3 wrote" wait_for 10 caught_up "$D3" "$D4"
# Every worker holds an open connection to db3 when it hangs.
for i in 1 2 3 4 5 6; do
	req "$B/health"; req -u "admin:$ADMIN_PW" "$B/api/v2.0/users/current"
	req "$B/service/token?service=registry"
done
pm=$(head -n 1 "$D3/data/postmaster.pid")
frozen="$pm $(ps -o pid= --ppid "$pm" | tr '\n' ' ')"
at_exit "kill -CONT $frozen"
t_stop=$(ms)
kill -STOP $frozen
# Each request waits out the hung server, which makes them slow: a few.
outage 7 refresh-grant admin-create ready
t_out=$(ms)
outage_ok "db3 hung, db4 not promoted"
echo "# db3 hung: $(( (t_out - t_stop) / 3 )) ms a request on average"
heal "hung primary" "$D4" "$t_stop"
TOKENS="$TOKENS $RT"
check "after the hung primary: all six refresh tokens work" all_refresh
new_project last
expect_eq "$S" 201 "after the hung primary: an admin change"
req "$B/health/ready"
expect_eq "$S" 200 "after the hung primary: /health/ready is 200"
expect_eq "$(node_workers)" "$W0" "after the hung primary: still the same workers"
check "and every worker is alive" all_alive

# The hung old primary is done with: let it run and stop it, so that
# nothing at exit (the secrets gate's dump of every running cluster, the
# cleanups) waits on a stopped process.
kill -CONT $frozen 2>/dev/null
pg_immediate "$D3"
