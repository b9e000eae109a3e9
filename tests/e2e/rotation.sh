#!/bin/sh
# tests/e2e/rotation.sh: rotating the signing key under load, with no
# failed operation (CHECKLIST 37), the way deploy/rotation.md tells an
# operator to do it.
#
# One berth node whose rules make retire wait as little as they can:
# token_ttl 60 s (the least berth takes), key_reload 1 s and
# max_clock_offset 2 s, so 123 s with the registry's 60.  Two Debian
# docker-registry processes share one storage root and one http.secret,
# behind an nginx upstream that passes a request the registry refused to
# connect to on to the other one.  Each registry restart is a drain
# (SIGTERM, http.draintimeout); the first rolling restart takes each
# registry out of the upstream first (nginx reload), the second relies on
# nginx's failover alone.  Two loops push a new image with
# skopeo (new blobs every time), inspect it and pull it back, without
# pause, counting every operation; a third fetches tokens and notes their
# kid.  Meanwhile the three steps:
#
#   next      POST /api/v2.0/keys; both keys in certs.pem and jwks.json;
#             each registry's bundle refreshed from certs.pem and the
#             registries restarted one after the other
#   activate  berthctl key activate; retire is refused until token_ttl +
#             key_reload + max_clock_offset + 60 s have passed
#   retire    berthctl key retire; bundles refreshed, rolling restart
#
# Every operation must succeed, every phase must see operations, tokens
# must carry the old kid before activation and the new one after, and the
# registries must reject no token.  A third registry, never refreshed,
# shows why the order matters: after activation it answers 401.
#
# tests/run: nginx only.  What is tested is the registries' side; the
# node's web server does nothing here that registry.sh does not already
# run through Apache, and a second pass would cost 160 s of CI.  It
# passes through Apache too: BERTH_WEB=apache sh tests/e2e/rotation.sh.
#
# tests/run: in the background.  Most of its two minutes is waiting for
# retire, so it runs beside the other tests from the start of the run.
# Its ports (19601, 19610-19613) are no other test's, and nothing in it
# depends on the machine being quiet: every wait is a generous bound.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

P=19601			# berth (its nginx)
LB=19610		# nginx in front of the two registries
RP1=19611 RP2=19612	# the two registries
RPS=19613		# the registry that is never refreshed
B=http://127.0.0.1:$P
REG=127.0.0.1:$LB
N=$T/node
TTL=60 RELOAD=1 OFFSET=2 LEEWAY=60
FAIL_TIMEOUT=2		# nginx: a refused registry is skipped this long
ADMIN_PW=Admin-Test-Pw1
DEV_PW=Dev-Test-Pw1
MIN_OPS=3		# operations each phase must see, per loop
t_start=$(date +%s)

# --- the node ---------------------------------------------------------------------
at_exit "BERTH_HOME='$N' '$NODE' stop"
if ! node "$N" $P start BERTH_ADMIN_PASSWORD=$ADMIN_PW BERTH_TOKEN_TTL=$TTL \
    BERTH_KEY_RELOAD=$RELOAD BERTH_MAX_CLOCK_OFFSET=$OFFSET >"$T/node.out" 2>&1; then
	nok "the berth node starts"; sed 's/^/#   /' "$T/node.out" | tail -n 20; exit 1
fi
ok "the berth node starts (token_ttl $TTL, key_reload $RELOAD, max_clock_offset $OFFSET)"
use_node "$N" || exit 1
if mkuser dev "$DEV_PW" && mkproject proj private && mkmember proj dev 2; then
	ok "a developer of a private project"
else
	nok "a developer of a private project"; exit 1
fi
ctl() { BERTH_CONF="$N/berth.conf" "$BUILD/berthctl" "$@"; }
api() {	# api METHOD PATH: curl -i as admin
	curl -sS -i --max-time 10 -u "admin:$ADMIN_PW" -X "$1" \
	    -H 'Content-Type: application/json' "$B/api/v2.0$2"
}
K0=$(bsql "SELECT kid FROM signing_keys WHERE state = 'active'")
ncerts() { grep -c 'BEGIN CERTIFICATE' "$1"; }

# --- the registries -----------------------------------------------------------------
# reg_start NAME PORT: a registry on the shared storage, trusting
# $T/NAME/certs.pem; SIGTERM lets its requests finish (draintimeout).
mkdir -p "$T/storage"
reg_start() {
	_rd=$T/$1
	mkdir -p "$_rd"
	cat >"$_rd/config.yml" <<-EOT
	version: 0.1
	log:
	  level: info
	  formatter: text
	storage:
	  filesystem:
	    rootdirectory: $T/storage
	  cache:
	    blobdescriptor: inmemory
	http:
	  addr: 127.0.0.1:$2
	  secret: rotation-test-shared-http-secret
	  draintimeout: 60s
	auth:
	  token:
	    realm: $B/service/token
	    service: registry
	    issuer: berth
	    rootcertbundle: $_rd/certs.pem
	EOT
	docker-registry serve "$_rd/config.yml" >>"$_rd/registry.log" 2>&1 &
	echo $! >"$_rd/pid"
	wait_for 10 sh -c "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$2/v2/ | grep -qx 401"
}
# reg_stop NAME: SIGTERM, then wait until it has drained and exited.
reg_stop() {
	_p=$(cat "$T/$1/pid")
	kill -TERM "$_p" 2>/dev/null || return 1
	_n=0
	while kill -0 "$_p" 2>/dev/null; do
		sleep 0.1; _n=$((_n + 1))
		[ $_n -lt 650 ] || return 1
	done
}
# refresh NAME: the registry's bundle from certs.pem, replaced whole.
refresh() {
	curl -fsS --max-time 10 "$B/service/certs.pem" -o "$T/$1/certs.pem.new" &&
	    openssl x509 -in "$T/$1/certs.pem.new" -noout &&
	    mv "$T/$1/certs.pem.new" "$T/$1/certs.pem"
}
# The balancer's requests moved from one registry to the other: nginx
# logs both upstreams of such a request, comma-separated.
moved() { grep -c ', 127' "$T/lb/access.log"; }
# lb_reload [PORT]: nginx's configuration anew, PORT (if any) marked down,
# and a reload; returns once every worker of the old configuration has
# exited, that is, once every request it had in flight is answered.
lb_reload() {
	lb_conf "${1:-}" || return 1
	_olds=$(ps -o pid= --ppid "$(cat "$T/lb/master")")
	kill -HUP "$(cat "$T/lb/master")" || return 1
	for _w in $_olds; do
		wait_for 60 sh -c "! kill -0 $_w" || return 1
	done
}
# rolling WANT takeout|failover: refresh each registry's bundle (WANT
# certificates) and restart the registries one after the other, each the
# way deploy/rotation.md describes:
#   takeout   mark it down in nginx and reload, restart it, put it back
#   failover  restart it; nginx sends what it refuses to the other one,
#             and tries it again fail_timeout later
rolling() {
	_m0=$(moved)
	for _r in r1 r2; do
		_port=$RP1; [ $_r = r2 ] && _port=$RP2
		_old=$(cat "$T/$_r/pid")
		_n0=$(wc -l <"$T/ops")
		_out=true
		[ $2 = takeout ] && { lb_reload $_port || _out=false; }
		if $_out && refresh $_r && [ "$(ncerts "$T/$_r/certs.pem")" = "$1" ] &&
		    reg_stop $_r && reg_start $_r $_port &&
		    [ "$(cat "$T/$_r/pid")" != "$_old" ]; then
			ok "$_r: bundle of $1 certificates, drained, restarted ($2)"
		else
			nok "$_r: bundle of $1 certificates, drained, restarted ($2)"
			tail -n 5 "$T/$_r/registry.log" | sed 's/^/#   /'
		fi
		# Back in nginx's rotation before the other one goes.
		if [ $2 = takeout ]; then
			check "$_r is back in nginx's upstream" lb_reload
		else
			sleep $((FAIL_TIMEOUT + 1))
		fi
		_n=$(($(wc -l <"$T/ops") - _n0))
		check "operations went on meanwhile ($_n finished)" test $_n -ge 1
	done
	_m=$(($(moved) - _m0))
	if [ $2 = takeout ]; then
		expect_eq "$_m" 0 "nginx moved no request to the other registry"
	else
		echo "# nginx moved $_m requests to the other registry"
	fi
}
for r in r1 r2 stale; do
	mkdir -p "$T/$r"
	refresh $r || { nok "certs.pem for $r"; exit 1; }
done
at_exit "kill \$(cat '$T/r1/pid') \$(cat '$T/r2/pid') \$(cat '$T/stale/pid') 2>/dev/null; sleep 0.3"
if reg_start r1 $RP1 && reg_start r2 $RP2 && reg_start stale $RPS; then
	ok "three registries on one storage, trusting the first key"
else
	nok "three registries on one storage, trusting the first key"; exit 1
fi

# --- the balancer ----------------------------------------------------------------------
# proxy_next_upstream: only "error" (no connection, or reset before any
# answer) moves a request, non-idempotent ones too; a stopping registry
# answers every request it accepted, so none is ever sent twice.
mkdir -p "$T/lb"
lbuser=""
[ "$(id -u)" = 0 ] && lbuser="user www-data;"
# lb_conf [PORT]: the configuration, with registry PORT marked down.
lb_conf() {
	_s1="server 127.0.0.1:$RP1 max_fails=1 fail_timeout=${FAIL_TIMEOUT}s;"
	_s2="server 127.0.0.1:$RP2 max_fails=1 fail_timeout=${FAIL_TIMEOUT}s;"
	[ "${1:-}" = $RP1 ] && _s1="server 127.0.0.1:$RP1 down;"
	[ "${1:-}" = $RP2 ] && _s2="server 127.0.0.1:$RP2 down;"
	cat >"$T/lb/nginx.conf.new" <<-EOT
	$lbuser
	worker_processes 1;
	daemon off;
	pid $T/lb/nginx.pid;
	error_log $T/lb/error.log warn;
	events { worker_connections 512; }
	http {
		log_format lb '\$msec \$status \$request_method \$uri "\$upstream_addr" "\$upstream_status"';
		access_log $T/lb/access.log lb;
		client_body_temp_path $T/lb/client_body;
		proxy_temp_path $T/lb/proxy;
		fastcgi_temp_path $T/lb/fastcgi;
		uwsgi_temp_path $T/lb/uwsgi;
		scgi_temp_path $T/lb/scgi;
		upstream registries {
			$_s1
			$_s2
		}
		server {
			listen 127.0.0.1:$LB;
			client_max_body_size 0;
			location /v2/ {
				proxy_pass http://registries;
				proxy_set_header Host \$http_host;
				proxy_next_upstream error non_idempotent;
				proxy_read_timeout 300s;
			}
		}
	}
	EOT
	mv "$T/lb/nginx.conf.new" "$T/lb/nginx.conf"
}
lb_conf
nginx -c "$T/lb/nginx.conf" -p "$T/lb" -e "$T/lb/error.log" >>"$T/lb/error.log" 2>&1 &
echo $! >"$T/lb/master"
at_exit "kill $(cat "$T/lb/master") 2>/dev/null"
if ! wait_for 10 sh -c "curl -s -o /dev/null -w '%{http_code}' http://$REG/v2/ | grep -qx 401"; then
	nok "the balancer starts"; sed 's/^/#   /' "$T/lb/error.log" | tail; exit 1
fi
ok "the balancer starts"

# --- the loops ---------------------------------------------------------------------------
# setphase NAME: what the loops record with each operation from now on.
setphase() { echo "$1" >"$T/phase.new" && mv "$T/phase.new" "$T/phase"; PHASE=$1; }
setphase before
# op LOOP WHAT CMD...: run one operation, record "phase loop what ok|fail".
op() {
	_l=$1 _w=$2 _ph=$(cat "$T/phase"); shift 2
	if "$@" >"$T/op$_l.out" 2>&1; then
		echo "$_ph $_l $_w ok" >>"$T/ops"
	else
		echo "$_ph $_l $_w fail" >>"$T/ops"
		{ echo "# $_ph loop $_l $_w failed at $(date +%T.%N):"
		  sed 's/^/#   /' "$T/op$_l.out" | tail -n 5; } >>"$T/failures"
	fi
}
# pulled_is DIR TAG CONTENT
pulled_is() { [ "$(oci_content "$1" "$2")" = "$3" ]; }
loop() {	# loop N: push, inspect, pull until $T/stop exists
	_i=0
	while [ ! -f "$T/stop" ]; do
		_i=$((_i + 1))
		_tag=t$_i _c="loop $1 image $_i $(date +%s.%N)"
		oci_image "$T/img$1" $_tag "$_c" >/dev/null || { echo "# oci_image failed" >>"$T/failures"; break; }
		op $1 push sko copy --dest-tls-verify=false --dest-creds "dev:$DEV_PW" \
		    --dest-authfile "$NOAUTH" "oci:$T/img$1:$_tag" "docker://$REG/proj/app$1:$_tag"
		op $1 inspect sko inspect --tls-verify=false --creds "dev:$DEV_PW" \
		    --authfile "$NOAUTH" "docker://$REG/proj/app$1:$_tag"
		rm -rf "$S/pull$1"
		op $1 pull sko copy --src-tls-verify=false --src-creds "dev:$DEV_PW" \
		    --src-authfile "$NOAUTH" "docker://$REG/proj/app$1:$_tag" "oci:$S/pull$1:$_tag"
		op $1 content pulled_is "$S/pull$1" $_tag "$_c"
	done
}
# kids: a token now and then, "phase seconds kid" (seconds: the clock
# when the answer came, as a decimal).
kids() {
	while [ ! -f "$T/stop" ]; do
		_ph=$(cat "$T/phase")
		_tk=$(curl -sS --max-time 10 -u "dev:$DEV_PW" \
		    "$B/service/token?service=registry&scope=repository:proj/app1:pull" | jq -r .token)
		echo "$_ph $(date +%s.%N) $(jwt_header "$_tk" | jq -r .kid)" >>"$T/kids"
		sleep 0.2
	done
}
: >"$T/ops"; : >"$T/failures"; : >"$T/kids"
loop 1 & echo $! >"$T/loop1.pid"
loop 2 & echo $! >"$T/loop2.pid"
kids & echo $! >"$T/kids.pid"
at_exit "touch '$T/stop'; kill \$(cat '$T/loop1.pid' '$T/loop2.pid' '$T/kids.pid') 2>/dev/null"
# await_ops N: until each loop has N pushes in this phase (at most 120 s).
nops() { awk -v p="$PHASE" -v l="$1" -v w="$2" '$1 == p && $2 == l && $3 == w' "$T/ops" | wc -l; }
enough() { [ "$(nops 1 push)" -ge "$1" ] && [ "$(nops 2 push)" -ge "$1" ]; }
await_ops() { wait_for 120 enough "$1"; }
check "phase before: $MIN_OPS pushes of each loop" await_ops $MIN_OPS

# The stale registry serves while the first key signs.
stale_pull() {
	sko copy --src-tls-verify=false --src-creds "dev:$DEV_PW" --src-authfile "$NOAUTH" \
	    "docker://127.0.0.1:$RPS/proj/app1:t1" "oci:$S/stale:t1"
}
check "before activation, the registry never refreshed serves a pull" stale_pull

# --- 1. next --------------------------------------------------------------------------------
setphase next
r=$(api POST /keys)
expect_eq "$(http_status "$r")" 201 "POST /api/v2.0/keys: 201"
K1=$(jqr "$(http_body "$r")" .kid)
check "a next key ($K1), not the active one" test -n "$K1" -a "$K1" != "$K0"
# certs_n N: six answers in a row (so every worker's) publish N
# certificates and as many keys.
certs_n() {
	for _i in 1 2 3 4 5 6; do
		curl -fsS "$B/service/certs.pem" -o "$T/now.pem" &&
		    [ "$(ncerts "$T/now.pem")" = "$1" ] &&
		    [ "$(curl -fsS "$B/service/jwks.json" | jq '.keys | length')" = "$1" ] || return 1
	done
}
published() { certs_n 2 && curl -fsS "$B/service/jwks.json" | jq -e --arg k "$K1" '[.keys[].kid] | index($k)'; }
check "certs.pem and jwks.json publish it within key_reload" wait_for $((RELOAD * 2 + 5)) published
rolling 2 takeout
check "phase next: $MIN_OPS pushes of each loop" await_ops $MIN_OPS

# --- 2. activate ---------------------------------------------------------------------------
setphase active
out=$(ctl key activate 2>/dev/null); rc=$?
t_act=$(date +%s.%N)
expect_eq "$rc" 0 "berthctl key activate"
# token_ttl + key_reload + max_clock_offset + the registry's 60 s
AGE=$((TTL + RELOAD + OFFSET + LEEWAY))
expect_match "$out" "retire after $AGE seconds" "and says retire must wait $AGE s"
expect_eq "$(bsql "SELECT state FROM signing_keys WHERE kid = '$K1'")" active "the new key is active"
r=$(api POST /keys/retire)
expect_eq "$(http_status "$r")/$(jqr "$(http_body "$r")" '"\(.retired) \(.kept)"')" "200/0 1" \
    "POST /keys/retire right after: nothing retired, the old key kept"
out=$(ctl key retire); rc=$?
expect_eq "$rc" 1 "berthctl key retire right after: refused (exit 1)"
expect_match "$out" "1 kept" "and says the key was kept"
expect_eq "$(bsql "SELECT state FROM signing_keys WHERE kid = '$K0'")" retiring "the old key is still retiring"
newkid() {
	_tk=$(curl -sS -u "dev:$DEV_PW" "$B/service/token?service=registry" | jq -r .token)
	[ "$(jwt_header "$_tk" | jq -r .kid)" = "$K1" ]
}
allnew() { for _i in 1 2 3 4 5 6; do newkid || return 1; done; }
check "every worker signs with the new key within key_reload" wait_for $((RELOAD * 2 + 5)) allnew

# The order matters: a registry whose bundle was not refreshed rejects
# the new key's tokens.
rm -rf "$S/stale"
if stale_pull >"$T/stale.out" 2>&1; then
	nok "after activation, the registry never refreshed refuses a pull"
else
	ok "after activation, the registry never refreshed refuses a pull"
fi
tk=$(curl -sS -u "dev:$DEV_PW" "$B/service/token?service=registry&scope=repository:proj/app1:pull" | jq -r .token)
st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $tk" \
    "http://127.0.0.1:$RPS/v2/proj/app1/tags/list")
expect_eq "$st" 401 "it answers a new-key token with 401"
expect_match "$(cat "$T/stale/registry.log")" 'untrusted key|unable to verify|failed to verify' \
    "and its log says why"
echo "# its log: $(grep -E -m 1 'untrusted key|unable to verify|failed to verify' "$T/stale/registry.log" | sed 's/.*level=[a-z]* //; s/ go\.version=.*//')"
st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $tk" \
    "http://$REG/v2/proj/app1/tags/list")
expect_eq "$st" 200 "the refreshed registries accept the same token"
kill "$(cat "$T/stale/pid")"

# --- 3. retire ----------------------------------------------------------------------------------
# Try every 0.5 s (for at most 300 s) until berth lets the old key go.
n=0
while ! ctl key retire >"$T/retire.out" 2>/dev/null; do
	n=$((n + 1))
	[ $n -lt 600 ] || break
	sleep 0.5
done
t_ret=$(date +%s.%N)
expect_match "$(cat "$T/retire.out")" "1 key\(s\) retired" "berthctl key retire, once allowed"
wait_s=$(echo "$t_ret $t_act" | awk '{printf "%d", $1 - $2}')
check "retire was refused for those $AGE s (it took ${wait_s} s)" \
    test "$wait_s" -ge $((AGE - 1))
# Every old-key token had expired, leeway included, when retire succeeded.
last_old=$(awk -v k="$K0" '$3 == k { t = $2 } END { printf "%.0f", t }' "$T/kids")
check "the last old-key token (at $last_old) had expired, leeway included, at retire ($t_ret)" \
    awk -v a="$last_old" -v b="$t_ret" -v d=$((TTL + LEEWAY)) 'BEGIN { exit !(a + d <= b) }'
expect_eq "$(bsql "SELECT state FROM signing_keys WHERE kid = '$K0'")" retired "the old key is retired"
setphase retired
check "certs.pem and jwks.json drop the old key within key_reload" wait_for $((RELOAD * 2 + 5)) certs_n 1
rolling 1 failover
check "phase retired: $MIN_OPS pushes of each loop" await_ops $MIN_OPS
touch "$T/stop"
wait "$(cat "$T/loop1.pid")" "$(cat "$T/loop2.pid")" "$(cat "$T/kids.pid")"

# --- what happened --------------------------------------------------------------------------------
total=$(wc -l <"$T/ops")
nfail=$(grep -c ' fail$' "$T/ops")
expect_eq "$nfail" 0 "no failed operation out of $total"
[ "$nfail" = 0 ] || head -n 40 "$T/failures"
for ph in before next active retired; do
	for l in 1 2; do
		line=""
		for w in push inspect pull content; do
			line="$line $w=$(awk -v p=$ph -v l=$l -v w=$w '$1 == p && $2 == l && $3 == w' "$T/ops" | wc -l)"
		done
		n=$(awk -v p=$ph -v l=$l '$1 == p && $2 == l && $3 == "push"' "$T/ops" | wc -l)
		check "phase $ph, loop $l:$line" test "$n" -ge 1
	done
done
kids_of() { awk -v p="$1" '$1 == p { print $3 }' "$T/kids" | sort | uniq -c | awk '{ printf "%s%s:%s", s, $2 == k0 ? "old" : $2 == k1 ? "new" : $2, $1; s = " " }' k0="$K0" k1="$K1"; }
for ph in before next; do
	expect_match "$(kids_of $ph)" '^old:[0-9]+$' "phase $ph: every token carries the old kid ($(kids_of $ph))"
done
act_tail=$(awk -v t="$t_act" -v r=$RELOAD -v k="$K0" '$1 == "active" && $2 > t + r + 1 && $3 == k' "$T/kids" | wc -l)
expect_eq "$act_tail" 0 "after activation + key_reload, no token carries the old kid ($(kids_of active))"
expect_match "$(kids_of retired)" '^new:[0-9]+$' "phase retired: every token carries the new kid ($(kids_of retired))"
for r in r1 r2; do
	n=$(grep -Ec 'untrusted key|unable to verify|invalid token|failed to verify|token signed|insufficient scope' "$T/$r/registry.log")
	expect_eq "$n" 0 "$r rejected no token"
	n=$(grep -c 'stopping server gracefully' "$T/$r/registry.log")
	expect_eq "$n" 2 "$r was drained and restarted twice"
done
# The balancer: no 5xx, and 401 only as the challenge to a request that
# carried no token.
n5=$(awk '$2 >= 500' "$T/lb/access.log" | wc -l)
expect_eq "$n5" 0 "the balancer answered no 5xx"
n401=$(awk '$2 == 401 && !($3 == "GET" && $4 == "/v2/")' "$T/lb/access.log" | wc -l)
expect_eq "$n401" 0 "the balancer answered 401 only to GET /v2/"
echo "# $(wc -l <"$T/lb/access.log") registry requests, $(moved) moved to the other registry by nginx"
echo "# took $(($(date +%s) - t_start)) s"
