# The seed's platform: a CentOS 7.6 compute host's LVM (2.02.180 with lvmetad; udev feeds every PV to lvmetad and
# lvm2-pvscan@ autoactivates its VG), with its own VG on a local disk (a mounted data LV and swap) and the guest's VG on
# the SAN LUN over two paths, attached to nova's instance (defined, shut off). At boot lvmetad's autoactivation takes
# the guest VG on the multipath map: `multipath -f` says "map in use", as in the incident.
# lab-lvm: 2.02
# lab-disks: lun local
# lab-ready: lvm version | grep -q 2.02.180 && lvmconfig global/use_lvmetad | grep -qx use_lvmetad=1 && pgrep -x lvmetad >/dev/null && findmnt /srv/data >/dev/null && lvs --noheadings -o lv_active guestvg 2>/dev/null | grep -qw active
make_host_vg hostvg
make_guest_vg guestvg "root data"
make_instance instance-0000002a
