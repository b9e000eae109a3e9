#!/bin/sh
# tests/e2e/registry.sh: berth in front of Debian's real docker-registry
# (2.8), driven by the real skopeo (1.9) and by curl the way the Docker CLI
# and containerd talk to a token endpoint.
#
# One node (deploy/node start), a registry whose realm is that node, and:
# login, push, inspect, list-tags, pull and delete per role; anonymous
# access to public and private projects; a cross-repository blob mount;
# the catalog; a robot account; the OAuth2 flows (offline_token, password
# and refresh_token grants) and skopeo with an identity token.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

P=18281			# berth (its web server, $BERTH_WEB)
RP=18290		# the registry
B=http://127.0.0.1:$P
REG=127.0.0.1:$RP
R=http://$REG
N=$T/node

# Passwords (each passes berth's password policy).
ADMIN_PW=Admin-Test-Pw1
DEV_PW=Dev-Test-Pw1		# dev: developer of proj
GUS_PW=Gus-Test-Pw1		# gus: guest of proj
MIA_PW=Mia-Test-Pw1		# mia: maintainer of proj
NOB_PW=Nob-Test-Pw1		# nob: member of nothing
ROBOT='robot$proj+ci'
ROBOT_PW=ci-robot-secret-0123456789

# --- the node, the data, the registry ------------------------------------------
at_exit "BERTH_HOME='$N' '$NODE' stop"
if ! node "$N" $P start BERTH_ADMIN_PASSWORD=$ADMIN_PW >"$T/node.out" 2>&1; then
	nok "the berth node starts"
	sed 's/^/#   /' "$T/node.out" | tail -n 20
	exit 1
fi
ok "the berth node starts"
use_node "$N" || { nok "the node's berth.conf names its database"; exit 1; }

if mkuser dev "$DEV_PW" && mkuser gus "$GUS_PW" && mkuser mia "$MIA_PW" &&
    mkuser nob "$NOB_PW" &&
    mkproject proj private && mkproject pub public && mkproject other private &&
    mkmember proj dev 2 && mkmember proj gus 3 && mkmember proj mia 4 &&
    mkmember other mia 1 &&
    mkrobot proj ci "$ROBOT_PW" pull push; then
	ok "users, projects, members and a robot are written to the database"
else
	nok "users, projects, members and a robot are written to the database"
	exit 1
fi

r=$(curl -sS -i --max-time 10 "$B/service/certs.pem")
expect_eq "$(http_status "$r")" 200 "GET /service/certs.pem is 200"
http_body "$r" >"$T/certs.pem"
check "certs.pem holds X.509 certificates" openssl x509 -in "$T/certs.pem" -noout
if ! registry_start reg $RP "$B/service/token" registry berth "$T/certs.pem"; then
	nok "the registry starts with berth's certificates"
	exit 1
fi
ok "the registry starts with berth's certificates"

r=$(curl -sS -i --max-time 10 "$R/v2/")
expect_eq "$(http_status "$r")" 401 "the registry asks for a token"
expect_eq "$(http_header "$r" WWW-Authenticate)" \
    "Bearer realm=\"$B/service/token\",service=\"registry\"" \
    "and names berth's realm and service"

oci_image "$T/img" v1 "hello one" && oci_image "$T/img" v2 "hello two" &&
    oci_image "$T/img" v3 "hello three"
check "OCI image layouts are built by hand" test -f "$T/img/v3.digest"
D1=$(cat "$T/img/v1.digest") D2=$(cat "$T/img/v2.digest")

# out: the output of the last skopeo command run by run.
run() { "$@" >"$T/out" 2>&1; }
out() { cat "$T/out"; }
# denied DESC CMD...: CMD fails, because access was refused.
denied() {
	_d=$1; shift
	if "$@" >"$T/out" 2>&1; then
		nok "$_d"; echo "#   the command succeeded"
	else
		expect_match "$(out)" 'unauthorized|denied|authentication required' "$_d"
	fi
}
# tags REPO: the repository's tags, as admin, one line, sorted.
tags() {
	sko list-tags --tls-verify=false --creds "admin:$ADMIN_PW" --authfile "$NOAUTH" \
	    "docker://$REG/$1" 2>/dev/null | jq -r '.Tags | sort | join(" ")'
}

# --- login ------------------------------------------------------------------------
check "skopeo login with the right password" \
    sko login --tls-verify=false --authfile "$S/dev-auth.json" -u dev -p "$DEV_PW" "$REG"
expect_match "$(jq -r ".auths[\"$REG\"].auth" "$S/dev-auth.json" 2>/dev/null)" '.' \
    "the login is saved in the auth file"
if sko login --tls-verify=false --authfile "$S/bad-auth.json" -u dev -p "Wrong-Pw-123" "$REG" \
    >"$T/out" 2>&1; then
	nok "skopeo login with a wrong password fails"
else
	ok "skopeo login with a wrong password fails"
fi
expect_match "$(out)" 'invalid username/password' "saying invalid username/password"
check "and saves nothing" test ! -s "$S/bad-auth.json"
if sko login --tls-verify=false --authfile "$S/bad-auth.json" -u nosuchuser -p "$DEV_PW" "$REG" \
    >"$T/out" 2>&1; then
	nok "skopeo login as an unknown user fails"
else
	expect_match "$(out)" 'invalid username/password' "skopeo login as an unknown user fails"
fi

# --- push, inspect, list-tags, pull, delete ------------------------------------
check "a developer pushes proj/app:v1" \
    sko copy --dest-tls-verify=false --dest-creds "dev:$DEV_PW" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v1" "docker://$REG/proj/app:v1"
check "and proj/app:v2 with the login's auth file" \
    sko copy --dest-tls-verify=false --dest-authfile "$S/dev-auth.json" \
    "oci:$T/img:v2" "docker://$REG/proj/app:v2"
run sko inspect --tls-verify=false --creds "dev:$DEV_PW" --authfile "$NOAUTH" "docker://$REG/proj/app:v1"
expect_eq "$(jq -r .Digest "$T/out" 2>/dev/null)" "$D1" "skopeo inspect shows the pushed digest"
run sko list-tags --tls-verify=false --creds "dev:$DEV_PW" --authfile "$NOAUTH" "docker://$REG/proj/app"
expect_eq "$(jq -r '.Tags | sort | join(" ")' "$T/out" 2>/dev/null)" "v1 v2" "skopeo list-tags lists v1 v2"
check "the developer pulls proj/app:v1" \
    sko copy --src-tls-verify=false --src-creds "dev:$DEV_PW" --src-authfile "$NOAUTH" \
    "docker://$REG/proj/app:v1" "oci:$S/pull-dev:v1"
expect_eq "$(oci_content "$S/pull-dev" v1 2>/dev/null)" "hello one" "the pulled image holds what was pushed"
denied "a developer may not delete" \
    sko delete --tls-verify=false --creds "dev:$DEV_PW" --authfile "$NOAUTH" "docker://$REG/proj/app:v2"
expect_eq "$(tags proj/app)" "v1 v2" "and nothing was deleted"
check "a maintainer deletes proj/app:v2" \
    sko delete --tls-verify=false --creds "mia:$MIA_PW" --authfile "$NOAUTH" "docker://$REG/proj/app:v2"
expect_eq "$(tags proj/app)" "v1" "v2 is gone, v1 is still there"
run sko inspect --tls-verify=false --creds "mia:$MIA_PW" --authfile "$NOAUTH" "docker://$REG/proj/app@$D2"
expect_match "$(out)" 'manifest unknown|not found' "the deleted manifest is unknown to the registry"

# --- cross-repository blob mount -------------------------------------------------
check "the same image pushed to a second repository of the project" \
    sko copy --dest-tls-verify=false --dest-creds "dev:$DEV_PW" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v1" "docker://$REG/proj/app2:v1"
expect_match "$(registry_log reg)" \
    '"POST /v2/proj/app2/blobs/uploads/\?from=proj%2Fapp&mount=sha256(:|%3A)[0-9a-f]{64} HTTP/1.1" 201' \
    "the registry mounted the blob from proj/app (201)"
expect_match "$(cat "$N"/log/berth-token.log 2>/dev/null)" \
    'sub="dev".*asked="repository:proj/app2:pull,push repository:proj/app:pull"' \
    "skopeo asked berth for both scopes at once"
run sko inspect --tls-verify=false --creds "dev:$DEV_PW" --authfile "$NOAUTH" "docker://$REG/proj/app2:v1"
expect_eq "$(jq -r .Digest "$T/out" 2>/dev/null)" "$D1" "proj/app2:v1 has the same digest"
r=$(curl -sS -i --max-time 10 -u "dev:$DEV_PW" \
    "$B/service/token?service=registry&scope=repository:proj/app2:pull,push&scope=repository:proj/app:pull&scope=repository:other/app:pull")
tk=$(jqr "$(http_body "$r")" .token)
expect_eq "$(jwt_actions "$tk" repository proj/app2)/$(jwt_actions "$tk" repository proj/app)/$(jwt_actions "$tk" repository other/app)" \
    '["pull","push"]/["pull"]/[]' "three scopes are answered each on its own"

# --- a guest: pull only --------------------------------------------------------
check "a guest pulls proj/app:v1" \
    sko copy --src-tls-verify=false --src-creds "gus:$GUS_PW" --src-authfile "$NOAUTH" \
    "docker://$REG/proj/app:v1" "oci:$S/pull-gus:v1"
expect_eq "$(oci_content "$S/pull-gus" v1 2>/dev/null)" "hello one" "and gets the image"
denied "a guest may not push" \
    sko copy --dest-tls-verify=false --dest-creds "gus:$GUS_PW" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v3" "docker://$REG/proj/app:v3"
denied "a guest may not overwrite a tag with a known image" \
    sko copy --dest-tls-verify=false --dest-creds "gus:$GUS_PW" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v1" "docker://$REG/proj/app:gus"
expect_eq "$(tags proj/app)" "v1" "nothing was pushed by the guest"
denied "a guest may not delete" \
    sko delete --tls-verify=false --creds "gus:$GUS_PW" --authfile "$NOAUTH" "docker://$REG/proj/app:v1"
expect_eq "$(tags proj/app)" "v1" "nothing was deleted by the guest"
denied "a user who is no member may not pull from a private project" \
    sko copy --src-tls-verify=false --src-creds "nob:$NOB_PW" --src-authfile "$NOAUTH" \
    "docker://$REG/proj/app:v1" "oci:$S/pull-nob:v1"

r=$(curl -sS -i --max-time 10 -u "gus:$GUS_PW" \
    "$B/service/token?service=registry&scope=repository:proj/app:pull,push")
expect_eq "$(http_status "$r")" 200 "a guest asking pull,push gets a token"
tk=$(jqr "$(http_body "$r")" .token)
expect_eq "$(jwt_actions "$tk" repository proj/app)" '["pull"]' "granting only pull"
r=$(curl -sS -i --max-time 10 -u "gus:$GUS_PW" \
    "$B/service/token?service=registry&scope=repository:proj/app:*")
expect_eq "$(jwt_actions "$(jqr "$(http_body "$r")" .token)" repository proj/app)" '[]' \
    "a guest asking * gets nothing (* only for those who hold every action)"
r=$(curl -sS -i --max-time 10 -u "mia:$MIA_PW" \
    "$B/service/token?service=registry&scope=repository:proj/app:*")
expect_eq "$(jwt_actions "$(jqr "$(http_body "$r")" .token)" repository proj/app)" '["*"]' \
    "a maintainer asking * gets *"

# --- anonymous ----------------------------------------------------------------------
check "an admin pushes pub/app:v1 (public project)" \
    sko copy --dest-tls-verify=false --dest-creds "admin:$ADMIN_PW" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v1" "docker://$REG/pub/app:v1"
check "anonymous pull from a public project" \
    sko copy --src-tls-verify=false --src-no-creds \
    "docker://$REG/pub/app:v1" "oci:$S/pull-anon:v1"
expect_eq "$(oci_content "$S/pull-anon" v1 2>/dev/null)" "hello one" "gets the image"
check "anonymous inspect of a public project" \
    sko inspect --tls-verify=false --no-creds "docker://$REG/pub/app:v1"
denied "anonymous pull from a private project is denied" \
    sko copy --src-tls-verify=false --src-no-creds \
    "docker://$REG/proj/app:v1" "oci:$S/pull-anon2:v1"
denied "anonymous inspect of a private project is denied" \
    sko inspect --tls-verify=false --no-creds "docker://$REG/proj/app:v1"
denied "anonymous push to a public project is denied" \
    sko copy --dest-tls-verify=false --dest-no-creds \
    "oci:$T/img:v3" "docker://$REG/pub/app:anon"
expect_eq "$(tags pub/app)" "v1" "nothing was pushed anonymously"
denied "anonymous delete in a public project is denied" \
    sko delete --tls-verify=false --no-creds "docker://$REG/pub/app:v1"
expect_eq "$(tags pub/app)" "v1" "nothing was deleted anonymously"

# --- the catalog --------------------------------------------------------------------
r=$(curl -sS -i --max-time 10 -u "admin:$ADMIN_PW" \
    "$B/service/token?service=registry&scope=registry:catalog:*")
tk=$(jqr "$(http_body "$r")" .token)
expect_eq "$(jwt_actions "$tk" registry catalog)" '["*"]' "an admin gets registry:catalog:*"
r=$(curl -sS -i --max-time 10 -H "Authorization: Bearer $tk" "$R/v2/_catalog")
expect_eq "$(http_status "$r")" 200 "and lists the catalog"
expect_eq "$(jqr "$(http_body "$r")" '.repositories | sort | join(" ")')" \
    "proj/app proj/app2 pub/app" "which names every repository"
r=$(curl -sS -i --max-time 10 -u "dev:$DEV_PW" \
    "$B/service/token?service=registry&scope=registry:catalog:*")
tk=$(jqr "$(http_body "$r")" .token)
expect_eq "$(jwt_actions "$tk" registry catalog)" '[]' "a non-admin gets nothing on registry:catalog"
r=$(curl -sS -i --max-time 10 -H "Authorization: Bearer $tk" "$R/v2/_catalog")
case $(http_status "$r") in
401) ok "the registry refuses them the catalog (401)" ;;
200) expect_eq "$(jqr "$(http_body "$r")" '.repositories | length')" 0 \
    "the registry refuses them the catalog (empty)" ;;
*) nok "the registry refuses them the catalog"; echo "#   status $(http_status "$r")" ;;
esac

# --- a robot account -------------------------------------------------------------------
check "robot\$proj+ci pushes proj/robo:v3" \
    sko copy --dest-tls-verify=false --dest-creds "$ROBOT:$ROBOT_PW" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v3" "docker://$REG/proj/robo:v3"
check "and pulls it" \
    sko copy --src-tls-verify=false --src-creds "$ROBOT:$ROBOT_PW" --src-authfile "$NOAUTH" \
    "docker://$REG/proj/robo:v3" "oci:$S/pull-robot:v3"
expect_eq "$(oci_content "$S/pull-robot" v3 2>/dev/null)" "hello three" "the robot gets the image"
check "a robot logs in with skopeo" \
    sko login --tls-verify=false --authfile "$S/robot-auth.json" -u "$ROBOT" -p "$ROBOT_PW" "$REG"
denied "the robot may not push to another project" \
    sko copy --dest-tls-verify=false --dest-creds "$ROBOT:$ROBOT_PW" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v3" "docker://$REG/other/robo:v3"
check "a projectAdmin of another project pushes other/app:v1" \
    sko copy --dest-tls-verify=false --dest-creds "mia:$MIA_PW" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v1" "docker://$REG/other/app:v1"
denied "the robot may not pull from another (private) project" \
    sko copy --src-tls-verify=false --src-creds "$ROBOT:$ROBOT_PW" --src-authfile "$NOAUTH" \
    "docker://$REG/other/app:v1" "oci:$S/pull-robot2:v1"
check "the robot may pull from a public project, as anyone may" \
    sko copy --src-tls-verify=false --src-creds "$ROBOT:$ROBOT_PW" --src-authfile "$NOAUTH" \
    "docker://$REG/pub/app:v1" "oci:$S/pull-robot3:v1"
denied "the robot may not delete (it holds pull and push only)" \
    sko delete --tls-verify=false --creds "$ROBOT:$ROBOT_PW" --authfile "$NOAUTH" "docker://$REG/proj/robo:v3"
expect_eq "$(tags proj/robo)" "v3" "the robot's image is still there"
if sko login --tls-verify=false --authfile "$S/bad-auth.json" -u "$ROBOT" -p wrong-secret "$REG" \
    >"$T/out" 2>&1; then
	nok "a robot with a wrong secret cannot log in"
else
	expect_match "$(out)" 'invalid username/password' "a robot with a wrong secret cannot log in"
fi

# --- a robot made through the admin API, then disabled; a member removed -------------
r=$(curl -sS -i --max-time 10 -u "admin:$ADMIN_PW" -H 'Content-Type: application/json' \
    -d '{"name":"api","level":"project","duration":-1,"permissions":[{"kind":"project","namespace":"proj","access":[{"resource":"repository","action":"pull"},{"resource":"repository","action":"push"}]}]}' \
    "$B/api/v2.0/robots")
expect_eq "$(http_status "$r")" 201 "POST /api/v2.0/robots creates robot\$proj+api"
API_ROBOT=$(jqr "$(http_body "$r")" .name)
API_SECRET=$(jqr "$(http_body "$r")" .secret)
API_ID=$(http_header "$r" Location); API_ID=${API_ID##*/}
expect_eq "$API_ROBOT" 'robot$proj+api' "named as Harbor names it"
check "the API-made robot pushes with skopeo to its project" \
    sko copy --dest-tls-verify=false --dest-creds "$API_ROBOT:$API_SECRET" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v2" "docker://$REG/proj/apirobo:v2"
denied "and is refused on another project" \
    sko copy --dest-tls-verify=false --dest-creds "$API_ROBOT:$API_SECRET" --dest-authfile "$NOAUTH" \
    "oci:$T/img:v2" "docker://$REG/other/apirobo:v2"
# As a Harbor script does it: GET the robot, flip disable, PUT it back.
robj=$(curl -sS --max-time 10 -u "admin:$ADMIN_PW" "$B/api/v2.0/robots/$API_ID" | jq -c '.disable = true')
r=$(curl -sS -i --max-time 10 -u "admin:$ADMIN_PW" -H 'Content-Type: application/json' \
    -X PUT -d "$robj" "$B/api/v2.0/robots/$API_ID")
expect_eq "$(http_status "$r")" 200 "GET, disable=true, PUT back through the API"
denied "the disabled robot is refused from the next request" \
    sko copy --src-tls-verify=false --src-creds "$API_ROBOT:$API_SECRET" --src-authfile "$NOAUTH" \
    "docker://$REG/proj/apirobo:v2" "oci:$S/pull-apirobo:v2"
mid=$(curl -sS --max-time 10 -u "admin:$ADMIN_PW" "$B/api/v2.0/projects/proj/members?entityname=gus" \
    -H 'X-Is-Resource-Name: true' | jq -r '.[0].id')
r=$(curl -sS -i --max-time 10 -u "admin:$ADMIN_PW" -X DELETE -H 'X-Is-Resource-Name: true' \
    "$B/api/v2.0/projects/proj/members/$mid")
expect_eq "$(http_status "$r")" 200 "DELETE the guest's membership through the API"
denied "the removed member can no longer pull" \
    sko copy --src-tls-verify=false --src-creds "gus:$GUS_PW" --src-authfile "$NOAUTH" \
    "docker://$REG/proj/app:v1" "oci:$S/pull-gus-gone:v1"

# --- the Docker CLI's and containerd's flows, with curl -----------------------------
RFC3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'
r=$(curl -sS -i --max-time 10 -u "dev:$DEV_PW" \
    "$B/service/token?service=registry&scope=repository:proj/app:pull&offline_token=true&client_id=docker")
body=$(http_body "$r")
expect_eq "$(http_status "$r")" 200 "GET with offline_token=true is 200"
expect_match "$(http_header "$r" Content-Type)" '^application/json' "in JSON"
tk=$(jqr "$body" .token)
expect_match "$tk" '^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "with a token"
expect_eq "$(jqr "$body" .access_token)" "$tk" "access_token is the same token"
expect_eq "$(jqr "$body" '.expires_in | type')" number "expires_in is a number"
expect_match "$(jqr "$body" .issued_at)" "$RFC3339" "issued_at is RFC 3339"
RT=$(jqr "$body" .refresh_token)
expect_match "$RT" '^[A-Za-z0-9_~.+/=-]{32,}$' "and a refresh_token"
hdr=$(jwt_header "$tk")
expect_eq "$(jqr "$hdr" .alg)" ES256 "the token is ES256"
expect_match "$(jqr "$hdr" .kid)" '^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$' "with a libtrust kid"
expect_match "$(jqr "$hdr" '.x5c[0]')" '^MII' "and the certificate in x5c"
cl=$(jwt_claims "$tk")
expect_eq "$(jqr "$cl" '[.iss, .sub, .aud] | join(" ")')" "berth dev registry" "iss, sub and aud"
expect_eq "$(jqr "$cl" '[.exp, .nbf, .iat] | map(type) | join(" ")')" "number number number" \
    "exp, nbf and iat are numbers"
now=$(date +%s)
check "nbf <= now < exp" test "$(jqr "$cl" .nbf)" -le "$now" -a "$now" -lt "$(jqr "$cl" .exp)"
expect_eq "$(jqr "$cl" '.exp - .iat')" "$(jqr "$body" .expires_in)" "exp - iat is expires_in"
expect_eq "$(jwt_actions "$tk" repository proj/app)" '["pull"]' "the token grants pull on proj/app"
r=$(curl -sS -i --max-time 10 -H "Authorization: Bearer $tk" "$R/v2/proj/app/tags/list")
expect_eq "$(http_status "$r")" 200 "the registry accepts the offline GET's token"

r=$(curl -sS -i --max-time 10 -d grant_type=refresh_token --data-urlencode "refresh_token=$RT" \
    -d service=registry -d scope=repository:proj/app:pull -d client_id=docker "$B/service/token")
body=$(http_body "$r")
expect_eq "$(http_status "$r")" 200 "POST grant_type=refresh_token is 200"
tk=$(jqr "$body" .access_token)
expect_eq "$(jqr "$(jwt_claims "$tk")" .sub)/$(jwt_actions "$tk" repository proj/app)" 'dev/["pull"]' \
    "its access_token is dev's, for pull"
expect_nomatch "$(jqr "$body" .issued_at)" '^$' "with issued_at"
r=$(curl -sS -i --max-time 10 -H "Authorization: Bearer $tk" "$R/v2/proj/app/tags/list")
expect_eq "$(http_status "$r")" 200 "the registry accepts the refreshed token"
r=$(curl -sS -i --max-time 10 -d grant_type=refresh_token --data-urlencode "refresh_token=x$RT" \
    -d service=registry -d scope=repository:proj/app:pull -d client_id=docker "$B/service/token")
expect_match "$(http_status "$r")" '^(400|401)$' "a wrong refresh token is refused"
expect_eq "$(jqr "$(http_body "$r")" '.access_token // empty')" "" "with no token"

r=$(curl -sS -i --max-time 10 -d grant_type=password -d username=dev --data-urlencode "password=$DEV_PW" \
    -d service=registry -d client_id=containerd -d scope=repository:proj/app:pull,push "$B/service/token")
body=$(http_body "$r")
expect_eq "$(http_status "$r")" 200 "POST grant_type=password (containerd) is 200"
tk=$(jqr "$body" .access_token)
expect_eq "$(jwt_actions "$tk" repository proj/app)" '["pull","push"]' "its access_token grants pull,push"
expect_eq "$(jqr "$body" '.refresh_token // empty')" "" "no refresh_token without access_type=offline"
r=$(curl -sS -i --max-time 10 -X POST -H "Authorization: Bearer $tk" "$R/v2/proj/app/blobs/uploads/")
expect_eq "$(http_status "$r")" 202 "the registry lets it start an upload"
r=$(curl -sS -i --max-time 10 -d grant_type=password -d username=dev --data-urlencode "password=$DEV_PW" \
    -d service=registry -d client_id=containerd -d access_type=offline \
    -d scope=repository:proj/app:pull "$B/service/token")
body=$(http_body "$r")
expect_eq "$(http_status "$r")" 200 "POST grant_type=password with access_type=offline is 200"
expect_match "$(jqr "$body" .access_token)" '^eyJ' "with an access_token"
RT2=$(jqr "$body" .refresh_token)
expect_match "$RT2" '^[A-Za-z0-9_~.+/=-]{32,}$' "and a refresh_token"
r=$(curl -sS -i --max-time 10 -d grant_type=password -d username=dev -d password=Wrong-Pw-123 \
    -d service=registry -d client_id=containerd -d scope=repository:proj/app:pull "$B/service/token")
expect_eq "$(http_status "$r")" 401 "POST grant_type=password with a wrong password is 401"
expect_match "$(http_header "$r" WWW-Authenticate)" '.' "with WWW-Authenticate"
expect_eq "$(jqr "$(http_body "$r")" '.access_token // empty')" "" "and no token"
r=$(curl -sS -i --max-time 10 -u dev:Wrong-Pw-123 \
    "$B/service/token?service=registry&scope=repository:proj/app:pull")
expect_eq "$(http_status "$r")" 401 "GET with a wrong password is 401"
expect_match "$(http_header "$r" WWW-Authenticate)" '.' "with WWW-Authenticate too"

# skopeo with an identity token: POST grant_type=refresh_token.
# As docker login writes it: "auth" is base64 of "user:" (containers/image
# ignores an entry whose "auth" does not parse, identitytoken included).
printf '{"auths":{"%s":{"auth":"%s","identitytoken":"%s"}}}\n' "$REG" \
    "$(printf 'dev:' | base64)" "$RT" >"$S/id-auth.json"
posts() { grep -c '"POST /service/token' "$N/log/$WEB-access.log"; }
before=$(posts)
check "skopeo pulls with an identity token in its auth file" \
    sko copy --src-tls-verify=false --src-authfile "$S/id-auth.json" \
    "docker://$REG/proj/app:v1" "oci:$S/pull-id:v1"
expect_eq "$(oci_content "$S/pull-id" v1 2>/dev/null)" "hello one" "and gets the image"
check "it used POST grant_type=refresh_token" test "$(posts)" -gt "$before"
check "skopeo pushes with the identity token" \
    sko copy --dest-tls-verify=false --dest-authfile "$S/id-auth.json" \
    "oci:$T/img:v2" "docker://$REG/proj/app:v2"
expect_eq "$(tags proj/app)" "v1 v2" "the push landed"
printf '{"auths":{"%s":{"auth":"%s","identitytoken":"%s"}}}\n' "$REG" \
    "$(printf 'dev:' | base64)" "not-$RT" >"$S/badid-auth.json"
if sko inspect --tls-verify=false --authfile "$S/badid-auth.json" \
    "docker://$REG/proj/app:v1" >"$T/out" 2>&1; then
	nok "a wrong identity token gets nothing"; echo "#   skopeo inspect succeeded"
else
	expect_match "$(out)" 'access token.*(400|401)' "a wrong identity token gets nothing"
fi

# --- the registry saw no token it could not verify ------------------------------------
n=$(grep -Ec 'untrusted key|invalid token|token signed|unable to verify|failed to verify' "$T/reg/registry.log")
expect_eq "$n" 0 "the registry rejected no token as invalid"
check "the registry is still running" kill -0 "$(cat "$T/reg/pid")"
check "skopeo kept its blob info cache under the test's directory" \
    test -f "$XDG_DATA_HOME/containers/cache/blob-info-cache-v1.boltdb"

# --- no secret in berth's logs ---------------------------------------------------------
hits=""
for s in "$ADMIN_PW" "$DEV_PW" "$GUS_PW" "$MIA_PW" "$NOB_PW" "$ROBOT_PW" Wrong-Pw-123 \
    "$RT" "$RT2" eyJ Authorization 'PRIVATE KEY'; do
	[ -n "$s" ] || continue
	grep -Fq -e "$s" "$N"/log/* 2>/dev/null && hits="$hits [$(printf '%s' "$s" | cut -c1-6)...]"
done
expect_eq "$hits" "" "no password, refresh token, robot secret, JWT or key in berth's or $WEB's logs"
