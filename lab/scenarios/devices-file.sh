# LVM 2.03 with the devices file on (RHEL 9 default): the filters are ignored. Someone ran
# `vgimportdevices -a` while the guest VG was visible, so the SAN map is in the devices file too.
# lab-disks: lun local
make_host_vg hostvg
make_guest_vg guestvg "root"
sed -i 's/^devices {$/devices {\n\tuse_devicesfile = 1/' /etc/lvm/lvm.conf
lvm vgimportdevices -a
