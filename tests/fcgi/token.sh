#!/bin/sh
# tests/fcgi/token.sh: berth-token over its FastCGI socket: every grant,
# the authorization table through real tokens, the CHECKLIST token cases
# (1-17), refresh tokens, lockout, the credentials cache, a database
# outage, certs.pem and jwks.json.
. "$(dirname "$0")/../lib.sh"

export BERTH_LOCKOUT_THRESHOLD=3 BERTH_LOCKOUT_SECONDS=2
berth_db pg || { echo "# could not set up the database" >&2; exit 1; }
spawn token 2 || { echo "# spawn-fcgi failed" >&2; exit 1; }
wait_for 10 test -S "$T/token.sock"

PW=Passw0rd-1
mkuser alice "$PW"		# developer of team, guest of other
mkuser gus "$PW"		# guest of team
mkuser mia "$PW"		# maintainer of team
mkuser pam "$PW"		# projectAdmin of team
mkuser lim "$PW"		# limitedGuest of team
mkuser nobody "$PW"		# member of nothing
mkuser root2 "$PW" sysadmin
mkuser dis "$PW"
mkuser old "$PW"
mkproject team private
mkproject other private
mkproject pub public
mkmember team alice 2
mkmember team gus 3
mkmember team mia 4
mkmember team pam 1
mkmember team lim 5
mkmember other alice 3
mkmember team dis 2
sql "UPDATE users SET disabled = true WHERE username = 'dis'" >/dev/null
mkrobot team ci robotsecret-0123456789 pull push
mkrobot '' sys sysrobotsecret-0123456789 pull
# An imported bcrypt hash ("Passw0rd-1", cost 5) to be upgraded on login.
sql "UPDATE users SET password_hash = '$(printf '%s' "$PW" | htpasswd -niBC 5 x 2>/dev/null | cut -d: -f2)' WHERE username = 'old'" >/dev/null 2>&1

b64() { printf '%s' "$1" | base64 -w0; }
auth() { printf 'Authorization: Basic %s' "$(b64 "$1:$2")"; }
# tok QUERY [fcgi-req options]: GET /service/token?QUERY
tok() { _q=$1; shift; fcgi token GET "/service/token?$_q" "$@"; }
# post BODY [options]
post() { _b=$1; shift; fcgi token POST /service/token \
    -H 'Content-Type: application/x-www-form-urlencoded' -d "$_b" "$@"; }
# actions OUTPUT: the access claim of the token in a response, compact.
access() { jwt_part "$(jqr "$(http_body "$1")" .token)" 2 | jq -c '.access' 2>/dev/null; }
S=service=registry

# --- the happy paths ---------------------------------------------------------
r=$(tok "$S&scope=repository:team/app:pull,push" -H "$(auth alice "$PW")")
expect_eq "$(http_status "$r")" 200 "a developer gets a token"
b=$(http_body "$r")
t=$(jqr "$b" .token)
expect_eq "$(jqr "$b" .access_token)" "$t" "access_token is the token"
expect_eq "$(jqr "$b" .expires_in)" 300 "expires_in is the ttl"
expect_match "$(jqr "$b" .issued_at)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
    "issued_at is RFC 3339"
expect_eq "$(jqr "$b" .refresh_token)" null "no refresh token unless asked"
h=$(jwt_part "$t" 1); c=$(jwt_part "$t" 2)
expect_eq "$(jqr "$h" .alg)" ES256 "header alg ES256"
expect_eq "$(jqr "$h" .typ)" JWT "header typ JWT"
kid=$(sql "SELECT kid FROM signing_keys WHERE state = 'active'")
expect_eq "$(jqr "$h" .kid)" "$kid" "header kid is the active key's libtrust id"
expect_eq "$(jqr "$h" '.x5c | length')" 1 "header x5c holds the certificate"
expect_eq "$(jqr "$c" .iss)" berth "iss"
expect_eq "$(jqr "$c" .sub)" alice "sub"
expect_eq "$(jqr "$c" '.aud | type')" string "aud is a string"
expect_eq "$(jqr "$c" .aud)" registry "aud is the service"
expect_eq "$(jqr "$c" '[.exp, .nbf, .iat] | map(type) | unique | .[0]')" number "times are numbers"
expect_eq "$(jqr "$c" '[.exp, .nbf, .iat] | map(floor == .) | all')" true "and integers"
expect_eq "$(jqr "$c" '.exp - .iat')" 300 "exp is iat + ttl"
check "nbf lies a little in the past" test "$(jqr "$c" '.iat - .nbf')" -gt 0
expect_match "$(jqr "$c" .jti)" '^[0-9a-f]{32}$' "jti is 128 random bits"
expect_eq "$(access "$r")" '[{"type":"repository","name":"team/app","actions":["pull","push"]}]' \
    "a developer gets pull and push"
sig=$(printf '%s' "$t" | cut -d. -f3 | tr '_-' '/+')
case $(( ${#sig} % 4 )) in 2) sig="$sig==" ;; 3) sig="$sig=" ;; esac
expect_eq "$(printf '%s' "$sig" | base64 -d | wc -c)" 64 "the ES256 signature is raw r||s, 64 bytes"

# The signature verifies with the published certificate (openssl, independently).
r=$(fcgi token GET /service/certs.pem)
expect_eq "$(http_status "$r")" 200 "certs.pem is served"
http_body "$r" >"$T/certs.pem"
expect_eq "$(grep -c 'BEGIN CERTIFICATE' "$T/certs.pem")" 1 "with the one certificate"
openssl x509 -in "$T/certs.pem" -pubkey -noout >"$T/pub.pem"
printf '%s' "$t" | cut -d. -f1,2 | tr -d '\n' >"$T/signed"
printf '%s' "$sig" | base64 -d >"$T/rs"
# r||s to DER for openssl dgst: SEQUENCE { INTEGER r, INTEGER s }.
der_int() { _x=$(printf '%s' "$1" | sed 's/^\(00\)*//'); [ -z "$_x" ] && _x=00
	case $_x in [89a-f]*) _x="00$_x" ;; esac
	printf '02%02x%s' $(( ${#_x} / 2 )) "$_x"; }
rh=$(head -c 32 "$T/rs" | od -An -tx1 | tr -d ' \n'); sh_=$(tail -c 32 "$T/rs" | od -An -tx1 | tr -d ' \n')
body=$(der_int "$rh")$(der_int "$sh_")
printf '30%02x%s' $(( ${#body} / 2 )) "$body" | xxd -r -p >"$T/sig.der"
check "openssl verifies the token with the certificate from certs.pem" \
    openssl dgst -sha256 -verify "$T/pub.pem" -signature "$T/sig.der" "$T/signed"
r=$(fcgi token GET /service/jwks.json)
expect_eq "$(http_status "$r")" 200 "jwks.json is served"
expect_eq "$(jqr "$(http_body "$r")" '.keys[0].kid')" "$kid" "with the key's kid"
expect_eq "$(jqr "$(http_body "$r")" '.keys[0].kty + "/" + .keys[0].crv')" EC/P-256 "an EC P-256 JWK"

# --- the authorization table through real tokens ------------------------------
want() {	# want USER SCOPE EXPECTED-ACTIONS DESC
	if [ "$1" = - ]; then r=$(tok "$S&scope=$2"); else
		r=$(tok "$S&scope=$2" -H "$(auth "$1" "$PW")"); fi
	expect_eq "$(http_status "$r")/$(access "$r" | jq -c '.[0].actions' 2>/dev/null)" "200/$3" "$4"
}
A=repository:team/app
want alice "$A:pull,push,delete" '["pull","push"]' "developer: pull, push; no delete"
want mia "$A:pull,push,delete" '["pull","push","delete"]' "maintainer: pull, push, delete"
want pam "$A:pull,push,delete" '["pull","push","delete"]' "projectAdmin: pull, push, delete"
want pam "$A:*" '["*"]' "projectAdmin holds all: * granted"
want alice "$A:*" '[]' "developer asking *: not granted"
want gus "$A:pull,push" '["pull"]' "guest: pull only"
want lim "$A:pull,push" '["pull"]' "limitedGuest: pull only"
want nobody "$A:pull" '[]' "a non-member gets nothing on a private project"
want - "$A:pull" '[]' "anonymous gets nothing on a private project"
want - "repository:pub/app:pull,push" '["pull"]' "anonymous pulls a public project"
want nobody "repository:pub/app:pull,push" '["pull"]' "a non-member pulls a public project"
want alice "repository:other/app:pull,push" '["pull"]' "roles are per project"
want alice "repository:ghost/app:pull" '[]' "a project that does not exist: nothing"
want alice "repository:alpine:pull" '[]' "a one-component name: system admins only"
want root2 "repository:alpine:pull,push" '["pull","push"]' "a system admin may use it"
want root2 "$A:*" '["*"]' "a system admin holds everything"
want root2 "registry:catalog:*" '["*"]' "registry:catalog:* for a system admin"
want alice "registry:catalog:*" '[]' "and not for others"
want - "registry:catalog:*" '[]' "nor anonymous"
want alice "repository(plugin):team/app:pull" '["pull"]' "a class is ignored (CHECKLIST 12)"
want alice "image:team/app:pull" '[]' "an unknown type gets nothing"
want alice "$A:pull,admin" '["pull"]' "an unknown action is dropped"
want alice "$A:" '[]' "an empty action list is empty, never all (CHECKLIST 10)"
r=$(tok "$S&scope=$A:pull&scope=repository:team/db:push+repository:pub/x:pull" -H "$(auth gus "$PW")")
expect_eq "$(access "$r")" '[{"type":"repository","name":"team/app","actions":["pull"]},{"type":"repository","name":"team/db","actions":[]},{"type":"repository","name":"pub/x","actions":["pull"]}]' \
    "several scope parameters and space lists, each answered on its own"
r=$(tok "$S&scope=repository:localhost:5000/team/app:pull,push" -H "$(auth alice "$PW")")
expect_eq "$(access "$r" | jq -r '.[0].name')" localhost:5000/team/app \
    "a name holding host:port is kept whole (CHECKLIST 8)"
for n in 'team/../team/app' 'team/./app' 'team//app' '/team/app' 'team/app/' \
    'team/%2e%2e/app' 'team/%252e%252e' 'Team/app' 'team/a%20b' "team/a'b" 'team/a%5cb' 'team/a%01b'; do
	r=$(tok "$S&scope=repository:$n:pull" -H "$(auth alice "$PW")")
	got=$(access "$r" | jq -c '.[0].actions' 2>/dev/null)
	check "name '$n' is denied, never normalized (CHECKLIST 9)" \
	    sh -c "[ '$(http_status "$r")' = 400 ] || [ '$got' = '[]' ]"
done
long=$(head -c 300 /dev/zero | tr '\0' a)
r=$(tok "$S&scope=repository:team/$long:pull" -H "$(auth alice "$PW")")
check "a name over 255 bytes is denied" sh -c "[ '$(http_status "$r")' = 400 ] || [ '$(access "$r" | jq -c '.[0].actions')' = '[]' ]"

# Robots: exactly their permissions.
r=$(tok "$S&scope=$A:pull,push,delete" -H "$(auth 'robot$team+ci' robotsecret-0123456789)")
expect_eq "$(access "$r" | jq -c '.[0].actions')" '["pull","push"]' "a project robot gets its permissions"
expect_eq "$(jqr "$(jwt_part "$(jqr "$(http_body "$r")" .token)" 2)" .sub)" 'robot$team+ci' "with its name as sub"
r=$(tok "$S&scope=repository:other/app:pull" -H "$(auth 'robot$team+ci' robotsecret-0123456789)")
expect_eq "$(access "$r" | jq -c '.[0].actions')" '[]' "and nothing in another project"
r=$(tok "$S&scope=repository:other/app:pull,push" -H "$(auth 'robot$sys' sysrobotsecret-0123456789)")
expect_eq "$(access "$r" | jq -c '.[0].actions')" '["pull"]' "a system robot with * pulls every project"
r=$(tok "$S&scope=$A:pull" -H "$(auth 'robot$team+ci' wrong-secret)")
expect_eq "$(http_status "$r")" 401 "a robot with a wrong secret: 401"
sql "UPDATE robots SET expires_at = now() - interval '1 second' WHERE name = 'ci'" >/dev/null
r=$(tok "$S&scope=$A:pull" -H "$(auth 'robot$team+ci' robotsecret-0123456789)")
expect_eq "$(http_status "$r")" 401 "an expired robot: 401 from the next request"
sql "UPDATE robots SET expires_at = NULL, disabled = true WHERE name = 'ci'" >/dev/null
r=$(tok "$S&scope=$A:pull" -H "$(auth 'robot$team+ci' robotsecret-0123456789)")
expect_eq "$(http_status "$r")" 401 "a disabled robot: 401"

# --- credentials and their refusals ------------------------------------------
r=$(tok "$S")
expect_eq "$(http_status "$r")" 200 "no credentials, no scope: an anonymous token (CHECKLIST 1)"
expect_eq "$(access "$r")" '[]' "with empty access"
r=$(tok "$S&scope=$A:pull" -H "$(auth alice wrong-password)")
expect_eq "$(http_status "$r")" 401 "a wrong password is 401 even with scopes"
expect_match "$(http_header "$r" WWW-Authenticate)" '^Basic realm=' "with WWW-Authenticate"
expect_eq "$(jqr "$(http_body "$r")" .errors[0].code)" UNAUTHORIZED "and a JSON error"
for h in 'Basic !!!' "Basic $(b64 nocolon)" "Basic $(b64 :pw)" "Basic $(b64 user:)" \
    'Bearer eyJhbGciOiJFUzI1NiJ9.e30.sig' 'Digest x'; do
	r=$(tok "$S&scope=$A:pull" -H "Authorization: $h")
	expect_eq "$(http_status "$r")" 401 "Authorization '$(printf '%s' "$h" | cut -c1-20)' is 401 (CHECKLIST 2, 5)"
done
r=$(tok "$S&scope=$A:pull" -H "Authorization: basic $(b64 "alice:$PW")")
expect_eq "$(http_status "$r")" 200 "scheme 'basic' is accepted (CHECKLIST 5)"
r=$(tok "$S&scope=$A:pull" -H "Authorization: BASIC $(b64 "alice:$PW")")
expect_eq "$(http_status "$r")" 200 "scheme 'BASIC' is accepted"
mkuser colon 'pa:ss:W0rd'
r=$(tok "$S&scope=$A:pull" -H "$(auth colon 'pa:ss:W0rd')")
expect_eq "$(http_status "$r")" 200 "a password holding ':' splits at the first colon (CHECKLIST 3)"
head -c 65536 /dev/zero | tr '\0' A >"$T/big"
r=$(tok "$S" -F "HTTP_AUTHORIZATION=$T/big")
expect_eq "$(http_status "$r")" 401 "a 64 KiB Authorization header is refused (CHECKLIST 4)"
r=$(tok "$S&scope=$A:pull" -H "$(auth dis "$PW")")
expect_eq "$(http_status "$r")" 401 "a disabled user gets 401"

# --- service and query (CHECKLIST 6, 7, 11, 16) --------------------------------
r=$(tok "scope=$A:pull")
expect_eq "$(http_status "$r")" 400 "service missing: 400"
r=$(tok "service=other&scope=$A:pull")
expect_eq "$(http_status "$r")" 400 "an unknown service: 400"
r=$(tok "service=registry&service=evil")
expect_eq "$(http_status "$r")" 400 "service twice with different values: 400"
r=$(tok "service=registry&service=registry")
expect_eq "$(http_status "$r")" 200 "service twice with the same value is the same request"
for sc in repository repository:foo ':team/app:pull' 'repository::pull'; do
	r=$(tok "$S&scope=$sc")
	expect_eq "$(http_status "$r")" 400 "scope '$sc' is 400 (CHECKLIST 7)"
	expect_eq "$(jqr "$(http_body "$r")" .error)" invalid_request "as invalid_request"
done
q="$S"; i=0; while [ $i -lt 40 ]; do q="$q&scope=repository:team/r$i:pull"; i=$((i + 1)); done
r=$(tok "$q" -H "$(auth alice "$PW")")
expect_eq "$(http_status "$r")" 400 "40 scopes are past the cap of 32 (CHECKLIST 11)"
{ printf '%s' "$S"; i=0; while [ $i -lt 10000 ]; do printf '&scope=repository:team/a:pull'; i=$((i + 1)); done; } >"$T/q"
r=$(fcgi token GET /service/token -F "QUERY_STRING=$T/q")
expect_eq "$(http_status "$r")" 400 "10,000 scope parameters: 400"
head -c 1048576 /dev/zero | tr '\0' a | sed 's/^/service=registry\&x=/' >"$T/q"
r=$(fcgi token GET /service/token -F "QUERY_STRING=$T/q")
expect_eq "$(http_status "$r")" 400 "a 1 MiB query string: 400"
r=$(tok "$S&scope=repository:team/a%zz:pull")
expect_eq "$(http_status "$r")" 400 "bad percent-encoding: 400 (CHECKLIST 16)"
r=$(tok "$S&scope=repository:team/a:pull%")
expect_eq "$(http_status "$r")" 400 "a trailing %: 400"

# --- methods and bodies (CHECKLIST 13, 15, 17) --------------------------------
for m in PUT DELETE PATCH HEAD OPTIONS; do
	r=$(fcgi token $m "/service/token?$S")
	expect_eq "$(http_status "$r")" 405 "$m /service/token is 405"
done
expect_eq "$(http_header "$r" Allow)" "GET, POST" "with Allow: GET, POST"
r=$(post "grant_type=password&grant_type=password&username=alice&password=$PW&client_id=t&$S")
expect_eq "$(http_status "$r")/$(jqr "$(http_body "$r")" .error)" 400/invalid_request "a repeated grant_type: invalid_request"
r=$(post "grant_type=client_credentials&client_id=t&$S")
expect_eq "$(http_status "$r")/$(jqr "$(http_body "$r")" .error)" 400/unsupported_grant_type "an unknown grant_type: unsupported_grant_type"
r=$(fcgi token POST /service/token -H 'Content-Type: application/json' -d '{"grant_type":"password"}')
expect_eq "$(http_status "$r")" 400 "a JSON body: 400"
r=$(fcgi token POST /service/token -H 'Content-Type: multipart/form-data; boundary=x' -d '--x--')
expect_eq "$(http_status "$r")" 400 "a multipart body: 400"
for cl in -1 abc 99999999999999999999999 ' 5'; do
	r=$(post "grant_type=password" -p "CONTENT_LENGTH=$cl")
	expect_match "$(http_status "$r")" '^(400|413)$' "CONTENT_LENGTH '$cl' is refused (CHECKLIST 15)"
done
r=$(post "grant_type=password&username=alice" -p CONTENT_LENGTH=500)
expect_eq "$(http_status "$r")" 400 "a body shorter than its CONTENT_LENGTH: 400"
r=$(post "grant_type=password" -p CONTENT_LENGTH=10000000)
expect_eq "$(http_status "$r")" 413 "a body over the cap: 413 before it is read"

# --- the password grant and refresh tokens ----------------------------------
r=$(post "grant_type=password&username=alice&password=$PW&client_id=containerd&$S&scope=$A:pull%20repository:pub/x:pull")
expect_eq "$(http_status "$r")" 200 "POST grant_type=password"
b=$(http_body "$r")
check "answers access_token" test -n "$(jqr "$b" .access_token | grep -v null)"
expect_eq "$(jqr "$b" .scope)" "repository:team/app:pull repository:pub/x:pull" "and the granted scope"
expect_eq "$(jqr "$b" .refresh_token)" null "no refresh token without access_type=offline"
r=$(post "grant_type=password&username=alice&password=nope&client_id=containerd&$S")
expect_eq "$(http_status "$r")" 401 "POST with a wrong password: 401"
r=$(post "grant_type=password&username=alice&password=$PW&$S")
expect_eq "$(http_status "$r")" 400 "POST without client_id: 400"

r=$(tok "$S&scope=$A:pull&offline_token=true&client_id=docker" -H "$(auth alice "$PW")")
rt=$(jqr "$(http_body "$r")" .refresh_token)
expect_match "$rt" '^[A-Za-z0-9_-]{43}$' "offline_token=true returns a 256-bit refresh token"
# The token is hashed here, not by PostgreSQL: the secrets gate searches
# the statement log, so the test never sends a secret in its SQL.
expect_eq "$(sql "SELECT count(*) FROM sessions WHERE token_sha256 = decode('$(sha256_hex "$rt")', 'hex')")" 1 \
    "stored as its SHA-256"
expect_eq "$(sql "SELECT s::text FROM sessions s" | grep -cF -- "$rt")" 0 \
    "and never in clear, in any column (CHECKLIST 39)"
r=$(tok "$S&offline_token=true&client_id=docker")
expect_eq "$(jqr "$(http_body "$r")" .refresh_token)" null "anonymous gets no refresh token"
r=$(post "grant_type=refresh_token&refresh_token=$rt&client_id=docker&$S&scope=$A:pull,push")
expect_eq "$(http_status "$r")" 200 "POST grant_type=refresh_token"
expect_eq "$(jqr "$(jwt_part "$(jqr "$(http_body "$r")" .access_token)" 2)" .sub)" alice "for the token's user"
expect_eq "$(jqr "$(http_body "$r")" .scope)" "repository:team/app:pull,push" "with the user's current rights"
expect_eq "$(jqr "$(http_body "$r")" .refresh_token)" null "the refresh token is not rotated"
r=$(post "grant_type=refresh_token&refresh_token=$rt&client_id=docker&$S")
expect_eq "$(http_status "$r")" 200 "it works again (Docker cannot store a new one)"
r=$(post "grant_type=refresh_token&refresh_token=AAAA$rt&client_id=docker&$S")
expect_eq "$(http_status "$r")/$(jqr "$(http_body "$r")" .error)" 400/invalid_grant "an unknown refresh token: invalid_grant"
r=$(post "grant_type=password&username=alice&password=$PW&client_id=c&access_type=offline&$S")
rt2=$(jqr "$(http_body "$r")" .refresh_token)
expect_match "$rt2" '^[A-Za-z0-9_-]{43}$' "grant_type=password with access_type=offline returns one"
sql "UPDATE sessions SET service = 'other' WHERE token_sha256 = decode('$(sha256_hex "$rt2")', 'hex')" >/dev/null
r=$(post "grant_type=refresh_token&refresh_token=$rt2&client_id=c&$S")
expect_eq "$(http_status "$r")/$(jqr "$(http_body "$r")" .error)" 400/invalid_grant \
    "a refresh token of service A used with service B: invalid_grant (CHECKLIST 14)"
sql "UPDATE sessions SET revoked_at = now() WHERE token_sha256 = decode('$(sha256_hex "$rt")', 'hex')" >/dev/null
r=$(post "grant_type=refresh_token&refresh_token=$rt&client_id=docker&$S")
expect_eq "$(http_status "$r")" 400 "a revoked refresh token: invalid_grant from the next request"
r=$(tok "$S&offline_token=true&client_id=docker" -H "$(auth gus "$PW")")
rt3=$(jqr "$(http_body "$r")" .refresh_token)
sql "UPDATE users SET password_changed_at = now() WHERE username = 'gus'" >/dev/null
r=$(post "grant_type=refresh_token&refresh_token=$rt3&client_id=docker&$S")
expect_eq "$(http_status "$r")" 400 "a password change revokes the refresh tokens"
r=$(tok "$S&offline_token=true&client_id=docker" -H "$(auth mia "$PW")")
rt4=$(jqr "$(http_body "$r")" .refresh_token)
sql "UPDATE users SET disabled = true WHERE username = 'mia'" >/dev/null
r=$(post "grant_type=refresh_token&refresh_token=$rt4&client_id=docker&$S")
expect_eq "$(http_status "$r")" 400 "disabling a user revokes the refresh tokens"
r=$(tok "$S" -H "$(auth mia "$PW")")
expect_eq "$(http_status "$r")" 401 "and the next login is 401, credentials cache or not"

# --- a changed password takes effect at once, despite the cache ------------
r=$(tok "$S" -H "$(auth pam "$PW")")
expect_eq "$(http_status "$r")" 200 "pam logs in (now cached)"
h=$(printf 'N3w-Password\n' | "$BUILD/berthctl" hash)
sql "UPDATE users SET password_hash = '$h' WHERE username = 'pam'" >/dev/null
i=0; n401=0
while [ $i -lt 6 ]; do
	[ "$(http_status "$(tok "$S" -H "$(auth pam "$PW")")")" = 401 ] && n401=$((n401 + 1)); i=$((i + 1))
done
expect_eq "$n401" 6 "the old password fails on every worker right after the change"
sql "DELETE FROM login_failures WHERE username = 'pam'" >/dev/null	# those 6 locked it
expect_eq "$(http_status "$(tok "$S" -H "$(auth pam N3w-Password)")")" 200 "the new one works"

# --- imported hashes are upgraded -------------------------------------------
if sql "SELECT password_hash FROM users WHERE username = 'old'" | grep -q '^\$2'; then
	r=$(tok "$S" -H "$(auth old "$PW")")
	expect_eq "$(http_status "$r")" 200 "a bcrypt (htpasswd) hash verifies"
	expect_match "$(sql "SELECT password_hash FROM users WHERE username = 'old'")" '^\$y\$' \
	    "and is upgraded to yescrypt at login"
	expect_eq "$(http_status "$(tok "$S" -H "$(auth old "$PW")")")" 200 "the upgraded hash verifies"
fi

# --- lockout, shared through the database ------------------------------------
for i in 1 2 3; do tok "$S" -H "$(auth nobody bad-$i)" >/dev/null; done
expect_eq "$(sql "SELECT failures FROM login_failures WHERE username = 'nobody'")" 3 \
    "failed logins are counted in the database"
r=$(tok "$S" -H "$(auth nobody "$PW")")
expect_eq "$(http_status "$r")" 401 "past the threshold the right password is refused too"
expect_eq "$(jqr "$(http_body "$r")" .error_description)" "invalid username or password" \
    "with the same answer as a wrong password"
sleep 2.2
r=$(tok "$S" -H "$(auth nobody "$PW")")
expect_eq "$(http_status "$r")" 200 "after the lockout the right password works"
expect_eq "$(sql "SELECT count(*) FROM login_failures WHERE username = 'nobody'")" 0 \
    "and the count is cleared"
tok "$S" -H "$(auth no-such-user bad)" >/dev/null
expect_eq "$(sql "SELECT count(*) FROM login_failures WHERE username = 'no-such-user'")" 0 \
    "unknown names fill no table"

# --- the database goes away -------------------------------------------------
"$ROOT/deploy/pg" stop "$PGDIR"
r=$(tok "$S&scope=$A:pull" -H "$(auth alice "$PW")")
expect_eq "$(http_status "$r")" 503 "database down: a login is 503, never 401 (CHECKLIST 31)"
r=$(tok "$S&scope=$A:pull" -H "$(auth alice wrong)")
expect_eq "$(http_status "$r")" 503 "even with a wrong password"
r=$(tok "$S&scope=pub/x:pull")
expect_match "$(http_status "$r")" '^(400|503)$' "anonymous: 503 (or 400 for its bad scope)"
r=$(tok "$S&scope=repository:pub/x:pull")
expect_eq "$(http_status "$r")" 503 "anonymous: 503"
expect_eq "$(http_header "$r" Retry-After)" 1 "with Retry-After"
"$ROOT/deploy/pg" start "$PGDIR"
expect_eq "$(sql "SELECT count(*) FROM login_failures WHERE username = 'alice'")" 0 \
    "no failed login was counted while it was down"
ok200() { [ "$(http_status "$(tok "$S&scope=$A:pull" -H "$(auth alice "$PW")")")" = 200 ]; }
check "tokens again within 5 s of its return" wait_for 5 ok200
check "every worker is still alive" alive token

for p in $(cat "$T/token.pid"); do kill -TERM "$p"; done
gone() { for p in $(cat "$T/token.pid"); do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
check "SIGTERM stops every worker" wait_for 5 gone
expect_nomatch "$(cat "$T/token.log")" "AddressSanitizer|LeakSanitizer|runtime error" \
    "no sanitizer report (meaningful under make sanitize)"
expect_nomatch "$(cat "$T/token.log")" "$PW|robotsecret|$rt|eyJ|BEGIN" \
    "no password, secret, refresh token or token in the log"
expect_match "$(cat "$T/token.log")" 'token issued sub="alice"' "issued tokens are logged"
expect_match "$(cat "$T/token.log")" 'login failed user="alice"' "failed logins are logged"
