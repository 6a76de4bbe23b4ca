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
# same PV metadata the guest would; the host then finds and autoactivates it at boot. Like the guest,
# these commands see only that disk, so the guest may reuse a VG name the host has.
# $1 VG name (cloud images often reuse the host's), $2 LV names.
make_guest_vg() {
    wait_for_map
    guest='devices { filter = [ "a|^/dev/mapper/mpatha$|", "r|.*|" ] global_filter = [ "a|^/dev/mapper/mpatha$|", "r|.*|" ] }'
    pvcreate -q --config "$guest" /dev/mapper/mpatha
    vgcreate -q --config "$guest" "$1" /dev/mapper/mpatha
    for lv in $2; do lvcreate -q --config "$guest" -n "$lv" -L 64M "$1"; done
    vgchange -q --config "$guest" -an "$1"
}

# The host's own LVM on its local disk ($HOST_DISK, default /dev/vdb): a data LV and swap, in fstab (mounted
# at boot). $1 VG name; $2 "unmounted" to leave it out of fstab, or extra fstab options (e.g. "nofail").
# These commands see only that disk, so a guest VG of the same name elsewhere does not get in the way.
make_host_vg() {
    disk=${HOST_DISK:-/dev/vdb}
    own="devices { filter = [ \"a|^$disk\$|\", \"r|.*|\" ] global_filter = [ \"a|^$disk\$|\", \"r|.*|\" ] }"
    pvcreate -q --config "$own" "$disk"
    vgcreate -q --config "$own" "$1" "$disk"
    lvcreate -q --config "$own" -n data -L 200M "$1"
    lvcreate -q --config "$own" -n swap -L 64M "$1"
    mkfs.ext4 -q "/dev/$1/data"
    mkswap "/dev/$1/swap" >/dev/null
    options=defaults
    case "${2:-}" in
        unmounted) return 0 ;;
        "") ;;
        *) options="defaults,$2" ;;
    esac
    mkdir -p /srv/data
    echo "/dev/$1/data /srv/data ext4 $options 0 2" >> /etc/fstab
    echo "/dev/$1/swap none swap ${options#defaults,} 0 0" | sed 's/ swap defaults / swap sw /' >> /etc/fstab
}
