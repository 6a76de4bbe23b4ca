# A cloud image named its VG like the host's: the host's mounted "vg0" on the local disk and the guest's
# "vg0" on the SAN LUN. Name-based LVM commands refuse ("Multiple VGs found"); only UUIDs tell them apart.
# lab-disks: lun local
make_guest_vg vg0 "root"
make_host_vg vg0 nofail
