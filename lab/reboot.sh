#!/usr/bin/env bash
# Reboots a lab host and waits until it is back and booted. Usage: lab/reboot.sh NAME
source "$(dirname "$0")/lib.sh"
name=${1:?usage: reboot.sh NAME}
dir="$LAB_STATE/hosts/$name"
port=$(cat "$dir/port" 2>/dev/null) || die "no running lab host '$name'"
boot_id=$(lab_probe "$port" cat /proc/sys/kernel/random/boot_id)
lab_probe "$port" 'systemctl reboot' || true
deadline=$(( $(date +%s) + LAB_BOOT_TIMEOUT ))
while [ "$(date +%s)" -lt "$deadline" ]; do
    now=$(lab_probe "$port" cat /proc/sys/kernel/random/boot_id 2>/dev/null || true)
    if [ -n "$now" ] && [ "$now" != "$boot_id" ]; then
        lab_ssh_port "$port" 'systemctl is-system-running --wait >/dev/null 2>&1; udevadm settle' || true
        log "$name rebooted"
        exit 0
    fi
    sleep 1
done
die "$name did not come back within ${LAB_BOOT_TIMEOUT}s"
