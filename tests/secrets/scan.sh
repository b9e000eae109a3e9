#!/bin/sh
# tests/secrets/scan.sh DIR: the last test of the secrets gate (make
# sanitize; tests/run with BERTH_KEEP_LOGS=DIR), CHECKLIST 38-40.
#
# The suites ran with debug logs everywhere and left in DIR (tests/lib.sh,
# _keep_before, _keep) every log, every secret they used or received, the
# body of every error answer they saw and the search of their databases
# (every column of every table, and the files).  This fails on:
#   - any collected secret (test passwords, refresh tokens, robot secrets,
#     cluster secrets, generated admin passwords) in any log;
#   - a JWT (eyJ), an Authorization header, Basic credentials or a PEM
#     private key in any log;
#   - SQL, a file path or a library's message in an error body;
#   - a secret in the clear (or as hex) in a column or a database file;
#   - and on nothing to scan: no secret, no log, no error body or no
#     database collected is a failure, never a pass.
# Hits are printed as file:line with the secret masked.
set -u
D=${1:?usage: tests/secrets/scan.sh DIR}
W=$(mktemp -d "${TMPDIR:-/tmp}/berth-scan.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT

# mask TEXT: its first 3 characters and its length, never the rest.
mask() { printf '%.3s...(%d chars)' "$1" "$(printf '%s' "$1" | wc -c)"; }
# report NAME FILE: ok when FILE (hits, one a line) is empty, else not ok
# with the first 40 hits.
report() {
	if [ -s "$2" ]; then
		echo "not ok - $1 ($(wc -l <"$2") hits)"
		head -n 40 "$2" | sed 's/^/#   /'
	else
		echo "ok - $1"
	fi
}

# --- the secrets -----------------------------------------------------------------
# Shorter than 8 characters: a test's deliberately weak password ("weak",
# "short"), no secret, and a word any log may hold; over 1024: a test of
# size limits, or a registry token sent as Bearer (eyJ finds those).
# Neither is searched.
: >"$W/secrets"
[ -f "$D/secrets" ] && sort -u "$D/secrets" | awk 'length >= 8 && length <= 1024' >"$W/secrets"
nsec=$(wc -l <"$W/secrets")
if [ "$nsec" -gt 0 ]; then
	echo "ok - $nsec distinct secrets were collected to search for"
else
	echo "not ok - secrets were collected to search for (none in $D/secrets)"
fi

# --- the logs --------------------------------------------------------------------
find "$D" -mindepth 4 -path "$D/*/*/logs/*" -type f | sort >"$W/logs"
nlogs=$(wc -l <"$W/logs")
bytes=0
[ "$nlogs" -gt 0 ] && bytes=$(tr '\n' '\0' <"$W/logs" | xargs -0 cat | wc -c)
echo "# $nlogs log files, $bytes bytes"
if [ "$nlogs" -gt 0 ] && [ "$bytes" -gt 0 ]; then
	echo "ok - logs were kept to scan ($nlogs files, $bytes bytes)"
else
	echo "not ok - logs were kept to scan (none under $D)"
fi
# Which kinds of logs each suite that ran must have left: without them
# the gate would look at less than it claims.
kinds=""
[ -d "$D/fcgi" ] && kinds="$kinds fcgi/token.log fcgi/health.log fcgi/postgres.log"
[ -d "$D/int" ] && kinds="$kinds int/berth-token.log int/berth-admin.log int/berth-health.log
    int/postgres.log int/nginx-error.log int/nginx-access.log
    int/apache/apache-error.log int/apache/apache-access.log"
[ -d "$D/e2e" ] && kinds="$kinds e2e/registry.log e2e/berth-token.log e2e/lb/access.log"
for kind in $kinds; do
	n=$(grep -c "^$D/${kind%%/*}/.*/${kind#*/}\$" "$W/logs")
	if [ "$n" -gt 0 ]; then ok=ok; else ok="not ok"; fi
	echo "$ok - kept logs include $kind ($n)"
done
if grep -q 'statement: \|execute ' $(grep '/postgres.log$' "$W/logs" | head -n 5) /dev/null; then
	echo "ok - PostgreSQL logged statements (log_statement=all)"
else
	echo "not ok - PostgreSQL logged statements (log_statement=all)"
fi
if [ "$nlogs" -gt 0 ] && tr '\n' '\0' <"$W/logs" | xargs -0 grep -qE '^[0-9TZ:-]+ debug berth-'; then
	echo "ok - berth logged at debug"
else
	echo "not ok - berth logged at debug"
fi

# hits_fixed FILELIST: every collected secret in the files, masked.
: >"$W/hits"
if [ "$nsec" -gt 0 ] && [ "$nlogs" -gt 0 ]; then
	tr '\n' '\0' <"$W/logs" | xargs -0 grep -naoF -f "$W/secrets" -- 2>/dev/null |
	    while IFS= read -r h; do
		f=${h%%:*}; r=${h#*:}; l=${r%%:*}; m=${r#*:}
		echo "${f#"$D"/}:$l: $(mask "$m")"
	done >"$W/hits"
fi
report "no collected secret in any log" "$W/hits"

# pattern NAME REGEX [-i]: grep -E over every log.
pattern() {
	: >"$W/hits"
	[ "$nlogs" -gt 0 ] || { report "$1" "$W/hits"; return; }
	tr '\n' '\0' <"$W/logs" | xargs -0 grep -naoE ${3:-} -- "$2" 2>/dev/null |
	    while IFS= read -r h; do
		f=${h%%:*}; r=${h#*:}; l=${r%%:*}; m=${r#*:}
		echo "${f#"$D"/}:$l: $(mask "$m")"
	done >"$W/hits"
	report "$1" "$W/hits"
}
# A JWT starts where a word does (after a space, a quote, '=', ':') and
# its header ends at a dot.  eyJ inside a longer base64 run is something
# else, such as the registry's HMAC-signed upload state
# ("_state=...eyJ7...") in its request log, and so is that state when its
# HMAC happens to begin with eyJ ("_state=eyJr-391F...%3D": no dot).
pattern "no JWT (eyJ) in any log" '(^|[^A-Za-z0-9_+/-])eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*'
# The header as HTTP, CGI and FastCGI name it, and any "authorization:" or
# "authorization=" with a value after it (berth's "reason=authorization
# header" names no value).
pattern "no Authorization header in any log" \
    'Authorization.{0,12}|HTTP_AUTHORIZATION.{0,12}|[Aa][Uu][Tt][Hh][Oo][Rr][Ii][Zz][Aa][Tt][Ii][Oo][Nn] *[:=] *[^ ]{0,12}'
# Basic and base64 in whole 4-character groups: "Basic realm=" is none.
pattern "no Basic credentials in any log" \
    'basic +([a-z0-9+/]{4})*([a-z0-9+/]{2}==|[a-z0-9+/]{3}=|[a-z0-9+/]{4})([^a-z0-9+/=]|$)' -i
pattern "no PEM private key in any log" 'BEGIN [A-Z ]*PRIVATE KEY'

# --- the error bodies (CHECKLIST 40) ------------------------------------------------
# berth's answers only: the registry's (/v2/) are not berth's to word.
find "$D" -name error-bodies -type f | sort >"$W/bodyfiles"
: >"$W/bodies"
while IFS= read -r f; do
	awk -v f="${f#"$D"/}" '/^### / { keep = ($0 !~ /\/v2\//); n++; next }
	    keep { print f ":" n ": " $0 }' "$f" >>"$W/bodies"
done <"$W/bodyfiles"
nbodies=$(cat "$W/bodyfiles" /dev/null | tr '\n' '\0' | xargs -0 cat /dev/null | grep '^### ' | grep -vc '/v2/')
if [ "$nbodies" -gt 0 ]; then
	echo "ok - error answers were kept to scan ($nbodies 4xx/5xx bodies)"
else
	echo "not ok - error answers were kept to scan (none)"
fi
body_pattern() {
	grep -E -- "$2" "$W/bodies" | cut -c1-300 >"$W/hits"
	report "$1" "$W/hits"
}
body_pattern "no SQL in an error body" \
    'SQLSTATE|syntax error|violates|duplicate key value|relation "|column "|\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|WHERE)\b'
body_pattern "no file path in an error body" \
    '(^|[^A-Za-z0-9_.~-])/(etc|tmp|var|usr|home|run|proc|srv|opt|root|work|dev|lib)/|[A-Za-z0-9_]+\.[ch]:[0-9]+'
body_pattern "no library message in an error body" \
    '[Ll]ibpq|OpenSSL|openssl|jansson|libfcgi|FCGX|crypt_r|could not connect|connection to server|server closed the connection|FATAL:|PANIC:|ERROR: |DETAIL:|HINT:|error:[0-9A-F]{8}|routines:|No such file|Permission denied|Invalid argument|Cannot allocate|Connection refused|expected near|near '"'"

# --- the databases (CHECKLIST 39) -------------------------------------------------
find "$D" -name db-scan -type f | sort >"$W/dbfiles"
# "dump" lines: every table of a cluster running at the test's end;
# "cluster" lines: the files of every cluster, stopped.
nclusters=0 dbbytes=0 ndumps=0 dumpbytes=0
: >"$W/hits"
while IFS= read -r f; do
	while read -r kind a b c d; do
		case $kind in
		cluster) nclusters=$((nclusters + 1)); dbbytes=$((dbbytes + b))
			[ "${d:-0}" -gt 0 ] || echo "${f#"$D"/}: cluster $a searched for no secret" >>"$W/hits" ;;
		dump) ndumps=$((ndumps + 1)); dumpbytes=$((dumpbytes + b))
			[ "${d:-0}" -gt 0 ] || echo "${f#"$D"/}: dump of $a searched for no secret" >>"$W/hits" ;;
		dumpfail) echo "${f#"$D"/}: pg_dumpall of $a failed" >>"$W/hits" ;;
		hit) echo "${f#"$D"/}: $a $b $c" >>"$W/hits" ;;
		esac
	done <"$f"
done <"$W/dbfiles"
if [ "$ndumps" -gt 0 ]; then
	echo "ok - every table of the running clusters was dumped ($ndumps dumps, $dumpbytes bytes)"
else
	echo "not ok - every table of the running clusters was dumped (none)"
fi
if [ "$nclusters" -gt 0 ]; then
	echo "ok - database files were searched ($nclusters clusters, $dbbytes bytes)"
else
	echo "not ok - database files were searched (none)"
fi
report "no secret in the clear or as hex in any column, table file, index or WAL" "$W/hits"
