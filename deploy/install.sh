#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# install.sh - install or upgrade rfguard in the safe order: everything but
# the webhook configurations, then wait until the Deployment is ready, then
# the webhook configurations. It never leaves failurePolicy Fail webhooks
# registered in front of pods that cannot answer (image not pulled yet,
# certificate not issued yet), which would reject every RedisFailover,
# RedisSentinel and RedisReplication write in the cluster. It is no package manager: it renders one overlay
# with `kubectl kustomize` and applies it with `kubectl apply`.
#
# Usage: deploy/install.sh [--timeout DURATION] [OVERLAY]
#   OVERLAY             cert-manager (default) or self-signed, the overlays
#                       next to this script, or the directory of your own
#                       overlay built on one of them
#   --timeout DURATION  how long to wait for the Deployment to become ready,
#                       and then for the caBundle, each (default 5m; a number
#                       with s, m or h)
#   -h, --help          this text
# Env: KUBECTL  the kubectl command (default kubectl), for example
#               KUBECTL="kubectl --context prod" deploy/install.sh
#
# Exit status: 0 installed; 1 a step failed (the message says which, and
# what the cluster looks like now); 2 usage.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
kubectl=${KUBECTL:-kubectl}
timeout=5m
overlay=
# The namespace and Deployment of deploy/base, and the label that marks
# the webhook configurations (deploy/base/webhooks.yaml).
namespace=rfguard
deployment=rfguard
step_label=rfguard.io/install-step

usage() {
    sed -n '12,21p' "$0" | sed 's/^# \{0,1\}//'
}

die_usage() {
    echo "install.sh: $*" >&2
    usage >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
    --timeout) [ $# -ge 2 ] || die_usage "--timeout needs a value"
        timeout=$2; shift 2 ;;
    --timeout=*) timeout=${1#--timeout=}; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) die_usage "unknown option: $1" ;;
    *) [ -z "$overlay" ] || die_usage "one overlay only (got '$overlay' and '$1')"
        overlay=$1; shift ;;
    esac
done
overlay=${overlay:-cert-manager}

# --timeout in seconds, for the caBundle wait (kubectl gets it as given).
case $timeout in
*[!0-9smh]*|''|[smh]*|*[smh]?*) die_usage "bad --timeout '$timeout' (for example 90s, 5m, 1h)" ;;
*h) timeout_s=$((${timeout%h} * 3600)) ;;
*m) timeout_s=$((${timeout%m} * 60)) ;;
*s) timeout_s=${timeout%s} ;;
*) timeout_s=$timeout; timeout=${timeout}s ;;
esac

if [ -d "$overlay" ]; then
    dir=$overlay
elif [ -d "$here/$overlay" ] && [ -f "$here/$overlay/kustomization.yaml" ]; then
    dir=$here/$overlay
else
    die_usage "no overlay '$overlay': use cert-manager, self-signed or the directory of your own overlay"
fi

# shellcheck disable=SC2086 # KUBECTL may carry flags (--context ...)
kc() { $kubectl "$@"; }

if ! command -v "${kubectl%% *}" >/dev/null 2>&1; then
    echo "install.sh: '${kubectl%% *}' not found: install kubectl (1.21 or newer)" >&2
    exit 1
fi
# `resources:` directories and `patches:` need the kustomize inside
# kubectl >= 1.21 (kustomize v4); older ones misread the overlays.
ver=$(kc version --client 2>/dev/null || true)
kmajor=$(printf '%s\n' "$ver" | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')
cminor=$(printf '%s\n' "$ver" | sed -n -e 's/.*GitVersion:"v1\.\([0-9]*\).*/\1/p' \
    -e 's/^Client Version: v1\.\([0-9]*\).*/\1/p' | head -n 1)
if { [ -n "$kmajor" ] && [ "$kmajor" -lt 4 ]; } ||
   { [ -z "$kmajor" ] && [ -n "$cminor" ] && [ "$cminor" -lt 21 ]; }; then
    echo "install.sh: this kubectl is too old for the overlays (kubectl 1.21 or newer needed):" >&2
    printf '%s\n' "$ver" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

if [ "$dir" = "$here/self-signed" ] && [ ! -f "$dir/generated/secret.yaml" ]; then
    echo "install.sh: the self-signed overlay has no certificate yet:" \
         "run deploy/self-signed/gen.sh first (nothing was applied)" >&2
    exit 1
fi
echo "install.sh: rendering $dir"
if ! kc kustomize "$dir" >"$tmp/all.yaml" 2>"$tmp/render.err"; then
    cat "$tmp/render.err" >&2
    if grep -q 'self-signed/generated' "$tmp/render.err"; then
        echo "install.sh: the self-signed overlay has no certificate yet:" \
             "run deploy/self-signed/gen.sh first (nothing was applied)" >&2
    else
        echo "install.sh: 'kubectl kustomize $dir' failed; nothing was applied" >&2
    fi
    exit 1
fi
if ! grep -q "^    $step_label: webhooks\$" "$tmp/all.yaml"; then
    echo "install.sh: $dir renders no object labelled $step_label=webhooks;" \
         "build your overlay on deploy/cert-manager or deploy/self-signed" >&2
    exit 1
fi

echo "install.sh: 1/3 applying everything but the webhook configurations"
kc apply -f "$tmp/all.yaml" -l "$step_label!=webhooks" || {
    echo "install.sh: step 1 failed; the webhook configurations were not applied" >&2
    if grep -q '^apiVersion: cert-manager.io/' "$tmp/all.yaml"; then
        echo "install.sh: (this overlay needs cert-manager: 'no matches for kind" \
             "\"Certificate\"' means it is not installed)" >&2
    fi
    exit 1
}

echo "install.sh: 2/3 waiting up to $timeout for deployment/$deployment in $namespace"
if ! kc -n "$namespace" rollout status "deployment/$deployment" --timeout="$timeout"; then
    cat >&2 <<EOF
install.sh: deployment/$deployment is not ready after $timeout. The webhook
configurations were NOT applied (or were left as they were), so
RedisFailover, RedisSentinel and RedisReplication writes are not blocked
by this install. Find out why:
  $kubectl -n $namespace get pods,events
  $kubectl -n $namespace describe deployment/$deployment
  $kubectl -n $namespace logs deployment/$deployment
Typical causes: the image cannot be pulled (load it, docs/install.md), the
Secret rfguard-tls does not exist yet (cert-manager not running, or
gen.sh's secret.yaml not applied), or rfguard cannot reach the API server.
Then run this script again.
EOF
    exit 1
fi

echo "install.sh: 3/3 applying the webhook configurations"
kc apply -f "$tmp/all.yaml" -l "$step_label=webhooks" || {
    echo "install.sh: applying the webhook configurations failed" >&2
    exit 1
}

# The API server can only call rfguard once the caBundle is in place;
# cert-manager's CA injector writes it a moment after the apply.
cabundle() {
    kc get "$1" rfguard -o 'jsonpath={.webhooks[0].clientConfig.caBundle}' 2>/dev/null
}
end=$(($(date +%s) + timeout_s))
for kind in mutatingwebhookconfiguration validatingwebhookconfiguration; do
    until [ -n "$(cabundle "$kind")" ]; do
        if [ "$(date +%s)" -ge "$end" ]; then
            cat >&2 <<EOF
install.sh: $kind rfguard has no caBundle after $timeout, so the API server
cannot call rfguard and RedisFailover, RedisSentinel and RedisReplication
writes fail. With cert-manager, check
that its cainjector runs and that the Certificate is ready:
  $kubectl -n $namespace get certificate rfguard-serving
To unblock those writes now, delete the webhook configurations
(the emergency exit; re-run this script once the cause is fixed):
  $kubectl delete validatingwebhookconfiguration,mutatingwebhookconfiguration rfguard
EOF
            exit 1
        fi
        sleep 2
    done
done

echo "install.sh: rfguard is installed and its webhooks are registered" \
     "(deployment/$deployment ready, caBundle set)"
