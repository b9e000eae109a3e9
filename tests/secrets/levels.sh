#!/bin/sh
# tests/secrets/levels.sh: which error-log levels of nginx and Apache
# write request headers, Authorization included, whatever berth does.
# Run by tests/run in the secrets gate (make sanitize), which keeps nginx
# and Apache at the most verbose level found safe here: notice.  The logs
# of this test are meant to leak and are not kept.
#
# One node (deploy/node), then nginx with deploy/nginx's locations and
# Apache with deploy/apache's (mod_proxy_fcgi, CGIPassAuth) in front of
# its sockets, at one level after another, each sent a request with the
# admin's credentials and one whose Authorization header is over the
# size limit (16 KiB) and starts with other credentials.  Checked on
# Debian 12 (nginx 1.22 built --with-debug, Apache 2.4):
#   nginx   debug        every request's Authorization header
#           info         the first part of an oversized header line
#           notice       nothing
#   Apache  trace4-8     every request's headers (trace8: the FastCGI
#                        parameters, HTTP_AUTHORIZATION too)
#           debug-trace3 the first part of an oversized header line
#           info         the name of an oversized header, not its value
#           notice       nothing
# Should a new nginx or Apache change this, the test says so: README.md's
# advice on log levels must then be checked again.
unset BERTH_KEEP_LOGS
. "$(dirname "$0")/../lib.sh"

NODE=$ROOT/deploy/node
P=19381 NP=19382 AP=19383
unset BERTH_CONF BERTH_DATABASE BERTH_SECRET_FILE
N=$T/node
at_exit "BERTH_HOME='$N' '$NODE' stop"
BERTH_HOME=$N BERTH_PORT=$P BERTH_ADMIN_PASSWORD=$ADMIN_PW BUILD=$BUILD \
    "$NODE" start >"$T/node.out" 2>&1 || { cat "$T/node.out" >&2; exit 1; }
# The node runs the programs of $BUILD (build-san under make sanitize).
for p in token admin health; do
	expect_eq "$(readlink "/proc/$(head -n 1 "$N/run/$p.pid")/exe")" "$BUILD/berth-$p" \
	    "the node's $p worker runs $BUILD/berth-$p"
done

C1=$(printf 'admin:%s' "$ADMIN_PW" | base64 -w0)	# a request's own
C2=$(printf 'admin:%s' "Oversized-Pw-1" | base64 -w0)	# an oversized header's
PAD=$(head -c 20000 /dev/zero | tr '\0' ' ')
# requests BASE: one ordinary request, one oversized header; the first
# must succeed, or the server did not serve berth at all.
requests() {
	_st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
	    -H "Authorization: Basic $C1" "$1/api/v2.0/users/current")
	curl -s -o /dev/null --max-time 10 -H "Authorization: Basic $C2$PAD" \
	    "$1/api/v2.0/users/current"
	[ "$_st" = 200 ]
}
# leaks LOG: into $T/leaks, which of the two credentials, and whether the
# header's name, LOG holds: "request", "oversized", "name" or "-".
leaks() {
	_l=""
	grep -qF -- "$C1" "$1" && _l="$_l request"
	grep -qF -- "$C2" "$1" && _l="$_l oversized"
	grep -qi 'authorization' "$1" && _l="$_l name"
	echo "${_l# }" | sed 's/^$/-/' >"$T/leaks"
}
got() { cat "$T/leaks"; }

user=""
[ "$(id -u)" = 0 ] && user="user www-data;"
# nginx_at LEVEL: nginx at LEVEL in front of the node, then leaks.
nginx_at() {
	_d=$T/nginx-$1
	mkdir -p "$_d"
	cat >"$_d/nginx.conf" <<-EOT
	$user
	worker_processes 1;
	daemon off;
	pid $_d/nginx.pid;
	error_log $_d/error.log $1;
	events { worker_connections 64; }
	http {
		access_log $_d/access.log;
		client_body_temp_path $_d/client_body;
		fastcgi_temp_path $_d/fastcgi;
		proxy_temp_path $_d/proxy;
		uwsgi_temp_path $_d/uwsgi;
		scgi_temp_path $_d/scgi;
		upstream berth_token { server unix:$N/run/token.sock; }
		upstream berth_admin { server unix:$N/run/admin.sock; }
		upstream berth_health { server unix:$N/run/health.sock; }
		server {
			listen 127.0.0.1:$NP;
			include $ROOT/deploy/nginx/berth-locations.conf;
		}
	}
	EOT
	nginx -c "$_d/nginx.conf" -p "$_d" -e "$_d/error.log" >>"$_d/error.log" 2>&1 &
	_m=$!
	at_exit "kill $_m 2>/dev/null"
	wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$NP/health/live" &&
	    requests "http://127.0.0.1:$NP" || echo "# nginx at $1 did not serve berth"
	kill "$_m"; wait "$_m"
	leaks "$_d/error.log"
}
nginx_at debug
expect_eq "$(got)" "request oversized name" \
    "nginx at debug writes every request's Authorization header to its error log"
nginx_at info
expect_eq "$(got)" "oversized name" \
    "nginx at info writes the first part of an oversized header line, credentials included"
nginx_at notice
expect_eq "$(got)" "-" "nginx at notice writes no header"

auser=""
[ "$(id -u)" = 0 ] && auser='User www-data\nGroup www-data'
# apache_at LEVEL: Apache at LogLevel LEVEL in front of the node, then leaks.
apache_at() {
	_d=$T/apache-$1
	mkdir -p "$_d"
	sed -e "s|@DIR@|$_d|g" -e "s|@LOG@|$_d|g" -e "s|@RUN@|$N/run|g" \
	    -e "s|@PORT@|$AP|g" -e "s|@ROOT@|$ROOT|g" -e "s|@USER@|$auser|" \
	    -e "s|@LOGLEVEL@|$1|" "$ROOT/deploy/apache/node.conf.in" >"$_d/httpd.conf"
	# Not started, it would log nothing: "notice writes no header" must
	# not pass for that.
	/usr/sbin/apache2 -f "$_d/httpd.conf" -k start 2>>"$_d/ctl.out" ||
	    { nok "Apache at $1 starts"; sed 's/^/#   /' "$_d/ctl.out"; return; }
	at_exit "/usr/sbin/apache2 -f '$_d/httpd.conf' -k stop"
	wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$AP/health/live" &&
	    requests "http://127.0.0.1:$AP" || echo "# Apache at $1 did not serve berth"
	/usr/sbin/apache2 -f "$_d/httpd.conf" -k stop 2>>"$_d/ctl.out"
	wait_for 10 sh -c "! test -e '$_d/apache.pid'"
	leaks "$_d/apache-error.log"
}
apache_at trace8
expect_eq "$(got)" "request oversized name" "Apache at trace8 writes every request's headers"
check "and the FastCGI parameters, HTTP_AUTHORIZATION among them" \
    grep -q "sending env var 'HTTP_AUTHORIZATION'" "$T/apache-trace8/apache-error.log"
apache_at trace4
expect_eq "$(got)" "request oversized name" \
    "Apache at trace4 writes every request's headers, Authorization included"
apache_at trace3
expect_eq "$(got)" "oversized name" \
    "Apache at trace3 writes the first part of an oversized header line, credentials included"
apache_at debug
expect_eq "$(got)" "oversized name" "so does Apache at debug"
apache_at info
expect_eq "$(got)" "name" \
    "Apache at info names an oversized Authorization header, without its value"
apache_at notice
expect_eq "$(got)" "-" "Apache at notice writes no header"
