# The incident: root on a plain disk, a SAN LUN over two paths, the guest's VG on it. At boot the host's
# LVM autoactivates the guest VG on the multipath map and holds it open: `multipath -f` says "map in use".
# The lab host also has nova's instance for the volume, defined and shut off (diagnose starts it).
# lab-disks: lun
# lab-ready: lvs --noheadings -o lv_active guestvg 2>/dev/null | grep -qw active
make_guest_vg guestvg "root data"
# Nova's instance with the volume attached, defined but shut off (see make_instance).
make_instance instance-0000002a
