#!/bin/sh
# tests/fcgi/rotation.sh: key rotation with berthctl, as every node sees
# it: the next key is published before it signs, activation switches
# signing everywhere within key_reload, a retiring key stays published
# until its tokens have expired, refusals for steps out of order.
. "$(dirname "$0")/../lib.sh"

export BERTH_KEY_RELOAD=1
berth_db pg || { echo "# could not set up the database" >&2; exit 1; }
spawn token 2 || exit 1
spawn health 1 || exit 1
wait_for 10 test -S "$T/token.sock"
wait_for 10 test -S "$T/health.sock"
mkuser alice Passw0rd-1
ctl() { "$BUILD/berthctl" "$@"; }
kid_of_token() {
	r=$(fcgi token GET '/service/token?service=registry' \
	    -H "Authorization: Basic $(printf 'alice:Passw0rd-1' | base64 -w0)")
	jqr "$(jwt_part "$(jqr "$(http_body "$r")" .token)" 1)" .kid
}
ncerts() { http_body "$(fcgi token GET /service/certs.pem)" | grep -c 'BEGIN CERTIFICATE'; }
njwks() { jqr "$(http_body "$(fcgi token GET /service/jwks.json)")" '.keys | length'; }

k0=$(sql "SELECT kid FROM signing_keys WHERE state = 'active'")
expect_eq "$(kid_of_token)" "$k0" "tokens are signed with the first key"
out=$(ctl key activate 2>&1); rc=$?
expect_eq "$rc" 1 "activate without a next key is refused"
expect_match "$out" "no next key" "and says so"

out=$(ctl key next); rc=$?
expect_eq "$rc" 0 "berthctl key next"
k1=$(sql "SELECT kid FROM signing_keys WHERE state = 'next'")
check "creates a next key" test -n "$k1" -a "$k1" != "$k0"
expect_match "$out" "$k1" "and names it"
two() { [ "$(ncerts)" = 2 ] && [ "$(njwks)" = 2 ]; }
check "certs.pem and jwks.json publish both keys (within key_reload)" wait_for 5 two
i=0; same=0
while [ $i -lt 6 ]; do [ "$(kid_of_token)" = "$k0" ] && same=$((same + 1)); i=$((i + 1)); done
expect_eq "$same" 6 "the next key does not sign yet"
out=$(ctl key next 2>&1); rc=$?
expect_eq "$rc" 1 "a second next key is refused"
expect_eq "$(sql "SELECT count(*) FROM signing_keys WHERE state = 'next'")" 1 "only one next key"

out=$(ctl key activate); rc=$?
expect_eq "$rc" 0 "berthctl key activate"
# token_ttl 300 + key_reload 1 + max_clock_offset 5 + the registry's 60 s
AGE=366
expect_match "$out" "retire after $AGE seconds" "and says when retire will let the old key go"
expect_eq "$(sql "SELECT state FROM signing_keys WHERE kid = '$k1'")" active "the next key is active"
expect_eq "$(sql "SELECT state FROM signing_keys WHERE kid = '$k0'")" retiring "the old one is retiring"
signs() { for _i in 1 2 3 4; do [ "$(kid_of_token)" = "$k1" ] || return 1; done; }
check "every worker signs with the new key within key_reload" wait_for 5 signs
expect_eq "$(ncerts)" 2 "the retiring key is still published"
hk() { jqr "$(http_body "$(fcgi health GET /health)")" '.components[] | select(.name == "signing_key") | .kid'; }
nowk1() { [ "$(hk)" = "$k1" ]; }
check "/health shows the new key" wait_for 5 nowk1

out=$(ctl key retire); rc=$?
expect_eq "$rc" 1 "retire right away keeps the key: its tokens may be valid"
expect_match "$out" "1 kept" "and says so"
expect_eq "$(ncerts)" 2 "still published"
# As if time had passed: a node may sign with the old key until its next
# reload, stamp exp with a clock max_clock_offset ahead, the token lives
# token_ttl and the registry allows 60 s more.  Not one second less.
sql "UPDATE signing_keys SET retired_at = now() - interval '$((AGE - 3)) seconds' WHERE kid = '$k0'" >/dev/null
out=$(ctl key retire); rc=$?
expect_eq "$rc" 1 "retire $((AGE - 3)) s after activation keeps the key (key_reload and clock offset count)"
sql "UPDATE signing_keys SET retired_at = now() - interval '$((AGE + 1)) seconds' WHERE kid = '$k0'" >/dev/null
out=$(ctl key retire); rc=$?
expect_eq "$rc" 0 "retire once its tokens have expired"
expect_eq "$(sql "SELECT state FROM signing_keys WHERE kid = '$k0'")" retired "the old key is retired"
one() { [ "$(ncerts)" = 1 ] && [ "$(njwks)" = 1 ]; }
check "and no longer published" wait_for 5 one
expect_eq "$(kid_of_token)" "$k1" "the new key keeps signing"
check "no worker exited" alive token
