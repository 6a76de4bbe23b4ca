#!/usr/bin/env bash
# Starts lab hosts, each a VM booted from its scenario's cached disks, with its own forwarded ssh port,
# and writes an Ansible YAML inventory for them that lvmguard reads as it is.
# Usage: lab/start.sh [-o INVENTORY] NAME:SCENARIO ...   (default: lab-incident:incident)
# Hosts are grouped under `compute` and under one group per scenario (host-lvm -> host_lvm).
source "$(dirname "$0")/lib.sh"
inventory="$LAB_STATE/inventory.yaml"
if [ "${1:-}" = "-o" ]; then inventory=$2; shift 2; fi
[ $# -gt 0 ] || set -- lab-incident:incident
mkdir -p "$LAB_STATE/hosts"
base=$(lab_base)

names=()
for spec in "$@"; do
    name=${spec%%:*}; scenario=${spec#*:}
    case "$name" in ''|*[!a-z0-9-]*) die "host name '$name': use a-z, 0-9 and -" ;; esac
    [ -f "$LAB_DIR/scenarios/$scenario.sh" ] || die "no scenario '$scenario' (see lab/scenarios/)"
    lab_prepare "$scenario" >/dev/null
    names+=("$name")
done

for spec in "$@"; do
    name=${spec%%:*}; scenario=${spec#*:}
    dir="$LAB_STATE/hosts/$name"
    [ -f "$dir/qemu.pid" ] && kill -0 "$(cat "$dir/qemu.pid")" 2>/dev/null && die "host $name is already running"
    rm -rf "$dir"; mkdir -p "$dir"
    source_dir=$(scenario_dir "$scenario")
    qemu-img create -q -f qcow2 -b "$source_dir/root.qcow2" -F qcow2 "$dir/root.qcow2"
    for image in lun.img lun2.img local.img scsi.img boot.img; do
        [ -f "$source_dir/$image" ] && cp --sparse=always "$source_dir/$image" "$dir/"
    done
    port=$(free_port)
    echo "$port" > "$dir/port"
    echo "$scenario" > "$dir/scenario"
    log "starting $name ($scenario) on 127.0.0.1:$port"
    start_qemu "$dir" "$port"
done

known_hosts="$LAB_STATE/known_hosts"
for name in "${names[@]}"; do
    dir="$LAB_STATE/hosts/$name"
    wait_for_ssh "$(cat "$dir/port")" "$dir/qemu.pid"
    # Boot finished when systemd says so: autoactivation and mounts have run.
    lab_ssh_port "$(cat "$dir/port")" 'systemctl is-system-running --wait >/dev/null 2>&1; udevadm settle' || true
    wait_for_scenario "$(cat "$dir/port")" "$(cat "$dir/scenario")" "$dir"
    ssh-keyscan -t ed25519 -p "$(cat "$dir/port")" 127.0.0.1 2>/dev/null > "$dir/known_host"
    # Which LVM the host runs, as the tests prove it: its version, whether lvmetad is on, and lvmetad's pid.
    lvm=$(lab_ssh_port "$(cat "$dir/port")" 'v=$(lvm version | sed -n "s/^ *LVM version: *//p"); m=$(lvmconfig global/use_lvmetad 2>/dev/null || echo "use_lvmetad unknown to this LVM"); p=$(pgrep -x lvmetad || echo none); echo "LVM $v, $m, lvmetad pid $p"' 2>/dev/null) || lvm="LVM unknown"
    log "$name is up ($lvm)"
done
cat "$LAB_STATE"/hosts/*/known_host > "$known_hosts" 2>/dev/null || true

{
    echo "# Written by lab/start.sh: the lab's hosts, reachable over ssh on loopback."
    echo "all:"
    echo "  vars:"
    echo "    ansible_user: root"
    echo "    ansible_ssh_private_key_file: $base/id_ed25519"
    echo "    ansible_ssh_common_args: -o UserKnownHostsFile=$known_hosts"
    echo "  children:"
    echo "    compute:"
    echo "      hosts:"
    for dir in "$LAB_STATE"/hosts/*/; do
        [ -f "$dir/port" ] || continue
        echo "        $(basename "$dir"): { ansible_host: 127.0.0.1, ansible_port: $(cat "$dir/port") }"
    done
    for scenario in $(cat "$LAB_STATE"/hosts/*/scenario | sort -u); do
        echo "    ${scenario//-/_}:"
        echo "      hosts:"
        for dir in "$LAB_STATE"/hosts/*/; do
            [ "$(cat "$dir/scenario" 2>/dev/null)" = "$scenario" ] && echo "        $(basename "$dir"):"
        done
    done
} > "$inventory.tmp"
mv "$inventory.tmp" "$inventory"
log "inventory: $inventory"
