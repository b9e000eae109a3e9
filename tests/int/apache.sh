#!/bin/sh
# tests/int/apache.sh: a node behind Apache 2.4 (mod_proxy_fcgi) with
# deploy/apache's configuration: the Authorization header reaches the
# programs (CGIPassAuth), every route answers as through nginx, Apache's
# own limits answer in JSON, a database outage is a 503.
. "$(dirname "$0")/../lib.sh"

NODE=$ROOT/deploy/node
P=18591 AP=18592
A=http://127.0.0.1:$AP
unset BERTH_CONF BERTH_DATABASE BERTH_SECRET_FILE
N=$T/node
at_exit "BERTH_HOME='$N' '$NODE' stop"
BERTH_HOME=$N BERTH_PORT=$P BERTH_ADMIN_PASSWORD=$ADMIN_PW BUILD=$BUILD \
    "$NODE" start >"$T/node.out" 2>&1 || { cat "$T/node.out" >&2; exit 1; }

user=""
# GNU sed turns \n in the replacement into a newline.
[ "$(id -u)" = 0 ] && user='User www-data\nGroup www-data'
mkdir -p "$T/apache"
sed -e "s|@DIR@|$T/apache|g" -e "s|@LOG@|$T/apache|g" -e "s|@RUN@|$N/run|g" \
    -e "s|@PORT@|$AP|g" -e "s|@ROOT@|$ROOT|g" -e "s|@USER@|$user|" \
    -e "s|@LOGLEVEL@|${BERTH_APACHE_LOG_LEVEL:-warn}|" \
    "$ROOT/deploy/apache/node.conf.in" >"$T/apache/httpd.conf"
check "Apache accepts deploy/apache's configuration" \
    /usr/sbin/apache2 -f "$T/apache/httpd.conf" -t
/usr/sbin/apache2 -f "$T/apache/httpd.conf" -k start || exit 1
at_exit "/usr/sbin/apache2 -f '$T/apache/httpd.conf' -k stop"
up() { curl -fs -o /dev/null "$A/health/live"; }
check "Apache serves the node" wait_for 10 up

get() { curl -sS -i --max-time 10 "$@"; }
r=$(get "$A/health")
expect_eq "$(http_status "$r")" 200 "GET /health through Apache"
expect_match "$(http_body "$r")" '"name":"signing_key","status":"healthy"' "with every component"
expect_eq "$(http_body "$(get "$A/api/v2.0/ping")")" Pong "GET /api/v2.0/ping"
expect_eq "$(http_status "$(get "$A/api/v2.0/health")")" 200 "Harbor's health path"
expect_eq "$(http_status "$(get "$A/health/ready")")" 200 "GET /health/ready"
r=$(get -X POST "$A/health")
expect_eq "$(http_status "$r")" 405 "POST /health is 405"
expect_eq "$(http_header "$r" Allow)" "GET, HEAD" "with Allow"

DATABASE=$(sed -n 's/^database = //p' "$N/berth.conf")
mkuser alice Passw0rd-1
mkproject team private
mkmember team alice 2
r=$(get -u alice:Passw0rd-1 "$A/service/token?service=registry&scope=repository:team/app:pull,push")
expect_eq "$(http_status "$r")" 200 "Basic credentials reach the token program (CGIPassAuth)"
t=$(jqr "$(http_body "$r")" .token)
expect_eq "$(jqr "$(jwt_part "$t" 2)" '.sub + " " + (.access[0].actions | join(","))')" \
    "alice pull,push" "the token is alice's, with her rights"
r=$(get -u alice:wrong "$A/service/token?service=registry&scope=repository:team/app:pull")
expect_eq "$(http_status "$r")" 401 "a wrong password is 401"
expect_match "$(http_header "$r" WWW-Authenticate)" '^Basic realm=' "with WWW-Authenticate"
r=$(get "$A/service/token?service=registry&scope=repository:team/app:pull")
expect_eq "$(jqr "$(jwt_part "$(jqr "$(http_body "$r")" .token)" 2)" '.access[0].actions | length')" 0 \
    "no credentials: anonymous, nothing on a private project"
r=$(get -d grant_type=password -d client_id=c -d service=registry -d username=alice \
    -d password=Passw0rd-1 -d access_type=offline -d scope=repository:team/app:pull "$A/service/token")
expect_eq "$(http_status "$r")" 200 "POST grant_type=password through Apache"
rt=$(jqr "$(http_body "$r")" .refresh_token)
r=$(get -H 'Transfer-Encoding: chunked' -d grant_type=refresh_token -d client_id=c \
    -d service=registry -d "refresh_token=$rt" "$A/service/token")
expect_eq "$(http_status "$r")" 200 "a chunked POST grant_type=refresh_token through Apache"
# The same body arriving in two parts a second apart (curl -T - sends
# stdin chunked as it comes): Apache has not got it all when it connects
# to the program, and without proxy-sendcl passes no CONTENT_LENGTH.
r=$( (printf 'grant_type=refresh_token&client_id=c&service=registry'; sleep 1
    printf '&refresh_token=%s' "$rt") | curl -sS -i --max-time 10 -X POST -T - \
    -H 'Expect:' -H 'Content-Type: application/x-www-form-urlencoded' "$A/service/token")
expect_eq "$(http_status "$r")" 200 "a chunked POST whose body arrives in two parts"
r=$(get "$A/service/certs.pem")
expect_match "$(http_body "$r")" 'BEGIN CERTIFICATE' "certs.pem through Apache"
r=$(get "$A/service/nothing")
expect_eq "$(http_status "$r")" 404 "an unknown path under /service/ is 404"
expect_match "$(http_body "$r")" '"code":"NOT_FOUND"' "with a JSON error"
head -c 2000000 /dev/zero >"$T/big"
r=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Expect:' \
    -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$T/big" "$A/service/token")
expect_eq "$r" 413 "a 2 MB body is refused"
r=$(get -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary "grant_type=password&x=$(head -c 100000 /dev/zero | tr '\0' a)" "$A/service/token")
expect_eq "$(http_status "$r")" 413 "a body over berth's max_body gets berth's 413"
expect_match "$(http_body "$r")" '"code":"PAYLOAD_TOO_LARGE"' "in JSON"
long=$(head -c 65536 /dev/zero | tr '\0' a)
r=$(get -H "Authorization: Basic $long" "$A/health")
expect_eq "$(http_status "$r")" 400 "a 64 KiB Authorization header is refused early"
expect_match "$(http_header "$r" Content-Type)/$(http_body "$r")" '^application/json/.*"code":"BAD_REQUEST"' \
    "in JSON, as nginx's refusals"
r=$(get "$A/service/$(head -c 10000 /dev/zero | tr '\0' a)")
expect_match "$(http_status "$r") $(http_header "$r" Content-Type)/$(http_body "$r")" \
    '^414 application/json/.*"code":"URI_TOO_LONG"' "a 10 kB URI: Apache's 414, in JSON"
r=$(get "$A/nothing")
expect_match "$(http_status "$r") $(http_header "$r" Content-Type)/$(http_body "$r")" \
    '^404 application/json/.*"code":"NOT_FOUND"' "a path outside berth's: Apache's 404, in JSON"

PGDIR=$N/pg
"$ROOT/deploy/pg" stop "$PGDIR"
r=$(get -u alice:Passw0rd-1 "$A/service/token?service=registry&scope=repository:team/app:pull")
expect_eq "$(http_status "$r")" 503 "database down: 503 through Apache, never 401"
"$ROOT/deploy/pg" start "$PGDIR"
ok200() { [ "$(curl -s -o /dev/null -w '%{http_code}' -u alice:Passw0rd-1 \
    "$A/service/token?service=registry")" = 200 ]; }
check "and tokens again within 5 s" wait_for 5 ok200
expect_nomatch "$(cat "$N"/log/*.log "$T"/apache/*.log)" "Passw0rd-1|$rt|eyJ" \
    "no password, refresh token or token in any log"

# Apache's own 503, when the token program is gone: JSON, as nginx's.
# shellcheck disable=SC2046
kill $(cat "$N/run/token.pid")
gone() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$A/service/certs.pem")" = 503 ]; }
check "the token program stopped: /service/ is 503" wait_for 5 gone
r=$(get "$A/service/certs.pem")
expect_match "$(http_header "$r" Content-Type)" '^application/json' "Apache's 503 is application/json"
expect_match "$(http_body "$r")" '"code":"SERVICE_UNAVAILABLE"' "with a JSON error"
expect_eq "$(http_header "$r" Retry-After)" 1 "and Retry-After: 1"
