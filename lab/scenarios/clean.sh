# A host already in the desired state: the guest VG exists on the LUN but host LVM rejects every device,
# so nothing is activated and the map is free.
# lab-disks: lun
make_guest_vg guestvg "root"
sed -i 's/^devices {$/devices {\n\tglobal_filter = [ "r|.*|" ]/' /etc/lvm/lvm.conf
lvmconfig --validate >/dev/null
