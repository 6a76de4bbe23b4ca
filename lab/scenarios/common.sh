# Helpers for scenario scripts; runs inside the lab VM (POSIX sh), prepended to each scenario.
set -eu

# Waits for multipathd to build the map for the SAN LUN seen over two paths.
wait_for_map() {
    i=0
    while [ ! -e /dev/mapper/mpatha ]; do
        i=$((i + 1))
        [ $i -le 120 ] || { echo "no multipath map after 60 s" >&2; multipath -ll >&2; exit 1; }
        sleep 0.5
    done
    udevadm settle
}

# What a guest does inside its VM: LVM on the attached volume. Run here, on the map, it writes the
# same PV metadata the guest would; the host then finds and autoactivates it at boot.
# $1 VG name (cloud images often reuse the host's), $2 LV names.
make_guest_vg() {
    wait_for_map
    pvcreate -q /dev/mapper/mpatha
    vgcreate -q "$1" /dev/mapper/mpatha
    for lv in $2; do lvcreate -q -n "$lv" -L 64M "$1"; done
    vgchange -q -an "$1"
}

# The host's own LVM on its local disk: a mounted data LV and swap, in fstab.
make_host_vg() {
    pvcreate -q /dev/vdb
    vgcreate -q "$1" /dev/vdb
    lvcreate -q -n data -L 200M "$1"
    lvcreate -q -n swap -L 64M "$1"
    mkfs.ext4 -q "/dev/$1/data"
    mkswap "/dev/$1/swap" >/dev/null
    mkdir -p /srv/data
    echo "/dev/$1/data /srv/data ext4 defaults 0 2" >> /etc/fstab
    echo "/dev/$1/swap none swap sw 0 0" >> /etc/fstab
}
