# Names lie: the guest's VG *and* LV carry the host's names. The host's vg0/data (mounted at /srv/data, a
# marker file in it) on the local disk, the guest's vg0/data on the SAN LUN. lv_dm_path, /dev/mapper/vg0-data
# and /dev/vg0/data name both; only UUIDs (and dm UUIDs) tell them apart.
# lab-disks: lun local
make_guest_vg vg0 "data"
make_host_vg vg0 nofail
own='devices { filter = [ "a|^/dev/vdb$|", "r|.*|" ] global_filter = [ "a|^/dev/vdb$|", "r|.*|" ] }'
mount /dev/vg0/data /srv/data
echo "host vg0/data" > /srv/data/owner
umount /srv/data
vgchange -q --config "$own" -an vg0
