# SPDX-License-Identifier: Apache-2.0
#
# harness.bash - starts real redis-server and redis-sentinel processes for
# tests/integration/sentinels_real.sh (sourced, not a test itself: ctest
# globs only tests/*/*.sh). Each instance gets its own directory under
# $RS_WORK (config file, log, `dir`) and its own loopback address in a
# 127.A.B.0/24 picked at random per run (Linux routes all of 127/8 to lo),
# so a redis is <ip>:6379 (or $RS_REDIS_PORT) and a sentinel <ip>:26379,
# as in pods,
# and `replica-announce-ip` / `sentinel announce-ip` make each report its
# own address. It is not a Redis test suite: it builds topologies and
# waits for Sentinel's own discovery, nothing else.
#
# Everything started is killed on exit (rs_cleanup, from the EXIT trap),
# and, where setpriv(1) can, also when the test shell itself is killed.
# The directory is removed then too, unless RFG_KEEP=1 (to debug).
# No wait here is timed: rs_until polls with a ceiling ($RS_WAIT s) that
# only a hang reaches.
#
# Usage: . harness.bash; rs_init PARENT_DIR   (exits 77 when it cannot run)
set -u

RS_WAIT=${RFG_WAIT:-90}
RS_WORK=
RS_BASE=
RS_PY=python3
RS_PDEATH=()
declare -A RS_PID=()    # instance name -> pid
declare -A RS_AUTH=()   # ip:port -> password (for redis-cli only)
declare -A RS_DIR=()    # instance name -> its directory
declare -A RS_PORT=()   # redis instance name -> its port

rs_skip() {
    echo "SKIP: $*"
    exit 77
}

# rs_can_bind IP [PORT]: a TCP socket can be bound to IP:PORT (default 0)
rs_can_bind() {
    "$RS_PY" - "$1" "${2:-0}" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as redis does
s.bind((sys.argv[1], int(sys.argv[2])))
s.close()
EOF
}

# rs_init PARENT: checks the tools and loopback, picks the address base,
# makes $RS_WORK under PARENT.
rs_init() {
    local tool
    for tool in redis-server redis-sentinel redis-cli python3 timeout; do
        command -v "$tool" >/dev/null 2>&1 ||
            rs_skip "$tool not found (scripts/deps.txt installs it)"
    done
    # the interpreter itself, not a wrapper that finds it on every call
    RS_PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
    [ -x "$RS_PY" ] || RS_PY=python3
    rs_can_bind 127.0.0.2 ||
        rs_skip "cannot bind 127.0.0.2 (no loopback beyond 127.0.0.1 here)"
    local try
    for try in 1 2 3 4 5 6 7 8; do
        : "$try"
        RS_BASE=127.$((10 + RANDOM % 240)).$((RANDOM % 256))
        # Nothing of a parallel run on this /24 (its first addresses), and
        # no redis or sentinel listening on all addresses (*:6379, *:26379).
        if rs_can_bind "$RS_BASE.2" 6379 && rs_can_bind "$RS_BASE.4" 26379; then
            break
        fi
        RS_BASE=
    done
    [ -n "$RS_BASE" ] ||
        rs_skip "ports 6379 and 26379 are taken on every 127.x address tried" \
            "(a redis or sentinel listening on all addresses? stop it to run this test)"
    if setpriv --pdeathsig KILL true 2>/dev/null; then
        RS_PDEATH=(setpriv --pdeathsig KILL)
    fi
    RS_WORK=$(mktemp -d "$1/sentinels-real.XXXXXX") || exit 1
    trap rs_cleanup EXIT
    trap 'exit 143' TERM INT HUP
}

rs_cleanup() {
    local n p
    for n in "${!RS_PID[@]}"; do
        p=${RS_PID[$n]}
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    RS_PID=()
    if [ "${RFG_KEEP:-0}" = 1 ]; then
        echo "kept $RS_WORK (RFG_KEEP=1)"
    elif [ -n "$RS_WORK" ]; then
        rm -rf "$RS_WORK"
    fi
}

rs_ip() { echo "$RS_BASE.$1"; }

# rs_cli IP PORT ARGS...: redis-cli against one instance, with its
# password from the environment (never on a command line), bounded.
rs_cli() {
    local ip=$1 port=$2
    shift 2
    local pw=${RS_AUTH[$ip:$port]:-}
    if [ -n "$pw" ]; then
        REDISCLI_AUTH=$pw timeout 10 redis-cli -h "$ip" -p "$port" "$@"
    else
        timeout 10 redis-cli -h "$ip" -p "$port" "$@"
    fi
}

# rs_until DESCRIPTION COMMAND...: run COMMAND until it succeeds (every
# 0.2 s); fails, saying what it waited for, after $RS_WAIT s.
rs_until() {
    local what=$1 end=$((SECONDS + RS_WAIT))
    shift
    until "$@"; do
        if [ "$SECONDS" -ge "$end" ]; then
            echo "waited $RS_WAIT s (a hang?) for: $what"
            return 1
        fi
        sleep 0.2
    done
}

rs_alive() { kill -0 "${RS_PID[$1]}" 2>/dev/null; }
rs_pong() {   # rs_pong NAME IP PORT: answers PING, or died (then fails)
    rs_alive "$1" || return 2
    [ "$(rs_cli "$2" "$3" PING 2>/dev/null)" = PONG ]
}

# rs_launch NAME IP PORT BINARY: starts BINARY on $dir/NAME.conf (already
# written) and waits until it answers PING.
rs_launch() {
    local name=$1 ip=$2 port=$3 bin=$4 dir=${RS_DIR[$1]} end
    "${RS_PDEATH[@]}" "$bin" "$dir/$name.conf" >>"$dir/stdout" 2>&1 &
    RS_PID[$name]=$!
    end=$((SECONDS + RS_WAIT))
    until rs_pong "$name" "$ip" "$port"; do
        if ! rs_alive "$name" || [ "$SECONDS" -ge "$end" ]; then
            echo "$name ($bin on $ip:$port) did not start:"
            tail -n 20 "$dir/log" "$dir/stdout" 2>/dev/null
            return 1
        fi
        sleep 0.1
    done
}

# rs_redis NAME IP [PASSWORD [REPLICAOF_IP [MASTERAUTH]]]: a redis-server
# on IP:6379; a replica of REPLICAOF_IP:6379 when given. The port is
# $RS_REDIS_PORT when set (RS_REDIS_PORT=7000 rs_redis ...), for both.
rs_redis() {
    local name=$1 ip=$2 pw=${3:-} of=${4:-} mauth=${5:-}
    local port=${RS_REDIS_PORT:-6379}
    local dir=$RS_WORK/$name
    mkdir -p "$dir"
    RS_DIR[$name]=$dir
    {
        echo "port $port"
        echo "bind $ip"
        echo "replica-announce-ip $ip"
        echo "protected-mode no"
        echo 'save ""'
        echo "appendonly no"
        echo "daemonize no"
        echo "dir $dir"
        echo "logfile $dir/log"
        [ -n "$pw" ] && echo "requirepass $pw"
        [ -n "$of" ] && echo "replicaof $of $port"
        [ -n "$mauth" ] && echo "masterauth $mauth"
    } >"$dir/$name.conf"
    [ -n "$pw" ] && RS_AUTH[$ip:$port]=$pw
    RS_PORT[$name]=$port
    rs_launch "$name" "$ip" "$port" redis-server
}

# rs_sentinel NAME IP MASTER_IP [PASSWORD [MASTER_NAME [NAME2 IP2]]]: a
# redis-sentinel on IP:26379 monitoring MASTER_IP:6379 as MASTER_NAME
# (mymaster), quorum 2, and also IP2:6379 as NAME2 when given (the redis
# port is $RS_REDIS_PORT when set). With
# PASSWORD it requires it and uses it towards the master and the other
# sentinels (auth-pass).
rs_sentinel() {
    local name=$1 ip=$2 mip=$3 pw=${4:-} mname=${5:-mymaster}
    local m2=${6:-} ip2=${7:-} rport=${RS_REDIS_PORT:-6379}
    local dir=$RS_WORK/$name
    mkdir -p "$dir"
    RS_DIR[$name]=$dir
    {
        echo "port 26379"
        echo "bind $ip"
        echo "protected-mode no"
        echo "daemonize no"
        echo "dir $dir"
        echo "logfile $dir/log"
        echo "sentinel announce-ip $ip"
        echo "sentinel resolve-hostnames no"
        echo "sentinel monitor $mname $mip $rport 2"
        echo "sentinel down-after-milliseconds $mname 5000"
        echo "sentinel failover-timeout $mname 600000"
        if [ -n "$m2" ]; then
            echo "sentinel monitor $m2 $ip2 $rport 2"
            echo "sentinel down-after-milliseconds $m2 5000"
            echo "sentinel failover-timeout $m2 600000"
        fi
        if [ -n "$pw" ]; then
            echo "requirepass $pw"
            echo "sentinel auth-pass $mname $pw"
        fi
    } >"$dir/$name.conf"
    [ -n "$pw" ] && RS_AUTH[$ip:26379]=$pw
    rs_launch "$name" "$ip" 26379 redis-sentinel
}

# rs_signal NAME SIGNAL: send SIGNAL (STOP, CONT) to one instance.
rs_signal() { kill -"$2" "${RS_PID[$1]}"; }

# rs_kill NAME: SIGKILL one instance and reap it.
rs_kill() {
    local p=${RS_PID[$1]}
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
    unset "RS_PID[$1]"
}

# --- what Sentinel knows (for the discovery waits) -----------------------

# rs_field_values IP PORT FIELD ARGS...: the values of FIELD in a
# (list of) flat key/value replies of `ARGS`, one a line.
rs_field_values() {
    local ip=$1 port=$2 field=$3
    shift 3
    rs_cli "$ip" "$port" "$@" 2>/dev/null | awk -v f="$field" '
        want { print; want = 0; next }
        $0 == f { want = 1 }'
}

# rs_knows_replicas IP MASTER_NAME IP...: the sentinel on IP lists exactly
# these replica addresses (any order).
rs_knows_replicas() {
    local ip=$1 m=$2
    shift 2
    [ "$(rs_field_values "$ip" 26379 ip SENTINEL REPLICAS "$m" | sort)" = \
      "$(printf '%s\n' "$@" | sed '/^$/d' | sort)" ]
}

# rs_knows_sentinels IP MASTER_NAME IP...: the sentinel on IP lists exactly
# these other sentinels (any order).
rs_knows_sentinels() {
    local ip=$1 m=$2
    shift 2
    [ "$(rs_field_values "$ip" 26379 ip SENTINEL SENTINELS "$m" | sort)" = \
      "$(printf '%s\n' "$@" | sed '/^$/d' | sort)" ]
}

# rs_master_has_replicas IP N [PORT]: redis on IP reports N connected
# replicas.
rs_master_has_replicas() {
    rs_cli "$1" "${3:-6379}" INFO replication 2>/dev/null | tr -d '\r' |
        grep -qx "connected_slaves:$2"
}

# --- state before and after (nothing may be written) --------------------

# rs_state_sentinel NAME IP: what a sentinel knows that a write would
# change: its monitored masters (without the volatile counters and
# timers) and the persistent lines of its config file, sorted.
rs_state_sentinel() {
    local name=$1 ip=$2
    echo "== SENTINEL MASTERS"
    rs_cli "$ip" 26379 SENTINEL MASTERS 2>&1 | awk '
        want { print key "=" $0; want = 0; next }
        /^(name|ip|port|quorum|num-slaves|num-other-sentinels|config-epoch|down-after-milliseconds|failover-timeout|parallel-syncs)$/ {
            key = $0; want = 1 }'
    echo "== config file"
    # (not the password lines: a diff of these is printed)
    grep -E '^(sentinel (monitor|known-replica|known-sentinel|config-epoch|leader-epoch|current-epoch|myid)|replicaof)' \
        "${RS_DIR[$name]}/$name.conf" | sort
}

# rs_state_redis NAME IP: its role and master, data and config file.
rs_state_redis() {
    local name=$1 ip=$2 port=${RS_PORT[$1]}
    rs_cli "$ip" "$port" INFO replication 2>&1 | tr -d '\r' |
        grep -E '^(role|master_host|master_port):'
    echo "dbsize=$(rs_cli "$ip" "$port" DBSIZE 2>&1)"
    rs_cli "$ip" "$port" INFO keyspace 2>&1 | tr -d '\r' | grep -v '^#'
    cksum <"${RS_DIR[$name]}/$name.conf"
}

# rs_writes NAME IP: the commands a redis ran that change data or
# configuration (INFO commandstats), one a line; empty when none.
rs_writes() {
    rs_cli "$2" "${RS_PORT[$1]}" INFO commandstats 2>&1 | tr -d '\r' |
        grep -oE '^cmdstat_[a-z|_-]+' | sed 's/^cmdstat_//' |
        grep -E '^(set|del|unlink|flushall|flushdb|replicaof|slaveof|failover|shutdown|config\|(set|rewrite|resetstat)|acl\|(setuser|deluser|save)|debug|save|bgsave|bgrewriteaof|script\|flush|function\|.*)$'
}

# rs_connections IP PORT: total_connections_received of an instance.
rs_connections() {
    rs_cli "$1" "$2" INFO stats 2>/dev/null | tr -d '\r' |
        sed -n 's/^total_connections_received://p'
}
