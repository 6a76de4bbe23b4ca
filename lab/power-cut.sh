#!/usr/bin/env bash
# Cuts a lab host's power and turns it on again: qemu killed with SIGKILL (no shutdown, nothing the guest had not
# written to its disks survives; the disks use qemu's default writeback cache, which honours the guest's flushes),
# then a new qemu boots the same disks. Waits until the host is back and booted. Usage: lab/power-cut.sh NAME
source "$(dirname "$0")/lib.sh"
name=${1:?usage: power-cut.sh NAME}
dir="$LAB_STATE/hosts/$name"
port=$(cat "$dir/port" 2>/dev/null) || die "no lab host '$name'"
pid=$(cat "$dir/qemu.pid" 2>/dev/null) || die "$name is not running"
started=$(date +%s)
kill -9 "$pid" 2>/dev/null || true
wait_for_exit "$dir/qemu.pid" 10 || die "qemu $pid of $name survived SIGKILL"
rm -f "$dir/qemu.pid"
lab_ssh_close "$port"
start_qemu "$dir" "$port"
wait_for_ssh "$port" "$dir/qemu.pid"
lab_ssh_port "$port" 'systemctl is-system-running --wait >/dev/null 2>&1; udevadm settle' || true
log "$name powered on again after a cut"
lab_time power-cut "$started" "$name"
