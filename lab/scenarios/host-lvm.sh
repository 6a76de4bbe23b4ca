# A host that uses LVM itself (a mounted data LV and swap on its own VG on a local disk), with the same
# guest VG on the SAN LUN as in `incident`. A blind "r|.*|" would take the host's own LVM away.
# lab-disks: lun local
# lab-ready: findmnt /srv/data >/dev/null && lvs --noheadings -o lv_active guestvg 2>/dev/null | grep -qw active
make_host_vg hostvg
make_guest_vg guestvg "root"
