# tests/lib.sh: sourced by the shell tests in tests/fcgi and tests/int.
#
# Every check prints "ok - what" or "not ok - what"; tests/run counts the
# lines.  A test script exits 0 even when checks fail (the count tells);
# it exits non-zero only when it could not run at all, which tests/run
# reports as a failure of its own.
#
# Paths: ROOT is the checkout, BUILD the build directory (build or
# build-san), T a scratch directory of this script, removed at exit.

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/berth-test.XXXXXX")
chmod 755 "$T"
_cleanups=""

ok()  { echo "ok - $*"; }
nok() { echo "not ok - $*"; }

# check DESC CMD...: ok when CMD exits 0.
check() {
	_d=$1; shift
	if "$@" >"$T/check.out" 2>&1; then ok "$_d"; else
		nok "$_d"; sed 's/^/#   /' "$T/check.out" | head -n 20; fi
}

# expect_eq GOT WANT DESC
expect_eq() {
	if [ "$1" = "$2" ]; then ok "$3"; else
		nok "$3"; echo "#   got '$1', want '$2'"; fi
}

# expect_match GOT REGEX DESC (grep -E)
expect_match() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then ok "$3"; else
		nok "$3"; echo "#   '$(printf '%s' "$1" | head -c 400)' does not match /$2/"; fi
}

# expect_nomatch GOT REGEX DESC
expect_nomatch() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		nok "$3"; echo "#   '$(printf '%s' "$1" | head -c 400)' matches /$2/"; else ok "$3"; fi
}

# at_exit CMD: run CMD (a string) when the script ends, last added first.
at_exit() { _cleanups="$1; $_cleanups"; }
_run_cleanups() {
	[ -z "$KEEP" ] || _keep_before >/dev/null 2>&1
	eval "$_cleanups" >/dev/null 2>&1 || true
	[ -z "$KEEP" ] || _keep >/dev/null 2>&1
	rm -rf "$T"
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

# --- the secrets gate (CHECKLIST 38-40) ---------------------------------------
# BERTH_KEEP_LOGS=DIR (make sanitize sets it): every program logs at its
# most verbose level that does not write request headers, and when the
# script ends, after its at_exit commands, everything it leaves is
# collected for tests/secrets/scan.sh, which judges the whole run:
#   DIR/secrets            every secret a script used or received, one a
#                          line (note_secret; curl, fcgi, mkuser, mkrobot
#                          and the e2e sko note theirs by themselves)
#   DIR/SUITE/TEST/logs/   every *.log and *.err under $T, and all of any
#                          log/ directory: berth, nginx, Apache,
#                          PostgreSQL, the registry
#   DIR/SUITE/TEST/error-bodies  the body of every 4xx/5xx answer seen by
#                          curl -i or fcgi
#   DIR/SUITE/TEST/db-scan every column of every table of the clusters
#                          still running at exit (pg_dumpall), then the
#                          files of every cluster under $T (heap,
#                          indexes, WAL: rows since changed too), searched
#                          for every secret in the clear or as hex
# nginx and Apache stay at notice: at info and debug they write (parts of)
# request headers, Authorization included (tests/secrets/levels.sh).
KEEP=${BERTH_KEEP_LOGS:-}
if [ -n "$KEEP" ]; then
	KEEP_DIR=$KEEP/$(basename "$(dirname "$0")")/$(basename "$0" .sh)
	# tests/run's second e2e pass (BERTH_WEB=apache) keeps its own.
	[ "${BERTH_WEB:-nginx}" = nginx ] || KEEP_DIR=$KEEP_DIR@$BERTH_WEB
	mkdir -p "$KEEP_DIR" || exit 1
	export BERTH_LOG_LEVEL=debug
	export BERTH_PG_OPTIONS="-c log_statement=all -c log_min_messages=debug1 -c log_connections=on -c log_disconnections=on"
	export BERTH_NGINX_LOG_LEVEL=notice BERTH_APACHE_LOG_LEVEL=notice
	export BERTH_REGISTRY_LOG_LEVEL=debug
fi

# note_secret VALUE...: VALUEs must appear in no log and no table.
note_secret() {
	[ -n "$KEEP" ] || return 0
	for _ns in "$@"; do
		[ -n "$_ns" ] && printf '%s\n' "$_ns" >>"$KEEP/secrets"
	done
	return 0
}
# _note_cred USER:PASSWORD, _note_header 'Name: value' (or NAME=value):
# the password of Basic credentials, the value of an Authorization.
_note_cred() { case $1 in *:*) note_secret "${1#*:}" ;; esac; }
# Each of the _note functions first looks, in the shell, for what its sed
# or grep could match (a header with no "authorization", a body with no
# "password=" or "secret=", text with no "password" member: no secret);
# only then does it start them.  It runs for every request of the gate.
_note_header() {
	case $1 in *[Aa][Uu][Tt][Hh][Oo][Rr][Ii][Zz][Aa][Tt][Ii][Oo][Nn]*) ;; *) return 0 ;; esac
	_nh=$(printf '%s' "$1" | sed -n 's/^[Hh][Tt][Tt][Pp]_[Aa][Uu][Tt][Hh][Oo][Rr][Ii][Zz][Aa][Tt][Ii][Oo][Nn]=//p; s/^[Aa][Uu][Tt][Hh][Oo][Rr][Ii][Zz][Aa][Tt][Ii][Oo][Nn]: *//p')
	case $_nh in
	[Bb][Aa][Ss][Ii][Cc]\ *)
		_note_cred "$(printf '%s' "${_nh#* }" | tr -d ' ' | head -c 4096 | base64 -d 2>/dev/null | tr -d '\0')" ;;
	?*\ ?*) note_secret "${_nh#* }" ;;
	esac
}
# _note_body DATA (or @FILE): form fields and JSON members that hold a
# password, secret or refresh token.
_note_body() {
	case $1 in
	@-) return 0 ;;
	@*) [ -f "${1#@}" ] && [ "$(stat -c %s "${1#@}")" -le 65536 ] || return 0
	    _nb=$(cat "${1#@}") ;;
	*) _nb=$1 ;;
	esac
	case $_nb in *password=*|*refresh_token=*|*secret=*)
		printf '%s\n' "$_nb" | tr '&' '\n' | sed -n -E \
		    's/^(password|new_password|old_password|refresh_token|secret|client_secret)=//p' |
		    while IFS= read -r _v; do note_secret "$_v"; done ;;
	esac
	_note_json_text "$_nb"
}
# _note_json_text TEXT: "password"/"secret"/"refresh_token"... members.
_note_json_text() {
	case $1 in *'"password"'*|*'"new_password"'*|*'"old_password"'*|*'"secret"'*|\
	    *'"refresh_token"'*|*'"identitytoken"'*) ;; *) return 0 ;; esac
	printf '%s' "$1" | grep -aoE '"(password|new_password|old_password|secret|refresh_token|identitytoken)" *: *"[^"]+"' |
	    sed -E 's/^"[a-z_]+" *: *"//; s/"$//' |
	    while IFS= read -r _v; do note_secret "$_v"; done
}
# _note_args curl|fcgi ARGS...: the credentials and bodies in a command.
_note_args() {
	_na=$1; shift
	while [ $# -gt 0 ]; do
		case $_na:$1 in
		curl:-u|curl:--user) _note_cred "${2:-}"; shift ;;
		curl:-u?*) _note_cred "${1#-u}" ;;
		*:-d|*:--data|*:--data-raw|*:--data-binary|*:--data-urlencode|*:--data-ascii|fcgi:-f)
			[ "$1" = -f ] && _note_body "@${2:-}" || _note_body "${2:-}"; shift ;;
		*:-H|*:--header|fcgi:-p|fcgi:-P) _note_header "${2:-}"; shift ;;
		esac
		shift
	done
	return 0
}
# _note_answer FILE WHAT: secrets in an answer, and the body of every
# 4xx/5xx answer (as curl -i and fcgi-req print them) into error-bodies,
# each after a line "### WHAT STATUS-LINE".
_note_answer() {
	_note_json_text "$(head -c 1048576 "$1")"
	awk -v what="$2" '/^HTTP\/[0-9.]+ [0-9][0-9][0-9]/ { st = $2; body = 0; if (st >= 400) print "### " what " " $0; next }
	    body == 0 && /^\r?$/ { body = 1; next }
	    body && st >= 400 { print }' "$1" | tr -d '\r' >>"$KEEP_DIR/error-bodies"
}
if [ -n "$KEEP" ]; then
	# curl, as every test calls it, notes what it sends and receives.
	curl() {
		_note_args curl "$@"
		_kc_out=$(mktemp "${TMPDIR:-/tmp}/berth-curl.XXXXXX") || return 1
		command curl "$@" >"$_kc_out"
		_kc_rc=$?
		cat "$_kc_out"
		_kc_url=""
		for _a in "$@"; do case $_a in http://*|https://*) _kc_url=$_a ;; esac; done
		_note_answer "$_kc_out" "${_kc_url:-?}"
		rm -f "$_kc_out"
		return $_kc_rc
	}
fi
# _keep_before: at exit, before the at_exit commands.  The secrets that
# live in files (cluster secrets, generated passwords), the patterns to
# look for (every secret noted, as text and as hex: pg_dump writes a bytea
# in hex, a table file holds its raw bytes), and the contents of every
# cluster still running: a value PostgreSQL compressed (over about 2 KB)
# is not in its files as it was written.
_keep_before() {
	find "$T" -type f \( -name secret -o -name '*-secret' -o -name admin-password \) \
	    -size -4k | while IFS= read -r _f; do note_secret "$(cat "$_f")"; done
	_pats=$T/keep-patterns
	: >"$_pats"
	[ -f "$KEEP/secrets" ] && sort -u "$KEEP/secrets" | awk 'length >= 8 && length <= 1024' |
	    while IFS= read -r _s; do
		printf '%s\n' "$_s"
		printf '%s' "$_s" | od -An -v -tx1 | tr -d ' \n'; echo
	done >"$_pats"
	find "$T" -path '*/data/postmaster.pid' | while IFS= read -r _p; do
		_d=${_p%/data/postmaster.pid}
		[ -S "$_d/run/.s.PGSQL.5432" ] || continue
		# A cluster a test left hung (SIGSTOP) must fail the dump, not
		# hang the suite.
		if ! PGCONNECT_TIMEOUT=5 timeout 120 pg_dumpall -h "$_d/run" -U postgres \
		    --data-only >"$T/keep-dump.sql" 2>/dev/null; then
			echo "dumpfail ${_d#"$T"/}"; continue
		fi
		echo "dump ${_d#"$T"/} $(wc -c <"$T/keep-dump.sql") patterns $(wc -l <"$_pats")"
		[ -s "$_pats" ] || continue
		grep -aoF -f "$_pats" "$T/keep-dump.sql" | sort -u | while IFS= read -r _m; do
			echo "hit pg_dumpall:${_d#"$T"/} $(printf '%.3s' "$_m")...($(printf '%s' "$_m" | wc -c) chars)"
		done
	done >>"$KEEP_DIR/db-scan"
}
# _keep: at exit, after the at_exit commands stopped everything.
_keep() {
	(cd "$T" && find . -type f \( -name '*.log' -o -name '*.err' -o -path '*/log/*' \)) |
	    while IFS= read -r _f; do
		mkdir -p "$KEEP_DIR/logs/$(dirname "$_f")"
		cp "$T/$_f" "$KEEP_DIR/logs/$_f"
	done
	# Every file of each stopped cluster, rows since updated or deleted
	# too (heap, TOAST, indexes, WAL).
	_pats=$T/keep-patterns
	find "$T" -path '*/data/PG_VERSION' | while IFS= read -r _v; do
		_d=${_v%/PG_VERSION}
		echo "cluster ${_d#"$T"/} $(du -sb "$_d" | cut -f1) patterns $(wc -l <"$_pats")"
		[ -s "$_pats" ] || continue
		grep -raoF -f "$_pats" "$_d" | sort -u | while IFS= read -r _h; do
			_m=${_h#*:}
			echo "hit ${_h%%:*} $(printf '%.3s' "$_m")...($(printf '%s' "$_m" | wc -c) chars)"
		done
	done >>"$KEEP_DIR/db-scan"
}

# pg_private NAME: a private PostgreSQL cluster under $T/NAME with a
# database "berth"; sets PGDIR and DATABASE (its connection string).
pg_private() {
	PGDIR=$T/$1
	"$ROOT/deploy/pg" init "$PGDIR" >/dev/null || return 1
	"$ROOT/deploy/pg" start "$PGDIR" || return 1
	at_exit "'$ROOT/deploy/pg' stop '$PGDIR'"
	"$ROOT/deploy/pg" createdb "$PGDIR" berth >/dev/null || return 1
	DATABASE=$("$ROOT/deploy/pg" conninfo "$PGDIR" berth)
}

# wait_for N CMD...: retry CMD every 0.1 s for up to N seconds.
wait_for() {
	_n=$(( $1 * 10 )); shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1; _n=$((_n - 1))
	done
	return 1
}

# http_status OUTPUT: the status code from "curl -i" style output.
http_status() { printf '%s\n' "$1" | head -n 1 | awk '{print $2}'; }
# http_body OUTPUT: everything after the first blank line.
http_body() { printf '%s\n' "$1" | tr -d '\r' | sed '1,/^$/d'; }
# http_header OUTPUT NAME: the value of header NAME (case-insensitive).
http_header() {
	printf '%s\n' "$1" | tr -d '\r' | sed '/^$/q' |
	    awk -v n="$2" 'BEGIN{n=tolower(n)} { i=index($0,":"); if (i && tolower(substr($0,1,i-1))==n) { v=substr($0,i+1); sub(/^ +/,"",v); print v; exit } }'
}

# berth_db NAME: a private cluster NAME, migrated and initialized (secret,
# signing key, admin with password $ADMIN_PW); exports the BERTH_*
# variables the programs read.
ADMIN_PW=Admin-Test-Pw1
berth_db() {
	pg_private "$1" || return 1
	export BERTH_CONF=/dev/null
	export BERTH_DATABASE="$DATABASE"
	export BERTH_SECRET_FILE="$T/secret"
	export BERTH_ADMIN_PASSWORD="$ADMIN_PW"
	export BERTH_LOG_LEVEL="${BERTH_LOG_LEVEL:-info}"
	note_secret "$ADMIN_PW"
	"$BUILD/berthctl" secret >/dev/null || return 1
	"$ROOT/deploy/migrate" -c "$DATABASE" -d "$ROOT/sql" >/dev/null || return 1
	"$BUILD/berthctl" init >/dev/null 2>"$T/init.err" || { cat "$T/init.err" >&2; return 1; }
}

# spawn PROG [WORKERS]: run $BUILD/berth-PROG under spawn-fcgi on
# $T/PROG.sock; its stderr goes to $T/PROG.log, its pids to $T/PROG.pid.
spawn() {
	rm -f "$T/$1.sock" "$T/$1.pid"
	spawn-fcgi -s "$T/$1.sock" -F "${2:-2}" -P "$T/$1.pid" -- \
	    /bin/sh -c 'exec "$0" 2>>"$1"' "$BUILD/berth-$1" "$T/$1.log" \
	    >/dev/null || return 1
	at_exit "kill \$(cat '$T/$1.pid') 2>/dev/null"
}

# workers PIDFILE: the pids of the processes that serve requests, sorted,
# on one line.  A pid file holds what spawn-fcgi started: each worker, or
# with `workers` set, one supervisor whose children are the workers.
workers() {
	# shellcheck disable=SC2046
	echo $(for _p in $(cat "$1" 2>/dev/null); do
		_c=$(ps -o pid= --ppid "$_p" 2>/dev/null)
		if [ -n "$_c" ]; then echo "$_c"; else echo "$_p"; fi
	done | sort -n)
}

# restarts LOG: how many workers a supervisor replaced, from its log.
restarts() { grep -c 'starting another in' "$1" 2>/dev/null; }

# pids PROG: the worker pids of PROG, sorted, on one line.
pids() { workers "$T/$1.pid"; }

# alive PROG: every worker of PROG is still running.
alive() {
	for _p in $(pids "$1"); do kill -0 "$_p" 2>/dev/null || return 1; done
}

# fcgi PROG METHOD URI [fcgi-req options]: one request over the socket,
# output as curl -i prints it.
fcgi() {
	_prog=$1 _m=$2 _u=$3; shift 3
	[ -n "$KEEP" ] || { "$BUILD/tests/fcgi-req" "$@" "$T/$_prog.sock" "$_m" "$_u"; return; }
	_note_args fcgi "$@"
	_kf_out=$(mktemp "$T/fcgi-answer.XXXXXX") || return 1
	"$BUILD/tests/fcgi-req" "$@" "$T/$_prog.sock" "$_m" "$_u" >"$_kf_out"
	_kf_rc=$?
	cat "$_kf_out"
	_note_answer "$_kf_out" "fcgi:$_prog $_m $_u"
	rm -f "$_kf_out"
	return $_kf_rc
}

# --- berth data, written straight into the database (the admin API is
# --- not needed to set up a test).  DATABASE names the database.
sql() { psql -X -q -tA -v ON_ERROR_STOP=1 -d "$DATABASE" -c "$1"; }

# mkuser NAME PASSWORD [sysadmin]
mkuser() {
	note_secret "$2"
	_h=$(printf '%s\n' "$2" | "$BUILD/berthctl" hash) || return 1
	sql "INSERT INTO users (username, password_hash, sysadmin)
	    VALUES ('$1', '$_h', $([ -n "${3:-}" ] && echo true || echo false))" >/dev/null
}
# mkproject NAME public|private
mkproject() {
	sql "INSERT INTO projects (name, public) VALUES ('$1', $([ "$2" = public ] && echo true || echo false))" >/dev/null
}
# mkmember PROJECT USER ROLE (1 projectAdmin, 2 developer, 3 guest,
# 4 maintainer, 5 limitedGuest)
mkmember() {
	sql "INSERT INTO project_members (project_id, user_id, role)
	    SELECT p.project_id, u.user_id, $3 FROM projects p, users u
	    WHERE p.name = '$1' AND u.username = '$2'" >/dev/null
}
# mkrobot PROJECT NAME SECRET ACTION...: robot$PROJECT+NAME with
# repository permissions on PROJECT ('' for a system robot, whose
# permissions then cover every project: namespace '*').
mkrobot() {
	_p=$1 _n=$2 _s=$3; shift 3
	note_secret "$_s"
	_sum=$(sha256_hex "$_s")
	if [ -n "$_p" ]; then
		sql "INSERT INTO robots (name, project_id, secret_sha256)
		    SELECT '$_n', project_id, decode('$_sum', 'hex') FROM projects WHERE name = '$_p'" >/dev/null
	else
		sql "INSERT INTO robots (name, project_id, secret_sha256)
		    VALUES ('$_n', NULL, decode('$_sum', 'hex'))" >/dev/null
	fi
	for _a in "$@"; do
		sql "INSERT INTO robot_permissions (robot_id, kind, namespace, project_id, resource, action)
		    SELECT r.robot_id, 'project', '${_p:-*}', p.project_id, 'repository', '$_a'
		    FROM robots r LEFT JOIN projects p ON p.name = '$_p'
		    WHERE r.name = '$_n' AND coalesce(r.project_id, 0) = coalesce(p.project_id, 0)" >/dev/null
	done
}

# sha256_hex STRING: its SHA-256 in hex, computed here so that a test
# looking a secret up by its hash never sends the secret to PostgreSQL
# (whose statement log the secrets gate searches).
sha256_hex() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# jwt_part TOKEN N: segment N (1 header, 2 claims) decoded.
jwt_part() {
	_s=$(printf '%s' "$1" | cut -d. -f"$2" | tr '_-' '/+')
	case $(( ${#_s} % 4 )) in 2) _s="$_s==" ;; 3) _s="$_s=" ;; esac
	printf '%s' "$_s" | base64 -d 2>/dev/null
}
# jqr JSON FILTER: jq -r, "" when the JSON does not parse.
jqr() { printf '%s' "$1" | jq -r "$2" 2>/dev/null; }
