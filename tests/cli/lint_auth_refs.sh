#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# lint_auth_refs.sh - ctest cli.lint_auth_refs: the words of the auth
# findings a user acts on, from the rule fixtures: a secretPath that is
# no Secret name says why, a missing Secret names the nearest one of its
# namespace, Secret data the API server cannot decode names the key and
# the defect, and a NetworkPolicy that leaves 26379 open is named.
# Usage: lint_auth_refs.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
src=$2
cd "$src/tests/rules" || exit 1

# expect FILE TEXT: linting FILE prints TEXT.
expect() {
    local out
    out=$("$rfguard" lint "$1" 2>&1)
    if grep -qF -- "$2" <<<"$out"; then ok "$1: $2"; else
        bad "$1: no \"$2\""; echo "$out"; fi
}
expect auth-required/fail-file-path.yaml \
    'spec.auth.secretPath "/etc/redis/pass" is not a valid Secret name: it is a file path'
expect auth-required/fail-trailing-slash.yaml "it ends with '/'"
expect auth-required/fail-placeholder.yaml "Secret names are lower case"
expect auth-secret-exists/fail-typo.yaml \
    'Secret shop/cahce-auth is not among the linted documents (did you mean `cache-auth`?)'
expect auth-password-key/fail-unpadded.yaml \
    "data.username is not padded with '=' to a multiple of 4 characters, so the API server refuses the Secret"
expect auth-password-key/fail-urlsafe.yaml "data.password uses the URL-safe alphabet"
expect sentinel-no-auth/fail-netpol-open.yaml \
    "NetworkPolicy shop/cache-sentinels lets any source reach port 26379"
# a file path gets no second finding from auth-secret-exists
out=$("$rfguard" lint auth-required/fail-file-path.yaml 2>&1)
if grep -q "auth-secret-exists" <<<"$out"; then
    bad "an invalid secretPath is also reported missing"; else
    ok "an invalid secretPath is reported once"; fi
cli_finish
