# A host's own VG on a LUN that nothing mounts: backupvg, made on this host on the second multipath LUN
# (WWID ...ad), active and unmounted, as a backup VG or nova's images VG is while nothing uses it. The guest's
# VG on the first LUN, tied to nova's instance as in `incident`. "On a multipath map and unused" would call
# both the guest's; only evidence tells them apart: the plan must ask about backupvg, never deactivate it.
# lab-disks: lun lun2
backup=/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ad
# Two LUNs probed asynchronously: pin the map names by WWID (the guest's is mpatha, as everywhere in the lab),
# in multipath's bindings file, which later boots keep.
mkdir -p /etc/multipath
printf '# alias wwid\nmpatha 35000c50015ea71ac\nmpathb 35000c50015ea71ad\n' > /etc/multipath/bindings
multipath -F
multipathd reconfigure >/dev/null
i=0
until [ "$(dmsetup info -c --noheadings -o uuid mpatha 2>/dev/null)" = mpath-35000c50015ea71ac ] \
    && [ "$(dmsetup info -c --noheadings -o uuid mpathb 2>/dev/null)" = mpath-35000c50015ea71ad ] && [ -e "$backup" ]; do
    i=$((i + 1))
    [ $i -le 120 ] || { echo "maps not named by the bindings after 60 s" >&2; multipath -ll >&2; exit 1; }
    sleep 0.5
done
udevadm settle
make_guest_vg guestvg "root"
own="devices { filter = [ \"a|^$backup\$|\", \"r|.*|\" ] global_filter = [ \"a|^$backup\$|\", \"r|.*|\" ] }"
pvcreate -q --config "$own" "$backup"
vgcreate -q --config "$own" backupvg "$backup"
lvcreate -q --config "$own" -n daily -L 128M backupvg
