# The incident on a host whose nova instances directory is NFS (/var/lib/nova/instances, as shared-storage live
# migration has it), served by the host itself (nfsd on loopback: the lab machine's kernel has no nfsd). The test
# stops the server while the mount holds unwritten data, as a hung NFS server does in the field: the mount is hard, so
# every sync, df and stat of it then waits for the server, in uninterruptible sleep that SIGKILL cannot end.
# lab-disks: lun
# lab-packages: nfs-kernel-server nfs-common rpcbind libnfsidmap1 libevent-core-2.1-7 keyutils netbase
# lab-ready: lvs --noheadings -o lv_active guestvg 2>/dev/null | grep -qw active && findmnt -n -o FSTYPE /var/lib/nova/instances | grep -q '^nfs'
make_guest_vg guestvg "root data"
make_instance instance-0000002a
mkdir -p /srv/nova-instances /var/lib/nova/instances
echo '/srv/nova-instances 127.0.0.1(rw,sync,no_root_squash,no_subtree_check,fsid=1)' > /etc/exports
systemctl enable -q nfs-server
echo '127.0.0.1:/srv/nova-instances /var/lib/nova/instances nfs vers=4.2,hard,_netdev,x-systemd.requires=nfs-server.service 0 0' >> /etc/fstab
systemctl restart nfs-server && exportfs -ra
mount /var/lib/nova/instances
findmnt -n -o FSTYPE /var/lib/nova/instances | grep -q '^nfs' || { echo "the instances directory is not on NFS" >&2; exit 1; }
umount /var/lib/nova/instances
