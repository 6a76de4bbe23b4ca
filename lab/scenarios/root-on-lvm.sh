# Root on LVM, booting its own initramfs: the host's root file system is rootvg/root on the local disk
# /dev/vdb (marker file /owner), /boot is its own disk (ext4, label lab-boot) holding the kernel, the
# initramfs that initramfs-tools' lvm2 hook built (with a copy of /etc/lvm) and lab-cmdline, which
# lab/lib.sh boots as a boot loader would. A rebuild inside the VM is what the next boot uses.
# The guest VG on the multipath LUN, as in `incident`.
# lab-disks: lun local boot
make_guest_vg guestvg "root data"
own='devices { filter = [ "a|^/dev/vdb$|", "r|.*|" ] global_filter = [ "a|^/dev/vdb$|", "r|.*|" ] }'
pvcreate -q --config "$own" /dev/vdb
vgcreate -q --config "$own" rootvg /dev/vdb
lvcreate -q --config "$own" -n root -L 900M rootvg
mkfs.ext4 -q -L lab-lvm-root /dev/rootvg/root
mount /dev/rootvg/root /mnt
cp -ax /. /mnt/
mkdir -p /mnt/boot /mnt/proc /mnt/sys /mnt/dev /mnt/run /mnt/tmp
echo "host rootvg/root" > /mnt/owner
printf '%s\n' '/dev/mapper/rootvg-root / ext4 rw,errors=remount-ro 0 1' 'LABEL=lab-boot /boot ext4 defaults 0 2' > /mnt/etc/fstab
# Only what this host's root needs (its disk driver, dm, ext4): no SCSI HBA driver, as on a host booting
# from a local disk, so the SAN paths appear after the switch to the real root, where multipathd claims them.
sed -i 's/^MODULES=.*/MODULES=dep/' /mnt/etc/initramfs-tools/initramfs.conf
mount /dev/vdc /mnt/boot
for fs in dev proc sys run; do mount --bind "/$fs" "/mnt/$fs"; done
chroot /mnt update-initramfs -c -k "$(uname -r)"
echo "root=/dev/mapper/rootvg-root ro" > /mnt/boot/lab-cmdline
for fs in run sys proc dev boot; do umount "/mnt/$fs"; done
umount /mnt
vgchange -q --config "$own" -an rootvg
