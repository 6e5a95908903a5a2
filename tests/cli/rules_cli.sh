#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# rules_cli.sh - ctest cli.rules_cli: `rfguard rules` as a user meets it
# now that rules check several kinds. The KINDS column; --kind by kind
# name, by kubectl's resource names and as a list; --target lists, from
# the command line and from a policy's spec.target; -o json; `rfguard
# explain` naming the kinds; `version --verbose` naming the OpsTree
# schemas; and the bash completion of targets, kinds and formats.
# Usage: rules_cli.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
src=$2
build=$3
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 is not installed (the JSON checks need it)"
    exit 77
fi
cli_workdir "$build" cli-rules-cli

# ids FILE: the rule ids of a text listing
ids() { awk 'NR > 1 && $1 ~ /^[a-z][a-z0-9-]*$/ {print $1}' "$1"; }
# has FILE TEXT DESC / hasnt FILE TEXT DESC
has() {
    if grep -qF -- "$2" "$work/$1"; then ok "$3"; else
        bad "$3: no '$2' in"; cat "$work/$1"; fi
}
hasnt() {
    if ! grep -qF -- "$2" "$work/$1"; then ok "$3"; else
        bad "$3: '$2' in"; cat "$work/$1"; fi
}

# The table: a KINDS column after SEV; "all" for every kind
expect_exit 0 "rfguard rules" "$rfguard" rules
cp "$work/out" "$work/all"
if head -1 "$work/all" | grep -qE '^RULE +SEV +KINDS +TARGETS +CHECKS$'; then
    ok "the header reads RULE SEV KINDS TARGETS CHECKS"
else
    bad "header: $(head -1 "$work/all")"
fi
if grep -qE '^schema-type +deny +all +all +' "$work/all" &&
    grep -qE '^port-change +deny +RedisFailover +all +' "$work/all"; then
    ok "schema-type checks all kinds, port-change RedisFailovers"
else
    bad "KINDS of schema-type, port-change:"
    grep -E '^(schema-type|port-change) ' "$work/all"
fi
total=$(ids "$work/all" | wc -l)
has all "$total rules; policy default, target spotahome-v1.3,opstree-v0.26" \
    "the summary names the target of each operator"

# --kind: the kind, its singular and plural resource names, plural.group
"$rfguard" rules --kind RedisSentinel >"$work/rs"
ids "$work/rs" >"$work/rs.ids"
if [ -s "$work/rs.ids" ] &&
    grep -qx sentinel-identity-shared "$work/rs.ids" &&
    ! grep -qx port-change "$work/rs.ids"; then
    ok "--kind RedisSentinel: $(wc -l <"$work/rs.ids") rules, sentinel-identity-shared among them, port-change not"
else
    bad "--kind RedisSentinel:"; cat "$work/rs"
fi
same=0
for k in redissentinels redissentinel REDISSENTINEL \
         redissentinels.redis.redis.opstreelabs.in; do
    "$rfguard" rules --kind "$k" >"$work/k"
    ids "$work/k" | cmp -s - "$work/rs.ids" || { bad "--kind $k differs"; same=1; }
done
[ "$same" = 0 ] && ok "--kind takes kubectl's names of RedisSentinel"
has rs ", kind RedisSentinel" "the summary names the kind filter"
if awk 'NR > 1 && $1 ~ /^[a-z]/ && $3 != "all" && $3 !~ /RedisSentinel/' \
    "$work/rs" | grep -q .; then
    bad "--kind RedisSentinel lists a rule that does not check it"
else
    ok "every rule --kind RedisSentinel lists checks RedisSentinels"
fi
"$rfguard" rules --kind RedisFailover >"$work/rf"
"$rfguard" rules --kind rf >"$work/k"
if cmp -s <(ids "$work/rf") <(ids "$work/k"); then
    ok "--kind rf is RedisFailover"
else
    bad "--kind rf differs from --kind RedisFailover"
fi
expect_exit 0 "--kind as a list" \
    "$rfguard" rules --kind redisfailovers,RedisReplication
"$rfguard" rules --kind RedisReplication >"$work/rr"
if cmp -s <(ids "$work/out") \
    <(ids "$work/all" | grep -xFf <(ids "$work/rf"; ids "$work/rr")); then
    ok "--kind redisfailovers,RedisReplication lists the rules of either"
else
    bad "--kind list:"; cat "$work/out"
fi
expect_exit 2 "an unknown kind" "$rfguard" rules --kind Redis
has err "unknown kind 'Redis' (RedisFailover, RedisSentinel or RedisReplication" \
    "an unknown kind: the error lists the kinds"
expect_exit 2 "a kind of another group" \
    "$rfguard" rules --kind redisfailovers.redis.redis.opstreelabs.in

# --target: one, a list, a list with two targets of one operator
expect_exit 0 "--target opstree-v0.26" "$rfguard" rules --target opstree-v0.26
ids "$work/out" >"$work/ot.ids"
if cmp -s "$work/ot.ids" <(ids "$work/all" | grep -xFf <(
        "$rfguard" rules --kind RedisSentinel,RedisReplication |
        awk 'NR > 1 && $1 ~ /^[a-z]/ {print $1}')); then
    ok "--target opstree-v0.26 lists the rules of the OpsTree kinds"
else
    bad "--target opstree-v0.26:"; cat "$work/out"
fi
expect_exit 0 "--target opstree-v0.26 --kind RedisFailover" \
    "$rfguard" rules --target opstree-v0.26 --kind RedisFailover
has out "0 rules; policy default, target opstree-v0.26, kind RedisFailover" \
    "no rule checks a RedisFailover under opstree-v0.26"
expect_exit 0 "--target freshworks-v3.3,opstree-v0.26" \
    "$rfguard" rules --target freshworks-v3.3,opstree-v0.26
has out "target freshworks-v3.3,opstree-v0.26" "the summary names both targets"
expect_exit 2 "two targets of one operator" \
    "$rfguard" rules --target spotahome-v1.3,freshworks-v3.3
has err "at most one per operator" "the error says one target per operator"

# A policy whose target is a list
cat >"$work/mixed.yaml" <<'EOF'
apiVersion: rfguard.io/v1alpha1
kind: Policy
metadata:
  name: mixed
spec:
  target: freshworks-v3.3,opstree-v0.26
EOF
expect_exit 0 "rules --policy with target: freshworks-v3.3,opstree-v0.26" \
    "$rfguard" rules --policy "$work/mixed.yaml"
has out "rules; policy mixed, target freshworks-v3.3,opstree-v0.26" \
    "the policy's target list is in force"
sed 's/target: .*/target: opstree-v0.26/' "$work/mixed.yaml" >"$work/ot.yaml"
expect_exit 0 "rules --policy with target: opstree-v0.26" \
    "$rfguard" rules --policy "$work/ot.yaml"
has out "target spotahome-v1.3,opstree-v0.26" \
    "RedisFailovers keep their default target under an OpsTree-only policy"
sed 's/target: .*/target: freshworks-v3.3,spotahome-v1.2/' "$work/mixed.yaml" \
    >"$work/two.yaml"
expect_exit 2 "a policy target naming two RedisFailover targets" \
    "$rfguard" rules --policy "$work/two.yaml"
has err "$work/two.yaml:6:3: " "the policy error has file:line:col"
has err "at most one per operator" "the policy error says one per operator"

# -o json
expect_exit 0 "rules -o json" "$rfguard" rules -o json --policy "$work/mixed.yaml"
if python3 - "$work/out" "$total" >"$work/py" 2>&1 <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
kinds = {"RedisFailover", "RedisSentinel", "RedisReplication"}
known = {t["name"]: set(t["kinds"]) for t in doc["knownTargets"]}
assert doc["policy"] == "mixed", doc["policy"]
assert doc["target"] == ["freshworks-v3.3", "opstree-v0.26"], doc["target"]
assert known["opstree-v0.26"] == {"RedisSentinel", "RedisReplication"}, known
assert known["spotahome-v1.2"] == {"RedisFailover"}, known
assert len(doc["rules"]) == int(sys.argv[2]), len(doc["rules"])
for r in doc["rules"]:
    assert r["kinds"] and set(r["kinds"]) <= kinds, r
    assert r["targets"], r
    for t in r["targets"]:
        assert known[t] & set(r["kinds"]), (r["id"], t)
    assert r["severity"] in ("deny", "warn", "off"), r
    assert isinstance(r["parameters"], list) and r["checks"], r
byid = {r["id"]: r for r in doc["rules"]}
assert byid["port-change"]["kinds"] == ["RedisFailover"]
assert byid["port-change"]["updateOnly"] is True
assert "opstree-v0.26" not in byid["port-change"]["targets"]
assert byid["schema-type"]["kinds"] == sorted(kinds, key=["RedisFailover",
    "RedisSentinel", "RedisReplication"].index)
EOF
then
    ok "-o json: every rule with its kinds and the targets that run them"
else
    bad "-o json:"; cat "$work/py"
fi
expect_exit 0 "--kind with -o json" \
    "$rfguard" rules -o json --kind RedisReplication
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rules"]))' \
    "$work/out")
if [ "$n" = "$("$rfguard" rules --kind RedisReplication | ids /dev/stdin | wc -l)" ]; then
    ok "-o json and the table list the same $n RedisReplication rules"
else
    bad "-o json lists $n RedisReplication rules"
fi
expect_exit 2 "an unknown format" "$rfguard" rules -o yaml
has err "unknown format 'yaml' (text or json)" "an unknown format: the error names the formats"

# explain names the kinds and targets
expect_exit 0 "explain port-change" "$rfguard" explain port-change
if head -1 "$work/out" | grep -qF "port-change (default: deny; kinds: RedisFailover; targets: spotahome-v1.2, spotahome-v1.3, freshworks-v3.3; on UPDATE"; then
    ok "explain port-change: RedisFailover, its targets, on UPDATE"
else
    bad "explain port-change: $(head -1 "$work/out")"
fi
expect_exit 0 "explain schema-type" "$rfguard" explain schema-type
has out "kinds: RedisFailover, RedisSentinel, RedisReplication; targets: spotahome-v1.2, spotahome-v1.3, freshworks-v3.3, opstree-v0.26" \
    "explain schema-type: every kind and target"

# version --verbose: the OpsTree CRDs, one per kind
expect_exit 0 "version --verbose" "$rfguard" version --verbose
has out "opstree-v0.26    the compiled-in opstree-v0.26 RedisSentinel CRD, sha256 " \
    "version --verbose: the RedisSentinel schema"
has out "opstree-v0.26    the compiled-in opstree-v0.26 RedisReplication CRD, sha256 " \
    "version --verbose: the RedisReplication schema"
expect_exit 0 "rules --help" "$rfguard" rules --help
has out "--kind KIND" "rules --help names --kind"
has out "opstree-v0.26" "rules --help names the OpsTree target"

# bash completion (sourced from the source tree)
got=$(PATH="$(dirname "$rfguard"):$PATH" bash --norc --noprofile -c '
    source "$1" || exit 3
    t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _rfguard
          echo "$*: ${COMPREPLY[*]}"; }
    t rfguard lint -t opst
    t rfguard lint --target freshworks-v3.3,op
    t rfguard rules --ki
    t rfguard rules --kind RedisS
    t rfguard rules --kind rf,redisr
    t rfguard rules -o ""
' _ "$src/completions/rfguard.bash" 2>&1)
for want in "rfguard lint -t opst: opstree-v0.26" \
    "rfguard lint --target freshworks-v3.3,op: freshworks-v3.3,opstree-v0.26" \
    "rfguard rules --ki: --kind" \
    "rfguard rules --kind RedisS: RedisSentinel" \
    "rfguard rules --kind rf,redisr: rf,redisreplications" \
    "rfguard rules -o : text json"; do
    if grep -qxF -- "$want" <<<"$got"; then ok "completion: $want"; else
        bad "completion: want '$want', got: $got"; fi
done
cli_finish
