# LVM 2.03 with the devices file on (RHEL 9 default): the filters are ignored. Someone ran
# `vgimportdevices -a` while the guest VG was visible, so the SAN map is in the devices file too. The host's
# VG is on a local SCSI disk with a WWN (sda, probed before the SAN controllers; the test boots it again with
# the SAN first, lab host file san-first, so the same disk comes back under another name).
# lab-disks: lun scsi
HOST_DISK=/dev/disk/by-id/wwn-0x5000c50015ea71b0
make_host_vg hostvg "nofail,x-systemd.device-timeout=60s"
make_guest_vg guestvg "root"
sed -i 's/^devices {$/devices {\n\tuse_devicesfile = 1/' /etc/lvm/lvm.conf
lvm vgimportdevices -a
