#!/usr/bin/env bash
# The main job, end to end against the local lab: installs what it needs, builds lvmguard, boots an
# `incident` compute host in a VM, shows the incident (`multipath -f` -> "map in use"), diagnoses it with nova's
# instance attached, validates the lab inventory, plans the fix, applies exactly that plan, shows `multipath -f`
# succeeding, and shuts down.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "the demo boots VMs and installs packages: run it as root" >&2; exit 1; }

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
lab/install-deps.sh
export LVMGUARD_LAB_STATE=${LVMGUARD_LAB_STATE:-$(mktemp -d /var/tmp/lvmguard-demo.XXXXXX)}
trap 'step "shutting the lab down"; lab/stop.sh; rm -rf "$LVMGUARD_LAB_STATE"' EXIT

step "building lvmguard"
swift build -c release --product lvmguard 2>&1 | tail -1
lvmguard=.build/release/lvmguard

step "booting an incident compute host (first run builds the VM image: about 2 minutes)"
lab/start.sh lab-incident:incident
inventory=$LVMGUARD_LAB_STATE/inventory.yaml

step "the incident: the host's LVM activated the guest's VG on the SAN multipath map"
lab/ssh.sh lab-incident 'set -x; lvs -o vg_name,lv_name,lv_active,devices; dmsetup info mpatha | grep "Open count"'
step "so os-brick's flush fails, and live migration with it"
lab/ssh.sh lab-incident 'set -x; multipath -f mpatha' || echo "(exit status $? - the map is held by host LVM)"

step "lvmguard diagnose, from os-brick's log line, while nova's instance still has the volume attached"
lab/ssh.sh lab-incident 'systemctl start libvirtd && virsh start --paused instance-0000002a' >/dev/null
wwid=$(lab/ssh.sh lab-incident 'dmsetup info -c --noheadings -o uuid mpatha' | sed 's/^mpath-//')
status=0
"$lvmguard" diagnose -i "$inventory" playbooks/lab.yaml --host lab-incident \
    --log-line "multipath -f /dev/disk/by-id/dm-uuid-mpath-$wwid failed: map in use" > "$LVMGUARD_LAB_STATE/diagnosis" \
    || status=$?
sed '/^The plan that fixes/,$d' "$LVMGUARD_LAB_STATE/diagnosis"   # the plan itself comes next
[ "$status" = 4 ] || { echo "diagnose exited $status, not 4 (held by host LVM)" >&2; exit 1; }
echo "(exit status 4: held by host LVM)"
echo "(nova detaches the volume: the instance goes, host LVM still holds the map)"
lab/ssh.sh lab-incident 'virsh destroy instance-0000002a && systemctl stop libvirtd' >/dev/null

step "lvmguard validate: whom the lab policy reaches"
"$lvmguard" validate -i "$inventory" playbooks/lab.yaml

step "lvmguard plan: what would change, for review (one read-only ssh execution per host)"
"$lvmguard" plan -i "$inventory" playbooks/lab.yaml --out "$LVMGUARD_LAB_STATE/plan.json" || true

step "lvmguard apply --plan: exactly the reviewed plan (one ssh execution per host), verified"
"$lvmguard" apply --plan "$LVMGUARD_LAB_STATE/plan.json" --yes

step "the map is free: os-brick's flush now succeeds"
lab/ssh.sh lab-incident 'set -x; dmsetup info mpatha | grep "Open count"; multipath -f mpatha && echo "flushed"'

step "a second apply changes nothing"
"$lvmguard" apply -i "$inventory" playbooks/lab.yaml --yes | tail -n 1
