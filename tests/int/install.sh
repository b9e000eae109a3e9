#!/bin/sh
# tests/int/install.sh: make install into a staging root lays out what
# an operator needs; the systemd units verify; the spawn-fcgi script
# serves a node as an unprivileged user.
. "$(dirname "$0")/../lib.sh"

S=$T/stage
make -s -C "$ROOT" BUILD="$BUILD" DESTDIR="$S" install >"$T/install.out" 2>&1
expect_eq "$?" 0 "make install DESTDIR=... succeeds"

for f in usr/lib/berth/berth-token usr/lib/berth/berth-health usr/sbin/berthctl \
    usr/sbin/berth-migrate usr/sbin/berth-spawn-fcgi; do
	check "$f is installed executable" test -x "$S/$f"
done
for f in usr/share/berth/sql/0001_init.sql usr/share/berth/nginx/berth-locations.conf \
    usr/share/berth/nginx/berth-site.conf usr/share/berth/apache/berth-locations.conf \
    usr/share/berth/apache/berth-site.conf usr/share/berth/registry/config.yml \
    usr/share/berth/berth.conf.sample usr/share/doc/berth/README.md \
    usr/lib/sysusers.d/berth.conf; do
	check "$f is installed" test -f "$S/$f"
done
expect_eq "$(ls "$S"/usr/share/berth/sql | wc -l)" "$(ls "$ROOT"/sql/*.sql | wc -l)" \
    "every migration is installed"
expect_eq "$(stat -c %a "$S/etc/berth/berth.conf")" 640 "berth.conf is installed mode 0640"
n=$(grep -c '^#[a-z_]* = ' "$S/etc/berth/berth.conf")
expect_eq "$n" "$(env -i BERTH_CONF=/dev/null "$BUILD/berthctl" config | grep -c '^[a-z_]* = ')" \
    "the installed berth.conf names every key with its default"
check "the installed berth.conf loads" env -i BERTH_CONF="$S/etc/berth/berth.conf" \
    "$S/usr/sbin/berthctl" config
echo "issuer = mine" >>"$S/etc/berth/berth.conf"
make -s -C "$ROOT" BUILD="$BUILD" DESTDIR="$S" install >/dev/null 2>&1
check "a second install keeps the operator's berth.conf" grep -q '^issuer = mine' "$S/etc/berth/berth.conf"

for p in token admin health; do
	u=$S/lib/systemd/system
	check "berth-$p.socket and berth-$p@.service are installed" \
	    test -f "$u/berth-$p.socket" -a -f "$u/berth-$p@.service"
	c=$(cat "$u/berth-$p@.service")
	for want in 'StandardInput=socket' 'User=berth' 'Restart=always' 'NoNewPrivileges=yes' \
	    'ProtectSystem=strict' "Sockets=berth-$p.socket" \
	    "ExecStart=/usr/lib/berth/berth-$p" 'Environment=BERTH_CONF=/etc/berth/berth.conf'; do
		expect_match "$c" "^$want\$" "berth-$p@.service has $want"
	done
done
if command -v systemd-analyze >/dev/null 2>&1; then
	# Verify copies whose ExecStart points into the staging root.
	mkdir -p "$T/units"
	for f in "$S"/lib/systemd/system/*; do
		sed "s|/usr/lib/berth/|$S/usr/lib/berth/|" "$f" >"$T/units/$(basename "$f")"
	done
	for p in token health; do
		out=$(cd "$T/units" && SYSTEMD_UNIT_PATH="$T/units:" systemd-analyze verify \
		    --man=no "berth-$p.socket" "berth-$p@1.service" 2>&1); rc=$?
		expect_eq "$rc:$out" "0:" "systemd-analyze verifies berth-$p's socket and service"
	done
else
	echo "# systemd-analyze not installed: units not verified"
fi

# The spawn-fcgi alternative, workers as an unprivileged user.
berth_db pg || exit 1
chown nobody "$BERTH_SECRET_FILE"
cat >"$T/berth.conf" <<-CONF
database = $DATABASE
secret_file = $BERTH_SECRET_FILE
CONF
chmod 644 "$T/berth.conf"
unset BERTH_DATABASE BERTH_SECRET_FILE
export BERTH_CONF="$T/berth.conf" BERTH_RUN="$T/run" BERTH_USER=nobody \
    BERTH_WEB_GROUP=nogroup BERTH_LOG="$T/log" BERTH_WORKERS=1
sed "s|/usr/lib/berth|$S/usr/lib/berth|" "$S/usr/sbin/berth-spawn-fcgi" >"$T/spawn"
at_exit "sh '$T/spawn' stop"
sh "$T/spawn" start >"$T/spawn.out" 2>&1
expect_eq "$?" 0 "berth-spawn-fcgi start"
check "it creates the health socket" wait_for 5 test -S "$T/run/health.sock"
r=$("$BUILD/tests/fcgi-req" "$T/run/health.sock" GET /health)
expect_eq "$(http_status "$r")" 200 "the installed health program answers healthy"
sup=$(head -n 1 "$T/run/health.pid")
pid=$(workers "$T/run/health.pid")
check "one supervisor with BERTH_WORKERS=1 worker ($pid)" test "$pid" != "$sup" -a "$(echo $pid | wc -w)" = 1
expect_eq "$(ps -o user= -p "$pid" | tr -d ' ')" nobody "its worker runs as the unprivileged user"
expect_eq "$(ps -o user= -p "$sup" | tr -d ' ')" nobody "so does the supervisor"
# With root's HOME, libpq fails every sslmode=require connection (it
# cannot look into /root/.postgresql).
expect_eq "$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^HOME=//p')" \
    "$(getent passwd nobody | cut -d: -f6)" "with that user's HOME"
expect_eq "$(stat -c %a "$T/run/health.sock")" 660 "its socket is mode 0660"
sh "$T/spawn" stop
check "berth-spawn-fcgi stop stops it" wait_for 5 sh -c "! kill -0 $pid 2>/dev/null && ! kill -0 $sup 2>/dev/null"
