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
	"$BUILD/berthctl" init >/dev/null || return 1
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
