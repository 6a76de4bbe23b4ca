# Boot from SAN, stacked: the host's own VG sanvg is on a second multipath LUN (WWID ...ad), its LV carries a
# dm-crypt device (plain mode, key in a root-only file) mounted at /srv/secure with a marker file, recreated at
# boot by a unit after the LV appears. The guest's VG is on the first LUN (WWID ...ac), as in `incident`. LVM
# sees the host's LV as unmounted: only the stack above it says it is the host's.
# lab-disks: lun lun2
guest=/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ac
host=/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ad
i=0
while [ ! -e "$guest" ] || [ ! -e "$host" ]; do
    i=$((i + 1))
    [ $i -le 120 ] || { echo "no multipath maps after 60 s" >&2; multipath -ll >&2; exit 1; }
    sleep 0.5
done
udevadm settle
only() { echo "devices { filter = [ \"a|^$1\$|\", \"r|.*|\" ] global_filter = [ \"a|^$1\$|\", \"r|.*|\" ] }"; }
as_guest pvcreate -q --config "$(only "$guest")" "$guest"
as_guest vgcreate -q --config "$(only "$guest")" guestvg "$guest"
as_guest lvcreate -q --config "$(only "$guest")" -n root -L 64M guestvg
vgchange -q --config "$(only "$guest")" -an guestvg
attach_to_instance 35000c50015ea71ac

pvcreate -q --config "$(only "$host")" "$host"
vgcreate -q --config "$(only "$host")" sanvg "$host"
lvcreate -q --config "$(only "$host")" -n secret -L 128M sanvg
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > /etc/lab-crypt.key
chmod 600 /etc/lab-crypt.key
cat > /usr/local/sbin/lab-crypt-open <<'SCRIPT'
#!/bin/sh
# Opens the host's dm-crypt device on sanvg/secret and mounts it.
set -e
dmsetup create hostcrypt --table "0 $(blockdev --getsz /dev/sanvg/secret) crypt aes-xts-plain64 $(cat /etc/lab-crypt.key) 0 /dev/sanvg/secret 0"
mkdir -p /srv/secure
mount /dev/mapper/hostcrypt /srv/secure
SCRIPT
chmod 755 /usr/local/sbin/lab-crypt-open
unit=$(systemd-escape -p --suffix=device /dev/sanvg/secret)
cat > /etc/systemd/system/lab-crypt.service <<UNIT
[Unit]
Description=The host's dm-crypt device on sanvg/secret (lab)
Requires=$unit
After=$unit
[Service]
Type=oneshot
RemainAfterExit=yes
TimeoutStartSec=60
ExecStart=/usr/local/sbin/lab-crypt-open
[Install]
WantedBy=multi-user.target
UNIT
systemctl enable -q lab-crypt.service
vgchange -q --config "$(only "$host")" -ay sanvg
dmsetup create hostcrypt --table "0 $(blockdev --getsz /dev/sanvg/secret) crypt aes-xts-plain64 $(cat /etc/lab-crypt.key) 0 /dev/sanvg/secret 0"
mkfs.ext4 -q /dev/mapper/hostcrypt
mkdir -p /srv/secure
mount /dev/mapper/hostcrypt /srv/secure
echo "host sanvg/secret through dm-crypt" > /srv/secure/owner
umount /srv/secure
dmsetup remove hostcrypt
vgchange -q --config "$(only "$host")" -an sanvg
