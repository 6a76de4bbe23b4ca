# The seed's platform: a CentOS 7.6 compute host (LVM 2.02.180 with lvmetad; udev feeds every PV to lvmetad and
# lvm2-pvscan@ autoactivates its VG), installed as CentOS 7 installs itself: the VG 'centos' on the local disk /dev/vdb
# holds root, swap and a data LV (mounted at /srv/data), and /boot (its own disk) holds the kernel and the initramfs
# dracut built (/boot/initramfs-KV.img, hostonly, with lvm.conf); the command line is CentOS 7's own:
# root=/dev/mapper/centos-root rd.lvm.lv=centos/root rd.lvm.lv=centos/swap, so dracut activates those two and
# lvmetad's autoactivation the rest after the switch to the real root. The guest's VG is on the SAN LUN over two
# paths, attached to nova's instance (defined, shut off): at boot lvmetad's autoactivation takes it too, and
# `multipath -f` says "map in use", as in the incident.
# And nova with images_type=lvm beside it: instance-0000002b's disk is an LV of the host's VG 'nova' on a local SCSI
# disk, and that guest put LVM inside its disk (VG 'instvg'). LVM 2.02 scans LVs for PVs (it has no scan_lvs), so at
# boot lvm2-pvscan@ activates 'nova', then, fed the disk LV by udev, the guest's VG inside it: the LV is held and nova
# cannot delete the instance's disk.
# lab-lvm: 2.02
# lab-packages: dracut-core
# lab-disks: lun local boot scsi
# lab-ready: lvm version | grep -q 2.02.180 && lvmconfig global/use_lvmetad | grep -qx use_lvmetad=1 && pgrep -x lvmetad >/dev/null && findmnt -n -o SOURCE / | grep -qx /dev/mapper/centos-root && findmnt /srv/data >/dev/null && lvs --noheadings -o lv_active guestvg 2>/dev/null | grep -qw active && lvs --noheadings -o lv_active instvg 2>/dev/null | grep -qw active
make_guest_vg guestvg "root data"
make_instance instance-0000002a
nova_disk=/dev/disk/by-id/wwn-0x5000c50015ea71b0
nova="devices { filter = [ \"a|^$nova_disk\$|\", \"r|.*|\" ] global_filter = [ \"a|^$nova_disk\$|\", \"r|.*|\" ] }"
pvcreate -q --config "$nova" "$nova_disk"
vgcreate -q --config "$nova" nova "$nova_disk"
lvcreate -q --config "$nova" -n 9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d_disk -L 128M nova
make_guest_vg_inside /dev/nova/9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d_disk instvg root
vgchange -q --config "$guest" -an instvg
vgchange -q --config "$nova" -an nova
# Nova's instance with that LV as its disk (defined, shut off), as in lab/scenarios/nova-lvm.sh.
write_domain instance-0000002b 9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d /dev/nova/9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d_disk vda
own='devices { filter = [ "a|^/dev/vdb$|", "r|.*|" ] global_filter = [ "a|^/dev/vdb$|", "r|.*|" ] }'
pvcreate -q --config "$own" /dev/vdb
vgcreate -q --config "$own" centos /dev/vdb
lvcreate -q --config "$own" -n root -L 900M centos
lvcreate -q --config "$own" -n swap -L 32M centos
lvcreate -q --config "$own" -n data -L 64M centos
mkfs.ext4 -q -L centos-root /dev/centos/root
mkfs.ext4 -q /dev/centos/data
mkswap /dev/centos/swap >/dev/null
mount /dev/centos/root /mnt
cp -ax /. /mnt/
mkdir -p /mnt/boot /mnt/proc /mnt/sys /mnt/dev /mnt/run /mnt/tmp /mnt/srv/data
echo "host centos/root" > /mnt/owner
printf '%s\n' '/dev/mapper/centos-root / ext4 defaults 0 1' 'LABEL=lab-boot /boot ext4 defaults 0 2' \
    '/dev/mapper/centos-data /srv/data ext4 defaults 0 2' '/dev/mapper/centos-swap swap swap defaults 0 0' \
    > /mnt/etc/fstab
lvm202_enable_lvmetad /mnt
# CentOS 7's dracut defaults (01-dist.conf: hostonly), with the lab's disk driver and nothing for the SAN: its paths
# appear after the switch to the real root, where multipathd claims them. The image is left uncompressed
# (compress="cat"): under emulation that takes a third off each build (measured 137 s -> 93 s) and every lsinitrd;
# what lvmguard reads and checks in an image is the same either way.
mkdir -p /mnt/etc/dracut.conf.d
printf '%s\n' 'hostonly="yes"' 'hostonly_cmdline="no"' 'add_dracutmodules+=" lvm "' 'compress="cat"' \
    'add_drivers+=" virtio_pci virtio_blk dm_mod ext4 "' 'omit_drivers+=" virtio_scsi sd_mod "' \
    > /mnt/etc/dracut.conf.d/centos.conf
mount /dev/vdc /mnt/boot
for fs in dev proc sys run; do mount --bind "/$fs" "/mnt/$fs"; done
kernel=$(uname -r)
chroot /mnt dracut -q -f "/boot/initramfs-$kernel.img" "$kernel"
chroot /mnt lsinitrd -f etc/lvm/lvm.conf "/boot/initramfs-$kernel.img" | grep -q 'use_lvmetad' \
    || { echo "dracut's image has no lvm.conf" >&2; exit 1; }
echo "root=/dev/mapper/centos-root ro rd.lvm.lv=centos/root rd.lvm.lv=centos/swap" > /mnt/boot/lab-cmdline
for fs in run sys proc dev boot; do umount "/mnt/$fs"; done
umount /mnt
vgchange -q --config "$own" -an centos
