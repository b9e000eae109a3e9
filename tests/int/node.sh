#!/bin/sh
# tests/int/node.sh: whole nodes through nginx, as `make start` runs them:
# a first node on a private PostgreSQL, a second node joining its
# database, two nodes initializing one empty database at the same
# moment, a database outage through the web server, nginx's limits.
. "$(dirname "$0")/../lib.sh"

NODE=$ROOT/deploy/node
P1=18181 P2=18182 P3=18183 P4=18184
unset BERTH_CONF BERTH_DATABASE BERTH_SECRET_FILE BERTH_ADMIN_PASSWORD

# node HOME PORT start|stop [VAR=value...]
node() {
	_h=$1 _p=$2 _c=$3; shift 3
	env "$@" BERTH_HOME="$_h" BERTH_PORT="$_p" BUILD="$BUILD" "$NODE" "$_c"
}
get() { curl -sS -i --max-time 10 "$@"; }
q() { psql -X -q -tA -d "$1" -c "$2"; }

# --- a first node, private database -----------------------------------------
N1=$T/n1
at_exit "BERTH_HOME='$N1' '$NODE' stop"
node "$N1" $P1 start >"$T/n1.out" 2>&1
expect_eq "$?" 0 "the first node starts"
check "it prints the realm" grep -q "realm: *http://127.0.0.1:$P1/service/token" "$T/n1.out"
check "and the registry configuration" grep -q "rootcertbundle:" "$T/n1.out"
pw=$(cat "$N1/admin-password" 2>/dev/null)
expect_match "$pw" '^[A-Za-z0-9]{20}$' "a generated admin password is saved"
expect_eq "$(grep -c "admin password: $pw" "$T/n1.out")" 1 "and printed once"
expect_eq "$(stat -c %a "$N1/admin-password")" 600 "the password file is mode 0600"
expect_eq "$(stat -c %a "$N1/secret")" 600 "the secret file is mode 0600"
expect_eq "$(stat -c %a "$N1/berth.conf")" 600 "berth.conf is mode 0600"
DB1=$(sed -n 's/^database = //p' "$N1/berth.conf")
expect_match "$DB1" "host=$N1/pg/run" "berth.conf names the private database"
n=$(grep -c '^[a-z_]* = ' "$N1/berth.conf")
expect_eq "$n" "$(grep -c '^#[a-z_]* = ' "$ROOT/deploy/berth.conf.sample")" \
    "berth.conf holds every key"
check "no TCP port is opened by the private PostgreSQL" \
    sh -c "! grep -q 'listening on IPv' '$N1/pg/postgres.log'"

r=$(get http://127.0.0.1:$P1/health)
expect_eq "$(http_status "$r")" 200 "GET /health through nginx is 200"
for c in database schema signing_key clock; do
	expect_match "$(http_body "$r")" "\"name\":\"$c\",\"status\":\"healthy\"" \
	    "through nginx, component $c is listed healthy"
done
kid1=$(http_body "$r" | sed -n 's/.*"kid":"\([A-Z0-9:]*\)".*/\1/p')
r=$(get http://127.0.0.1:$P1/api/v2.0/ping)
expect_eq "$(http_body "$r")" Pong "GET /api/v2.0/ping answers Pong"
r=$(get http://127.0.0.1:$P1/api/v2.0/health)
expect_eq "$(http_status "$r")" 200 "Harbor's health path through nginx"
r=$(get -X POST http://127.0.0.1:$P1/health/ready)
expect_eq "$(http_status "$r")" 405 "POST /health/ready is 405 through nginx"
r=$(get http://127.0.0.1:$P1/nothing/here)
expect_eq "$(http_status "$r")" 404 "unknown paths are 404"
expect_match "$(http_body "$r")" '"code":"NOT_FOUND"' "with a JSON error"

# nginx's own limits answer in JSON too.
head -c 2000000 /dev/zero >"$T/big"
r=$(get -X POST --data-binary @"$T/big" http://127.0.0.1:$P1/api/v2.0/ping)
expect_eq "$(http_status "$r")" 413 "a 2 MB body is refused by nginx"
expect_match "$(http_body "$r")" '"code":"PAYLOAD_TOO_LARGE"' "with a JSON error"
long=$(head -c 65536 /dev/zero | tr '\0' a)
r=$(get -H "Authorization: Basic $long" http://127.0.0.1:$P1/health)
expect_eq "$(http_status "$r")" 400 "a 64 KiB Authorization header is refused early"
r=$(get http://127.0.0.1:$P1/service/token)
expect_match "$(http_status "$r")" '^(503|200|401|400)$' \
    "a program that is not there yet is a JSON 503, not an nginx page"
expect_match "$(http_body "$r")" '^\{' "the body is JSON"

# The node script refuses to start twice on one home.
node "$N1" $P1 start >"$T/twice.out" 2>&1
expect_eq "$?" 1 "a second start on a running home is refused"
expect_eq "$(http_status "$(get http://127.0.0.1:$P1/health)")" 200 "and the node keeps running"

# A bad configuration stops the start, naming the key.
out=$(node "$T/bad" $P4 start BERTH_TOKEN_TTL=5 2>&1)
check "a bad configuration value stops the node" test $? -ne 0
expect_match "$out" token_ttl "naming the key"
check "and leaves nothing listening" sh -c "! curl -s http://127.0.0.1:$P4/health"
node "$T/bad" $P4 stop >/dev/null 2>&1

# --- a second node joins the first's database --------------------------------
N2=$T/n2
before=$(q "$DB1" "SELECT (SELECT count(*) FROM users) || '/' ||
    (SELECT count(*) FROM signing_keys) || '/' || (SELECT count(*) FROM schema_migrations) ||
    '/' || (SELECT max(update_time) FROM users)")
at_exit "BERTH_HOME='$N2' '$NODE' stop"
node "$N2" $P2 start BERTH_DATABASE="$DB1" BERTH_SECRET_FILE="$N1/secret" >"$T/n2.out" 2>&1
expect_eq "$?" 0 "a second node starts on the first's database"
r=$(get http://127.0.0.1:$P2/health)
expect_eq "$(http_status "$r")" 200 "the second node is healthy"
expect_match "$(http_body "$r")" "\"kid\":\"$kid1\"" "and signs with the cluster's key"
expect_eq "$(q "$DB1" "SELECT (SELECT count(*) FROM users) || '/' ||
    (SELECT count(*) FROM signing_keys) || '/' || (SELECT count(*) FROM schema_migrations) ||
    '/' || (SELECT max(update_time) FROM users)")" "$before" \
    "joining changed nothing in the database"
check "the second node printed no new admin password" sh -c "! grep -q 'admin password' '$T/n2.out'"
check "and saved none" test ! -e "$N2/admin-password"
check "the second node runs no PostgreSQL of its own" test ! -d "$N2/pg"
expect_eq "$(http_status "$(get http://127.0.0.1:$P1/health)")" 200 \
    "the first node is undisturbed"

# A node with another secret file must not sign: not ready.
N3=$T/n3
at_exit "BERTH_HOME='$N3' '$NODE' stop"
node "$N3" $P3 start BERTH_DATABASE="$DB1" >"$T/n3.out" 2>&1
expect_eq "$?" 1 "a node with a different secret does not become ready"
expect_match "$(cat "$T/n3.out")" "cannot be opened with this node's secret" \
    "and says why"
expect_eq "$(q "$DB1" "SELECT count(*) FROM signing_keys")" 1 \
    "it created no key of its own"
node "$N3" $P3 stop >/dev/null 2>&1

# --- the database goes away under both nodes ---------------------------------
w1=$(workers "$N1/run/health.pid")
"$ROOT/deploy/pg" stop "$N1/pg"
st() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = "$2" ]; }
check "node 1 /health/ready is 503 while the database is down" \
    wait_for 5 st http://127.0.0.1:$P1/health/ready 503
check "node 2 /health/ready is 503 while the database is down" \
    wait_for 5 st http://127.0.0.1:$P2/health/ready 503
# Each worker reuses its probe for up to health_cache_ms: wait that out.
check "node 1 /health is 503 (every worker)" \
    wait_for 5 sh -c "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$P1/health | grep -q 503 &&
    curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$P1/health | grep -q 503"
sleep 1.1
r=$(get http://127.0.0.1:$P1/health)
expect_eq "$(http_status "$r")" 503 "node 1 /health is 503 once the cache has expired"
expect_match "$(http_body "$r")" '"status":"unhealthy"' "and unhealthy"
expect_eq "$(http_status "$(get http://127.0.0.1:$P1/health/live)")" 200 "/health/live stays 200"
"$ROOT/deploy/pg" start "$N1/pg"
check "node 1 is ready within 5 s of the database's return" \
    wait_for 5 st http://127.0.0.1:$P1/health/ready 200
check "node 2 is ready within 5 s too" wait_for 5 st http://127.0.0.1:$P2/health/ready 200
expect_eq "$(workers "$N1/run/health.pid")" "$w1" "with the same workers"
expect_eq "$(echo $w1 | wc -w)" 2 "two health workers under one supervisor"
for p in $w1; do
	check "worker $p is alive" kill -0 "$p"
done
expect_eq "$(restarts "$N1/log/berth-health.log")" 0 "no worker was restarted"

node "$N2" $P2 stop >/dev/null
node "$N1" $P1 stop >/dev/null
check "stop stops nginx" sh -c "! curl -s http://127.0.0.1:$P1/health"
check "stop stops the private PostgreSQL" sh -c "! '$ROOT/deploy/pg' status '$N1/pg'"

# --- two nodes start on one empty database at the same moment ---------------
pg_private shared || exit 1
echo "0123456789abcdef0123456789abcdef0123456789" >"$T/shared-secret"
chmod 600 "$T/shared-secret"
A=$T/a B=$T/b
at_exit "BERTH_HOME='$A' '$NODE' stop; BERTH_HOME='$B' '$NODE' stop"
node "$A" $P1 start BERTH_DATABASE="$DATABASE" BERTH_SECRET_FILE="$T/shared-secret" >"$T/a.out" 2>&1 &
pa=$!
node "$B" $P2 start BERTH_DATABASE="$DATABASE" BERTH_SECRET_FILE="$T/shared-secret" >"$T/b.out" 2>&1 &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
expect_eq "$ra/$rb" 0/0 "both nodes start"
nfiles=$(ls "$ROOT"/sql/[0-9][0-9][0-9][0-9]_*.sql | wc -l)
expect_eq "$(cat "$T/a.out" "$T/b.out" | grep -c '^migrate: applied ')" "$nfiles" \
    "each migration was applied exactly once between them"
expect_eq "$(q "$DATABASE" "SELECT count(*) FROM schema_migrations")" "$nfiles" \
    "schema_migrations has one row per migration"
expect_eq "$(q "$DATABASE" "SELECT count(*) FROM signing_keys")" 1 "one signing key"
expect_eq "$(q "$DATABASE" "SELECT count(*) FROM users")" 1 "one admin user"
expect_eq "$(cat "$T/a.out" "$T/b.out" | grep -c 'admin password:')" 1 \
    "one generated admin password, printed by the node that made it"
ka=$(curl -s http://127.0.0.1:$P1/health | sed -n 's/.*"kid":"\([A-Z0-9:]*\)".*/\1/p')
kb=$(curl -s http://127.0.0.1:$P2/health | sed -n 's/.*"kid":"\([A-Z0-9:]*\)".*/\1/p')
check "both nodes sign with the same key" test -n "$ka" -a "$ka" = "$kb"
