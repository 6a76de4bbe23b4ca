#!/usr/bin/env bash
# Starts lab hosts, each with its own forwarded ssh port, and writes an Ansible YAML inventory for them that lvmguard
# reads as it is. A host resumes from its scenario's saved state, lab-ready (seconds); with --boot, or when no state
# is saved yet, it boots for real from the scenario's cached disks, and the first real boot of a scenario to reach its
# starting state saves it for the next (save_host in lab/lib.sh). Every host runs on disks of its own.
# Usage: lab/start.sh [-o INVENTORY] [--boot] NAME:SCENARIO ...   (default: lab-incident:incident)
# Hosts are grouped under `compute` and under one group per scenario (host-lvm -> host_lvm).
source "$(dirname "$0")/lib.sh"
inventory="$LAB_STATE/inventory.yaml"
boot=resume
while [ $# -gt 0 ]; do
    case "$1" in
        -o) inventory=$2; shift 2 ;;
        --boot) boot=real; shift ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || set -- lab-incident:incident
mkdir -p "$LAB_STATE/hosts"
base=$(lab_base)
ln -sfn "$base/id_ed25519" "$LAB_STATE/id_ed25519"

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
    saved=$(saved_dir "$scenario")
    state=
    if [ "$boot" = resume ] && [ -f "$saved/ready" ]; then
        source_dir=$saved state=$saved/state.zst
        [ ! -f "$saved/forced" ] || cp "$saved/forced" "$dir/"
    else
        source_dir=$(scenario_dir "$scenario")
    fi
    qemu-img create -q -f qcow2 -b "$source_dir/root.qcow2" -F qcow2 "$dir/root.qcow2"
    for image in $LAB_RAW_IMAGES; do
        [ -f "$source_dir/$image" ] && cp --sparse=always "$source_dir/$image" "$dir/"
    done
    port=$(free_port)
    echo "$port" > "$dir/port"
    echo "$scenario" > "$dir/scenario"
    if [ -n "$state" ]; then
        echo resumed > "$dir/start"
        log "starting $name ($scenario) on 127.0.0.1:$port from its saved state"
    else
        echo booted > "$dir/start"
        log "starting $name ($scenario) on 127.0.0.1:$port"
    fi
    date +%s > "$dir/started"
    start_qemu "$dir" "$port" "$state"
    # A state is saved paused: run it once it is loaded.
    [ -z "$state" ] || "$LAB_DIR/qmp.py" "$dir/qmp.sock" resume || die "$name: the saved state of $scenario did not resume"
    # Real boots one at a time, each to the end of systemd's start-up: two emulated boots on two cores starved each
    # other (2,938 s CI run: the shared lab's two first boots took 236 s each and host-lvm's VG was never mounted by
    # its own boot; booted alone, one takes 30-40 s, so one after the other costs what two together did when fine).
    if [ -z "$state" ]; then
        wait_for_ssh "$port" "$dir/qemu.pid"
        lab_ssh_port "$port" 'systemctl is-system-running --wait >/dev/null 2>&1; udevadm settle' || true
    fi
done

known_hosts="$LAB_STATE/known_hosts"
for name in "${names[@]}"; do
    dir="$LAB_STATE/hosts/$name"
    port=$(cat "$dir/port") scenario=$(cat "$dir/scenario") how=$(cat "$dir/start")
    wait_for_ssh "$port" "$dir/qemu.pid"
    if [ "$how" = resumed ]; then
        # The guest's clock stood still while its state was saved: set it to now.
        lab_ssh_port "$port" "date -u -s @$(date -u +%s) >/dev/null" || die "$name: cannot set the clock after resuming"
    else
        # Boot finished when systemd says so: autoactivation and mounts have run.
        lab_ssh_port "$port" 'systemctl is-system-running --wait >/dev/null 2>&1; udevadm settle' || true
    fi
    wait_for_scenario "$port" "$scenario" "$dir"
    if [ "$how" = resumed ]; then
        lab_time resume "$(cat "$dir/started")" "$name"
    else
        lab_time boot "$(cat "$dir/started")" "$name"
        started=$(date +%s)
        with_lab_lock "saved-$scenario" save_host "$dir" "$scenario"
        lab_time save "$started" "$name"
    fi
    ssh-keyscan -t ed25519 -p "$port" 127.0.0.1 2>/dev/null > "$dir/known_host"
    # Which LVM the host runs, as the tests prove it: its version, whether lvmetad is on, and lvmetad's pid.
    lvm=$(lab_ssh_port "$port" 'v=$(lvm version | sed -n "s/^ *LVM version: *//p"); m=$(lvmconfig global/use_lvmetad 2>/dev/null || echo "use_lvmetad unknown to this LVM"); p=$(pgrep -x lvmetad || echo none); echo "LVM $v, $m, lvmetad pid $p"' 2>/dev/null) || lvm="LVM unknown"
    log "$name is up, $how ($lvm)"
done
cat "$LAB_STATE"/hosts/*/known_host > "$known_hosts" 2>/dev/null || true

{
    echo "# Written by lab/start.sh: the lab's hosts, reachable over ssh on loopback."
    echo "all:"
    echo "  vars:"
    echo "    ansible_user: root"
    echo "    ansible_ssh_private_key_file: $base/id_ed25519"
    # The lab's own shared connection to each host (lab_ssh_options): lvmguard, seeing the user's ControlPath, uses it
    # instead of opening one per run (a login costs about a second on an emulated host).
    echo "    ansible_ssh_common_args: -o UserKnownHostsFile=$known_hosts -o ControlMaster=auto" \
        "-o ControlPath=$LAB_STATE/mux-%p -o ControlPersist=600"
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
