# Disks renamed by a power cycle: the host's VG hostvg (data LV mounted at /srv/data, a marker file) on a local
# SCSI disk (WWN 0x5000c50015ea71b0) whose controller is probed before the SAN's, so it is usually sda; the guest's VG
# on the multipath LUN, as in `incident`. The test boots it again with the SAN controllers first (lab host
# file san-first): the same disk then usually comes back as sdc (sd names follow asynchronous probes).
# lab-disks: lun scsi
make_guest_vg guestvg "root data"
disk=/dev/disk/by-id/wwn-0x5000c50015ea71b0
own="devices { filter = [ \"a|^$disk\$|\", \"r|.*|\" ] global_filter = [ \"a|^$disk\$|\", \"r|.*|\" ] }"
pvcreate -q --config "$own" "$disk"
vgcreate -q --config "$own" hostvg "$disk"
lvcreate -q --config "$own" -n data -L 200M hostvg
mkfs.ext4 -q /dev/hostvg/data
mkdir -p /srv/data
mount /dev/hostvg/data /srv/data
echo "host hostvg/data on the local SCSI disk" > /srv/data/owner
umount /srv/data
echo "/dev/hostvg/data /srv/data ext4 defaults,nofail,x-systemd.device-timeout=60s 0 2" >> /etc/fstab
vgchange -q --config "$own" -an hostvg
