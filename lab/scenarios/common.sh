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

# The guest's hostname: LVM records the host that wrote its metadata (creation_host, lv_host), and a guest
# writes its own name there.
GUEST_HOSTNAME=guest-vm-0042

# Runs a command as the guest would, under the guest's hostname (a UTS namespace of its own), so the LVM
# metadata it writes names the guest as its creation host.
as_guest() { unshare --uts sh -c 'hostname "$0" && exec "$@"' "$GUEST_HOSTNAME" "$@"; }

# What a guest does inside its VM: LVM on the attached volume. Run here, on the map, it writes the
# same PV metadata the guest would; the host then finds and autoactivates it at boot. Like the guest,
# these commands see only that disk, so the guest may reuse a VG name the host has.
# The lab's LUNs are virtio-scsi disks behind dm-multipath, a local transport: what makes the volume a
# guest's, as on a real compute host, is nova's instance with the map as its disk (defined, shut off).
# $1 VG name (cloud images often reuse the host's), $2 LV names.
make_guest_vg() {
    wait_for_map
    guest='devices { filter = [ "a|^/dev/mapper/mpatha$|", "r|.*|" ] global_filter = [ "a|^/dev/mapper/mpatha$|", "r|.*|" ] }'
    as_guest pvcreate -q --config "$guest" /dev/mapper/mpatha
    as_guest vgcreate -q --config "$guest" "$1" /dev/mapper/mpatha
    for lv in $2; do as_guest lvcreate -q --config "$guest" -n "$lv" -L 64M "$1"; done
    vgchange -q --config "$guest" -an "$1"
    attach_to_instance "$(dmsetup info -c --noheadings -o uuid mpatha | sed 's/^mpath-//')"
}

# Nova's instance instance-0000002a (UUID 0f3c6d52-..., named web-1 in nova's metadata) as libvirt keeps its
# definition, with the map of WWID $1 as disk vdb by the by-id name os-brick hands nova; written to $2 (default:
# libvirt's own /etc/libvirt/qemu).
attach_to_instance() {
    write_domain instance-0000002a 0f3c6d52-8a4e-4b7e-9b1d-2e6a5c7d8f90 "/dev/disk/by-id/dm-uuid-mpath-$1" vdb \
        web-1 "" "${2:-}"
}

# A libvirt domain definition as nova writes it: instance $1 (its name) with UUID $2 and one block disk, source $3
# (a map, an LV of nova's VG, an iSCSI path), target $4 (vda: nova's disk; vdb: a volume). $5, when not empty, is the
# name nova's metadata gives the instance; $6, when not empty, the disk's serial (nova puts a volume's ID there).
# Written to $7, default libvirt's own /etc/libvirt/qemu/$1.xml.
write_domain() {
    file=${7:-/etc/libvirt/qemu/$1.xml}
    mkdir -p "${file%/*}"
    {
        printf '%s\n' "<domain type='qemu'>" "  <name>$1</name>" "  <uuid>$2</uuid>"
        [ -z "${5:-}" ] || printf '%s\n' '  <metadata>' \
            '    <nova:instance xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1">' \
            "      <nova:name>$5</nova:name>" '    </nova:instance>' '  </metadata>'
        printf '%s\n' "  <memory unit='MiB'>64</memory>" '  <vcpu>1</vcpu>' \
            "  <os><type arch='x86_64' machine='pc'>hvm</type></os>" '  <devices>' \
            '    <emulator>/usr/bin/qemu-system-x86_64</emulator>' "    <disk type='block' device='disk'>" \
            "      <driver name='qemu' type='raw' cache='none'/>" "      <source dev='$3'/>" \
            "      <target dev='$4' bus='virtio'/>"
        [ -z "${6:-}" ] || printf '%s\n' "      <serial>$6</serial>"
        printf '%s\n' '    </disk>' "    <memballoon model='none'/>" '  </devices>' '</domain>'
    } > "$file"
}

# What a guest does inside its disk when that disk is a device of this host (an LV of nova's VG, a cinder volume): LVM
# with only that device in sight, as in its VM, under the guest's hostname. $1 the device, $2 the VG's name, $3 its
# LV names (64 MiB each). The VG stays active for the caller to fill; `vgchange --config "$guest" -an` puts it down.
# $guest sees only that device, LVs looked into where this LVM knows scan_lvs (LVM 2.02 always looks into them).
make_guest_vg_inside() {
    inside=$(readlink -f "$1")
    scan=
    if lvmconfig --type full devices/scan_lvs >/dev/null 2>&1; then scan='scan_lvs = 1 '; fi
    guest="devices { ${scan}filter = [ \"a|^$inside\$|\", \"r|.*|\" ] global_filter = [ \"a|^$inside\$|\", \"r|.*|\" ] }"
    as_guest pvcreate -q --config "$guest" "$inside"
    as_guest vgcreate -q --config "$guest" "$2" "$inside"
    for lv in $3; do as_guest lvcreate -q --config "$guest" -n "$lv" -L 64M "$2"; done
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

# Nova's instance $1 (instance-0000002a, see attach_to_instance) defined through libvirt itself, whose disk vdb is
# the multipath map. Started here once, paused, to prove it runs, then left defined and shut off with libvirtd
# stopped: a test that needs it running starts both, so the other tests see the map held by host LVM alone.
make_instance() {
    wait_for_map
    wwid=$(dmsetup info -c --noheadings -o uuid mpatha | sed 's/^mpath-//')
    mkdir -p /etc/lab
    attach_to_instance "$wwid" "/etc/lab/$1.xml"
    rm -f "/etc/libvirt/qemu/$1.xml"
    systemctl start libvirtd
    virsh define "/etc/lab/$1.xml" >/dev/null
    virsh start --paused "$1" >/dev/null
    virsh domblklist "$1" | grep -q "dm-uuid-mpath-$wwid" || { echo "instance $1 has no disk on the map" >&2; exit 1; }
    virsh destroy "$1" >/dev/null
    systemctl stop libvirtd
}
