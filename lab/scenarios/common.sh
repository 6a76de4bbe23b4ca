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

# A nova-style instance: libvirt domain $1 (UUID $2, which nova makes the instance's UUID) whose disk vdb is the
# multipath map, by the by-id name os-brick hands nova. Started here once, paused, to prove it runs, then left
# defined and shut off with libvirtd stopped: a test that needs it running starts both, so the other tests see
# the map held by host LVM alone.
make_instance() {
    wait_for_map
    wwid=$(dmsetup info -c --noheadings -o uuid mpatha | sed 's/^mpath-//')
    mkdir -p /etc/lab
    cat > "/etc/lab/$1.xml" <<XML
<domain type='qemu'>
  <name>$1</name>
  <uuid>$2</uuid>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='block' device='disk'>
      <driver name='qemu' type='raw' cache='none'/>
      <source dev='/dev/disk/by-id/dm-uuid-mpath-$wwid'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
XML
    systemctl start libvirtd
    virsh define "/etc/lab/$1.xml" >/dev/null
    virsh start --paused "$1" >/dev/null
    virsh domblklist "$1" | grep -q "dm-uuid-mpath-$wwid" || { echo "instance $1 has no disk on the map" >&2; exit 1; }
    virsh destroy "$1" >/dev/null
    systemctl stop libvirtd
}
