#!/bin/sh
# tests/fcgi/allocfail.sh: every allocation of a request, failed in turn.
#
# The programs run under spawn-fcgi with tests/fault/allocfail.c
# preloaded (see there).  For each kind of request below the test learns
# how many allocations it makes, then sends it again once for every one
# of them, failing that one, and checks:
#   - the worker neither crashes nor hangs;
#   - the answer is the normal one (the code may survive a failed
#     allocation, a cache say) or 500/503 with a JSON error body: never
#     a 4xx that blames the caller, nor a 2xx with another result;
#   - the request keeps no more of what it allocated than the normal
#     one does (the shim tracks the blocks each request allocates and
#     frees): an error path leaks nothing;
#   - a plain request right after is served normally by the same
#     process (one worker per program, so the same pid).
# The answers are compared in one jq run per kind at the end.
. "$(dirname "$0")/../lib.sh"

SHIM=$BUILD/tests/allocfail.so
# ASan must come first in a process and cannot share it with a
# preloaded allocator: the sanitizer build has its own checks.
if ldd "$BUILD/berth-token" 2>/dev/null | grep -q libasan; then
	echo "# allocfail: skipped in a sanitizer build"
	exit 0
fi
[ -f "$SHIM" ] || { echo "# $SHIM is not built" >&2; exit 1; }

# Time-based caches stay put unless a request moves the clock
# (ALLOCFAIL_WARP), so every run of a kind allocates alike.
export BERTH_KEY_RELOAD=300 BERTH_HEALTH_CACHE_MS=60000 \
    BERTH_CRED_CACHE_TTL=600
berth_db pg || { echo "# could not set up the database" >&2; exit 1; }

# start NAME PROG [VAR=VALUE...]: one worker of berth-PROG with the shim
# on $T/NAME.sock, its log in $T/NAME.log.
start() {
	_n=$1 _p=$2; shift 2
	rm -f "$T/$_n.sock" "$T/$_n.pid"
	env "$@" LD_PRELOAD="$SHIM" ALLOCFAIL_LOG="$T/allocfail.log" \
	    spawn-fcgi -s "$T/$_n.sock" -F 1 -P "$T/$_n.pid" -- \
	    /bin/sh -c 'exec "$0" 2>>"$1"' "$BUILD/berth-$_p" "$T/$_n.log" \
	    >/dev/null || return 1
	wait_for 10 test -S "$T/$_n.sock"
}
# restart NAME: a dead worker again (spawn-fcgi does not restart one).
restart() {
	case $1 in
	token_nc) start token_nc token BERTH_CRED_CACHE_TTL=0 ;;
	*) start "$1" "$1" ;;
	esac
}
for w in token token_nc admin health; do
	at_exit "kill \$(cat '$T/$w.pid') 2>/dev/null"
	restart "$w" || { echo "# spawn-fcgi failed" >&2; exit 1; }
done

PW=Passw0rd-1 RS=Robot-Secret-0123456789
mkuser alice "$PW"
mkproject team private
mkproject pub public
mkmember team alice 2
mkrobot team ci "$RS" pull push
b64() { printf '%s' "$1" | base64 -w0; }
AU="Authorization: Basic $(b64 "alice:$PW")"
AR="Authorization: Basic $(b64 "robot\$team+ci:$RS")"
AD="Authorization: Basic $(b64 "admin:$ADMIN_PW")"
FORM='Content-Type: application/x-www-form-urlencoded'
JSON='Content-Type: application/json'
S=service=registry
SC='scope=repository:team/app:pull,push&scope=repository:pub/x:pull,push'
r=$(fcgi token GET "/service/token?$S&offline_token=true&client_id=docker" -H "$AU")
RT=$(jqr "$(http_body "$r")" .refresh_token)
[ -n "$RT" ] && [ "$RT" != null ] || { echo "# no refresh token" >&2; exit 1; }

# The kinds of request: name, worker, status of the plain request, and
# which allocations are failed: every one up to the first number, then
# every second-number-th (3000 and 7 when not given).  Each kind's own
# code comes first in its count; where kinds share a long tail, one of
# them covers it in full and the others sample it:
#   token_cached: all of it; anonymous, refresh, robot, token_uncached
#   share its signing (from about allocation 20 on: the 1500 of
#   PEM_read_bio_X509 for x5c, then ECDSA): every one of the first 200
#   (robot, token_uncached: 100, since each uncached one costs a
#   password hash), then every 7th (50th).
#   health and certs both reload the key set (some 5900 allocations of
#   OpenSSL's PEM, DER and AES-GCM): health every one of the first
#   1500, then every 13th; certs the first 300, then every 41st.
# ALLOCFAIL_FULL=1 fails every allocation of every kind up to 3000,
# then every 7th (about 5 minutes on two cores).  To look closer:
# ALLOCFAIL_KINDS to pick kinds, ALLOCFAIL_ONLY="N..." to fail only
# those allocations, ALLOCFAIL_KEEP=DIR to keep the answers and records.
# The kinds of one worker run one after another (certs and health move
# its clock); two groups of workers run at once.
KINDS=${ALLOCFAIL_KINDS:-"token_cached:token:200 certs:token:200:300:41
anonymous:token_nc:200:200:7 refresh:token_nc:200:200:7
token_uncached:token_nc:200:100:50 robot:token_nc:200:100:50
health:health:200:1500:13 admin_get:admin:200 admin_post:admin:201
admin_put:admin:200"}
[ -z "${ALLOCFAIL_FULL:-}" ] || KINDS=$(printf '%s\n' "$KINDS" | tr ' ' '\n' | cut -d: -f1-3)

# send KIND [fcgi-req options]: one request of KIND.
seq=0
send() {
	_k=$1; shift
	case $_k in
	token_cached)	fcgi token GET "/service/token?$S&$SC" -H "$AU" "$@" ;;
	token_uncached)	fcgi token_nc GET "/service/token?$S&$SC" -H "$AU" "$@" ;;
	robot)		fcgi token_nc GET "/service/token?$S&$SC" -H "$AR" "$@" ;;
	anonymous)	fcgi token_nc GET "/service/token?$S&scope=repository:pub/app:pull" "$@" ;;
	refresh)	fcgi token_nc POST /service/token -H "$FORM" \
			    -d "grant_type=refresh_token&refresh_token=$RT&client_id=docker&$S&$SC" "$@" ;;
	# A new key set is loaded and the health probe run in every
	# armed request of these two.
	certs)		fcgi token GET /service/certs.pem "$@" ;;
	health)		fcgi health GET /health "$@" ;;
	admin_get)	fcgi admin GET "/api/v2.0/projects?page_size=1&sort=name" -H "$AD" "$@" ;;
	admin_post)	seq=$((seq + 1))
			fcgi admin POST /api/v2.0/projects -H "$AD" -H "$JSON" \
			    -d "{\"project_name\":\"af-$seq\",\"metadata\":{\"public\":\"true\"}}" "$@" ;;
	admin_put)	fcgi admin PUT /api/v2.0/projects/team -H "$AD" -H "$JSON" \
			    -d '{"metadata":{"public":"false"}}' "$@" ;;
	esac
}
# armed KIND N [options]: the request of KIND failing allocation N (0:
# none).
armed() {
	_a=$1 _n=$2; shift 2
	case $_a in
	certs|health) send "$_a" -p "ALLOCFAIL=$_n" -p ALLOCFAIL_WARP=3600 "$@" ;;
	*) send "$_a" -p "ALLOCFAIL=$_n" "$@" ;;
	esac
}
# plain KIND: the plain request that must succeed after each; for certs
# a token, which needs the key set the armed request loaded.
plain() {
	case $1 in
	certs) send token_cached -p ALLOCFAIL=0 ;;
	*) send "$1" -p ALLOCFAIL=0 ;;
	esac
}
# field NAME LINE: the value of NAME=... in a shim record, in $F.
field() { F=" $2"; F=${F#* $1=}; [ "$F" = " $2" ] && F=; F=${F%% *}; }

# where N KIND [kept]: the failed allocation's stack (or those of the
# blocks it kept), berth's frames resolved.
where() {
	_at=$(grep "^$2 $1 " "$T/$2.rec" | tail -n 1)
	case ${3:-at} in
	kept) _at=${_at#* kept=}; _at=${_at%% at=*} ;;
	*) _at=${_at#* at=} ;;
	esac
	printf '%s\n' "$_at" | tr ',;' '\n\n' | grep -v '^$' | head -n 48 | while IFS= read -r f; do
		case $f in
		*/berth-*) f=${f%%:*}
			printf '#     %s %s\n' "${f##*/}" "$(addr2line -f -s -e "${f%+*}" "${f##*+}" | tr '\n' ' ')" ;;
		*) printf '#     %s\n' "${f##*/}" ;;
		esac
	done
}

# unexcused REC: how many blocks REC's request kept (REC traced), less
# those a library kept inside the very call that failed (libkept, see
# tests/fault/allocfail.c), in $F.  OpenSSL 3.0 does keep some: a
# buffer for a slot of its error queue, reused and never freed by
# ERR_clear_error() (err_clear_data() in crypto/err/err.c); and a block
# each time a fetch (EVP_MAC_fetch, EVP_MD_fetch, EVP_KDF_fetch) fails
# for memory half-way through naming the algorithm.
unexcused() {
	field live "$1"; _u=$F
	field libkept "$1"
	F=$((_u - ${F:-0}))
}

# kept_again KIND N: whether allocation N, failed twice more (a stack
# kept for each block), keeps more than the normal request both times.
# A cache that a library fills once (OpenSSL's of fetched algorithms
# and their names) keeps a block the first time only: the next run
# finds it and allocates otherwise.  A leak on an error path repeats.
kept_again() {
	_again=0
	for _i in 1 2; do
		armed "$1" "$2" -p ALLOCFAIL_TRACE=1 >/dev/null 2>"$T/$1.te"
		read -r _tr <"$T/$1.te" || _tr=
		printf '%s %d %s\n' "$1-trace" "$2" "$_tr" >>"$T/$1-trace.rec"
		plain "$1" >/dev/null 2>&1
		unexcused "$_tr"
		[ "$F" -gt "$live0" ] && _again=$((_again + 1))
	done
	[ "$_again" -eq 2 ]
}

# The jq that classifies the answers of one kind (raw file on stdin,
# the normal answer first as N=0): "N ok", "N 500", "N 503" or
# "N bad STATUS WHY".
cat >"$T/classify.jq" <<'EOF'
def b64url: gsub("-"; "+") | gsub("_"; "/") | (length % 4) as $m
  | (if $m == 2 then . + "==" elif $m == 3 then . + "=" else . end)
  | @base64d;
def parse: index("\n") as $i | (.[:$i] | tonumber) as $n | .[$i + 1:] as $r
  | ($r | index("\r\n\r\n")) as $h
  | if $h == null then {n: $n, status: 0, headers: {}, body: $r} else
      ($r[:$h] | split("\r\n")) as $l
      | {n: $n, status: ($l[0] | split(" ")[1] | tonumber),
         headers: ([$l[1:][] | index(":") as $c
             | {key: (.[:$c] | ascii_downcase),
                value: (.[$c + 1:] | ltrimstr(" "))}] | from_entries),
         body: $r[$h + 4:]} end;
def jbody: .body | try fromjson catch null;
def claims: split(".") | (.[0] | b64url | fromjson | {alg, kid, typ})
  + (.[1] | b64url | fromjson | {iss, sub, aud, access, life: (.exp - .iat)});
def token: jbody as $b | {status, ctype: .headers["content-type"],
  keys: ($b | keys), same: ($b.token == $b.access_token),
  expires_in: $b.expires_in, scope: $b.scope}
  + ($b.token | try claims catch {jwt: "undecodable"});
def norm($k):
  if $k == "certs" then {status, ctype: .headers["content-type"], body}
  elif $k == "health" then {status, body: (jbody
      | walk(if type == "object" then del(.latency_ms, .offset_ms) else . end))}
  elif $k == "admin_get" then {status, body: jbody,
      total: .headers["x-total-count"], link: .headers.link}
  elif $k == "admin_post" then {status, body,
      location: (.headers.location // "" | test("^/api/v2.0/projects/[0-9]+$"))}
  elif $k == "admin_put" then {status, body}
  else token end;
def jsonerror: .headers["content-type"] == "application/json"
  and (jbody | try (.errors[0].code | type == "string") catch false);
[split("\n\u0001@@@ ")[1:][] | parse] as $all
| ($all[0] | norm($kind)) as $normal
| $all[1:][]
| if .status == $normal.status then
    if norm($kind) == $normal then "\(.n) ok"
    else "\(.n) bad \(.status) differs: \(norm($kind) | with_entries(
        select(.value != $normal[.key])) | tostring | .[:300])" end
  elif (.status == 500 or .status == 503) then
    if jsonerror then "\(.n) \(.status)"
    else "\(.n) bad \(.status) without a JSON error body: \(.body | .[:200])" end
  else "\(.n) bad \(.status) \(.body | .[:200])" end
EOF

# sweep KIND PROG WANT [LIMIT STRIDE]: the whole run of one kind.
sweep() {
	kind=$1 prog=$2 want=$3 limit=${4:-3000} stride=${5:-7}
	pid0=$(cat "$T/$prog.pid")
	: >"$T/$kind.raw"; : >"$T/$kind.rec"
	# Twice plain to warm what a worker keeps, then the count.
	plain "$kind" >/dev/null 2>&1; plain "$kind" >/dev/null 2>&1
	printf '\n\001@@@ 0\n' >>"$T/$kind.raw"
	armed "$kind" 0 >>"$T/$kind.raw" 2>"$T/$kind.e"
	read -r rec <"$T/$kind.e" || rec=
	field count "$rec"; total=$F
	field live "$rec"; live0=$F
	[ -n "$total" ] && [ "$live0" -ge 0 ] ||
	    { nok "$kind: the shim reports a count"; return; }
	n=1 sent=0 reached=0 crashes="" plainbad="" leaks="" once=0 kt0=$(date +%s)
	: >"$T/$kind-trace.rec"
	[ -z "${ALLOCFAIL_ONLY:-}" ] || set -- $ALLOCFAIL_ONLY
	[ -z "${ALLOCFAIL_ONLY:-}" ] || { n=$1; shift; }
	while [ "$n" -le "$total" ]; do
		printf '\n\001@@@ %d\n' "$n" >>"$T/$kind.raw"
		armed "$kind" "$n" >>"$T/$kind.raw" 2>"$T/$kind.e"
		rc=$?
		sent=$((sent + 1))
		read -r rec <"$T/$kind.e" || rec=
		printf '%s %d %s\n' "$kind" "$n" "$rec" >>"$T/$kind.rec"
		case $rec in *failed=1*) reached=$((reached + 1)) ;; esac
		field live "$rec"
		suspect=$F
		if [ "$rc" -ne 0 ] || ! kill -0 "$pid0" 2>/dev/null; then
			crashes="$crashes $n"
			echo "# $kind: allocation $n: fcgi-req exit $rc"
			grep "pid=$pid0 " "$T/allocfail.log" | grep '^crash' | tail -n 1 | sed 's/^/#   /'
			where "$n" "$kind"
			if ! kill -0 "$pid0" 2>/dev/null; then
				restart "$prog"
				pid0=$(cat "$T/$prog.pid")
				plain "$kind" >/dev/null 2>&1
			fi
		fi
		plain "$kind" >"$T/$kind.p" 2>"$T/$kind.pe"
		read -r _ st _ <"$T/$kind.p" || st=
		read -r prec <"$T/$kind.pe" || prec=
		field pid "$prec"
		if [ "$st" != "$want" ] || [ "$F" != "$pid0" ]; then
			plainbad="$plainbad $n"
			[ "$(echo "$plainbad" | wc -w)" -le 3 ] &&
			    echo "# $kind: after allocation $n failed, the plain request got '$st' from pid '$F': $(http_body "$(cat "$T/$kind.p")" | head -c 200)"
		fi
		if [ -n "$suspect" ] && [ "$suspect" -gt "$live0" ]; then
			if kept_again "$kind" "$n"; then
				leaks="$leaks $n"
			else
				once=$((once + 1))
			fi
		fi
		if [ -n "${ALLOCFAIL_ONLY:-}" ]; then
			[ $# -gt 0 ] || break
			n=$1; shift
		elif [ "$n" -lt "$limit" ]; then n=$((n + 1)); else n=$((n + stride)); fi
	done
	echo "# $kind: $total allocations, $sent failed in turn ($reached reached) in $(( $(date +%s) - kt0 )) s$([ "$total" -gt "$limit" ] && echo ": every one up to $limit, then one in $stride")"
	check "$kind: no allocation failure crashes the worker or hangs it" test -z "$crashes"
	check "$kind: after each, a plain request is served by the same worker" test -z "$plainbad"
	case $kind in
	certs|health) ;;	# the new key set stays
	*) check "$kind: a normal request keeps nothing it allocated" test "$live0" -eq 0 ;;
	esac
	[ "$once" -eq 0 ] || echo "# $kind: $once failed allocations kept blocks, each only inside the library call that failed (see unexcused)"
	if [ -z "$leaks" ]; then
		ok "$kind: no failed request keeps more than the normal one"
	else
		nok "$kind: no failed request keeps more than the normal one"
		for bn in $(echo $leaks | cut -d' ' -f1-3); do
			field live "$(grep "^$kind-trace $bn " "$T/$kind-trace.rec" | tail -n 1)"
			echo "#   allocation $bn failed: $F blocks kept (normal: $live0), by"
			where "$bn" "$kind-trace" kept
			echo "#   the failed one:"
			where "$bn" "$kind"
		done
		echo "#   ($(echo $leaks | wc -w) such)"
	fi

	jq -Rrs --arg kind "$kind" -f "$T/classify.jq" <"$T/$kind.raw" >"$T/$kind.class" ||
	    { nok "$kind: the answers could be classified"; return; }
	echo "# $kind: answers: $(grep -c ' ok$' "$T/$kind.class") normal," \
	    "$(grep -c ' 500$' "$T/$kind.class") 500, $(grep -c ' 503$' "$T/$kind.class") 503," \
	    "$(grep -c ' bad ' "$T/$kind.class") wrong"
	if grep -q ' bad ' "$T/$kind.class"; then
		nok "$kind: every answer is the normal one or a 500/503 JSON error"
		grep ' bad ' "$T/$kind.class" | head -n 4 | while read -r bn _ rest; do
			echo "#   allocation $bn: $rest"
			where "$bn" "$kind"
		done
	else
		ok "$kind: every answer is the normal one or a 500/503 JSON error"
	fi
}

# workers: the pids of the four workers, on one line.
workers() { for w in token token_nc admin health; do printf '%s ' "$(cat "$T/$w.pid")"; done; }
pids0=$(workers)
# round WORKERS: the kinds of those workers, in order, output to $T/round.N.
round() {
	for k in $KINDS; do
		IFS=: read -r _k _w _s _l _st <<-EOK
		$k
		EOK
		case " $1 " in *" $_w "*) sweep "$_k" "$_w" "$_s" $_l $_st ;; esac
	done
}
t0=$(date +%s)
round "token" >"$T/round.1" 2>&1 &
r1=$!
round "token_nc health admin" >"$T/round.2" 2>&1
wait "$r1"
cat "$T/round.1" "$T/round.2"
echo "# allocfail: $(( $(date +%s) - t0 )) s"
expect_eq "$(workers)" "$pids0" "the same workers served every request"
check "and all of them are still running" sh -c "kill -0 $pids0"
# ALLOCFAIL_KEEP=DIR keeps the answers and records for a closer look.
[ -z "${ALLOCFAIL_KEEP:-}" ] || cp -r "$T" "$ALLOCFAIL_KEEP"
