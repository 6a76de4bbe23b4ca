#!/usr/bin/env bash
# Stops lab hosts by pid and removes their disks. Usage: lab/stop.sh [NAME ...] (default: all)
source "$(dirname "$0")/lib.sh"
[ -d "$LAB_STATE/hosts" ] || exit 0
if [ $# -eq 0 ]; then
    set -- $(ls "$LAB_STATE/hosts")
fi
for name in "$@"; do
    dir="$LAB_STATE/hosts/$name"
    [ -d "$dir" ] || continue
    stop_qemu "$dir/qemu.pid"
    [ ! -f "$dir/port" ] || lab_ssh_close "$(cat "$dir/port")"
    rm -rf "$dir"
    log "stopped $name"
done
