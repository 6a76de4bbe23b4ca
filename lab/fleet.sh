#!/usr/bin/env bash
# The loopback fleet: real sshd (Debian's openssh-server) listening on 127.0.0.2, 127.0.0.3, ..., 127.0.1.2, ...,
# each address its own inventory host with its own LVM_SYSTEM_DIR (its own lvm.conf), so every host is
# a distinct ssh connection answered by the real lvm2 tools. For fleet tests and benchmarks.
#   lab/fleet.sh start N [-o INVENTORY]   start N hosts (1 to 1000; fleet-001 ... at 127.0.0.2 ...), write the inventory
#   lab/fleet.sh stop                     stop every sshd by pid and remove the fleet's files
# sshd binds at most 16 sockets, so each sshd serves 15 addresses (and never listens beyond loopback).
# State lives in $LVMGUARD_FLEET_STATE (default /var/tmp/lvmguard-fleet). Needs root.
set -euo pipefail
FLEET=${LVMGUARD_FLEET_STATE:-/var/tmp/lvmguard-fleet}
log() { printf '[fleet %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

PER_SSHD=15
MAX_HOSTS=1000

# Host N's loopback address: 250 hosts per 127.0.X.0/24 (127.0.0.2 ... 127.0.0.251, then 127.0.1.2, ...), so the
# first 250 keep the addresses they always had. All of 127/8 reaches lo on Linux with no configuration.
host_address() { echo "127.0.$(( ($1 - 1) / 250 )).$(( ($1 - 1) % 250 + 2 ))"; }

# Pids of processes started for this fleet's hosts (their environment has LVM_SYSTEM_DIR=$FLEET/hosts/...).
fleet_processes() {
    local environ
    for environ in /proc/[0-9]*/environ; do
        { tr '\0' '\n' < "$environ" | awk -v p="LVM_SYSTEM_DIR=$FLEET/hosts/" 'index($0, p) == 1 { f = 1 } END { exit !f }'; } 2>/dev/null \
            && { pid=${environ#/proc/}; echo "${pid%/environ}"; }
    done
    return 0
}

stop_fleet() {
    local pidfile pid
    for pidfile in "$FLEET"/sshd-*.pid; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    # A hanging host's remote run (a cat blocked on a FIFO lvm.conf, its sh -s) outlives sshd: everything
    # the fleet's hosts ran carries their LVM_SYSTEM_DIR in its environment, so end that too.
    local left
    left=$(fleet_processes)
    if [ -n "$left" ]; then
        # shellcheck disable=SC2086
        kill -9 $left 2>/dev/null || true
        log "ended $(echo $left | wc -w) processes left by the fleet's hosts"
    fi
    rm -rf "$FLEET"
    log "fleet stopped"
}

# Writes the config of sshd number $1 serving hosts $2..$3.
sshd_config() {
    local index=$1 first=$2 last=$3 i name
    echo "# Written by lab/fleet.sh"
    echo "Port $port"
    echo "HostKey $FLEET/ssh_host_ed25519_key"
    echo "PidFile $FLEET/sshd-$index.pid"
    echo "AuthorizedKeysFile $FLEET/authorized_keys"
    echo "PermitRootLogin prohibit-password"
    echo "PasswordAuthentication no"
    echo "KbdInteractiveAuthentication no"
    echo "UsePAM no"
    echo "StrictModes no"
    echo "MaxStartups 1000:30:2000"
    echo "MaxSessions 100"
    echo "LogLevel VERBOSE"
    for i in $(seq "$first" "$last"); do echo "ListenAddress $(host_address "$i")"; done
    for i in $(seq "$first" "$last"); do
        name=$(printf 'fleet-%03d' "$i")
        echo "Match LocalAddress $(host_address "$i")"
        echo "    SetEnv LVM_SYSTEM_DIR=$FLEET/hosts/$name/etc/lvm LVMGUARD_FLEET_HOST=$name"
    done
}

case "${1:-}" in
stop)
    stop_fleet
    ;;
start)
    count=${2:?usage: fleet.sh start N [-o INVENTORY]}
    inventory="$FLEET/inventory.yaml"
    if [ "${3:-}" = "-o" ]; then inventory=${4:?}; fi
    case "$count" in ''|*[!0-9]*) die "N must be a number" ;; esac
    [ "$count" -ge 1 ] && [ "$count" -le "$MAX_HOSTS" ] || die "N must be 1 to $MAX_HOSTS (one loopback address each)"
    [ "$(id -u)" = 0 ] || die "the fleet's sshd needs root"
    for pidfile in "$FLEET"/sshd-*.pid; do
        [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && die "a fleet is already running (lab/fleet.sh stop)"
    done
    rm -rf "$FLEET"; mkdir -p "$FLEET/hosts" /run/sshd
    ssh-keygen -q -t ed25519 -N '' -C lvmguard-fleet-host -f "$FLEET/ssh_host_ed25519_key"
    ssh-keygen -q -t ed25519 -N '' -C lvmguard-fleet -f "$FLEET/id_ed25519"
    cp "$FLEET/id_ed25519.pub" "$FLEET/authorized_keys"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    host_key=$(cut -d' ' -f1,2 "$FLEET/ssh_host_ed25519_key.pub")
    : > "$FLEET/known_hosts"
    for i in $(seq 1 "$count"); do
        name=$(printf 'fleet-%03d' "$i")
        mkdir -p "$FLEET/hosts/$name/etc/lvm"
        cp /etc/lvm/lvm.conf "$FLEET/hosts/$name/etc/lvm/lvm.conf"
        echo "[$(host_address "$i")]:$port $host_key" >> "$FLEET/known_hosts"
    done
    index=0
    for first in $(seq 1 "$PER_SSHD" "$count"); do
        index=$((index + 1))
        last=$((first + PER_SSHD - 1)); [ "$last" -le "$count" ] || last=$count
        sshd_config "$index" "$first" "$last" > "$FLEET/sshd-$index.config"
        # sshd re-executes itself per connection and -E reopens the log without O_APPEND, so concurrent
        # children would overwrite each other's lines: log to stderr instead, opened for appending here.
        setsid /usr/sbin/sshd -D -e -f "$FLEET/sshd-$index.config" </dev/null >/dev/null 2>>"$FLEET/sshd-$index.log" &
        # sshd writes its pid file once it listens and has gone to the background.
        for _ in $(seq 1 50); do [ -s "$FLEET/sshd-$index.pid" ] && break; sleep 0.1; done
        [ -s "$FLEET/sshd-$index.pid" ] || { tail -3 "$FLEET/sshd-$index.log" >&2; stop_fleet; die "sshd $index did not start"; }
    done
    {
        echo "# Written by lab/fleet.sh: $count hosts on one real sshd, one loopback address each."
        echo "all:"
        echo "  vars:"
        echo "    ansible_user: root"
        echo "    ansible_port: $port"
        echo "    ansible_ssh_private_key_file: $FLEET/id_ed25519"
        echo "    ansible_ssh_common_args: -o UserKnownHostsFile=$FLEET/known_hosts"
        echo "  children:"
        echo "    compute:"
        echo "      hosts:"
        for i in $(seq 1 "$count"); do
            printf '        fleet-%03d: { ansible_host: %s }\n' "$i" "$(host_address "$i")"
        done
    } > "$inventory"
    log "$index sshd serve $count hosts on port $port; inventory: $inventory"
    ;;
*)
    echo "usage: lab/fleet.sh start N [-o INVENTORY] | stop" >&2
    exit 2
    ;;
esac
