#!/bin/sh
# tests/int/cluster_check.sh: deploy/cluster-check against three nodes,
# one of them on a database of its own (another key): it fails naming
# that node, and passes once the node rejoins the cluster.
. "$(dirname "$0")/../lib.sh"

NODE=$ROOT/deploy/node
unset BERTH_CONF BERTH_DATABASE BERTH_SECRET_FILE
node() { _h=$1 _p=$2 _c=$3; shift 3
	env "$@" BERTH_HOME="$_h" BERTH_PORT="$_p" BUILD="$BUILD" \
	    BERTH_ADMIN_PASSWORD="$ADMIN_PW" "$NODE" "$_c"; }
at_exit "BERTH_HOME='$T/n1' '$NODE' stop; BERTH_HOME='$T/n2' '$NODE' stop; BERTH_HOME='$T/n3' '$NODE' stop"

node "$T/n1" 18681 start >"$T/n1.out" 2>&1 || { cat "$T/n1.out" >&2; exit 1; }
DB=$(sed -n 's/^database = //p' "$T/n1/berth.conf")
node "$T/n2" 18682 start BERTH_DATABASE="$DB" BERTH_SECRET_FILE="$T/n1/secret" \
    >"$T/n2.out" 2>&1 || { cat "$T/n2.out" >&2; exit 1; }
# The wrong one: its own private database, so its own key.
node "$T/n3" 18683 start >"$T/n3.out" 2>&1 || { cat "$T/n3.out" >&2; exit 1; }

U="http://127.0.0.1:18681 http://127.0.0.1:18682 http://127.0.0.1:18683"
# shellcheck disable=SC2086
out=$("$ROOT/deploy/cluster-check" $U); rc=$?
echo "$out" | sed 's/^/# /'
expect_eq "$rc" 1 "cluster-check fails when one node signs with another key"
expect_eq "$(echo "$out" | wc -l)" 3 "one line per node"
expect_match "$(echo "$out" | grep 18683)" "FAIL signs with another key" "naming the wrong node"
expect_eq "$(echo "$out" | grep -c ' ok$')" 2 "the other two are ok"

# Fix it: node 3 joins the cluster's database and secret.
node "$T/n3" 18683 stop >/dev/null 2>&1
node "$T/n3" 18683 start BERTH_DATABASE="$DB" BERTH_SECRET_FILE="$T/n1/secret" \
    >"$T/n3b.out" 2>&1 || { cat "$T/n3b.out" >&2; exit 1; }
# shellcheck disable=SC2086
out=$("$ROOT/deploy/cluster-check" $U); rc=$?
echo "$out" | sed 's/^/# /'
expect_eq "$rc" 0 "cluster-check passes once every node agrees"
expect_eq "$(echo "$out" | grep -c ' ok$')" 3 "every node ok"

node "$T/n2" 18682 stop >/dev/null 2>&1
# shellcheck disable=SC2086
out=$("$ROOT/deploy/cluster-check" $U); rc=$?
expect_eq "$rc" 1 "a node that does not answer fails the check"
expect_match "$(echo "$out" | grep 18682)" "FAIL unreachable" "and is named"
