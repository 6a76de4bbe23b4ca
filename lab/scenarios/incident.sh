# The incident: root on a plain disk, a SAN LUN over two paths, the guest's VG on it. At boot the host's
# LVM autoactivates the guest VG on the multipath map and holds it open: `multipath -f` says "map in use".
# lab-disks: lun
make_guest_vg guestvg "root data"
