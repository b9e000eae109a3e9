#!/bin/sh
# tests/fcgi/token_rs256.sh: a cluster created with signing_alg = RS256
# signs RS256 tokens that verify with the published certificate; the
# keys documents describe an RSA key.
. "$(dirname "$0")/../lib.sh"

export BERTH_SIGNING_ALG=RS256
berth_db pg || { echo "# could not set up the database" >&2; exit 1; }
spawn token 1 || { echo "# spawn-fcgi failed" >&2; exit 1; }
wait_for 10 test -S "$T/token.sock"
mkuser alice Passw0rd-1
mkproject team private
mkmember team alice 1

r=$(fcgi token GET '/service/token?service=registry&scope=repository:team/app:pull,push' \
    -H "Authorization: Basic $(printf 'alice:Passw0rd-1' | base64 -w0)")
expect_eq "$(http_status "$r")" 200 "an RS256 cluster issues a token"
t=$(jqr "$(http_body "$r")" .token)
expect_eq "$(jqr "$(jwt_part "$t" 1)" .alg)" RS256 "with alg RS256"
expect_eq "$(sql "SELECT alg FROM signing_keys WHERE state = 'active'")" RS256 \
    "the cluster's key is RSA"
http_body "$(fcgi token GET /service/certs.pem)" >"$T/certs.pem"
openssl x509 -in "$T/certs.pem" -pubkey -noout >"$T/pub.pem"
printf '%s' "$t" | cut -d. -f1,2 | tr -d '\n' >"$T/signed"
s=$(printf '%s' "$t" | cut -d. -f3 | tr '_-' '/+')
case $(( ${#s} % 4 )) in 2) s="$s==" ;; 3) s="$s=" ;; esac
printf '%s' "$s" | base64 -d >"$T/sig"
expect_eq "$(wc -c <"$T/sig")" 256 "a 2048-bit RSA signature"
check "openssl verifies it with the certificate from certs.pem" \
    openssl dgst -sha256 -verify "$T/pub.pem" -signature "$T/sig" "$T/signed"
r=$(fcgi token GET /service/jwks.json)
expect_eq "$(jqr "$(http_body "$r")" '.keys[0].kty + " " + .keys[0].alg + " " + .keys[0].e')" \
    "RSA RS256 AQAB" "jwks.json describes the RSA key"
check "the worker is alive" alive token
