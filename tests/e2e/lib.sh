# tests/e2e/lib.sh: helpers for the end-to-end tests with Debian's real
# docker-registry and skopeo.  Sourced after tests/lib.sh:
#
#   . "$(dirname "$0")/../lib.sh"
#   . "$(dirname "$0")/lib.sh"
#
# Everything these helpers create lives under $T; every process they start
# is stopped by at_exit.  tests/run runs every tests/e2e/*.sh, this file
# too: run on its own, it does nothing.
if [ -z "${T:-}" ] || [ ! -d "$T" ]; then
	echo "# tests/e2e/lib.sh is sourced by the e2e tests; nothing to run"
	exit 0
fi

NODE=$ROOT/deploy/node
unset BERTH_CONF BERTH_DATABASE BERTH_SECRET_FILE BERTH_ADMIN_PASSWORD

# The web server in front of every node: BERTH_WEB (nginx or apache),
# which deploy/node reads too.  tests/run runs each e2e test once with
# each; a check run through Apache says so at the end of its name.
WEB=${BERTH_WEB:-nginx}
export BERTH_WEB="$WEB"
if [ "$WEB" != nginx ]; then
	ok()  { echo "ok - $* [$WEB]"; }
	nok() { echo "not ok - $* [$WEB]"; }
fi

# skopeo keeps no state outside $T: no shared auth file, no policy or
# registries.conf of the machine needed, and its blob info cache (which
# remembers in which repositories a blob was seen, and so steers
# cross-repository mounts) in $T too.  As root, skopeo would keep that
# cache in /var/lib/containers whatever HOME says, so it runs as the
# unprivileged user nobody, its HOME and XDG directories in $T/sk.
# $S is where skopeo may write: auth files, pulled images.
S=$T/sk
umask 022	# what this script writes, skopeo (as nobody) must read
export HOME="$S/home" XDG_RUNTIME_DIR="$S/xdg" XDG_DATA_HOME="$S/home/.local/share"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME"
chmod 700 "$XDG_RUNTIME_DIR"
SKOPEO_AS=""
if [ "$(id -u)" = 0 ]; then
	chown -R nobody "$S" || exit 1
	SKOPEO_AS="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
fi
cat >"$T/policy.json" <<'EOT'
{"default":[{"type":"insecureAcceptAnything"}]}
EOT
chmod 644 "$T/policy.json"
# Skopeo's --authfile default: one that does not exist, so that only the
# credentials a test gives are used.
NOAUTH=$S/no-auth.json

# sko ARGS...: skopeo with this test's policy and state, bounded in time.
# The credentials it is given are noted for the secrets gate.
sko() {
	if [ -n "$KEEP" ]; then
		for _a in "$@"; do
			case $_a in --creds=*|--src-creds=*|--dest-creds=*) _note_cred "${_a#*=}" ;;
			--password=*) note_secret "${_a#*=}" ;; esac
		done
		_ka=""
		for _a in "$@"; do
			case $_ka in --creds|--src-creds|--dest-creds) _note_cred "$_a" ;;
			-p|--password) note_secret "$_a" ;; esac
			_ka=$_a
		done
	fi
	$SKOPEO_AS timeout 60 skopeo --policy "$T/policy.json" "$@"
}

# node HOME PORT start|stop [VAR=value...]: deploy/node for one node.
node() {
	_h=$1 _p=$2 _c=$3; shift 3
	env "$@" BERTH_HOME="$_h" BERTH_PORT="$_p" BUILD="$BUILD" "$NODE" "$_c"
}

# node_db HOME: the node's database connection string, from its berth.conf.
node_db() { sed -n 's/^database = //p' "$1/berth.conf"; }

# registry_start NAME PORT REALM SERVICE ISSUER CERTS_FILE: Debian's
# docker-registry on 127.0.0.1:PORT, its config, data and log under
# $T/NAME, trusting the tokens signed by the certificates in CERTS_FILE.
# An empty REALM starts it without authentication.  Returns non-zero when
# it does not listen within 10 seconds.
registry_start() {
	_rd=$T/$1
	mkdir -p "$_rd/data"
	cat >"$_rd/config.yml" <<-EOT
	version: 0.1
	log:
	  level: ${BERTH_REGISTRY_LOG_LEVEL:-info}
	  formatter: text
	storage:
	  filesystem:
	    rootdirectory: $_rd/data
	  delete:
	    enabled: true
	  cache:
	    blobdescriptor: inmemory
	http:
	  addr: 127.0.0.1:$2
	  secret: e2e-test-http-secret-$1
	EOT
	if [ -n "$3" ]; then
		cat >>"$_rd/config.yml" <<-EOT
		auth:
		  token:
		    realm: $3
		    service: $4
		    issuer: $5
		    rootcertbundle: $6
		EOT
	fi
	# The registry logs to standard error only.
	docker-registry serve "$_rd/config.yml" >>"$_rd/registry.log" 2>&1 &
	echo $! >"$_rd/pid"
	at_exit "kill $(cat "$_rd/pid") 2>/dev/null; sleep 0.2"
	# Listening: /v2/ answers (200 without auth, 401 with).
	if ! wait_for 10 sh -c "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$2/v2/ | grep -Eq '^(200|401)$'"; then
		echo "# registry $1 did not start; its log:"
		tail -n 20 "$_rd/registry.log" | sed 's/^/#   /' 
		return 1
	fi
	kill -0 "$(cat "$_rd/pid")" 2>/dev/null || return 1
}

# registry_log NAME: the registry's log.
registry_log() { cat "$T/$1/registry.log"; }

# _sha256 FILE: the hex SHA-256 of FILE.
_sha256() { sha256sum "$1" | cut -d' ' -f1; }
_size() { stat -c %s "$1"; }
# _blob DIR FILE: move FILE into DIR/blobs/sha256 under its digest; print
# the hex digest.
_blob() {
	_d=$(_sha256 "$2")
	mv "$2" "$1/blobs/sha256/$_d"
	echo "$_d"
}

# oci_image DIR TAG CONTENT: an OCI image layout in DIR (made by hand: no
# network, no docker) with one image tagged TAG whose single layer holds
# the file /hello.txt with CONTENT.  A DIR that already holds images gets
# one more (a TAG already there is replaced).
oci_image() {
	_dir=$1 _tag=$2
	mkdir -p "$_dir/blobs/sha256" || return 1
	_w=$(mktemp -d "$T/oci.XXXXXX")
	mkdir "$_w/root"
	printf '%s\n' "$3" >"$_w/root/hello.txt"
	# A reproducible tar: same content, same digests.
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
	    --format=ustar \
	    -C "$_w/root" -cf "$_w/layer.tar" hello.txt || return 1
	_diff=$(_sha256 "$_w/layer.tar")
	gzip -n -9 -c "$_w/layer.tar" >"$_w/layer.tar.gz" || return 1
	_lsize=$(_size "$_w/layer.tar.gz")
	_layer=$(_blob "$_dir" "$_w/layer.tar.gz")

	printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/hello.txt"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"berth e2e test"}]}' \
	    "$_diff" >"$_w/config.json"
	_csize=$(_size "$_w/config.json")
	_config=$(_blob "$_dir" "$_w/config.json")

	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
	    "$_config" "$_csize" "$_layer" "$_lsize" >"$_w/manifest.json"
	_msize=$(_size "$_w/manifest.json")
	_man=$(_blob "$_dir" "$_w/manifest.json")

	_entry=$(printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}' \
	    "$_man" "$_msize" "$_tag")
	if [ -f "$_dir/index.json" ]; then
		jq -c --arg t "$_tag" --argjson e "$_entry" \
		    '.manifests = [.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] != $t)] + [$e]' \
		    "$_dir/index.json" >"$_w/index.json" || return 1
		mv "$_w/index.json" "$_dir/index.json"
	else
		printf '{"schemaVersion":2,"manifests":[%s]}' "$_entry" >"$_dir/index.json"
	fi
	printf '{"imageLayoutVersion":"1.0.0"}' >"$_dir/oci-layout"
	rm -rf "$_w"
	# The manifest digest, for whoever wants to compare.
	echo "sha256:$_man" >"$_dir/$_tag.digest"
}

# oci_content DIR TAG: the content of /hello.txt in the image DIR:TAG
# (an OCI layout, as skopeo copy docker://... oci:DIR:TAG writes it).
oci_content() {
	_m=$(jq -r --arg t "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' \
	    "$1/index.json" | sed 's/^sha256://') || return 1
	[ -n "$_m" ] || return 1
	_l=$(jq -r '.layers[0].digest' "$1/blobs/sha256/$_m" | sed 's/^sha256://') || return 1
	[ -n "$_l" ] && [ -f "$1/blobs/sha256/$_l" ] || return 1
	gzip -dc "$1/blobs/sha256/$_l" | tar -xOf - hello.txt
}

# --- berth data, written straight into the node's database with psql (the
# --- admin API is not used).  BERTH_DB is the node's connection string:
# --- use_node HOME sets it from the node's berth.conf.
use_node() {
	BERTH_DB=$(node_db "$1")
	[ -n "$BERTH_DB" ]
}
bsql() { psql -X -q -tA -v ON_ERROR_STOP=1 -d "$BERTH_DB" -c "$1"; }

# mkuser NAME PASSWORD [sysadmin]
mkuser() {
	note_secret "$2"
	_h=$(printf '%s\n' "$2" | "$BUILD/berthctl" hash) || return 1
	[ -n "$_h" ] || return 1
	_sa=false
	[ -n "${3:-}" ] && _sa=true
	bsql "INSERT INTO users (username, password_hash, sysadmin)
	    VALUES ('$1', '$_h', $_sa)" >/dev/null
}
# mkproject NAME public|private
mkproject() {
	_pub=false
	[ "$2" = public ] && _pub=true
	bsql "INSERT INTO projects (name, public) VALUES ('$1', $_pub)" >/dev/null
}
# mkmember PROJECT USER ROLE_ID (1 projectAdmin, 2 developer, 3 guest,
# 4 maintainer, 5 limitedGuest)
mkmember() {
	_n=$(bsql "WITH i AS (INSERT INTO project_members (project_id, user_id, role)
	    SELECT p.project_id, u.user_id, $3 FROM projects p, users u
	    WHERE p.name = '$1' AND u.username = '$2' RETURNING 1)
	    SELECT count(*) FROM i") || return 1
	[ "$_n" = 1 ]
}
# mkrobot PROJECT NAME SECRET ACTION...: the project robot
# robot$PROJECT+NAME with the repository ACTIONs (pull, push, delete) on
# PROJECT; its password is SECRET.
mkrobot() {
	_p=$1 _n=$2 _s=$3; shift 3
	note_secret "$_s"
	_sum=$(sha256_hex "$_s")
	_id=$(bsql "INSERT INTO robots (name, project_id, secret_sha256)
	    SELECT '$_n', project_id, decode('$_sum', 'hex') FROM projects
	    WHERE name = '$_p' RETURNING robot_id") || return 1
	[ -n "$_id" ] || return 1
	for _a in "$@"; do
		bsql "INSERT INTO robot_permissions (robot_id, kind, namespace, project_id, resource, action)
		    SELECT $_id, 'project', '$_p', project_id, 'repository', '$_a'
		    FROM projects WHERE name = '$_p'" >/dev/null || return 1
	done
}

# --- tokens ------------------------------------------------------------------

# jwt_claims TOKEN, jwt_header TOKEN: the JWT's payload and header, decoded
# (base64url, padding restored).
jwt_claims() { jwt_part "$1" 2; }
jwt_header() { jwt_part "$1" 1; }
# jwt_actions TOKEN TYPE NAME: the actions the token grants on TYPE:NAME,
# as compact JSON (["pull"]); empty when the token has no such entry.
jwt_actions() {
	jwt_claims "$1" | jq -c --arg t "$2" --arg n "$3" \
	    '[.access[]? | select(.type == $t and .name == $n) | .actions] | if length == 0 then empty else .[0] end' 2>/dev/null
}
