# A guest VG striped over two volumes (two multipath LUNs), as a guest that grew onto a second volume has; nova's
# instance has the first as its disk (defined, shut off). Booted with both, host LVM holds both maps. The test
# detaches the second LUN (a power cycle without it): host LVM then sees the guest VG partial, 1 of 2 PVs present.
# lab-disks: lun lun2
# lab-ready: lvs --noheadings -o lv_active guestvg 2>/dev/null | grep -qw active
first=/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ac
second=/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ad
i=0
while [ ! -e "$first" ] || [ ! -e "$second" ]; do
    i=$((i + 1))
    [ $i -le 120 ] || { echo "no multipath maps after 60 s" >&2; multipath -ll >&2; exit 1; }
    sleep 0.5
done
udevadm settle
both="devices { filter = [ \"a|^$first\$|\", \"a|^$second\$|\", \"r|.*|\" ] global_filter = [ \"a|^$first\$|\", \"a|^$second\$|\", \"r|.*|\" ] }"
as_guest pvcreate -q --config "$both" "$first" "$second"
as_guest vgcreate -q --config "$both" guestvg "$first" "$second"
as_guest lvcreate -q --config "$both" -i 2 -I 64k -n data -L 128M guestvg
vgchange -q --config "$both" -an guestvg
attach_to_instance 35000c50015ea71ac
