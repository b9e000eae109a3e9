#!/bin/sh
# tests/int/migrate.sh: deploy/migrate against a real private PostgreSQL
# cluster: first run, rerun, several nodes at once, a changed applied
# file, a failing migration, --status/--check, connection strings.
. "$(dirname "$0")/../lib.sh"

MIGRATE=$ROOT/deploy/migrate
LOCK_KEY=422608794728

pg_private pg || { echo "# could not start PostgreSQL" >&2; exit 1; }

# newdb NAME: a fresh empty database (and role) NAME in the cluster;
# prints its connection string.
newdb() {
	"$ROOT/deploy/pg" createdb "$PGDIR" "$1" >/dev/null || return 1
	"$ROOT/deploy/pg" conninfo "$PGDIR" "$1"
}
# q CONNINFO SQL: one value or rows, unaligned.
q() { psql -X -q -w -tA -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>&1; }
# run CMD...: sets rc, out (stdout), err (stderr).
run() {
	"$@" >"$T/mig.out" 2>"$T/mig.err"
	rc=$?
	out=$(cat "$T/mig.out"); err=$(cat "$T/mig.err")
}
# mig ARGS...: run deploy/migrate ARGS.
mig() { run "$MIGRATE" "$@"; }
# sqlcopy DIR: DIR is a fresh copy of the shipped migrations.
sqlcopy() { rm -rf "$1"; mkdir -p "$1" && cp "$ROOT"/sql/*.sql "$1"/; }
sum() { sha256sum <"$1" | cut -d' ' -f1; }
ver() { v=$(basename "$1" | cut -c1-4 | sed 's/^0*//'); echo "${v:-0}"; }
count() { printf '%s\n' "$1" | grep -c -- "$2"; }

check "deploy/migrate is executable" test -x "$MIGRATE"
nfiles=$(ls "$ROOT"/sql/[0-9][0-9][0-9][0-9]_*.sql | wc -l)
check "sql/ holds migrations" test "$nfiles" -gt 0
last=$(ls "$ROOT"/sql/[0-9][0-9][0-9][0-9]_*.sql | tail -n 1)
lastv=$(ver "$last")

# --- 1. empty database: everything once; rerun applies nothing --------------
DB1=$(newdb m1)
mig -c "$DB1"		# default SQLDIR: sql/ next to deploy/
expect_eq "$rc" 0 "first run exits 0"
expect_eq "$(count "$out" '^migrate: applied ')" "$nfiles" "first run applies every file"
for f in "$ROOT"/sql/[0-9][0-9][0-9][0-9]_*.sql; do
	b=$(basename "$f"); v=$(ver "$f")
	expect_eq "$(count "$out" "^migrate: applied $b\$")" 1 "first run applies $b once"
	expect_eq "$(q "$DB1" "SELECT checksum FROM schema_migrations WHERE version = $v")" \
	    "$(sum "$f")" "schema_migrations holds the sha256 of $b"
	n=${b#????_}; n=${n%.sql}
	expect_eq "$(q "$DB1" "SELECT name FROM schema_migrations WHERE version = $v")" \
	    "$n" "schema_migrations names $b"
done
expect_eq "$(q "$DB1" "SELECT count(*) FROM schema_migrations")" "$nfiles" \
    "one schema_migrations row per file"
expect_match "$out" "migrate: schema at version $lastv\$" "summary names the version"
expect_eq "$err" "" "first run writes nothing to stderr"
expect_eq "$(q "$DB1" "SELECT to_regclass('users') IS NOT NULL")" t "0001 created users"

mig -c "$DB1"
expect_eq "$rc" 0 "second run exits 0"
expect_nomatch "$out" "applied" "second run applies nothing"
expect_match "$out" "schema at version $lastv" "second run prints the summary"
expect_eq "$err" "" "second run writes nothing to stderr (no NOTICE)"
expect_eq "$(q "$DB1" "SELECT count(*) FROM schema_migrations")" "$nfiles" \
    "second run adds no rows"
mig -c "$DB1" --check
expect_eq "$rc" 0 "--check passes when up to date"

# --- 2. five nodes at the same moment ---------------------------------------
S2=$T/sql2
sqlcopy "$S2"
cat >"$S2/0900_slow.sql" <<-'EOF'
	-- holds the lock long enough for the others to queue behind it
	SELECT pg_sleep(2);
	CREATE TABLE slow_t (id integer PRIMARY KEY);
	INSERT INTO slow_t VALUES (1);
	EOF
echo "CREATE TABLE after_slow (id integer);" >"$S2/0901_after.sql"
DB2=$(newdb m2)
pids=""
for i in 1 2 3 4 5; do
	(
		while [ ! -e "$T/go" ]; do sleep 0.01; done
		exec "$MIGRATE" -d "$S2" -c "$DB2" >"$T/race$i.out" 2>"$T/race$i.err"
	) &
	pids="$pids $!"
done
sleep 0.2
touch "$T/go"
i=0 bad=""
for p in $pids; do
	i=$((i + 1))
	wait "$p" || bad="$bad $i:$?"
done
expect_eq "$bad" "" "five concurrent runs all exit 0"
cat "$T"/race*.out >"$T/race.all"
total=$((nfiles + 2))
expect_eq "$(grep -c '^migrate: applied ' "$T/race.all")" "$total" \
    "each migration applied by exactly one of the five"
for b in $(cd "$S2" && ls); do
	expect_eq "$(grep -c "^migrate: applied $b\$" "$T/race.all")" 1 "race: $b applied once"
done
expect_eq "$(q "$DB2" "SELECT count(*), count(DISTINCT version) FROM schema_migrations")" \
    "$total|$total" "race: one row per migration"
expect_eq "$(q "$DB2" "SELECT count(*) FROM slow_t")" 1 "race: slow migration ran once"
expect_eq "$(grep -c 'schema at version 901$' "$T/race.all")" 5 \
    "race: all five end at the last version"
check "race: the others waited for the advisory lock" \
    grep -q "waiting for another migrate.*lock $LOCK_KEY" "$T/race.all"
expect_eq "$(cat "$T"/race*.err)" "" "race: nothing on stderr"
expect_eq "$(q "$DB2" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" 0 \
    "race: the lock is released"

# --- 3. an applied file changed ---------------------------------------------
S3=$T/sql3
sqlcopy "$S3"
echo "CREATE TABLE two_t (id integer);" >"$S3/0902_two.sql"
DB3=$(newdb m3)
mig -d "$S3" -c "$DB3"
expect_eq "$rc" 0 "changed: setup applies"
echo "-- an edit after landing" >>"$S3/0902_two.sql"
echo "CREATE TABLE three_t (id integer);" >"$S3/0903_three.sql"
mig -d "$S3" -c "$DB3"
check "changed: non-zero exit" test "$rc" -ne 0
expect_match "$err" "0902_two\.sql.*changed" "changed: the message names the file"
expect_nomatch "$out" "applied" "changed: nothing applied"
expect_eq "$(q "$DB3" "SELECT to_regclass('three_t') IS NULL")" t \
    "changed: the migration after it did not run"
expect_eq "$(q "$DB3" "SELECT count(*) FROM schema_migrations WHERE version = 903")" 0 \
    "changed: the migration after it is not recorded"
mig -d "$S3" -c "$DB3" --check
expect_eq "$rc" 1 "changed: --check fails"
expect_match "$err" "0902_two\.sql" "changed: --check names the file"
mig -d "$S3" -c "$DB3" --status
expect_eq "$rc" 0 "changed: --status exits 0"
expect_match "$out" "^0902 two changed" "changed: --status says changed"

# --- 4. a failing migration -------------------------------------------------
S4=$T/sql4
sqlcopy "$S4"
echo "CREATE TABLE ok_t (id integer);" >"$S4/0902_ok.sql"
cat >"$S4/0903_bad.sql" <<-'EOF'
	CREATE TABLE bad_t (id integer);
	INSERT INTO ok_t VALUES (1);
	SELEC this is not sql;
	EOF
echo "CREATE TABLE later_t (id integer);" >"$S4/0904_later.sql"
DB4=$(newdb m4)
mig -d "$S4" -c "$DB4"
check "failing: non-zero exit" test "$rc" -ne 0
expect_match "$err" "0903_bad\.sql" "failing: the message names the file"
expect_match "$out" "applied 0902_ok\.sql" "failing: earlier ones applied"
expect_nomatch "$out" "applied 0903|applied 0904|schema at version" \
    "failing: nothing reported applied from it on"
expect_eq "$(q "$DB4" "SELECT to_regclass('bad_t') IS NULL")" t "failing: its table rolled back"
expect_eq "$(q "$DB4" "SELECT count(*) FROM ok_t")" 0 "failing: its insert rolled back"
expect_eq "$(q "$DB4" "SELECT count(*) FROM schema_migrations WHERE version >= 903")" 0 \
    "failing: its version (and later) not recorded"
expect_eq "$(q "$DB4" "SELECT count(*) FROM schema_migrations")" "$((nfiles + 1))" \
    "failing: earlier versions kept"
expect_eq "$(q "$DB4" "SELECT to_regclass('later_t') IS NULL")" t "failing: the next one did not run"
expect_eq "$(q "$DB4" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" 0 \
    "failing: the lock is released"
sed -i 's/^SELEC this is not sql;$/SELECT 1;/' "$S4/0903_bad.sql"
mig -d "$S4" -c "$DB4"
expect_eq "$rc" 0 "failing: fixed, the rerun exits 0"
expect_eq "$(printf '%s\n' "$out" | grep '^migrate: applied')" \
    "$(printf 'migrate: applied 0903_bad.sql\nmigrate: applied 0904_later.sql')" \
    "failing: the rerun applies the fixed one and the next"
expect_eq "$(q "$DB4" "SELECT count(*) FROM ok_t")" 1 "failing: the fixed one ran once"
expect_eq "$(q "$DB4" "SELECT checksum FROM schema_migrations WHERE version = 903")" \
    "$(sum "$S4/0903_bad.sql")" "failing: the fixed file's checksum recorded"

# A migration that ends migrate's transaction itself is not recorded.
printf 'CREATE TABLE esc_t (id integer);\nCOMMIT;\n' >"$S4/0905_commit.sql"
mig -d "$S4" -c "$DB4"
check "COMMIT in a migration: non-zero exit" test "$rc" -ne 0
expect_match "$err" "0905_commit\.sql" "COMMIT in a migration: the message names the file"
expect_eq "$(q "$DB4" "SELECT count(*) FROM schema_migrations WHERE version = 905")" 0 \
    "COMMIT in a migration: not recorded"

# --- 5. --status and --check ------------------------------------------------
DB5=$(newdb m5)
mig -c "$DB5" --status
expect_eq "$rc" 0 "--status on an empty database exits 0"
expect_eq "$(count "$out" ' pending$')" "$nfiles" "--status: every file pending"
expect_eq "$(printf '%s\n' "$out" | head -n 1)" \
    "$(basename "$ROOT"/sql/[0-9][0-9][0-9][0-9]_*.sql | head -n 1 | sed 's/_/ /; s/\.sql$/ pending/')" \
    "--status line: version name state"
mig -c "$DB5" --check
expect_eq "$rc" 1 "--check fails when pending"
expect_match "$err" "pending" "--check says pending"
expect_eq "$(q "$DB5" "SELECT to_regclass('schema_migrations') IS NULL")" t \
    "--status/--check create nothing"
mig -c "$DB5"
S5=$T/sql5
sqlcopy "$S5"
echo "CREATE TABLE extra_t (id integer);" >"$S5/0950_extra.sql"
mig -d "$S5" -c "$DB5" --status
expect_eq "$rc" 0 "--status with one pending exits 0"
expect_eq "$(count "$out" ' applied$')" "$nfiles" "--status: shipped ones applied"
expect_eq "$(printf '%s\n' "$out" | tail -n 1)" "0950 extra pending" "--status: the new one pending"
mig -d "$S5" -c "$DB5" --check
expect_eq "$rc" 1 "--check fails with one pending"
expect_match "$err" "0950_extra\.sql" "--check names the pending file"
mig -d "$S5" -c "$DB5"
mig -d "$S5" -c "$DB5" --check
expect_eq "$rc" 0 "--check passes after applying"
mig -d "$S5" -c "$DB5" --status
expect_eq "$(count "$out" ' applied$')" "$((nfiles + 1))" "--status: all applied"
# The database is now ahead of sql/: a node older than the schema.
mig -c "$DB5" --status
expect_eq "$rc" 0 "--status with the schema ahead exits 0"
expect_match "$err" "warning.*newer" "--status with the schema ahead warns"
expect_match "$out" "0950 extra missing" "--status lists the unknown version"
mig -c "$DB5"
expect_eq "$rc" 0 "a run with the schema ahead exits 0"
expect_match "$err" "warning.*newer" "a run with the schema ahead warns"
expect_match "$out" "schema at version 950" "a run with the schema ahead reports it"
mig -c "$DB5" --check
expect_eq "$rc" 0 "--check with the schema ahead passes (nothing pending here)"

# Bad file names and duplicate versions stop before touching anything.
S6=$T/sql6
sqlcopy "$S6"
echo "SELECT 1;" >"$S6/0950_a.sql"
echo "SELECT 1;" >"$S6/0950_b.sql"
mig -d "$S6" -c "$DB5"
expect_eq "$rc" 2 "duplicate version: exit 2"
expect_match "$err" "0950_a\.sql and 0950_b\.sql" "duplicate version: both named"
rm "$S6/0950_b.sql"
echo "SELECT 1;" >"$S6/951_short.sql"
mig -d "$S6" -c "$DB5"
expect_eq "$rc" 2 "bad file name: exit 2"
expect_match "$err" "bad migration file name .*951_short\.sql" "bad file name: named"
rm "$S6/951_short.sql"
echo "SELECT 1;" >"$S6/0951_bad name.sql"
mig -d "$S6" -c "$DB5"
expect_eq "$rc" 2 "name with a space: exit 2"
expect_eq "$(q "$DB5" "SELECT count(*) FROM schema_migrations WHERE version >= 951")" 0 \
    "bad names: nothing applied"

# An SQLDIR whose path has a space and a quote.
S7="$T/sql dir's \\ x"
sqlcopy "$S7"
echo "CREATE TABLE odd_path_t (id integer);" >"$S7/0960_odd.sql"
mig -d "$S7" -c "$DB5"
expect_eq "$rc" 0 "SQLDIR with a space, a quote and a backslash"
expect_eq "$(q "$DB5" "SELECT to_regclass('odd_path_t') IS NOT NULL")" t \
    "SQLDIR with odd characters: applied"

# --- 6. connection strings --------------------------------------------------
DB6=$(newdb m6)
spaced="host = '$PGDIR/run'   dbname=m6  user = m6 application_name='berth migrate test'"
mig -c "$spaced"
expect_eq "$rc" 0 "conninfo with spaces and quotes works"
expect_eq "$(q "$DB6" "SELECT count(*) FROM schema_migrations")" "$nfiles" \
    "conninfo with spaces: applied"
mig -c "postgresql://m6@/m6?host=$PGDIR/run" --check
expect_eq "$rc" 0 "a URI works"

DB7=$(newdb m7)
run env BERTH_DATABASE="$DB7" BERTH_CONF=/nonexistent "$MIGRATE" --check
expect_eq "$rc" 1 "BERTH_DATABASE is used (and wins over BERTH_CONF)"
expect_match "$err" "pending" "BERTH_DATABASE: --check reports pending"
cat >"$T/berth.conf" <<-EOF
	# a comment
	  # an indented comment, database = dbname=wrong

	service = registry
	database =   $DB7
	EOF
run env -u BERTH_DATABASE BERTH_CONF="$T/berth.conf" "$MIGRATE"
expect_eq "$rc" 0 "database from \$BERTH_CONF is used"
expect_eq "$(q "$DB7" "SELECT count(*) FROM schema_migrations")" "$nfiles" \
    "config file: applied"
run env -u BERTH_DATABASE BERTH_CONF="$T/missing.conf" "$MIGRATE" --check
expect_eq "$rc" 2 "a missing \$BERTH_CONF: exit 2"
expect_match "$err" "missing\.conf" "a missing \$BERTH_CONF: named"

mig -c "host=$T/nowhere dbname=berth user=berth password=sekrit-xyz"
expect_eq "$rc" 2 "unreachable server: exit 2"
expect_match "$err" "cannot connect to the database" "unreachable server: clear message"
expect_nomatch "$out$err" "sekrit-xyz" "unreachable server: the password is not printed"
mig -c "host=$PGDIR/run dbname=nosuchdb user=berth"
expect_eq "$rc" 2 "unknown database: exit 2"
expect_match "$err" "nosuchdb.*does not exist" "unknown database: psql says why"
mig -c "bogus_option=1" --status
expect_eq "$rc" 2 "malformed conninfo: exit 2"
expect_match "$err" "invalid connection option" "malformed conninfo: psql says why"
mig -c "$DB6" --frobnicate
expect_eq "$rc" 2 "unknown option: exit 2"
expect_match "$err" "usage" "unknown option: usage"
