# A converged node: cinder-volume with the LVM backend and nova-compute on one host. The VG 'cinder-volumes' on the local
# disk holds volume-9b2d7c41-…, which LIO exports over iSCSI (target iqn.2010-10.org.openstack:volume-9b2d7c41-…, LUN
# 0, portal 127.0.0.1:3260, as cinder's lioadm helper makes it) and which the host attaches back with open-iscsi for its
# own instance-0000002c (defined, shut off; its disk the by-path name os-brick hands nova). The guest put LVM inside
# the volume (VG 'guestvg', LV 'data' with a file of known content). lvm.conf carries scan_lvs = 1, so at boot the
# host's LVM finds the guest's VG inside the volume LV and activates it; LIO's export, restored once udev and LVM's
# activations are done (lab-target.service, before open-iscsi), then cannot claim the LV: the volume is not exported,
# the instance has no disk, and cinder cannot delete the volume ("in use").
# lab-disks: local
# lab-packages: open-iscsi libisns0 libopeniscsiusr
# lab-ready: lvs --noheadings -o lv_active guestvg 2>/dev/null | grep -qw active && systemctl is-active -q lab-target
volume=volume-9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d
iqn=iqn.2010-10.org.openstack:$volume
own='devices { filter = [ "a|^/dev/vdb$|", "r|.*|" ] global_filter = [ "a|^/dev/vdb$|", "r|.*|" ] }'
pvcreate -q --config "$own" /dev/vdb
vgcreate -q --config "$own" cinder-volumes /dev/vdb
lvcreate -q --config "$own" -n "$volume" -L 128M cinder-volumes
make_guest_vg_inside "/dev/cinder-volumes/$volume" guestvg data
mkfs.ext4 -q /dev/guestvg/data
mount /dev/guestvg/data /mnt && seq 1 100000 > /mnt/guest-data && umount /mnt
vgchange -q --config "$guest" -an guestvg
sed -i '0,/^devices {/s//devices {\n\tscan_lvs = 1/' /etc/lvm/lvm.conf
[ "$(lvmconfig devices/scan_lvs)" = "scan_lvs=1" ] || { echo "scan_lvs = 1 did not take" >&2; exit 1; }

# cinder's LIO export, restored at boot as target.service does (rtslib's saved configuration), written to configfs.
cat > /usr/local/sbin/lab-target <<EOF
#!/bin/sh
# Restores LIO's export of $volume (lab/scenarios/cinder-converged.sh). Waits for the LV and for every activation
# udev started (LVM's event activation runs in transient lvm-activate-* units), then claims the LV.
lv=/dev/cinder-volumes/$volume
c=/sys/kernel/config/target
i=0
until [ -b "\$lv" ]; do i=\$((i + 1)); [ \$i -le 100 ] || { echo "no \$lv" >&2; exit 1; }; sleep 0.3; done
udevadm settle
while systemctl list-jobs --no-legend 2>/dev/null | grep -q lvm-activate-; do sleep 0.2; done
modprobe target_core_iblock && modprobe iscsi_target_mod
b=\$c/core/iblock_0/$volume
t=\$c/iscsi/$iqn/tpgt_1
mkdir -p "\$b"
exported=yes
if [ "\$(cat "\$b/enable")" != 1 ]; then
    echo "udev_path=\$lv" > "\$b/control"
    echo -n "\$lv" > "\$b/udev_path"
    if ! echo 1 > "\$b/enable" 2>/dev/null; then
        echo "lab-target: cannot export \$lv: \$(ls /sys/block/\$(basename \$(readlink -f \$lv))/holders | xargs) holds it" >&2
        exported=no
    fi
fi
# The target and its portal come up either way, as rtslib restores them; the LUN only with its backstore.
mkdir -p "\$t/np/127.0.0.1:3260"
if [ \$exported = yes ] && [ ! -L "\$t/lun/lun_0/lab" ]; then mkdir -p "\$t/lun/lun_0" && ln -s "\$b" "\$t/lun/lun_0/lab"; fi
echo 1 > "\$t/attrib/generate_node_acls"
echo 0 > "\$t/attrib/authentication"
echo 0 > "\$t/attrib/demo_mode_write_protect"
echo 1 > "\$t/attrib/cache_dynamic_acls"
[ "\$(cat "\$t/enable")" = 1 ] || echo 1 > "\$t/enable"
EOF
chmod 755 /usr/local/sbin/lab-target
cat > /etc/systemd/system/lab-target.service <<'EOF'
[Unit]
Description=LIO export of the cinder volume (lab)
After=systemd-udev-settle.service local-fs.target sys-kernel-config.mount
Before=iscsid.service open-iscsi.service
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/lab-target
[Install]
WantedBy=multi-user.target
EOF
systemctl daemon-reload
systemctl enable -q lab-target
# Now the volume is free: export it, and attach it back as nova's compute side does (logged in at every boot).
/usr/local/sbin/lab-target
[ "$(cat /sys/kernel/config/target/core/iblock_0/$volume/enable)" = 1 ] || { echo "LIO did not export the volume" >&2; exit 1; }
systemctl start iscsid
iscsiadm -m discovery -t sendtargets -p 127.0.0.1:3260 >/dev/null
iscsiadm -m node -T "$iqn" -p 127.0.0.1:3260 -o update -n node.startup -v automatic
iscsiadm -m node -T "$iqn" -p 127.0.0.1:3260 --login >/dev/null
udevadm settle
by_path=/dev/disk/by-path/ip-127.0.0.1:3260-iscsi-$iqn-lun-0
[ -b "$by_path" ] || { echo "no iSCSI disk $by_path" >&2; exit 1; }
write_domain instance-0000002c 4e7a1c2b-9d3f-4b5a-8e6c-1f2a3b4c5d6e "$by_path" vdb "" 9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d
mkdir -p /etc/cinder
printf '%s\n' '[DEFAULT]' 'enabled_backends = lvm-1' '[lvm-1]' 'volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver' \
    'volume_group = cinder-volumes' 'target_helper = lioadm' 'target_protocol = iscsi' > /etc/cinder/cinder.conf
