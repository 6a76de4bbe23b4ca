# nova with images_type=lvm: instance-0000002b's disk is an LV of the host's VG 'nova' on the local disk, and the
# guest put LVM inside that disk (its VG 'guestvg', written under the guest's hostname). The host's lvm.conf carries
# scan_lvs = 1 (an old configuration file; LVM 2.02 scans LVs by default), so at boot the host finds the guest's VG
# inside the disk LV, activates it and holds the LV: nova cannot delete the instance's disk ("in use").
# A second local disk (SCSI, WWN 0x5000c50015ea71b0), blank: the disk an SRE adds to nova's VG on day two.
# lab-disks: local scsi
# lab-ready: lvs --noheadings -o lv_active guestvg 2>/dev/null | grep -qw active
disk=/dev/vdb
own="devices { filter = [ \"a|^$disk\$|\", \"r|.*|\" ] global_filter = [ \"a|^$disk\$|\", \"r|.*|\" ] }"
pvcreate -q --config "$own" "$disk"
vgcreate -q --config "$own" nova "$disk"
lvcreate -q --config "$own" -n 9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d_disk -L 128M nova
make_guest_vg_inside /dev/nova/9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d_disk guestvg root
vgchange -q --config "$guest" -an guestvg
# The old configuration: scan_lvs = 1 in lvm.conf's devices section.
sed -i '0,/^devices {/s//devices {\n\tscan_lvs = 1/' /etc/lvm/lvm.conf
[ "$(lvmconfig devices/scan_lvs)" = "scan_lvs=1" ] || { echo "scan_lvs = 1 did not take" >&2; exit 1; }
# Nova's instance with that LV as its disk, as libvirt keeps its definition (defined, shut off).
write_domain instance-0000002b 9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d /dev/nova/9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d_disk vda
