#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# deploy.sh - ctest cli.deploy: render every deploy/ overlay with
# `kubectl kustomize` (the commands docs/install.md gives) and check the
# rendered manifests with check_deploy, which loads them through rfguard's
# own YAML loader. Also: the self-signed overlay's gen.sh (with
# `rfguard certs` when it exists), rotation keeping the old CA in the
# caBundle, mutated manifests that check_deploy must reject, the policy
# copy in deploy/base, the image's reload wrapper, and that the docs,
# Dockerfile and scripts/image.sh say what the manifests do, and that the
# sentinel check gets exactly its pods grant and egress to 26379. Every render
# must print nothing on stderr (no deprecation warnings), and every
# rendered image must be pinned to the project version (never :latest,
# never untagged).
#
# Usage: deploy.sh RFGUARD SOURCE_DIR BUILD_DIR
# Env:   KUBECTL (default kubectl). Exit 77 (skip) without kubectl, or when
#        its kustomize is older than v4 (Debian 12's kubernetes-client is
#        kubectl 1.20 with kustomize v2, which cannot read the overlays).
set -u
. "$(dirname "$0")/cli_common.bash"

rfguard=$1
src=$2
build=$3
kubectl=${KUBECTL:-kubectl}
check=$build/check_deploy
work=$build/deploy-test

if ! command -v "$kubectl" >/dev/null 2>&1; then
    echo "SKIP: $kubectl not found (kubectl 1.21 or newer renders the overlays)"
    exit 77
fi
kver=$("$kubectl" version --client 2>/dev/null)
kmajor=$(printf '%s\n' "$kver" | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')
if [ -z "$kmajor" ] || [ "$kmajor" -lt 4 ]; then
    echo "SKIP: $kubectl reports no kustomize v4 or newer (kubectl 1.24 or newer needed):"
    printf '%s\n' "$kver"
    exit 77
fi
if [ ! -x "$check" ]; then
    echo "FAIL $check missing: cmake --build <build> --target check_deploy"
    exit 1
fi
"$kubectl" version --client 2>/dev/null | head -n 2

rm -rf "$work"
mkdir -p "$work"
cp -R "$src/deploy" "$work/deploy"
rm -rf "$work/deploy/self-signed/generated"

# The release version the manifests pin: scripts/version.sh when it
# exists, else the project(... VERSION x) line of CMakeLists.txt.
if [ -x "$src/scripts/version.sh" ]; then
    version=$("$src/scripts/version.sh")
else
    version=$(sed -n 's/^project(rfguard VERSION \([0-9][0-9.]*\).*/\1/p' \
        "$src/CMakeLists.txt")
fi

# render OVERLAY: kubectl kustomize deploy/OVERLAY > $work/OVERLAY.yaml,
# with nothing on stderr
render() {
    if ! "$kubectl" kustomize "$work/deploy/$1" >"$work/$1.yaml" \
        2>"$work/$1.err"; then
        bad "kubectl kustomize deploy/$1"
        cat "$work/$1.err"
        return 1
    fi
    if [ -s "$work/$1.err" ]; then
        bad "kubectl kustomize deploy/$1 warns:"
        cat "$work/$1.err"
    else
        ok "kubectl kustomize deploy/$1 (no warning)"
    fi
    check_images "$1"
    check_webhook_filters "$1"
    check_sentinel_access "$1"
    return 0
}

# check_sentinel_access OVERLAY: what serve's sentinel check needs, and no
# more: the ClusterRole rfguard may get and list pods (never watch or
# write them), and the NetworkPolicy lets rfguard reach port 26379 of the
# RedisFailover sentinel pods only
check_sentinel_access() {
    local out
    if out=$(python3 - "$work/$1.yaml" 2>&1 <<'EOF'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
role = [d for d in docs if d["kind"] == "ClusterRole" and
        d["metadata"]["name"] == "rfguard"]
pods = [r for r in role[0]["rules"] if "pods" in r.get("resources", [])]
verbs = sorted(v for r in pods for v in r["verbs"])
assert verbs == ["get", "list"], "pods verbs %s, want get and list" % verbs
assert all(r["apiGroups"] == [""] for r in pods), "pods outside the core group"
np = [d for d in docs if d["kind"] == "NetworkPolicy"][0]
to = [e for e in np["spec"]["egress"]
      if any(p.get("port") == 26379 for p in e.get("ports", []))]
assert len(to) == 1, "%d egress rules to 26379, want 1" % len(to)
peers = to[0].get("to") or []
sel = {"app.kubernetes.io/component": "sentinel",
       "app.kubernetes.io/part-of": "redis-failover"}
assert peers and all(p.get("podSelector", {}).get("matchLabels") == sel
                     for p in peers), "26379 open beyond the sentinel pods"
EOF
    ); then
        ok "$1: pods get/list and egress to sentinel pods' 26379 (the sentinel check)"
    else
        bad "$1: sentinel check access: $out"
    fi
}

# check_images OVERLAY: every image is ghcr.io/rfguard/rfguard:$version,
# pulled IfNotPresent
check_images() {
    local img n=0 badimg=0
    while read -r img; do
        n=$((n + 1))
        case ${img##*/} in
        *:latest|*:latest@*) bad "$1: image $img is :latest"; badimg=1 ;;
        *:*|*@sha256:*) ;;
        *) bad "$1: image $img has no tag"; badimg=1 ;;
        esac
        if [ "$img" != "ghcr.io/rfguard/rfguard:$version" ]; then
            bad "$1: image $img, want ghcr.io/rfguard/rfguard:$version" \
                "(the project version; set newTag in deploy/base/kustomization.yaml)"
            badimg=1
        fi
    done < <(sed -n 's/^ *- *image: *//p; s/^ *image: *//p' "$work/$1.yaml" |
             tr -d "\"'")
    if [ "$n" = 0 ]; then
        bad "$1: no image rendered"
    elif [ "$badimg" = 0 ]; then
        ok "$1: $n image(s) pinned to ghcr.io/rfguard/rfguard:$version"
    fi
    local pol
    pol=$(grep -c '^ *imagePullPolicy: IfNotPresent$' "$work/$1.yaml")
    if [ "$pol" = "$n" ]; then
        ok "$1: imagePullPolicy IfNotPresent"
    else
        bad "$1: $pol of $n containers have imagePullPolicy IfNotPresent"
    fi
}

# check_webhook_filters OVERLAY: both webhooks skip namespaces labelled
# rfguard.io/ignore, /status and UPDATEs that change neither spec nor labels
check_webhook_filters() {
    local f=$work/$1.yaml
    local n_ign n_st n_upd
    n_ign=$(grep -A1 '^    - key: rfguard.io/ignore$' "$f" |
            grep -c '^      operator: DoesNotExist$')
    n_st=$(grep -c "request.subResource != ''status''" "$f")
    n_upd=$(grep -c "request.operation != 'UPDATE'" "$f")
    if [ "$n_ign" = 2 ] && [ "$n_st" = 2 ] && [ "$n_upd" = 2 ]; then
        ok "$1: both webhooks: rfguard.io/ignore opt-out, matchConditions"
    else
        bad "$1: opt-out in $n_ign, status condition in $n_st, UPDATE" \
            "condition in $n_upd webhooks (want 2 each)"
    fi
}

# Nothing under deploy/ names an unpinned image, rendered or not.
if grep -rn --include='*.yaml' -E 'image: *[^ ]*:latest' "$src/deploy"; then
    bad "deploy/ names a :latest image (above)"
else
    ok "no :latest image under deploy/"
fi
if [ -n "$version" ] &&
   grep -q "^  newTag: \"$version\"\$" "$src/deploy/base/kustomization.yaml"; then
    ok "deploy/base pins newTag \"$version\" (the project version)"
else
    bad "deploy/base/kustomization.yaml newTag is not the project version" \
        "'$version'"
fi

# check_overlay OVERLAY: the properties, through rfguard's YAML loader
check_overlay() {
    if "$check" "$work/$1.yaml" "$1" >"$work/$1.check" 2>&1; then
        ok "check_deploy $1: $(tail -n 1 "$work/$1.check")"
    else
        bad "check_deploy $1"
        cat "$work/$1.check"
    fi
}

# The caBundle of the first patch as PEM, to count and verify certificates.
bundle_pem() {
    sed -n 's/^  value: //p' "$work/deploy/self-signed/generated/$1" |
        base64 -d
}

secret_field() {
    sed -n "s/^  $1: //p" "$work/deploy/self-signed/generated/secret.yaml" |
        base64 -d
}

# ---- cert-manager overlay ----
if render cert-manager; then
    check_overlay cert-manager
    # check_deploy must not be vacuous: each broken variant has to fail.
    i=0
    while IFS='|' read -r what from to; do
        i=$((i + 1))
        sed "s${from}${to}" "$work/cert-manager.yaml" >"$work/broken-$i.yaml"
        if cmp -s "$work/cert-manager.yaml" "$work/broken-$i.yaml"; then
            bad "negative case '$what': sed changed nothing"
        elif "$check" "$work/broken-$i.yaml" cert-manager \
            >"$work/broken-$i.out" 2>&1; then
            bad "check_deploy accepted: $what"
        else
            ok "check_deploy rejects: $what"
        fi
    done <<'EOF'
timeout 30 s|/timeoutSeconds: 5/|timeoutSeconds: 30/
probe over plain HTTP|/scheme: HTTPS/|scheme: HTTP/
kube-system not excluded|/- kube-system$/|- default/
Service targets a missing port|/targetPort: https/|targetPort: webhook/
writable root filesystem|/readOnlyRootFilesystem: true/|readOnlyRootFilesystem: false/
one replica|/replicas: 2/|replicas: 1/
sideEffects Some|/sideEffects: NoneOnDryRun/|sideEffects: Some/
no inject-ca-from annotation|/cert-manager.io\/inject-ca-from/|example.com\/x/
webhooks miss RedisReplications|/^    - redisreplications$/|    - redisfailovers/
RBAC misses RedisReplications|/^  - redisreplications$/|  - redisfailovers/
EOF
fi

# ---- self-signed overlay ----
# Before gen.sh the overlay fails on the missing generated/secret.yaml:
# docs/install.md quotes that message and says to run gen.sh (and
# deploy/install.sh says so itself, tests/cli/deploy_install.sh).
if "$kubectl" kustomize "$work/deploy/self-signed" >/dev/null \
    2>"$work/nogen.err"; then
    bad "deploy/self-signed renders before gen.sh ran (stale generated/?)"
elif grep -q 'generated/secret.yaml.*no such file or directory' \
    "$work/nogen.err"; then
    ok "deploy/self-signed before gen.sh fails on generated/secret.yaml"
else
    bad "deploy/self-signed before gen.sh: unexpected error:"
    cat "$work/nogen.err"
fi

gen=$work/deploy/self-signed/gen.sh
standin() {
    # A CA and serving certificate made with openssl, for when
    # `rfguard certs` is not built yet; gen.sh --from takes them as is.
    local d=$work/standin-$1
    mkdir -p "$d"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$d/ca.key" -out "$d/ca.crt" -days 2 \
        -subj "/CN=rfguard test CA $1" >/dev/null 2>&1 &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$d/tls.key" -out "$d/tls.csr" \
        -subj "/CN=rfguard.rfguard.svc" >/dev/null 2>&1 &&
    printf 'subjectAltName=DNS:rfguard.rfguard.svc,DNS:rfguard.rfguard.svc.cluster.local\n' \
        >"$d/ext" &&
    openssl x509 -req -in "$d/tls.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
        -CAcreateserial -out "$d/tls.crt" -days 2 -extfile "$d/ext" \
        >/dev/null 2>&1 && echo "$d"
}

real_certs=0
# gen_once N: run gen.sh the way docs/install.md does; fall back to the
# stand-in only while `rfguard certs` is not implemented at all.
gen_once() {
    if sh "$gen" --rfguard "$rfguard" >"$work/gen-$1.log" 2>&1; then
        real_certs=1
        ok "gen.sh --rfguard rfguard (run $1, real 'rfguard certs')"
        return 0
    fi
    if "$rfguard" certs --help >/dev/null 2>&1; then
        bad "gen.sh with 'rfguard certs' failed (run $1)"
        cat "$work/gen-$1.log"
        return 1
    fi
    local d
    if ! d=$(standin "$1"); then
        bad "openssl stand-in certificate (run $1)"
        return 1
    fi
    if sh "$gen" --from "$d" >"$work/gen-$1.log" 2>&1; then
        ok "gen.sh --from (run $1; 'rfguard certs' not built yet," \
           "openssl stand-in)"
        return 0
    fi
    bad "gen.sh --from (run $1)"
    cat "$work/gen-$1.log"
    return 1
}

if gen_once 1; then
    if ! git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
        echo "skip generated/ is git-ignored: the source is no git checkout"
    elif git -C "$src" check-ignore -q deploy/self-signed/generated/secret.yaml \
        2>/dev/null; then
        ok "generated/ (private key) is git-ignored"
    else
        bad "deploy/self-signed/generated/ is not git-ignored"
    fi
    if [ "$(stat -c %a "$work/deploy/self-signed/generated/secret.yaml")" = 600 ]
    then
        ok "secret.yaml is mode 0600"
    else
        bad "secret.yaml is not mode 0600"
    fi
    if render self-signed; then
        check_overlay self-signed
    fi
    # The serving certificate must name the Service and chain to the CA
    # the API server is given.
    secret_field tls.crt >"$work/tls.crt"
    bundle_pem validating-cabundle.yaml >"$work/bundle1.pem"
    if openssl verify -CAfile "$work/bundle1.pem" "$work/tls.crt" \
        >/dev/null 2>&1; then
        ok "tls.crt chains to the caBundle"
    else
        bad "tls.crt does not verify against the caBundle"
    fi
    if openssl x509 -in "$work/tls.crt" -noout -ext subjectAltName \
        2>/dev/null | grep -q 'DNS:rfguard.rfguard.svc\b'; then
        ok "tls.crt names rfguard.rfguard.svc"
    else
        bad "tls.crt lacks DNS:rfguard.rfguard.svc"
    fi
    # Rotation: the next run trusts the new and the previous CA.
    if gen_once 2; then
        n=$(bundle_pem mutating-cabundle.yaml | grep -c 'BEGIN CERTIFICATE')
        if [ "$n" = 2 ]; then
            ok "after rotation the caBundle holds new + previous CA"
        else
            bad "after rotation the caBundle holds $n certificates, want 2"
        fi
        secret_field tls.crt >"$work/tls2.crt"
        if openssl verify -CAfile "$work/bundle1.pem" "$work/tls2.crt" \
            >/dev/null 2>&1; then
            bad "rotation reused the old CA (nothing rotated)"
        fi
        if render self-signed; then
            check_overlay self-signed
        fi
    fi
fi

# ---- the policy ConfigMap is the shipped default policy ----
if cmp -s "$src/deploy/base/policy.yaml" "$src/policies/default.yaml"; then
    ok "deploy/base/policy.yaml = policies/default.yaml"
else
    bad "deploy/base/policy.yaml differs from policies/default.yaml;" \
        "run: cp policies/default.yaml deploy/base/policy.yaml"
fi

# ---- the image's reload wrapper: SIGHUP on change, SIGTERM passed on ----
# Each step waits for an event with a ceiling only a hang reaches: the
# wrapper has read the policy once it has a `sleep` ticker of its own;
# the change has been noticed once the fake server logged HUP.
hang=${RFG_WAIT:-180}
# wait_for COMMAND...: until it succeeds, at most $hang seconds
wait_for() {
    local end=$((SECONDS + hang))
    until "$@"; do
        [ "$SECONDS" -lt "$end" ] || return 1
        sleep 0.1
    done
}
# has_child PID NAME: PID has a child process called NAME
has_child() {
    local st rest
    for st in /proc/[0-9]*/stat; do
        rest=$(cat "$st" 2>/dev/null) || continue
        # "pid (comm) state ppid ...": comm may hold spaces
        case $rest in *"($2) "?" $1 "*) return 0 ;; esac
    done
    return 1
}
cat >"$work/fake-serve.sh" <<'EOF'
trap 'echo HUP >>"$1"' HUP
trap 'echo TERM >>"$1"; exit 7' TERM
while :; do sleep 0.1; done
EOF
echo "a: 1" >"$work/policy.yaml"
: >"$work/signals"
RFG_RELOAD_INTERVAL=1 sh "$src/deploy/image/rfguard-reload" \
    "$work/policy.yaml" -- sh "$work/fake-serve.sh" "$work/signals" \
    2>"$work/reload.log" &
wrapper=$!
wait_for has_child "$wrapper" sleep || bad "rfguard-reload never polled"
echo "a: 2" >"$work/policy.yaml"
wait_for grep -q HUP "$work/signals" || bad "rfguard-reload sent no SIGHUP"
kill -TERM "$wrapper"
wait "$wrapper"
rc=$?
if [ "$(tr '\n' ' ' <"$work/signals")" = "HUP TERM " ] && [ "$rc" = 7 ]; then
    ok "rfguard-reload: HUP on policy change, TERM passed on, exit status kept"
else
    bad "rfguard-reload: signals '$(tr '\n' ' ' <"$work/signals")' rc=$rc"
fi

# ---- docs and image agree with the manifests ----
doc=$src/docs/install.md
for cmd in "deploy/install.sh cert-manager" \
           "deploy/self-signed/gen.sh" \
           "deploy/install.sh self-signed" \
           "kubectl kustomize deploy/cert-manager" \
           "rfguard.io/install-step!=webhooks" \
           "kubectl label namespace legacy-redis rfguard.io/ignore=true" \
           "kubectl delete validatingwebhookconfiguration,mutatingwebhookconfiguration rfguard" \
           "kind load image-archive rfguard-$version.oci.tar" \
           "ctr -n k8s.io images import rfguard-$version.oci.tar" \
           "skopeo copy oci-archive:rfguard-$version.oci.tar" \
           'admission webhook "validate.rfguard.io" denied the request'; do
    if grep -qF -- "$cmd" "$doc" 2>/dev/null; then
        ok "docs/install.md: $cmd"
    else
        bad "docs/install.md does not show: $cmd"
    fi
done
for want in "USER 65532:65532" '-DRFG_GIT_REV="${RFG_GIT_REV}"' \
            "org.opencontainers.image.revision"; do
    if grep -qF -- "$want" "$src/Dockerfile"; then
        ok "Dockerfile: $want"
    else
        bad "Dockerfile lacks: $want"
    fi
done
# The Deployment runs these paths: the image build must put them there
# (scripts/image.sh builds the image, and the Dockerfile's layout with it).
for want in /usr/local/bin/rfguard-reload /usr/local/bin/rfguard; do
    if ! grep -qF -- "- $want" "$src/deploy/base/deployment.yaml"; then
        bad "the Deployment no longer runs $want: update this test"
    elif grep -qF -- "$want" "$src/scripts/image.sh"; then
        ok "scripts/image.sh puts $want where the Deployment runs it"
    else
        bad "scripts/image.sh does not install $want (the Deployment runs it)"
    fi
done
if grep -q 'runAsUser: 65532' "$src/deploy/base/deployment.yaml"; then
    ok "Deployment runs as the image's UID 65532"
else
    bad "Deployment runAsUser differs from the image's UID 65532"
fi

cli_finish
