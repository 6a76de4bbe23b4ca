# A guest as a RHEL-family cloud image builds it, on two cinder volumes (two multipath LUNs): the first volume has a
# partition table (kpartx maps it on the host as <map>-part1 and -part2), /boot on partition 1 and the guest's PV on
# partition 2; the second volume is a second PV. Its VG `centos` has what guests have: a thin pool with a thin root and
# an active thin snapshot, swap, a linear LV with a classic snapshot, a RAID1 LV across both volumes and a cached LV
# (its cache pool on the second volume). Nova's instance has the first volume as its disk (defined, shut off). At boot
# the host's LVM autoactivates all of it and holds both maps: the pool through its thin LVs, the partition map through
# the pool's hidden sub-LVs. Each data LV carries a marker the test reads back after the fix.
# lab-disks: lun lun2
# lab-packages: thin-provisioning-tools libaio1
# lab-ready: [ "$(lvs --noheadings -o lv_active centos 2>/dev/null | grep -cw active)" -ge 8 ]
first=/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ac
second=/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ad
part=/dev/disk/by-id/dm-uuid-part2-mpath-35000c50015ea71ac
i=0
while [ ! -e "$first" ] || [ ! -e "$second" ]; do
    i=$((i + 1))
    [ $i -le 120 ] || { echo "no multipath maps after 60 s" >&2; multipath -ll >&2; exit 1; }
    sleep 0.5
done
udevadm settle
# The cloud image's partition table (MBR: 64 MiB Linux, the rest Linux LVM; written by python3, the image has no
# sfdisk); udev's kpartx rule maps the partitions (kpartx by hand if it has not yet).
python3 - "$(readlink -f "$first")" <<'MBR'
import struct, sys
with open(sys.argv[1], "r+b") as disk:
    sectors = disk.seek(0, 2) // 512
    entry = lambda kind, start, count: struct.pack("<B3sB3sII", 0, b"\0\0\0", kind, b"\0\0\0", start, count)
    table = entry(0x83, 2048, 131072) + entry(0x8E, 133120, sectors - 133120) + bytes(32) + b"\x55\xaa"
    disk.seek(446)
    disk.write(table)
MBR
blockdev --rereadpt "$(readlink -f "$first")" 2>/dev/null || true
udevadm settle
[ -e "$part" ] || kpartx -a -p -part "$(readlink -f "$first")"
udevadm settle
[ -e "$part" ] || { echo "no partition map for partition 2" >&2; dmsetup ls >&2; exit 1; }
mkfs.ext4 -q -L boot /dev/disk/by-id/dm-uuid-part1-mpath-35000c50015ea71ac
guest="devices { filter = [ \"a|^$part\$|\", \"a|^$second\$|\", \"r|.*|\" ] global_filter = [ \"a|^$part\$|\", \"a|^$second\$|\", \"r|.*|\" ] }"
lvm_guest() { as_guest "$@" -q --config "$guest"; }
lvm_guest pvcreate "$part" "$second"
lvm_guest vgcreate centos "$part" "$second"
lvm_guest lvcreate --type thin-pool -n pool -L 96M centos "$part"
lvm_guest lvcreate -n root -V 64M --thinpool centos/pool
lvm_guest lvcreate -n swap -L 32M centos "$part"
lvm_guest lvcreate -n home -L 64M centos "$part"
lvm_guest lvcreate --type raid1 -m 1 -n mirror -L 32M centos "$part" "$second"
lvm_guest lvcreate -n cached -L 64M centos "$part"
lvm_guest lvcreate --type cache-pool -n cpool -L 16M centos "$second"
lvm_guest lvconvert -y --type cache --cachepool centos/cpool centos/cached
for lv in root home mirror cached; do
    printf 'cloud-guest %s\n' "$lv" | dd of="/dev/centos/$lv" conv=fsync status=none
done
# The snapshots after the markers: a thin snapshot without activation skip (it autoactivates), a classic one.
lvm_guest lvcreate -s -kn -n root_snap centos/root
lvm_guest lvcreate -s -n home_snap -L 16M centos/home
vgchange -q --config "$guest" -an centos
attach_to_instance 35000c50015ea71ac
