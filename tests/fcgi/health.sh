#!/bin/sh
# tests/fcgi/health.sh: berth-health over its FastCGI socket, no web
# server: every route, methods, caching of the probe, a database outage
# survived by the same worker processes, a bad configuration at start.
. "$(dirname "$0")/../lib.sh"

berth_db pg || { echo "# could not set up the database" >&2; exit 1; }
# Every statement the berth role runs is logged, to count health probes.
runuser -u postgres -- psql -X -q -h "$PGDIR/run" -d berth \
    -c "ALTER ROLE berth SET log_statement = 'all'" 2>/dev/null ||
    psql -X -q -h "$PGDIR/run" -d berth -U postgres \
    -c "ALTER ROLE berth SET log_statement = 'all'"
spawn health 2 || { echo "# spawn-fcgi failed" >&2; exit 1; }
wait_for 10 test -S "$T/health.sock"
workers=$(pids health)

# --- routes ------------------------------------------------------------------
r=$(fcgi health GET /health)
expect_eq "$(http_status "$r")" 200 "GET /health is 200 on a healthy node"
b=$(http_body "$r")
expect_match "$b" '^\{"status":"healthy","components":\[' "status healthy, components listed"
for c in database schema signing_key clock; do
	expect_match "$b" "\{\"name\":\"$c\",\"status\":\"healthy\"" "component $c is healthy"
done
expect_match "$b" '"latency_ms":[0-9.]+' "database latency is reported"
expect_match "$b" '"offset_ms":-?[0-9.]+' "clock offset is reported"
kid=$(psql -X -tA -d "$DATABASE" -c "SELECT kid FROM signing_keys WHERE state = 'active'")
expect_match "$b" "\"kid\":\"$kid\"" "the active key id is the database's"
expect_nomatch "$b" "$PGDIR|host=|dbname|/tmp|0\\.1\\.0|PostgreSQL" \
    "no connection string, path or version in the body"
expect_eq "$(http_header "$r" Content-Type)" application/json "JSON content type"
expect_eq "$(http_header "$r" Cache-Control)" no-store "not cacheable"
expect_match "$(http_header "$r" X-Request-Id)" '^[0-9a-f]{16}$' "a request id is returned"

r=$(fcgi health GET /health -H 'X-Request-Id: abc-123')
expect_eq "$(http_header "$r" X-Request-Id)" abc-123 "the web server's request id is kept"
r=$(fcgi health GET /health -H 'X-Request-Id: a b"c')
expect_match "$(http_header "$r" X-Request-Id)" '^[0-9a-f]{16}$' "a hostile request id is replaced"

r=$(fcgi health GET /api/v2.0/health)
expect_eq "$(http_status "$r")" 200 "GET /api/v2.0/health is 200"
expect_match "$(http_body "$r")" '"status":"healthy"' "Harbor's path has the same document"
r=$(fcgi health GET /health/ready)
expect_eq "$(http_status "$r")" 200 "GET /health/ready is 200"
expect_match "$(http_body "$r")" '"status":"ready"' "and says ready"
r=$(fcgi health GET /health/live)
expect_eq "$(http_status "$r")" 200 "GET /health/live is 200"
r=$(fcgi health GET /api/v2.0/ping)
expect_eq "$(http_status "$r")" 200 "GET /api/v2.0/ping is 200"
expect_eq "$(http_body "$r")" Pong "and answers Pong"
expect_match "$(http_header "$r" Content-Type)" '^text/plain' "as text"

r=$(fcgi health HEAD /health)
expect_eq "$(http_status "$r")" 200 "HEAD /health is 200"
expect_eq "$(http_body "$r")" "" "HEAD has no body"
expect_match "$(http_header "$r" Content-Length)" '^[1-9][0-9]*$' "but the GET's length"

for m in POST PUT DELETE PATCH OPTIONS; do
	r=$(fcgi health $m /health -d x)
	expect_eq "$(http_status "$r")" 405 "$m /health is 405"
done
expect_eq "$(http_header "$r" Allow)" "GET, HEAD" "405 names the allowed methods"
expect_match "$(http_body "$r")" '"code":"METHOD_NOT_ALLOWED"' "405 has a JSON error"

r=$(fcgi health GET /nope)
expect_eq "$(http_status "$r")" 404 "an unknown path is 404"
expect_match "$(http_body "$r")" '^\{"errors":\[\{"code":"NOT_FOUND","message":"[^"]+"\}\]\}$' \
    "in Harbor's error shape"
r=$(fcgi health GET /health/../health)
expect_eq "$(http_status "$r")" 404 "a dot-dot path is not normalized into a route"
r=$(fcgi health GET '/health?x=%zz')
expect_eq "$(http_status "$r")" 200 "a query string is ignored where none is read"
r=$(fcgi health GET /health -p REQUEST_METHOD=)
expect_eq "$(http_status "$r")" 400 "a request without a method is 400"
r=$(fcgi health GET /health -p REQUEST_URI=health -p DOCUMENT_URI=)
expect_eq "$(http_status "$r")" 400 "a path not starting with / is 400"
r=$(fcgi health GET /health -n)
check "a client that hangs up early does not hurt" true
r=$(fcgi health GET /health -r 3)
expect_eq "$(printf '%s\n' "$r" | grep -o 'HTTP/1.1 200' | wc -l)" 3 \
    "three requests on one kept connection"

# --- the probe is cached: a flood costs one query a second per worker -------
start=$(grep -c 'execute health_probe' "$PGDIR/postgres.log")
t0=$(date +%s%N)
reqs=0
# At least 2.5 seconds of back-to-back checks, whatever the machine's speed.
while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 2500 ]; do
	fcgi health GET /health >/dev/null; reqs=$((reqs + 1))
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
n=$(( $(grep -c 'execute health_probe' "$PGDIR/postgres.log") - start ))
max=$(( (ms / 1000 + 1) * 2 ))
check "$reqs health checks in $ms ms ran $n probes (1 to $max: one a second per worker)" \
    test "$n" -le "$max" -a "$n" -ge 1 -a "$reqs" -gt "$max"

# --- a database outage ------------------------------------------------------
"$ROOT/deploy/pg" stop "$PGDIR"
status_is() { [ "$(http_status "$(fcgi health GET "$1")")" = "$2" ]; }
check "/health/ready is 503 while the database is down" wait_for 5 status_is /health/ready 503
sleep 1.1	# past health_cache_ms, on every worker
r=$(fcgi health GET /health)
expect_eq "$(http_status "$r")" 503 "/health is 503 while the database is down"
expect_match "$(http_body "$r")" '"status":"unhealthy"' "and says unhealthy"
expect_match "$(http_body "$r")" '\{"name":"database","status":"unhealthy","error":"database unreachable"\}' \
    "naming the database"
expect_nomatch "$(http_body "$r")" "$PGDIR|No such file|socket" "without libpq's message"
expect_eq "$(http_status "$(fcgi health GET /health/live)")" 200 "/health/live stays 200"
i=0
while [ $i -lt 50 ]; do fcgi health GET /health/ready >/dev/null; i=$((i + 1)); done
check "no worker exited during the outage" alive health
"$ROOT/deploy/pg" start "$PGDIR"
t0=$(date +%s)
check "/health/ready is 200 within 5 s of the database's return" \
    wait_for 5 status_is /health/ready 200
echo "# ready again after $(( $(date +%s) - t0 )) s"
expect_eq "$(pids health)" "$workers" "served by the same worker processes"
# Every worker, each past its own cached probe (health_cache_ms).
h200() { [ "$(http_status "$(fcgi health GET /health)")" = 200 ] &&
    [ "$(http_status "$(fcgi health GET /health)")" = 200 ]; }
check "/health is 200 again on every worker within 5 s" wait_for 5 h200

# --- a bad configuration stops the program at start, naming the key ---------
out=$(BERTH_TOKEN_TTL=5 "$BUILD/berth-health" </dev/null 2>&1); rc=$?
expect_eq "$rc" 1 "a bad value stops the program"
expect_match "$out" "token_ttl" "naming the key"
echo "colour = blue" >"$T/bad.conf"
out=$(BERTH_CONF=$T/bad.conf "$BUILD/berth-health" </dev/null 2>&1); rc=$?
expect_eq "$rc" 1 "an unknown key stops the program"
expect_match "$out" 'unknown key "colour"' "naming the key"

check "no worker exited during the whole test" alive health
expect_nomatch "$(cat "$T/health.log")" "$ADMIN_PW|PRIVATE KEY" "no secret in the program's log"

# --- SIGTERM ends each worker cleanly; sanitizers found nothing -------------
for p in $(cat "$T/health.pid"); do kill -TERM "$p"; done
gone() { for p in $(cat "$T/health.pid"); do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
check "SIGTERM stops every worker" wait_for 5 gone
expect_eq "$(grep -c ' stopping$' "$T/health.log")" 2 "each worker logged its clean stop"
expect_nomatch "$(cat "$T/health.log")" "AddressSanitizer|LeakSanitizer|runtime error" \
    "no sanitizer report (meaningful under make sanitize)"
