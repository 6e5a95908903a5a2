# SPDX-License-Identifier: Apache-2.0
#
# cluster_common.bash - shared by tests/integration/cluster_*.sh (sourced,
# not a test itself). On top of serve_common.bash: starts tests/kapi/kapi.py
# (a stand-in API server on 127.0.0.1 over HTTPS, certificates from
# `rfguard certs --dev`), writes a kubeconfig for it, and gives helpers to
# change the cluster (kctl), send reviews (validate) and wait for
# conditions. Everything runs on loopback and is killed on exit.
#
# Usage: . cluster_common.bash "$@"   (RFGUARD SOURCE_DIR BUILD_DIR)
. "$(dirname "${BASH_SOURCE[0]}")/serve_common.bash"

KAPI=$SRC/tests/kapi/kapi.py
RFT=$SRC/tests/kapi/rftool.py
KAPI_PID=
KAPI_TOKEN=t0k-$RANDOM$RANDOM
EXTRA_PIDS=

cluster_cleanup() {
    local p
    for p in $KAPI_PID $EXTRA_PIDS; do
        if kill -0 "$p" 2>/dev/null; then
            kill -KILL "$p" 2>/dev/null
            wait "$p" 2>/dev/null
        fi
    done
    cleanup
}
trap cluster_cleanup EXIT

rft() { python3 "$RFT" "$@"; }

# start_kapi [ARGS...]: sets KAPI_PID, KPORT, CPORT. Reuses $KPORT when
# set (a restart on the same address) and keeps state in $WORK/kapi.state.
start_kapi() {
    rm -f "$WORK/kapi.ports"
    python3 "$KAPI" --cert "$WORK/kcerts/tls.crt" --key "$WORK/kcerts/tls.key" \
        --token "$KAPI_TOKEN" --portfile "$WORK/kapi.ports" \
        --state "$WORK/kapi.state" --bookmark-interval 0.5 \
        --port "${KPORT:-0}" "$@" 2>>"$WORK/kapi.log" &
    KAPI_PID=$!
    if ! wait_for kapi_up_or_gone || [ ! -s "$WORK/kapi.ports" ]; then
        echo "kapi did not start"
        cat "$WORK/kapi.log"
        return 1
    fi
    KPORT=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["port"])' "$WORK/kapi.ports")
    CPORT=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["control"])' "$WORK/kapi.ports")
}
kapi_up_or_gone() {
    [ -s "$WORK/kapi.ports" ] || ! kill -0 "$KAPI_PID" 2>/dev/null
}

stop_kapi() {
    kill -KILL "$KAPI_PID" 2>/dev/null
    wait "$KAPI_PID" 2>/dev/null
    KAPI_PID=
}

# write_kubeconfig FILE [TOKEN]
write_kubeconfig() {
    cat >"$1" <<EOF
apiVersion: v1
kind: Config
current-context: test
clusters:
- name: kapi
  cluster:
    server: https://127.0.0.1:$KPORT
    certificate-authority: $WORK/kcerts/ca.crt
users:
- name: rfguard
  user:
    token: ${2:-$KAPI_TOKEN}
contexts:
- name: test
  context: {cluster: kapi, user: rfguard, namespace: default}
EOF
}

# cluster_setup: certificates for rfguard and kapi, kapi, kubeconfig.
cluster_setup() {
    make_certs || { cat "$WORK/certs.log"; return 1; }
    make_certs "$WORK/kcerts" || { cat "$WORK/certs.log"; return 1; }
    start_kapi "$@" || return 1
    write_kubeconfig "$WORK/kubeconfig"
}

kctl() { rft ctl "$CPORT" "$@"; }
add_secret() { rft secret "$1" "$2" "$3" | kctl /objects -; }
add_rf() {   # add_rf NS NAME [rf options]
    rft rf "$@" | kctl /objects -
}

# kstat KEY [SUBKEY]: one of kapi's counters (/stats), e.g. lease_creates,
# forbidden, or list secrets
kstat() {
    kctl /stats | python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v[k]
print(v)' "$@"
}
# kstat_ge KEY [SUBKEY] N: that counter has reached N
kstat_ge() {
    local n=${*: -1}
    [ "$(kstat "${@:1:$#-1}")" -ge "$n" ]
}

# validate NS NAME [options]: verdict line on stdout (against $PORT)
validate() { rft validate "$PORT" "$CERTS/ca.crt" "$@"; }

# eventually PATTERN COMMAND...: retry COMMAND until its output matches
# (grep -E); gives up, printing the last output, after RFG_WAIT seconds,
# which only a hang reaches. An older form with a number of seconds first
# is still accepted and the number ignored, so a pattern of digits alone
# must be anchored ('^200$').
eventually() {
    local pat out end=$((SECONDS + RFG_WAIT))
    if [ $# -ge 3 ] && [[ $1 =~ ^[0-9]+$ ]]; then
        shift
    fi
    pat=$1
    shift
    while :; do
        out=$("$@" 2>&1)
        if printf '%s' "$out" | grep -qE -- "$pat"; then
            printf '%s\n' "$out"
            return 0
        fi
        if [ "$SECONDS" -ge "$end" ]; then
            printf 'after %s s (a hang?): %s\n' "$RFG_WAIT" "$out"
            return 1
        fi
        sleep 0.2
    done
}

# expect DESCRIPTION PATTERN COMMAND...: one try, must match
expect() {
    local what=$1 pat=$2 out
    shift 2
    out=$("$@" 2>&1)
    if printf '%s' "$out" | grep -qE -- "$pat"; then
        ok "$what"
    else
        bad "$what: got: $out"
    fi
}

# expect_eventually DESCRIPTION PATTERN COMMAND...: eventually, must match
# (the older form with seconds after DESCRIPTION still works).
expect_eventually() {
    local what=$1 out
    shift
    if out=$(eventually "$@"); then
        ok "$what"
    else
        bad "$what: got: $out"
    fi
}

# wait_ready PORT: /readyz of the rfguard on PORT answers 200
wait_ready() { rft wait-ready "$1" "$CERTS/ca.crt" "$RFG_WAIT"; }

readyz_code() {
    curl -s -o /dev/null -w '%{http_code}' --cacert "$CERTS/ca.crt" \
        "https://localhost:$PORT/readyz"
}

# The policy of the cluster tests: Freshworks target so master names are
# the failovers' names; placement noise off; what the API server being
# away does per rule.
write_policy() {
    cat >"$1" <<'EOF'
apiVersion: rfguard.io/v1alpha1
kind: Policy
metadata:
  name: cluster-test
spec:
  target: freshworks-v3.3
  mutations: false
  rules:
    spread-missing: off
    master-name-clusterwide-unique: {severity: deny, onUnavailable: deny}
    auth-secret-exists: {severity: deny, onUnavailable: warn}
    auth-password-key: {severity: deny, onUnavailable: warn}
    auth-password-charset: {severity: deny, onUnavailable: warn}
    auth-secret-unique: {severity: deny, onUnavailable: warn}
    redis-port-unique: {severity: deny, onUnavailable: warn}
    sentinel-identity-shared: {severity: warn, onUnavailable: warn}
EOF
}
