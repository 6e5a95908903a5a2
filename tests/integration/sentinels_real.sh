#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# sentinels_real.sh - `rfguard sentinels` against real redis-server and
# redis-sentinel processes (tests/sentinels/harness.bash starts them on
# 127.A.B.x loopback addresses, one address per pod), with a dump
# (tests/sentinels/dump.py) mapping those addresses to the pods of
# RedisFailovers. Nine topologies run side by side, one namespace each
# (the first six are the cases a merge check must tell apart):
#
#   healthy  one failover, with a password (a Secret, --password-secret)
#   reuse    a redis pod of another failover replicates this master (what
#            a reused pod IP does): merged, naming that failover
#   mesh     a sentinel of another failover monitors this master under the
#            same name, so the two groups know each other: both merged
#   split    one sentinel of the failover monitors a different master
#   down     one sentinel killed, its pod still in the dump: unreachable,
#            the others still asked
#   stale    a replica whose pod is gone from the dump: stale
#   named    a freshworks failover with disableMyMaster: its sentinels
#            monitor a master named after it (-t freshworks-v3.3)
#   unknown  a sentinel that also monitors another failover's master
#            under another name: unknown master, naming that failover
#   ports    a failover with its own redis port (spec.redis.port 7000)
#
# and a sentinel stopped (SIGSTOP: it accepts, never answers) must time
# out after --timeout while the others are still asked.
#
# Each case checks the findings of `-o json` name the right failovers,
# the exit code, and for merged ones the clean-up procedure (text and
# JSON). Then one run over all of them at once, asking two sentinels at a
# time, must find exactly what the cases found one by one, and the other
# output formats must carry the merge. The same again without -f, from
# the stand-in API server (tests/kapi) holding the same objects, when
# curl and openssl are there to run it. Around it all: nothing was written
# to any redis or sentinel, every live sentinel was asked, and the
# passwords are in no output. No wait is timed: Sentinel's discovery
# is polled with a ceiling (RFG_WAIT, default 90 s) that only a hang
# reaches. Skipped (77) without redis-server/redis-sentinel/redis-cli,
# when 127.0.0.2 cannot be bound, or when a redis or sentinel already
# listens on all addresses (ports 6379, 26379). RFG_KEEP=1 keeps the work
# directory (configs, logs, every output) for debugging.
#
# Usage: sentinels_real.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u

RFG=$1
SRC=$2
BUILD=$3
# shellcheck source=tests/sentinels/harness.bash
. "$SRC/tests/sentinels/harness.bash"
DUMPPY=$SRC/tests/sentinels/dump.py
failed=0

ok() { echo "ok   $*"; }
bad() {
    echo "FAIL $*"
    failed=1
}

rs_init "$BUILD"
W=$RS_WORK
ip() { rs_ip "$1"; }

# --- addresses (last octet) ---------------------------------------------
# healthy/cache: r .2 .3, s .4 .5 .6 (password)
# reuse/cache: r .10 .11, s .12 .13; team-b/intruder: r .14 -> replica of .10
# mesh/cache: r .20 .21, s .22 .23; mesh/intruder: r .24, s .25 -> .20
# split/cache: r .30 .31 .32, s .33 .34 -> .30, s .35 -> .32
# down/cache: r .40 .41, s .42 .43 .44 (.44 killed)
# stale/cache: r .50 .51 .52 (.52 not in the dump, then killed), s .53 .54
# named/orders: r .60 .61, s .62 .63 (master name "orders")
# unknown/cache: r .70, s .71 .72; s .71 also monitors .73 as "sessions",
#   the redis of unknown/sessions
# ports/cache: r .80 .81 on port 7000, s .82 .83
PW="pw-$RANDOM$RANDOM-$RANDOM"
PW2="wrong-$RANDOM$RANDOM-$RANDOM"   # in a Secret too, never the right one

start_all() {
    # Redis first, so the sentinels' first INFO already lists the replicas.
    rs_redis healthy-r0 "$(ip 2)" "$PW" || return 1
    rs_redis healthy-r1 "$(ip 3)" "$PW" "$(ip 2)" "$PW" || return 1
    rs_redis reuse-r0 "$(ip 10)" || return 1
    rs_redis reuse-r1 "$(ip 11)" "" "$(ip 10)" || return 1
    rs_redis intruder-r0 "$(ip 14)" "" "$(ip 10)" || return 1
    rs_redis mesh-r0 "$(ip 20)" || return 1
    rs_redis mesh-r1 "$(ip 21)" "" "$(ip 20)" || return 1
    rs_redis mintruder-r0 "$(ip 24)" || return 1
    rs_redis split-r0 "$(ip 30)" || return 1
    rs_redis split-r1 "$(ip 31)" "" "$(ip 30)" || return 1
    rs_redis split-r2 "$(ip 32)" || return 1
    rs_redis down-r0 "$(ip 40)" || return 1
    rs_redis down-r1 "$(ip 41)" "" "$(ip 40)" || return 1
    rs_redis stale-r0 "$(ip 50)" || return 1
    rs_redis stale-r1 "$(ip 51)" "" "$(ip 50)" || return 1
    rs_redis stale-r2 "$(ip 52)" "" "$(ip 50)" || return 1
    rs_redis named-r0 "$(ip 60)" || return 1
    rs_redis named-r1 "$(ip 61)" "" "$(ip 60)" || return 1
    rs_redis unknown-r0 "$(ip 70)" || return 1
    rs_redis sessions-r0 "$(ip 73)" || return 1
    RS_REDIS_PORT=7000 rs_redis ports-r0 "$(ip 80)" || return 1
    RS_REDIS_PORT=7000 rs_redis ports-r1 "$(ip 81)" "" "$(ip 80)" || return 1
    rs_until "healthy replication" rs_master_has_replicas "$(ip 2)" 1 || return 1
    rs_until "reuse replication" rs_master_has_replicas "$(ip 10)" 2 || return 1
    rs_until "mesh replication" rs_master_has_replicas "$(ip 20)" 1 || return 1
    rs_until "split replication" rs_master_has_replicas "$(ip 30)" 1 || return 1
    rs_until "down replication" rs_master_has_replicas "$(ip 40)" 1 || return 1
    rs_until "stale replication" rs_master_has_replicas "$(ip 50)" 2 || return 1
    rs_until "named replication" rs_master_has_replicas "$(ip 60)" 1 || return 1
    rs_until "ports replication" rs_master_has_replicas "$(ip 80)" 1 7000 || return 1

    local i
    for i in 4 5 6; do
        rs_sentinel "healthy-s$i" "$(ip $i)" "$(ip 2)" "$PW" || return 1
    done
    rs_sentinel reuse-s0 "$(ip 12)" "$(ip 10)" || return 1
    rs_sentinel reuse-s1 "$(ip 13)" "$(ip 10)" || return 1
    rs_sentinel mesh-s0 "$(ip 22)" "$(ip 20)" || return 1
    rs_sentinel mesh-s1 "$(ip 23)" "$(ip 20)" || return 1
    rs_sentinel mintruder-s0 "$(ip 25)" "$(ip 20)" || return 1
    rs_sentinel split-s0 "$(ip 33)" "$(ip 30)" || return 1
    rs_sentinel split-s1 "$(ip 34)" "$(ip 30)" || return 1
    rs_sentinel split-s2 "$(ip 35)" "$(ip 32)" || return 1
    for i in 42 43 44; do
        rs_sentinel "down-s$i" "$(ip $i)" "$(ip 40)" || return 1
    done
    rs_sentinel stale-s0 "$(ip 53)" "$(ip 50)" || return 1
    rs_sentinel stale-s1 "$(ip 54)" "$(ip 50)" || return 1
    rs_sentinel named-s0 "$(ip 62)" "$(ip 60)" "" orders || return 1
    rs_sentinel named-s1 "$(ip 63)" "$(ip 60)" "" orders || return 1
    rs_sentinel unknown-s0 "$(ip 71)" "$(ip 70)" "" mymaster sessions "$(ip 73)" ||
        return 1
    rs_sentinel unknown-s1 "$(ip 72)" "$(ip 70)" || return 1
    RS_REDIS_PORT=7000 rs_sentinel ports-s0 "$(ip 82)" "$(ip 80)" || return 1
    RS_REDIS_PORT=7000 rs_sentinel ports-s1 "$(ip 83)" "$(ip 80)" || return 1
}

# knows SENTINEL_IP "REPLICA_IPS" "SENTINEL_IPS" [MASTER_NAME]: wait until
# that sentinel lists exactly these replicas and other sentinels of
# MASTER_NAME (mymaster).
# shellcheck disable=SC2086
knows() {
    local m=${4:-mymaster}
    rs_until "$1 to list replicas [$2]" rs_knows_replicas "$1" "$m" $2 &&
        rs_until "$1 to list sentinels [$3]" rs_knows_sentinels "$1" "$m" $3
}

discover_all() {
    knows "$(ip 4)" "$(ip 3)" "$(ip 5) $(ip 6)" &&
    knows "$(ip 5)" "$(ip 3)" "$(ip 4) $(ip 6)" &&
    knows "$(ip 6)" "$(ip 3)" "$(ip 4) $(ip 5)" &&
    knows "$(ip 12)" "$(ip 11) $(ip 14)" "$(ip 13)" &&
    knows "$(ip 13)" "$(ip 11) $(ip 14)" "$(ip 12)" &&
    knows "$(ip 22)" "$(ip 21)" "$(ip 23) $(ip 25)" &&
    knows "$(ip 23)" "$(ip 21)" "$(ip 22) $(ip 25)" &&
    knows "$(ip 25)" "$(ip 21)" "$(ip 22) $(ip 23)" &&
    knows "$(ip 33)" "$(ip 31)" "$(ip 34)" &&
    knows "$(ip 34)" "$(ip 31)" "$(ip 33)" &&
    knows "$(ip 35)" "" "" &&
    knows "$(ip 42)" "$(ip 41)" "$(ip 43) $(ip 44)" &&
    knows "$(ip 43)" "$(ip 41)" "$(ip 42) $(ip 44)" &&
    knows "$(ip 44)" "$(ip 41)" "$(ip 42) $(ip 43)" &&
    knows "$(ip 53)" "$(ip 51) $(ip 52)" "$(ip 54)" &&
    knows "$(ip 54)" "$(ip 51) $(ip 52)" "$(ip 53)" &&
    knows "$(ip 62)" "$(ip 61)" "$(ip 63)" orders &&
    knows "$(ip 63)" "$(ip 61)" "$(ip 62)" orders &&
    knows "$(ip 71)" "" "$(ip 72)" &&
    knows "$(ip 72)" "" "$(ip 71)" &&
    knows "$(ip 82)" "$(ip 81)" "$(ip 83)" &&
    knows "$(ip 83)" "$(ip 81)" "$(ip 82)"
}

if ! start_all; then
    echo "FAIL could not start the redis and sentinel processes"
    exit 1
fi
ok "22 redis-server and 20 redis-sentinel processes on $RS_BASE.x"
if ! discover_all; then
    echo "FAIL Sentinel did not discover the topologies"
    for d in "$W"/*/log; do echo "--- $d"; tail -n 5 "$d"; done
    exit 1
fi
ok "every sentinel discovered its replicas and sentinels"

# The two that are gone: a sentinel process (its pod stays in the dump)
# and a replica whose pod left the dump (its address is stale).
rs_kill down-s44
rs_kill stale-r2
ok "killed the sentinel on $(ip 44) and the redis on $(ip 52)"

# --- the dumps -----------------------------------------------------------
# mkdump CASE: writes $W/CASE.json from the spec on stdin
mkdump() { "$RS_PY" "$DUMPPY" make >"$W/$1.json"; }

mkdump healthy <<EOF
rf healthy cache 2 3 secret=cache-auth
secret healthy cache-auth password $PW
secret healthy wrong-auth pass $PW2
redis healthy cache 0 $(ip 2)
redis healthy cache 1 $(ip 3)
sentinel healthy cache 0 $(ip 4)
sentinel healthy cache 1 $(ip 5)
sentinel healthy cache 2 $(ip 6)
EOF
mkdump reuse <<EOF
rf reuse cache 2 2
redis reuse cache 0 $(ip 10)
redis reuse cache 1 $(ip 11)
sentinel reuse cache 0 $(ip 12)
sentinel reuse cache 1 $(ip 13)
rf team-b intruder 1 1
redis team-b intruder 0 $(ip 14)
EOF
mkdump mesh <<EOF
rf mesh cache 2 2
redis mesh cache 0 $(ip 20)
redis mesh cache 1 $(ip 21)
sentinel mesh cache 0 $(ip 22)
sentinel mesh cache 1 $(ip 23)
rf mesh intruder 1 1
redis mesh intruder 0 $(ip 24)
sentinel mesh intruder 0 $(ip 25)
EOF
mkdump split <<EOF
rf split cache 3 3
redis split cache 0 $(ip 30)
redis split cache 1 $(ip 31)
redis split cache 2 $(ip 32)
sentinel split cache 0 $(ip 33)
sentinel split cache 1 $(ip 34)
sentinel split cache 2 $(ip 35)
EOF
mkdump down <<EOF
rf down cache 2 3
redis down cache 0 $(ip 40)
redis down cache 1 $(ip 41)
sentinel down cache 0 $(ip 42)
sentinel down cache 1 $(ip 43)
sentinel down cache 2 $(ip 44)
EOF
mkdump stale <<EOF
rf stale cache 3 2
redis stale cache 0 $(ip 50)
redis stale cache 1 $(ip 51)
sentinel stale cache 0 $(ip 53)
sentinel stale cache 1 $(ip 54)
EOF
mkdump named <<EOF
rf named orders 2 2 disableMyMaster
redis named orders 0 $(ip 60)
redis named orders 1 $(ip 61)
sentinel named orders 0 $(ip 62)
sentinel named orders 1 $(ip 63)
EOF
mkdump unknown <<EOF
rf unknown cache 1 2
redis unknown cache 0 $(ip 70)
sentinel unknown cache 0 $(ip 71)
sentinel unknown cache 1 $(ip 72)
rf unknown sessions 1 1
redis unknown sessions 0 $(ip 73)
EOF
mkdump ports <<EOF
rf ports cache 2 2 port=7000
redis ports cache 0 $(ip 80)
redis ports cache 1 $(ip 81)
sentinel ports cache 0 $(ip 82)
sentinel ports cache 1 $(ip 83)
EOF
# everything at once (stale's missing pod still missing)
"$RS_PY" -c '
import json, sys
items = []
for f in sys.argv[1:]:
    items += json.load(open(f))["items"]
json.dump({"apiVersion": "v1", "kind": "List", "items": items}, sys.stdout)
' "$W"/{healthy,reuse,mesh,split,down,stale,named,unknown,ports}.json >"$W/all.json"

# --- state before ---------------------------------------------------------
SENTINELS="healthy-s4:4 healthy-s5:5 healthy-s6:6 reuse-s0:12 reuse-s1:13
mesh-s0:22 mesh-s1:23 mintruder-s0:25 split-s0:33 split-s1:34 split-s2:35
down-s42:42 down-s43:43 stale-s0:53 stale-s1:54 named-s0:62 named-s1:63
unknown-s0:71 unknown-s1:72 ports-s0:82 ports-s1:83"
REDISES="healthy-r0:2 healthy-r1:3 reuse-r0:10 reuse-r1:11 intruder-r0:14
mesh-r0:20 mesh-r1:21 mintruder-r0:24 split-r0:30 split-r1:31 split-r2:32
down-r0:40 down-r1:41 stale-r0:50 stale-r1:51 named-r0:60 named-r1:61
unknown-r0:70 sessions-r0:73 ports-r0:80 ports-r1:81"
snapshot() {   # snapshot DIR
    local e
    mkdir -p "$1"
    for e in $SENTINELS; do
        rs_state_sentinel "${e%%:*}" "$(ip "${e##*:}")" >"$1/${e%%:*}"
        rs_connections "$(ip "${e##*:}")" 26379 >"$1/${e%%:*}.conns"
    done
    for e in $REDISES; do
        rs_state_redis "${e%%:*}" "$(ip "${e##*:}")" >"$1/${e%%:*}"
    done
}
snapshot "$W/before"

# --- running rfguard ------------------------------------------------------
# run CASE TAG [ARGS...]: rfguard sentinels -f CASE.json ARGS; stdout in
# $W/out/CASE.TAG, stderr in .err, the exit code in RC.
mkdir -p "$W/out"
NRUNS=0   # every output is also appended to $W/out/all (password check)
run() {
    local c=$1 tag=$2
    shift 2
    "$RFG" sentinels -f "$W/$c.json" --timeout 10s --deadline 80s "$@" \
        >"$W/out/$c.$tag" 2>"$W/out/$c.$tag.err"
    RC=$?
    NRUNS=$((NRUNS + 1))
    cat "$W/out/$c.$tag" "$W/out/$c.$tag.err" >>"$W/out/all"
}
# json CASE [ARGS...]: -o json run; its findings in $W/out/CASE.f
json() {
    local c=$1
    shift
    run "$c" json -o json "$@"
    "$RS_PY" "$DUMPPY" findings "$W/out/$c.json" >"$W/out/$c.f" 2>&1 ||
        bad "$c: -o json is not JSON: $(head -c 300 "$W/out/$c.json")"
}
show() {
    echo "  exit $RC; findings:"
    sed 's/^/    /' "$W/out/$1.f"
    sed 's/^/  stderr: /' "$W/out/$1.json.err" | head -n 5
}
# has CASE RULE OBJECT MESSAGE_ERE...: a finding of RULE on OBJECT whose
# message matches every ERE
has() {
    local c=$1 rule=$2 obj=$3 r o m re hit
    shift 3
    while IFS=$'\t' read -r r o m; do
        if [ "$r" != "$rule" ] || [ "$o" != "$obj" ]; then
            continue
        fi
        hit=1
        for re in "$@"; do
            printf '%s' "$m" | grep -qE -- "$re" || hit=0
        done
        [ "$hit" = 1 ] && return 0
    done <"$W/out/$c.f"
    return 1
}
# count CASE RULE [OBJECT]: how many findings of RULE (on OBJECT)
count() {
    awk -F'\t' -v r="$2" -v o="${3:-}" \
        '$1 == r && (o == "" || $2 == o) { n++ } END { print n + 0 }' \
        "$W/out/$1.f"
}
q() { printf '%s' "$1" | sed 's/\./\\./g'; }   # an IP as an ERE
# keep CASE: this run's findings are what the run over all cases must
# find for CASE (flags left out: they change as sentinels time out)
keep() { sed -E 's/ \(flags [^)]*\)//' "$W/out/$1.f" >"$W/out/$1.expect"; }

# procedure_ok CASE OBJECT SENTINEL_IPS...: the text output has the
# clean-up block for OBJECT: the identity first, then SENTINEL RESET on
# each of its sentinels, one at a time, with the documentation's address;
# the JSON output has the same as "procedure".
procedure_ok() {
    local c=$1 obj=$2 txt=$W/out/$1.text s block
    shift 2
    block=$(awk -v h="How to clean up $obj (rfguard only reads; run these yourself):" '
        index($0, h) == 1 { on = 1; print; next }
        on && /^How to clean up / { on = 0 }
        on { print }' "$txt")
    if [ -z "$block" ]; then
        bad "$c: no clean-up block for $obj in the text output"
        sed 's/^/    /' "$txt" | head -n 40
        return
    fi
    local fix reset1
    fix=$(printf '%s\n' "$block" | grep -n -m1 -E 'rfguard fix' | cut -d: -f1)
    reset1=$(printf '%s\n' "$block" | grep -n -m1 -E 'SENTINEL RESET' | cut -d: -f1)
    if [ -n "$fix" ] && [ -n "$reset1" ] && [ "$fix" -lt "$reset1" ]; then
        ok "$c: $obj: the clean-up fixes the identity (rfguard fix) before any SENTINEL RESET"
    else
        bad "$c: $obj: clean-up order (rfguard fix, then SENTINEL RESET): $block"
    fi
    for s in "$@"; do
        if printf '%s\n' "$block" | grep -qE -- "redis-cli -h $(q "$s") -p 26379 SENTINEL RESET mymaster"; then
            ok "$c: $obj: clean-up resets the sentinel on $s"
        else
            bad "$c: $obj: no 'redis-cli -h $s -p 26379 SENTINEL RESET mymaster' in: $block"
        fi
    done
    if printf '%s\n' "$block" | grep -qiE 'one at a time' &&
       printf '%s\n' "$block" | grep -qE 'SENTINEL (REPLICAS|SENTINELS) mymaster' &&
       printf '%s\n' "$block" | grep -qF 'redis.io/docs/latest/operate/oss_and_stack/management/sentinel'; then
        ok "$c: $obj: one sentinel at a time, waiting for rediscovery, with the source"
    else
        bad "$c: $obj: clean-up lacks 'one at a time', the wait, or the source: $block"
    fi
    local p
    p=$("$RS_PY" "$DUMPPY" procedure "$W/out/$c.json" "$obj")
    if printf '%s\n' "$p" | grep -qE 'SENTINEL RESET mymaster' &&
       printf '%s\n' "$p" | grep -q 'rfguard fix'; then
        ok "$c: $obj: JSON carries the procedure"
    else
        bad "$c: $obj: JSON has no procedure with rfguard fix and SENTINEL RESET: $p"
    fi
}
no_procedure() {
    if grep -q '^How to clean up' "$W/out/$1.text"; then
        bad "$1: a clean-up block though nothing is merged"
    else
        ok "$1: no clean-up block"
    fi
}

# healthy: nothing to report, and the password works
json healthy --password-secret cache-auth
if [ "$RC" = 0 ] && [ ! -s "$W/out/healthy.f" ]; then
    ok "healthy: exit 0, no finding (AUTH with the Secret's password)"
else
    bad "healthy: want exit 0 and no finding"; show healthy
fi
run healthy text --password-secret cache-auth:password --no-color
no_procedure healthy
json healthy --password-secret other-auth
if { [ "$RC" = 2 ] && grep -q 'other-auth' "$W/out/healthy.json.err"; } ||
   { [ "$RC" = 0 ] && [ "$(count healthy sentinel-unreachable healthy/cache)" = 3 ] &&
     has healthy sentinel-unreachable healthy/cache 'healthy/other-auth'; }; then
    ok "healthy: a Secret that does not exist is reported, naming it (exit $RC)"
else
    bad "healthy: --password-secret naming no Secret went unnoticed"; show healthy
fi
json healthy --password-secret wrong-auth:pass
if [ "$RC" = 0 ] && [ "$(count healthy sentinel-unreachable healthy/cache)" = 3 ] &&
   has healthy sentinel-unreachable healthy/cache "$(q "$(ip 5)"):26379" 'AUTH|WRONGPASS|invalid'; then
    ok "healthy: a wrong password (key 'pass' of another Secret) makes each sentinel unreachable (auth), exit 0"
else
    bad "healthy: with a wrong password want 3 sentinel-unreachable (auth)"; show healthy
fi
json healthy
if [ "$RC" = 0 ] && [ "$(count healthy sentinel-unreachable healthy/cache)" = 3 ] &&
   has healthy sentinel-unreachable healthy/cache "$(q "$(ip 4)"):26379" 'rfs-cache-7d9f8c6b5-0' 'AUTH|NOAUTH|[Aa]uth'; then
    ok "healthy: without the password each of the 3 sentinels is unreachable (auth), exit 0"
else
    bad "healthy: without --password-secret want 3 sentinel-unreachable (auth)"; show healthy
fi
keep healthy

# reuse: another failover's redis replicates this master
json reuse
if [ "$RC" = 1 ] &&
   has reuse sentinel-merged reuse/cache 'team-b/intruder' "$(q "$(ip 14)")" &&
   has reuse sentinel-merged reuse/cache "$(q "$(ip 12)"):26379" &&
   has reuse sentinel-merged reuse/cache "$(q "$(ip 13)"):26379" &&
   [ "$(count reuse sentinel-merged team-b/intruder)" = 0 ]; then
    ok "reuse: merged, naming team-b/intruder (its redis $(ip 14)), said by both sentinels; exit 1"
else
    bad "reuse: want sentinel-merged on reuse/cache naming team-b/intruder, exit 1"; show reuse
fi
keep reuse
if [ "$(count reuse sentinel-stale)" = 0 ] && [ "$(count reuse sentinel-unreachable)" = 0 ]; then
    ok "reuse: no stale or unreachable finding"
else
    bad "reuse: unexpected stale or unreachable"; show reuse
fi
if has reuse sentinel-extra reuse/cache "$(q "$(ip 12)"):26379" '2 replicas'; then
    ok "reuse: extra, 2 replicas known where the spec has 1"
else
    bad "reuse: want sentinel-extra (2 replicas) on reuse/cache"; show reuse
fi
run reuse text --no-color
procedure_ok reuse reuse/cache "$(ip 12)" "$(ip 13)"

# mesh: a sentinel of another failover in this group (and the reverse)
json mesh
if [ "$RC" = 1 ] &&
   has mesh sentinel-merged mesh/cache 'intruder' "$(q "$(ip 25)")" &&
   has mesh sentinel-merged mesh/intruder 'mesh/cache' "$(q "$(ip 20)")"; then
    ok "mesh: each group merged, naming the other (sentinel $(ip 25), master $(ip 20)); exit 1"
else
    bad "mesh: want sentinel-merged on mesh/cache naming intruder and on mesh/intruder naming mesh/cache"
    show mesh
fi
keep mesh
run mesh text --no-color
procedure_ok mesh mesh/cache "$(ip 22)" "$(ip 23)"
procedure_ok mesh mesh/intruder "$(ip 25)"

# split: the sentinels of one failover name different masters
json split
if [ "$RC" = 0 ] &&
   has split sentinel-split-view split/cache "$(q "$(ip 30)")" "$(q "$(ip 32)")" &&
   [ "$(count split sentinel-merged)" = 0 ]; then
    ok "split: split view naming masters $(ip 30) and $(ip 32), nothing merged, exit 0"
else
    bad "split: want sentinel-split-view on split/cache, exit 0"; show split
fi
keep split
run split text --no-color
no_procedure split

# down: one sentinel killed; the others still asked
json down
if [ "$RC" = 0 ] && [ "$(count down sentinel-unreachable)" = 1 ] &&
   has down sentinel-unreachable down/cache "$(q "$(ip 44)"):26379" 'rfs-cache-7d9f8c6b5-2'; then
    ok "down: the sentinel on $(ip 44) unreachable (and only it), exit 0"
else
    bad "down: want one sentinel-unreachable on $(ip 44)"; show down
fi
if [ "$(count down sentinel-merged)" = 0 ] && [ "$(count down sentinel-stale)" = 0 ]; then
    ok "down: nothing merged or stale"
else
    bad "down: unexpected merged or stale"; show down
fi
keep down
# a sentinel that accepts and never answers: --timeout, the others asked
rs_signal down-s43 STOP
json down --timeout 1s
rs_signal down-s43 CONT
if [ "$RC" = 0 ] && [ "$(count down sentinel-unreachable)" = 2 ] &&
   has down sentinel-unreachable down/cache "$(q "$(ip 43)"):26379" 'no reply|[Tt]ime' &&
   has down sentinel-unreachable down/cache "$(q "$(ip 44)"):26379"; then
    ok "down: a stopped sentinel ($(ip 43)) times out after --timeout 1s, the killed one refuses, the third answers"
else
    bad "down: want unreachable (timeout) on $(ip 43) and (refused) on $(ip 44) only"; show down
fi
rs_until "the stopped sentinel to answer again" rs_pong down-s43 "$(ip 43)" 26379 ||
    bad "down: the sentinel on $(ip 43) did not come back after SIGCONT"

# stale: a replica address no pod has
json stale
if [ "$RC" = 0 ] && has stale sentinel-stale stale/cache "$(q "$(ip 52)")" &&
   [ "$(count stale sentinel-merged)" = 0 ]; then
    ok "stale: $(ip 52) is stale, nothing merged, exit 0"
else
    bad "stale: want sentinel-stale on stale/cache naming $(ip 52)"; show stale
fi
keep stale
run stale text --no-color
no_procedure stale

# named: the master is named after the failover (freshworks disableMyMaster)
json named -t freshworks-v3.3
if [ "$RC" = 0 ] && [ ! -s "$W/out/named.f" ]; then
    ok "named: with -t freshworks-v3.3 the sentinels are asked about 'orders': exit 0, no finding"
else
    bad "named: want exit 0 and no finding under freshworks-v3.3"; show named
fi
keep named
json named
if [ "$RC" = 0 ] && [ "$(count named sentinel-unreachable named/orders)" = 2 ] &&
   has named sentinel-unreachable named/orders 'mymaster'; then
    ok "named: under the default target they are asked about mymaster, which they do not monitor"
else
    bad "named: under the default target want 2 sentinel-unreachable about mymaster"; show named
fi

# unknown: a sentinel that monitors another failover's master too
json unknown
if [ "$RC" = 0 ] &&
   has unknown sentinel-unknown-master unknown/cache "$(q "$(ip 71)"):26379" 'sessions' 'unknown/sessions' "$(q "$(ip 73)")" &&
   [ "$(count unknown sentinel-unknown-master)" = 1 ] && [ "$(count unknown sentinel-merged)" = 0 ]; then
    ok "unknown: the sentinel on $(ip 71) also monitors 'sessions', the redis of unknown/sessions; exit 0"
else
    bad "unknown: want one sentinel-unknown-master on unknown/cache naming unknown/sessions"; show unknown
fi
keep unknown

# ports: its own redis port, which the addresses must be matched with
json ports
if [ "$RC" = 0 ] && [ ! -s "$W/out/ports.f" ]; then
    ok "ports: redis on port 7000 (spec.redis.port): exit 0, no finding"
else
    bad "ports: want exit 0 and no finding with spec.redis.port 7000"; show ports
fi
keep ports

# all at once, two sentinels at a time: the same findings, each on its
# failover (an answer given to the wrong failover would show here)
json all -t freshworks-v3.3 --parallel 2
sed -E 's/ \(flags [^)]*\)//' "$W/out/all.f" >"$W/out/all.got"
sort "$W/out"/*.expect >"$W/out/all.want"
if [ "$RC" = 1 ] && [ -s "$W/out/all.want" ] &&
   diff -u "$W/out/all.want" "$W/out/all.got" >"$W/diff"; then
    ok "all cases in one dump, --parallel 2: exactly the findings of the cases one by one, exit 1"
else
    bad "all cases in one dump: exit $RC, findings differ from the cases one by one:"
    cat "$W/diff"
fi
# the same dump as YAML on stdin
if ! "$RS_PY" -c 'import json, sys, yaml; yaml.safe_dump(json.load(sys.stdin), sys.stdout)' \
    <"$W/all.json" >"$W/all.yaml" 2>/dev/null; then
    echo "skip the YAML run: python3 has no yaml module (python3-yaml)"
else
    "$RFG" sentinels -f - -o json -t freshworks-v3.3 --timeout 10s --deadline 80s \
        <"$W/all.yaml" >"$W/out/yaml.json" 2>"$W/out/yaml.json.err"
    RC=$?
    cat "$W/out/yaml.json" "$W/out/yaml.json.err" >>"$W/out/all"
    NRUNS=$((NRUNS + 1))
    "$RS_PY" "$DUMPPY" findings "$W/out/yaml.json" 2>&1 |
        sed -E 's/ \(flags [^)]*\)//' >"$W/out/yaml.got"
    if [ "$RC" = 1 ] && diff -u "$W/out/all.want" "$W/out/yaml.got" >"$W/diff"; then
        ok "all cases as YAML on stdin (-f -): the same findings, exit 1"
    else
        bad "all cases as YAML on stdin: exit $RC, findings differ:"
        cat "$W/diff"
    fi
fi
run all text -t freshworks-v3.3 --parallel 2 --no-color
if [ "$(grep -c '^How to clean up ' "$W/out/all.text")" = 3 ]; then
    ok "all: three clean-up blocks (reuse/cache, mesh/cache, mesh/intruder)"
else
    bad "all: want 3 clean-up blocks: $(grep '^How to clean up ' "$W/out/all.text")"
fi

# the merge in every other output format
for fmt in sarif junit github policyreport; do
    run reuse "$fmt" -o "$fmt"
    if [ "$RC" = 1 ] && grep -q 'sentinel-merged' "$W/out/reuse.$fmt" &&
       grep -q 'team-b/intruder' "$W/out/reuse.$fmt"; then
        ok "reuse: -o $fmt carries sentinel-merged naming team-b/intruder, exit 1"
    else
        bad "reuse: -o $fmt: exit $RC: $(head -c 600 "$W/out/reuse.$fmt")"
    fi
done

# --- the same from a live cluster (tests/kapi) -----------------------------
live() {
    local f0=$failed
    if ! command -v curl >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
        echo "skip live: curl or openssl not found (scripts/deps.txt installs them)"
        return
    fi
    # shellcheck source=tests/integration/cluster_common.bash
    . "$SRC/tests/integration/cluster_common.bash" "$RFG" "$SRC" "$BUILD"
    failed=$f0
    trap 'cluster_cleanup; rs_cleanup' EXIT
    # shellcheck disable=SC2119
    if ! cluster_setup >"$W/kapi-setup.log" 2>&1; then
        bad "live: the stand-in API server did not start: $(tail -n 5 "$W/kapi-setup.log")"
        return
    fi
    # every object of the dump into kapi (its control port, one process)
    local n
    n=$("$RS_PY" -c '
import json, sys, urllib.request
items = json.load(open(sys.argv[1]))["items"]
for it in items:
    req = urllib.request.Request(
        "http://127.0.0.1:%s/objects" % sys.argv[2],
        data=json.dumps(it).encode(), method="POST")
    urllib.request.urlopen(req, timeout=60).read()
print(len(items))' "$W/all.json" "$CPORT") || bad "live: kapi refused an object"
    kctl /calls/reset >/dev/null
    "$RFG" sentinels --kubeconfig "$WORK/kubeconfig" -o json -t freshworks-v3.3 \
        --parallel 2 --timeout 10s --deadline 80s \
        >"$W/out/live.json" 2>"$W/out/live.json.err"
    RC=$?
    cat "$W/out/live.json" "$W/out/live.json.err" >>"$W/out/all"
    NRUNS=$((NRUNS + 1))
    kctl /calls >"$W/calls.json"
    "$RS_PY" "$DUMPPY" findings "$W/out/live.json" 2>&1 |
        sed -E 's/ \(flags [^)]*\)//' >"$W/out/live.got"
    if [ "$RC" = 1 ] && diff -u "$W/out/all.want" "$W/out/live.got" >"$W/diff"; then
        ok "live ($n objects in kapi): the same findings as the dump, exit 1"
    else
        bad "live: exit $RC, findings differ from the dump's:"
        cat "$W/diff"
        head -n 5 "$W/out/live.json.err"
    fi
    if "$RS_PY" -c '
import json, sys
c = json.load(open(sys.argv[1]))
c = c.get("calls", c) if isinstance(c, dict) else c
sys.exit(0 if c and all(x["method"] == "GET" for x in c) and
         {x["resource"] for x in c} >= {"redisfailovers", "pods"} else 1)' "$W/calls.json"; then
        ok "live: GETs only, of redisfailovers and pods"
    else
        bad "live: API calls other than GETs of redisfailovers and pods: $(head -c 600 "$W/calls.json")"
    fi
    "$RFG" sentinels --kubeconfig "$WORK/kubeconfig" -o json -n healthy \
        --password-secret cache-auth --timeout 10s --deadline 80s \
        >"$W/out/live-healthy.json" 2>"$W/out/live-healthy.json.err"
    RC=$?
    cat "$W/out/live-healthy.json" "$W/out/live-healthy.json.err" >>"$W/out/all"
    NRUNS=$((NRUNS + 1))
    if [ "$RC" = 0 ] && [ -z "$("$RS_PY" "$DUMPPY" findings "$W/out/live-healthy.json" 2>&1)" ]; then
        ok "live: -n healthy with the password from the cluster's Secret: exit 0, no finding"
    else
        bad "live: -n healthy --password-secret cache-auth: exit $RC: $(head -c 600 "$W/out/live-healthy.json")"
    fi
}
live

# --- nothing written, every sentinel asked, no password shown -------------
snapshot "$W/after"
f0=$failed
for e in $SENTINELS $REDISES; do
    n=${e%%:*}
    if ! diff -u "$W/before/$n" "$W/after/$n" >"$W/diff" 2>&1; then
        bad "$n ($(ip "${e##*:}")) changed while rfguard ran:"
        cat "$W/diff"
    fi
done
[ "$failed" = "$f0" ] && ok "the state of every redis and sentinel is as before"
f0=$failed
for e in $REDISES; do
    w=$(rs_writes "${e%%:*}" "$(ip "${e##*:}")")
    [ -z "$w" ] || bad "${e%%:*} ran commands that write: $w"
done
[ "$failed" = "$f0" ] && ok "no redis ran a command that writes or reconfigures"
f0=$failed
for e in $SENTINELS; do
    n=${e%%:*}
    b=$(cat "$W/before/$n.conns")
    a=$(cat "$W/after/$n.conns")
    # two connections are the snapshot's own; rfguard's make the rest
    if [ -z "$b" ] || [ -z "$a" ] || [ $((a - b)) -lt 3 ]; then
        bad "$n ($(ip "${e##*:}")) was not asked (connections $b -> $a)"
    fi
done
[ "$failed" = "$f0" ] && ok "every live sentinel was asked (down's two included)"
PW64=$(printf '%s' "$PW" | base64)
PW264=$(printf '%s' "$PW2" | base64)
if [ -s "$W/out/all" ] &&
   ! grep -qF -e "$PW" -e "$PW64" -e "$PW2" -e "$PW264" "$W/out/all"; then
    ok "neither password is in any output of the $NRUNS runs"
else
    bad "the password appears in an output (or there was none)"
fi

if [ "$failed" != 0 ]; then
    exit 1
fi
echo "all passed"
exit 0
