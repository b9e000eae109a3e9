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
_run_cleanups() { eval "$_cleanups" >/dev/null 2>&1 || true; rm -rf "$T"; }
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

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

# pids PROG: the worker pids of PROG, sorted, on one line.
pids() { sort -n "$T/$1.pid" | tr '\n' ' '; }

# alive PROG: every worker of PROG is still running.
alive() {
	for _p in $(cat "$T/$1.pid"); do kill -0 "$_p" 2>/dev/null || return 1; done
}

# fcgi PROG METHOD URI [fcgi-req options]: one request over the socket,
# output as curl -i prints it.
fcgi() {
	_prog=$1 _m=$2 _u=$3; shift 3
	"$BUILD/tests/fcgi-req" "$@" "$T/$_prog.sock" "$_m" "$_u"
}

# --- berth data, written straight into the database (the admin API is
# --- not needed to set up a test).  DATABASE names the database.
sql() { psql -X -q -tA -v ON_ERROR_STOP=1 -d "$DATABASE" -c "$1"; }

# mkuser NAME PASSWORD [sysadmin]
mkuser() {
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
	_sum=$(printf '%s' "$_s" | sha256sum | cut -d' ' -f1)
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
