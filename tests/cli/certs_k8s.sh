#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# certs_k8s.sh - ctest cli.certs_k8s: `rfguard certs --k8s` prints a
# kubernetes.io/tls Secret whose data are the files it wrote, writes the
# caBundle patch, keeps key material at mode 0600, and its output renders
# in the self-signed overlay (when kubectl is present).
# Usage: certs_k8s.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
src=$2
cli_workdir "$3" certs-k8s

"$rfguard" certs --service rfguard --namespace rfguard --out "$work/c" --k8s \
    > "$work/secret.out" 2> "$work/err"
[ $? = 0 ] && ok "certs --k8s exits 0" || { bad "exit"; cat "$work/err"; }
cmp -s "$work/secret.out" "$work/c/secret.yaml" && ok "stdout equals secret.yaml" || bad "stdout differs"
grep -q "^kind: Secret$" "$work/secret.out" && grep -q "^type: kubernetes.io/tls$" "$work/secret.out" \
    && ok "a kubernetes.io/tls Secret" || bad "not a TLS Secret"
for f in tls.crt tls.key ca.crt; do
    v=$(sed -n "s/^  $f: //p" "$work/secret.out" | base64 -d 2>/dev/null)
    [ "$v" = "$(cat "$work/c/$f")" ] && ok "data.$f is $f" || bad "data.$f differs"
done
[ "$(stat -c %a "$work/c/secret.yaml")" = 600 ] && ok "secret.yaml is 0600" || bad "secret.yaml mode"
[ "$(stat -c %a "$work/c/tls.key")" = 600 ] && ok "tls.key is 0600" || bad "tls.key mode"
b=$(sed -n 's/^  value: //p' "$work/c/cabundle-patch.yaml")
[ "$b" = "$(cat "$work/c/ca-bundle.b64")" ] && ok "patch carries the caBundle" || bad "patch caBundle"
grep -q "path: /webhooks/0/clientConfig/caBundle" "$work/c/cabundle-patch.yaml" && ok "patch path" || bad "patch path"
"$rfguard" certs --service rfguard --namespace rfguard --out "$work/c" --k8s --secret-name other > "$work/s2" 2>/dev/null
grep -q "^  name: other$" "$work/s2" && ok "--secret-name" || bad "--secret-name"
cmp -s <(sed -n 's/^  ca.crt: //p' "$work/secret.out") <(sed -n 's/^  ca.crt: //p' "$work/s2") \
    && ok "second run keeps the CA" || bad "CA changed"

if command -v kubectl >/dev/null; then
    cp -R "$src/deploy" "$work/deploy"
    mkdir -p "$work/deploy/self-signed/generated"
    cp "$work/c/secret.yaml" "$work/deploy/self-signed/generated/secret.yaml"
    cp "$work/c/cabundle-patch.yaml" "$work/deploy/self-signed/generated/mutating-cabundle.yaml"
    cp "$work/c/cabundle-patch.yaml" "$work/deploy/self-signed/generated/validating-cabundle.yaml"
    if kubectl kustomize "$work/deploy/self-signed" > "$work/render.yaml" 2> "$work/kerr"; then
        n=$(grep -c "caBundle: $b" "$work/render.yaml")
        [ "$n" = 2 ] && ok "overlay renders with both caBundles" || bad "caBundle in $n webhooks"
    else
        bad "kubectl kustomize failed"; cat "$work/kerr"
    fi
fi
cli_finish
