#!/bin/sh
# tests/e2e/cluster.sh: the classic multi-node failure, as a test.
#
# Two berth nodes share one database and one secret; a load balancer
# (nginx, or Apache's mod_proxy_balancer when the nodes run Apache) sends
# consecutive requests to them in turn; Debian's docker-registry points
# its realm at the balancer.  Every token, from
# whichever node, must be accepted: hundreds of token requests and
# registry operations through curl and skopeo, and not one 401.  A third
# node with a secret of its own must not become ready and must issue no
# token.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

LB=18380 P1=18381 P2=18382 P3=18383 RP=18390
B=http://127.0.0.1:$LB
REG=127.0.0.1:$RP
R=http://$REG
N1=$T/n1 N2=$T/n2 N3=$T/n3
ADMIN_PW=Admin-Test-Pw1
DEV_PW=Dev-Test-Pw1
ROBOT='robot$proj+ci'
ROBOT_PW=ci-robot-secret-0123456789

# --- two nodes, one database ----------------------------------------------------
at_exit "BERTH_HOME='$N1' '$NODE' stop"
if ! node "$N1" $P1 start BERTH_ADMIN_PASSWORD=$ADMIN_PW >"$T/n1.out" 2>&1; then
	nok "node 1 starts"; sed 's/^/#   /' "$T/n1.out" | tail -n 20; exit 1
fi
ok "node 1 starts"
DB=$(node_db "$N1")
at_exit "BERTH_HOME='$N2' '$NODE' stop"
if ! node "$N2" $P2 start BERTH_DATABASE="$DB" BERTH_SECRET_FILE="$N1/secret" \
    BERTH_ADMIN_PASSWORD=$ADMIN_PW >"$T/n2.out" 2>&1; then
	nok "node 2 starts on node 1's database and secret"
	sed 's/^/#   /' "$T/n2.out" | tail -n 20; exit 1
fi
ok "node 2 starts on node 1's database and secret"
expect_eq "$(node_db "$N2")" "$DB" "both nodes use one database"

use_node "$N1" || exit 1
if mkuser dev "$DEV_PW" && mkproject proj private && mkmember proj dev 2 &&
    mkrobot proj ci "$ROBOT_PW" pull push; then
	ok "a user, a project and a robot are written to the database"
else
	nok "a user, a project and a robot are written to the database"; exit 1
fi

c1=$(curl -sS --max-time 10 "http://127.0.0.1:$P1/service/certs.pem")
c2=$(curl -sS --max-time 10 "http://127.0.0.1:$P2/service/certs.pem")
expect_match "$c1" 'BEGIN CERTIFICATE' "node 1 publishes certificates"
if [ -n "$c1" ] && [ "$c2" = "$c1" ]; then ok "node 2 publishes the same certificates"; else
	nok "node 2 publishes the same certificates"; fi

# --- the load balancer, round-robin over both nodes --------------------------------
# Its access log: status, method, path, the node (127.0.0.1:PORT, Apache
# prefixes http://); each answer names the node in X-Upstream.
mkdir -p "$T/lb"
lbuser=""
if [ "$WEB" = apache ]; then
	[ "$(id -u)" = 0 ] && lbuser=$(printf 'User www-data\nGroup www-data')
	M=/usr/lib/apache2/modules
	cat >"$T/lb/httpd.conf" <<EOT
ServerRoot /etc/apache2
ServerName localhost
PidFile $T/lb/apache.pid
DefaultRuntimeDir $T/lb
Mutex file:$T/lb default
Listen 127.0.0.1:$LB
$lbuser
LoadModule mpm_event_module $M/mod_mpm_event.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule headers_module $M/mod_headers.so
LoadModule slotmem_shm_module $M/mod_slotmem_shm.so
LoadModule proxy_module $M/mod_proxy.so
LoadModule proxy_http_module $M/mod_proxy_http.so
LoadModule proxy_balancer_module $M/mod_proxy_balancer.so
LoadModule proxy_hcheck_module $M/mod_proxy_hcheck.so
LoadModule lbmethod_byrequests_module $M/mod_lbmethod_byrequests.so
ErrorLog $T/lb/error.log
LogLevel ${BERTH_APACHE_LOG_LEVEL:-warn}
LogFormat "%>s %m %U %{BALANCER_WORKER_NAME}e" lb
CustomLog $T/lb/access.log lb
<Proxy "balancer://berth">
	# Only nodes whose /health/ready is 200 get requests.
	BalancerMember http://127.0.0.1:$P1 hcmethod=GET hcuri=/health/ready hcinterval=5
	BalancerMember http://127.0.0.1:$P2 hcmethod=GET hcuri=/health/ready hcinterval=5
	# A failing node must show, not be hidden by a retry.
	ProxySet lbmethod=byrequests maxattempts=0
</Proxy>
ProxyPass / balancer://berth/
ProxyPreserveHost On
Header always set X-Upstream "%{BALANCER_WORKER_NAME}e"
EOT
	at_exit "kill \$(cat '$T/lb/apache.pid') 2>/dev/null"
	apache2 -f "$T/lb/httpd.conf" -k start >>"$T/lb/error.log" 2>&1
else
	[ "$(id -u)" = 0 ] && lbuser="user www-data;"
	cat >"$T/lb/nginx.conf" <<EOT
$lbuser
# One worker: round-robin then alternates strictly between the nodes.
worker_processes 1;
daemon off;
pid $T/lb/nginx.pid;
error_log $T/lb/error.log ${BERTH_NGINX_LOG_LEVEL:-warn};
events { worker_connections 512; }
http {
	log_format lb '\$status \$request_method \$uri \$upstream_addr \$upstream_status';
	access_log $T/lb/access.log lb;
	client_body_temp_path $T/lb/client_body;
	proxy_temp_path $T/lb/proxy;
	fastcgi_temp_path $T/lb/fastcgi;
	uwsgi_temp_path $T/lb/uwsgi;
	scgi_temp_path $T/lb/scgi;
	upstream berth {
		server 127.0.0.1:$P1;
		server 127.0.0.1:$P2;
	}
	server {
		listen 127.0.0.1:$LB;
		location / {
			proxy_pass http://berth;
			proxy_set_header Host \$host;
			# A failing node must show, not be hidden by a retry.
			proxy_next_upstream off;
			add_header X-Upstream \$upstream_addr always;
		}
	}
}
EOT
	nginx -c "$T/lb/nginx.conf" -p "$T/lb" -e "$T/lb/error.log" >>"$T/lb/error.log" 2>&1 &
	echo $! >"$T/lb/master"
	at_exit "kill $(cat "$T/lb/master") 2>/dev/null"
fi
if ! wait_for 10 curl -sf "$B/health/ready"; then
	nok "the load balancer starts"; sed 's/^/#   /' "$T/lb/error.log" | tail; exit 1
fi
ok "the load balancer starts"

seq=""
for i in 1 2 3 4 5 6 7 8; do
	u=$(curl -sS -o /dev/null -D - --max-time 10 -u "dev:$DEV_PW" \
	    "$B/service/token?service=registry&scope=repository:proj/app:pull" |
	    tr -d '\r' | sed -n 's|^X-Upstream: \(http://\)\{0,1\}127.0.0.1:||p')
	seq="$seq${seq:+ }$u"
done
case $seq in
"$P1 $P2 $P1 $P2 $P1 $P2 $P1 $P2"|"$P2 $P1 $P2 $P1 $P2 $P1 $P2 $P1")
	ok "consecutive token requests alternate between the nodes" ;;
*)	nok "consecutive token requests alternate between the nodes"; echo "#   upstreams: $seq" ;;
esac
if [ "$WEB" = apache ]; then
	# deploy/node asked for /health/ready until the node was ready;
	# every request since is the balancer's health check.
	ready_gets() { grep -c '"GET /health/ready ' "$1/log/apache-access.log"; }
	hc1=$(ready_gets "$N1") hc2=$(ready_gets "$N2")
	probed() { [ "$(ready_gets "$N1")" -gt "$hc1" ] && [ "$(ready_gets "$N2")" -gt "$hc2" ]; }
	check "the balancer health-checks both nodes on /health/ready" wait_for 15 probed
fi

curl -sS --max-time 10 "$B/service/certs.pem" >"$T/certs.pem"
if ! registry_start reg $RP "$B/service/token" registry berth "$T/certs.pem"; then
	nok "the registry starts with the cluster's certificates"; exit 1
fi
ok "the registry starts with the cluster's certificates"

# --- hundreds of tokens, every one accepted ---------------------------------------
oci_image "$T/img" v1 "cluster one" || exit 1
check "a developer pushes proj/app:v1 through the balanced realm" \
    sko copy --dest-tls-verify=false --dest-creds "dev:$DEV_PW" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v1" "docker://$REG/proj/app:v1"

# curl: a token from the balancer (alternately node 1 and node 2), then a
# registry request with it.  Every answer counted.
ntok=0 tok_fail=0 tok_401=0 reg_fail=0 reg_401=0 nreg=0
SCOPE='scope=repository:proj/app:pull,push'
i=0
while [ $i -lt 150 ]; do
	i=$((i + 1))
	case $((i % 3)) in
	0) r=$(curl -sS -i --max-time 10 -u "dev:$DEV_PW" "$B/service/token?service=registry&$SCOPE") ;;
	1) r=$(curl -sS -i --max-time 10 -u "$ROBOT:$ROBOT_PW" "$B/service/token?service=registry&$SCOPE") ;;
	2) r=$(curl -sS -i --max-time 10 -d grant_type=password -d username=dev \
	       --data-urlencode "password=$DEV_PW" -d service=registry -d client_id=containerd \
	       -d "$SCOPE" "$B/service/token") ;;
	esac
	ntok=$((ntok + 1))
	st=$(http_status "$r")
	[ "$st" = 401 ] && tok_401=$((tok_401 + 1))
	tk=$(jqr "$(http_body "$r")" .access_token)
	if [ "$st" != 200 ] || [ -z "$tk" ]; then
		tok_fail=$((tok_fail + 1))
		[ $tok_fail -le 3 ] && echo "#   token request $i: status '$st'"
		continue
	fi
	if [ $((i % 2)) = 0 ]; then
		st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
		    -H "Authorization: Bearer $tk" "$R/v2/proj/app/tags/list")
	else
		st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -I \
		    -H "Accept: application/vnd.oci.image.manifest.v1+json" \
		    -H "Authorization: Bearer $tk" "$R/v2/proj/app/manifests/v1")
	fi
	nreg=$((nreg + 1))
	[ "$st" = 401 ] && reg_401=$((reg_401 + 1))
	if [ "$st" != 200 ]; then
		reg_fail=$((reg_fail + 1))
		[ $reg_fail -le 3 ] && echo "#   registry request $i: status '$st'"
	fi
done
expect_eq "$ntok/$tok_fail/$tok_401" "150/0/0" "150 token requests through the balancer, none failed, no 401"
expect_eq "$nreg/$reg_fail/$reg_401" "150/0/0" "150 registry requests with those tokens, none failed, no 401"

# skopeo: pushes, inspects and pulls, each fetching its own tokens through
# the balancer.
sk_n=0 sk_fail=0
sk() {
	sk_n=$((sk_n + 1))
	if ! sko "$@" >"$T/sk.out" 2>&1; then
		sk_fail=$((sk_fail + 1))
		[ $sk_fail -le 3 ] && sed 's/^/#   /' "$T/sk.out" | tail -n 3
	fi
}
j=0
while [ $j -lt 10 ]; do
	j=$((j + 1))
	oci_image "$T/img" "t$j" "cluster image $j" || exit 1
	sk copy --dest-tls-verify=false --dest-creds "dev:$DEV_PW" --dest-authfile "$NOAUTH" \
	    "oci:$T/img:t$j" "docker://$REG/proj/app:t$j"
	sk copy --dest-tls-verify=false --dest-creds "$ROBOT:$ROBOT_PW" --dest-authfile "$NOAUTH" \
	    "oci:$T/img:t$j" "docker://$REG/proj/robo:t$j"
	sk inspect --tls-verify=false --creds "dev:$DEV_PW" --authfile "$NOAUTH" \
	    "docker://$REG/proj/app:t$j"
	sk copy --src-tls-verify=false --src-creds "$ROBOT:$ROBOT_PW" --src-authfile "$NOAUTH" \
	    "docker://$REG/proj/app:t$j" "oci:$S/pulled:t$j"
done
expect_eq "$sk_n/$sk_fail" "40/0" "40 skopeo pushes, inspects and pulls through the cluster, none failed"
expect_eq "$(oci_content "$S/pulled" t10 2>/dev/null)" "cluster image 10" "the last pull holds the last push"
run_tags=$(sko list-tags --tls-verify=false --creds "dev:$DEV_PW" --authfile "$NOAUTH" \
    "docker://$REG/proj/app" 2>/dev/null | jq -r '.Tags | length')
expect_eq "$run_tags" 11 "proj/app holds all 11 tags"

# What the balancer and the registry saw.
n401=$(awk '$1 == 401' "$T/lb/access.log" | wc -l)
expect_eq "$n401" 0 "the balancer answered no request with 401"
ntotal=$(awk '$3 == "/service/token" && $1 == 200' "$T/lb/access.log" | wc -l)
check "at least 200 tokens were issued ($ntotal)" test "$ntotal" -ge 200
n1=$(awk -v u="127.0.0.1:$P1" '{ sub(/^http:\/\//, "", $4) } $3 == "/service/token" && $4 == u && $1 == 200' "$T/lb/access.log" | wc -l)
n2=$(awk -v u="127.0.0.1:$P2" '{ sub(/^http:\/\//, "", $4) } $3 == "/service/token" && $4 == u && $1 == 200' "$T/lb/access.log" | wc -l)
check "both nodes issued tokens (node 1: $n1, node 2: $n2)" \
    test "$n1" -ge 90 -a "$n2" -ge 90
nbad=$(grep -Ec 'untrusted key|invalid token|token signed|unable to verify|failed to verify|insufficient scope' "$T/reg/registry.log")
expect_eq "$nbad" 0 "the registry rejected no token"
# The registry's 401s: only the challenges to requests that carried no
# token (skopeo's first GET /v2/).  Anything else is a rejected token.
n=$(grep -E '" 401 ' "$T/reg/registry.log" | grep -vc '"GET /v2/ HTTP/1.1" 401')
expect_eq "$n" 0 "the registry answered 401 only to GET /v2/ without a token"
for nd in "$N1" "$N2"; do
	for p in $(workers "$nd/run/token.pid"); do
		kill -0 "$p" 2>/dev/null || { nok "token worker $p of $(basename "$nd") is alive"; continue 2; }
	done
	expect_eq "$(restarts "$nd/log/berth-token.log")" 0 \
	    "no token worker of $(basename "$nd") died and was replaced"
	ok "every token worker of $(basename "$nd") is alive"
done

# --- a third node with a secret of its own -----------------------------------------
keys=$(psql -X -q -tA -d "$DB" -c "SELECT count(*) FROM signing_keys")
at_exit "BERTH_HOME='$N3' '$NODE' stop"
node "$N3" $P3 start BERTH_DATABASE="$DB" BERTH_ADMIN_PASSWORD=$ADMIN_PW >"$T/n3.out" 2>&1
rc=$?
check "a node with another secret does not become ready (exit $rc)" test $rc -ne 0
expect_match "$(cat "$T/n3.out")" "cannot be opened with this node's secret" \
    "and says the cluster's key cannot be opened"
check "it made a secret of its own" sh -c "! cmp -s '$N3/secret' '$N1/secret'"
expect_eq "$(psql -X -q -tA -d "$DB" -c "SELECT count(*) FROM signing_keys")" "$keys" \
    "it created no signing key"
check "the failed start left nothing listening" \
    sh -c "! curl -s --max-time 2 http://127.0.0.1:$P3/health/live"
# Its token program, run on the configuration the node wrote, refuses to
# sign (berth-token over its FastCGI socket, then through the balancer).
export BERTH_CONF="$N3/berth.conf"
if ! spawn token 1 || ! wait_for 5 test -S "$T/token.sock"; then
	nok "node 3's token program starts"
else
	ok "node 3's token program starts"
	r=$(fcgi token GET "/service/token?service=registry&scope=repository:proj/app:pull" \
	    -H "Authorization: Basic $(printf 'dev:%s' "$DEV_PW" | base64 -w0)")
	expect_eq "$(http_status "$r")" 503 "node 3's /service/token is 503"
	expect_nomatch "$(http_body "$r")" 'eyJ' "and holds no token"
	r=$(fcgi token GET "/service/token?service=registry")
	expect_eq "$(http_status "$r")" 503 "an anonymous request to node 3 is 503 too"
	check "node 3's token worker is alive" alive token
fi
unset BERTH_CONF
expect_eq "$(psql -X -q -tA -d "$DB" -c "SELECT count(*) FROM signing_keys")" "$keys" \
    "still no new signing key"
r=$(curl -sS -i --max-time 10 -u "dev:$DEV_PW" "$B/service/token?service=registry&scope=repository:proj/app:pull")
expect_eq "$(http_status "$r")" 200 "the cluster still issues tokens"
tk=$(jqr "$(http_body "$r")" .token)
st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $tk" "$R/v2/proj/app/tags/list")
expect_eq "$st" 200 "which the registry accepts"
