# An unmounted VG on a local disk that nobody declared (no fstab entry, no lvmguard_host_vgs), plus the
# guest VG on the LUN. Whose is it? lvmguard must block the host and ask, never guess.
# lab-disks: lun local
make_host_vg scratchvg unmounted
make_guest_vg guestvg "root"
