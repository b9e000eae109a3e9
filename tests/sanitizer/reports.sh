#!/bin/sh
# tests/sanitizer/reports.sh DIR: the last test of a sanitized run
# (make sanitize; tests/run with BERTH_SAN_REPORTS=DIR).  Every program
# built with ASan and UBSan wrote its reports (errors, and leaks at exit)
# to files in DIR through log_path, wherever it ran: under tests/run, under
# spawn-fcgi, as nobody.  Any file there fails the run, and is shown.
#
# The workers of the last tests may still be on their way out (SIGTERM
# ends the accept loop; LeakSanitizer runs at exit), so first wait until
# no program of $BUILD runs any more: one still running after that was
# left behind by a test, and its leak check never ran.
set -u
D=${1:?usage: tests/sanitizer/reports.sh DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac

# running: the pid and program of every process whose executable is in
# $BUILD (top level or tests/).
running() {
	for _e in /proc/[0-9]*/exe; do
		_x=$(readlink "$_e" 2>/dev/null) || continue
		case $_x in "$BUILD"/*) _p=${_e#/proc/}; echo "${_p%/exe} $_x" ;; esac
	done
}
i=0
while [ -n "$(running)" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
left=$(running)
if [ -z "$left" ]; then
	echo "ok - every program of $BUILD has exited, its leak check done"
else
	echo "not ok - every program of $BUILD has exited, its leak check done"
	echo "$left" | sed 's/^/#   still running: /'
fi

if [ "$(id -u)" = 0 ]; then
	if runuser -u nobody -- test -w "$D" -a -x "$D"; then
		echo "ok - the report directory is writable by nobody (programs run as nobody report too)"
	else
		echo "not ok - the report directory is writable by nobody (programs run as nobody report too)"
	fi
fi

# Each report in short: what, where (the first frames), the summary; the
# files stay for the rest.
n=0
for f in "$D"/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	[ "$n" -le 10 ] || continue
	echo "# sanitizer report $f:"
	{ grep -m 1 -E 'ERROR|WARNING|runtime error' "$f"
	  grep -E '^ +#[0-9]+ ' "$f" | head -n 6
	  grep -m 1 '^SUMMARY' "$f"; } | sed 's/^/#   /'
done
[ "$n" -le 10 ] || echo "# ... and $((n - 10)) more in $D"
if [ "$n" -eq 0 ]; then
	echo "ok - no ASan, LSan or UBSan report in $D"
else
	echo "not ok - no ASan, LSan or UBSan report in $D ($n report files)"
fi
