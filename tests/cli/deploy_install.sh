#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# deploy_install.sh - ctest cli.deploy_install: deploy/install.sh, the safe
# install order, against a fake `kubectl` on PATH that records every call
# (no cluster here). The fake hands `version` and `kustomize` to the real
# kubectl, so the overlays are really rendered; `apply`, `rollout status`
# and `get` are answered as the test says. Checks: the order (everything
# but the webhooks, rollout status, the webhooks, then their caBundle),
# that a Deployment that never gets ready leaves the webhooks unapplied,
# that a missing caBundle ends with the emergency exit, the self-signed
# overlay before and after gen.sh, your own overlay and its patches from
# docs/install.md, the doc's steps by hand giving the same calls, KUBECTL
# with flags, a too-old kubectl, usage errors.
#
# Usage: deploy_install.sh RFGUARD SOURCE_DIR BUILD_DIR
# Env:   KUBECTL (default kubectl): the real kubectl. Exit 77 (skip) when
#        it is missing or its kustomize is older than v4.
set -u
. "$(dirname "$0")/cli_common.bash"

rfguard=$1
src=$2
build=$3
real=$(command -v "${KUBECTL:-kubectl}" 2>/dev/null) || {
    echo "SKIP: ${KUBECTL:-kubectl} not found (kubectl 1.21 or newer renders the overlays)"
    exit 77
}
ver=$("$real" version --client 2>/dev/null)
kmajor=$(printf '%s\n' "$ver" | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')
if [ -z "$kmajor" ] || [ "$kmajor" -lt 4 ]; then
    echo "SKIP: $real reports no kustomize v4 or newer (kubectl 1.24 or newer needed):"
    printf '%s\n' "$ver"
    exit 77
fi

cli_workdir "$build" deploy-install
cp -R "$src/deploy" "$work/deploy"
rm -rf "$work/deploy/self-signed/generated"
install=$work/deploy/install.sh
mkdir -p "$work/bin"
log=$work/calls.log

cat >"$work/bin/kubectl" <<'EOF'
#!/usr/bin/env bash
# Fake kubectl: see deploy_install.sh.
ctx=
if [ "${1:-}" = --context ]; then ctx="--context $2 "; shift 2; fi
case ${1:-} in
version)
    if [ -n "${FAKE_VERSION:-}" ]; then echo "$FAKE_VERSION"; exit 0; fi
    exec "$REAL_KUBECTL" "$@" ;;
kustomize) exec "$REAL_KUBECTL" "$@" ;;
esac
n=$(($(wc -l <"$FAKE_LOG") + 1))
# the rendered file lives in install.sh's temporary directory: keep a copy
if [ "$1" = apply ] && [ "$2" = -f ]; then
    cp "$3" "$FAKE_DIR/applied-$n.yaml"
    set -- apply -f FILE "${@:4}"
fi
echo "$ctx$*" >>"$FAKE_LOG"
case "$*" in
"apply -f FILE -l "*) exit 0 ;;
"-n rfguard rollout status deployment/rfguard "*) exit "${FAKE_ROLLOUT_RC:-0}" ;;
"get "*"webhookconfiguration rfguard -o jsonpath="*)
    printf '%s' "${FAKE_CABUNDLE-LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t}"; exit 0 ;;
esac
echo "fake kubectl: unexpected call: $*" >&2
exit 3
EOF
chmod +x "$work/bin/kubectl"
export REAL_KUBECTL=$real FAKE_LOG=$log FAKE_DIR=$work PATH=$work/bin:$PATH
unset KUBECTL

# run NAME ARGS...: install.sh ARGS with a fresh call log; the exit status
# in $rc, output in $work/NAME.out and $work/NAME.err
run() {
    local name=$1
    shift
    : >"$log"
    rm -f "$work"/applied-*.yaml
    "$install" "$@" >"$work/$name.out" 2>"$work/$name.err"
    rc=$?
}
show() { cat "$work/$1.out" "$work/$1.err" "$log"; }

safe_order='apply -f FILE -l rfguard.io/install-step!=webhooks
-n rfguard rollout status deployment/rfguard --timeout=5m
apply -f FILE -l rfguard.io/install-step=webhooks
get mutatingwebhookconfiguration rfguard -o jsonpath={.webhooks[0].clientConfig.caBundle}
get validatingwebhookconfiguration rfguard -o jsonpath={.webhooks[0].clientConfig.caBundle}'

# ---- the label the order relies on: on the two webhook configurations,
# and on nothing else (a `!=` selector also selects unlabelled objects) ----
"$real" kustomize "$work/deploy/cert-manager" >"$work/cm.yaml"
n_label=$(grep -c 'rfguard.io/install-step' "$work/cm.yaml")
n_hooks=$(grep -c '^    rfguard.io/install-step: webhooks$' "$work/cm.yaml")
n_kinds=$(grep -c '^kind: \(Mutating\|Validating\)WebhookConfiguration$' \
    "$work/cm.yaml")
if [ "$n_label" = 2 ] && [ "$n_hooks" = 2 ] && [ "$n_kinds" = 2 ]; then
    ok "exactly the 2 webhook configurations carry rfguard.io/install-step=webhooks"
else
    bad "rfguard.io/install-step: $n_label labels, $n_hooks =webhooks," \
        "$n_kinds webhook configurations (want 2, 2, 2)"
fi

# ---- cert-manager, all goes well ----
run ok cert-manager
if [ "$rc" = 0 ] && [ "$(cat "$log")" = "$safe_order" ]; then
    ok "cert-manager: workload, rollout status, webhooks, caBundle, in that order"
else
    bad "cert-manager: exit $rc, calls:"
    show ok
fi
if cmp -s "$work/cm.yaml" "$work/applied-1.yaml" &&
   cmp -s "$work/cm.yaml" "$work/applied-3.yaml"; then
    ok "both applies get the rendered overlay"
else
    bad "the applied file is not 'kubectl kustomize deploy/cert-manager'"
fi
if grep -q 'installed' "$work/ok.out"; then
    ok "says it is installed"
else
    bad "no success message"; show ok
fi

# ---- the Deployment never gets ready: the webhooks stay unapplied ----
FAKE_ROLLOUT_RC=1 run notready --timeout 90s
if [ "$rc" = 1 ] && ! grep -q 'install-step=webhooks' "$log" &&
   grep -q -- '--timeout=90s' "$log" &&
   grep -q 'were NOT applied' "$work/notready.err" &&
   grep -q 'kubectl -n rfguard get pods' "$work/notready.err"; then
    ok "not ready: exit 1, webhooks not applied, says what to look at"
else
    bad "not ready: exit $rc"
    show notready
fi

# ---- no caBundle arrives: the emergency exit is printed ----
FAKE_CABUNDLE='' run nobundle --timeout 1s
if [ "$rc" = 1 ] &&
   grep -qF 'kubectl delete validatingwebhookconfiguration,mutatingwebhookconfiguration rfguard' \
       "$work/nobundle.err"; then
    ok "no caBundle: exit 1 with the emergency exit"
else
    bad "no caBundle: exit $rc"
    show nobundle
fi

# ---- self-signed: before gen.sh a clear message and nothing applied ----
run nogen self-signed
if [ "$rc" = 1 ] && [ ! -s "$log" ] &&
   grep -q 'run deploy/self-signed/gen.sh first' "$work/nogen.err"; then
    ok "self-signed before gen.sh: says to run gen.sh, applies nothing"
else
    bad "self-signed before gen.sh: exit $rc"
    show nogen
fi
if sh "$work/deploy/self-signed/gen.sh" --rfguard "$rfguard" \
    >"$work/gen.log" 2>&1; then
    run selfsigned self-signed
    if [ "$rc" = 0 ] && [ "$(cat "$log")" = "$safe_order" ] &&
       grep -q '^kind: Secret$' "$work/applied-1.yaml"; then
        ok "self-signed after gen.sh: the same order, the Secret in step 1"
    else
        bad "self-signed after gen.sh: exit $rc"
        show selfsigned
    fi
else
    bad "gen.sh --rfguard $rfguard"
    cat "$work/gen.log"
fi

# ---- your own overlay, as docs/install.md writes it ----
mkdir -p "$work/my-rfguard"
sed -n '/^# my-rfguard\/kustomization.yaml$/,/^```$/p' \
    "$src/docs/install.md" | sed '$d' >"$work/my-rfguard/kustomization.yaml"
if [ -s "$work/my-rfguard/kustomization.yaml" ]; then
    run own "$work/my-rfguard"
    img=$(sed -n 's/^ *image: //p' "$work/applied-1.yaml" 2>/dev/null)
    if [ "$rc" = 0 ] && [ "$(cat "$log")" = "$safe_order" ] &&
       [ "$img" = "registry.example.com/rfguard:$(sed -n \
           's/^project(rfguard VERSION \([0-9.]*\).*/\1/p' \
           "$src/CMakeLists.txt")" ]; then
        ok "docs' own overlay: installs, image $img"
    else
        bad "docs' own overlay: exit $rc, image '$img'"
        cat "$work/my-rfguard/kustomization.yaml"
        show own
    fi
else
    bad "docs/install.md has no '# my-rfguard/kustomization.yaml' block"
fi

# ---- the docs' patches: fail open, no matchConditions (before 1.28) ----
sed -n '/^patches:$/,/^```$/p' "$src/docs/install.md" | sed '$d' \
    >"$work/patches.yaml"
if grep -q 'op: remove' "$work/patches.yaml" &&
   cat "$work/patches.yaml" >>"$work/my-rfguard/kustomization.yaml" &&
   "$real" kustomize "$work/my-rfguard" >"$work/patched.yaml" \
       2>"$work/patched.err" && [ ! -s "$work/patched.err" ] &&
   [ "$(grep -c '^  failurePolicy: Ignore$' "$work/patched.yaml")" = 2 ] &&
   ! grep -q 'failurePolicy: Fail\|matchConditions' "$work/patched.yaml"; then
    ok "docs' patches: both webhooks Ignore, no matchConditions, no warning"
else
    bad "docs' patches block does not render as described"
    cat "$work/patches.yaml" "$work/patched.err" 2>/dev/null
fi

# ---- the docs' steps by hand are the script's steps ----
sed -n '/^kubectl kustomize deploy\/cert-manager > rfguard.yaml/,/^```$/p' \
    "$src/docs/install.md" | sed '$d' >"$work/manual.sh"
: >"$log"
if [ -s "$work/manual.sh" ] &&
   (cd "$work" && bash -e manual.sh >"$work/manual.out" 2>&1) &&
   [ "$(cat "$log")" = "$(printf '%s\n' "$safe_order" | head -n 3)" ] &&
   cmp -s "$work/cm.yaml" "$work/rfguard.yaml"; then
    ok "docs' manual steps: the same applies and rollout wait as install.sh"
else
    bad "docs' manual steps differ from install.sh:"
    cat "$work/manual.sh" "$work/manual.out" "$log"
fi

# ---- KUBECTL with flags reaches every call ----
KUBECTL="kubectl --context test" run context cert-manager
if [ "$rc" = 0 ] && [ "$(grep -vc '^--context test ' "$log")" = 0 ] &&
   [ "$(wc -l <"$log")" = 5 ]; then
    ok "KUBECTL='kubectl --context test' is used for every call"
else
    bad "KUBECTL with flags: exit $rc"
    show context
fi

# ---- a kubectl too old for the overlays ----
FAKE_VERSION='Client Version: version.Info{Major:"1", Minor:"20", GitVersion:"v1.20.5"}' \
    run old cert-manager
if [ "$rc" = 1 ] && [ ! -s "$log" ] && grep -q 'too old' "$work/old.err"; then
    ok "kubectl 1.20: refused before anything is applied"
else
    bad "kubectl 1.20: exit $rc"
    show old
fi

# ---- usage ----
for args in "nope" "--timeout 5x" "--frobnicate" "cert-manager self-signed"; do
    # shellcheck disable=SC2086
    run usage $args
    if [ "$rc" = 2 ] && [ ! -s "$log" ] && grep -q '^Usage:' "$work/usage.err"
    then
        ok "install.sh $args: usage error (exit 2)"
    else
        bad "install.sh $args: exit $rc"
        show usage
    fi
done
run help --help
if [ "$rc" = 0 ] && grep -q '^Usage: deploy/install.sh' "$work/help.out"; then
    ok "--help prints the usage (exit 0)"
else
    bad "--help: exit $rc"
fi

cli_finish
