# lvmguard gather-facts: prints everything the planner needs about one host, in one run, read-only.
# POSIX sh for CentOS 7 (LVM 2.02, lvmetad) to RHEL 9 / Debian 12 (LVM 2.03, devices file).
# The controller sends this script on stdin after a line setting LVMGUARD_BOUNDARY to a random token and
# remote/bounds.sh: every LVM and multipath command is bounded, and kept away from dead multipath maps.
# Output: sections, each introduced by "<boundary> section NAME RC", its stdout, then
# "<boundary> stderr NAME" and its stderr. A missing tool is a section with rc 127. Nothing is changed.
# A stdout without a final newline gets one, and its stderr marker says "noeol": the controller drops it again.
set -u
PATH=/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}
export PATH LC_ALL=C LVM_SUPPRESS_FD_WARNINGS=1
B=${LVMGUARD_BOUNDARY:?}
TMP=$(mktemp -d 2>/dev/null || echo "/tmp/lvmguard-facts.$$")
mkdir -p "$TMP" && chmod 700 "$TMP"
trap 'rm -rf "$TMP"' EXIT INT
start_watchdog

# section NAME COMMAND...: runs the command and keeps its status, output and stderr as one section in files
# ($TMP/N.head, .out, .mid, .err), put out later, in order, by put_out_held: a cat and a tail for each section were
# most of a gather's time on a slow host (measured on an emulated one: 83 processes of about 60 ms each in a 14 s
# gather). Where the scratch directory takes no more writes (full), a section is put out at once, as one.
HELD=
N=0
# Names put out by one cat must not split: a scratch directory with other characters puts each section out at once.
case $TMP in *[!A-Za-z0-9_./-]*) HOLD=no ;; *) HOLD=yes ;; esac
section() {
    name=$1; shift
    N=$((N + 1))
    RUNNING="section $name: $*"
    "$@" >"$TMP/$N.out" 2>"$TMP/$N.err" </dev/null
    rc=$?
    RUNNING=
    if [ "$HOLD" = yes ] \
        && { echo "$B section $name $rc" >"$TMP/$N.head" && echo "$B stderr $name" >"$TMP/$N.mid"; } 2>/dev/null; then
        HELD="$HELD $N:$name"
    else
        put_out_held
        put_out_now "$N" "$name" "$rc"
    fi
}

# put_out_now N NAME RC: section N as it is, at once: its header, output, stderr marker and stderr.
put_out_now() {
    echo "$B section $2 $3"
    cat "$TMP/$1.out"
    # $(...) drops a final newline: a non-empty last byte means the output did not end with one.
    if [ -s "$TMP/$1.out" ] && [ -n "$(tail -c 1 "$TMP/$1.out")" ]; then
        echo
        echo "$B stderr $2 noeol"
    else
        echo "$B stderr $2"
    fi
    # Most commands write nothing to stderr: no process for an empty file.
    if [ -s "$TMP/$1.err" ]; then cat "$TMP/$1.err"; fi
}

# Puts out the held sections in order with one cat, after one tail read the last byte of each non-empty output: an
# output that does not end with a newline gets one, and its stderr marker says "noeol" (the controller drops it again).
put_out_held() {
    [ -n "$HELD" ] || return 0
    outputs= count=0
    for entry in $HELD; do
        if [ -s "$TMP/${entry%%:*}.out" ]; then outputs="$outputs $TMP/${entry%%:*}.out" count=$((count + 1)); fi
    done
    last=
    if [ -n "$outputs" ]; then last=$(tail -q -c 1 $outputs | od -A n -v -t x1) || last=; fi
    # One byte per non-empty output, or each section is put out alone.
    set -- $last
    if [ "$#" != "$count" ]; then
        for entry in $HELD; do put_out_now "${entry%%:*}" "${entry#*:}" "$(sed -n 's/.* //p' "$TMP/${entry%%:*}.head")"; done
        HELD=
        return 0
    fi
    files=
    for entry in $HELD; do
        n=${entry%%:*}
        if [ -s "$TMP/$n.out" ]; then
            [ "$1" = 0a ] || printf '\n%s\n' "$B stderr ${entry#*:} noeol" >"$TMP/$n.mid"
            shift
        fi
        files="$files $TMP/$n.head $TMP/$n.out $TMP/$n.mid $TMP/$n.err"
    done
    cat $files
    HELD=
}

have() { command -v "$1" >/dev/null 2>&1; }

LVMDIR=${LVM_SYSTEM_DIR:-/etc/lvm}
echo "$B facts 1"
# First, before any LVM command: multipath maps that lost every path, read without I/O.
guard_scan
if grep -qw device-mapper /proc/misc 2>/dev/null; then
    section multipath-status bounded "$BOUND" dmsetup status --target multipath
    section multipath-table bounded "$BOUND" dmsetup table --target multipath
fi
section guard sh -c 'for d in $1; do echo "exclude $d"; done' sh "$DEAD_DEVICES"
# First, whether the run can write its scratch files at all (more than one line, as the sections do): on a full
# or read-only /tmp every section fails on its redirection, and the first of them, uname, would take the blame.
section scratch printf '%01024d\n' 0
section host uname -nr
section tools sh -c 'for t in lvm lvmconfig pvs dmsetup lsblk multipath multipathd virsh dracut lsinitrd update-initramfs lsinitramfs unmkinitramfs flock sha256sum; do if command -v "$t" >/dev/null 2>&1; then echo "$t yes"; else echo "$t no"; fi; done'
section lvm-version lvm version
section lvm-conf-path echo "$LVMDIR/lvm.conf"
# lvm.conf byte for byte (any encoding, CRLF, no final newline): base64.
section lvm-conf-base64 base64 "$LVMDIR/lvm.conf"
section lvm-conf-sha256 sha256sum "$LVMDIR/lvm.conf"
section lvm-conf-stat stat -c '%u %g %a %Y' "$LVMDIR/lvm.conf"
# The files LVM reads beside lvm.conf that can override it (lvmlocal.conf, lvm_<tag>.conf): "== PATH", then the file as
# base64 (up to 1 MiB; a larger one is "== PATH too-large"). The plan names the file and line of an override.
section lvm-conf-beside sh -c 'for f in "$1"/lvmlocal.conf "$1"/lvm_*.conf; do
    [ -f "$f" ] || continue
    if [ "$(wc -c < "$f")" -gt 1048576 ]; then echo "== $f too-large"; continue; fi
    echo "== $f"; base64 "$f" || exit 1
done' sh "$LVMDIR"
# Effective values, a section per key. One lvmconfig reads them all (it prints one "leaf=value" line per
# key); when an old LVM lacks a key the whole call fails, and then each key is read alone so only the
# missing one fails.
keys="devices/filter devices/global_filter devices/use_devicesfile devices/devicesfile global/use_lvmetad global/event_activation devices/multipath_component_detection devices/scan_lvs"
devicesfile=
if lvmconfig --type full $keys >"$TMP/config" 2>/dev/null </dev/null; then
    has_devicesfile=yes has_lvmetad=yes
    for key in $keys; do
        echo "$B section config:$key 0"
        while IFS= read -r line; do
            case $line in "${key#*/}="*) printf '%s\n' "$line" ;; esac
        done <"$TMP/config"
        echo "$B stderr config:$key"
    done
    while IFS= read -r line; do
        case $line in devicesfile=\"*\") devicesfile=${line#devicesfile=\"} devicesfile=${devicesfile%\"} ;; esac
    done <"$TMP/config"
else
    for key in $keys; do
        section "config:$key" lvmconfig --type full "$key"
    done
    devicesfile=$(lvmconfig --type full devices/devicesfile 2>/dev/null | sed -n 's/^devicesfile="\(.*\)"$/\1/p')
    has_devicesfile=no has_lvmetad=no
    lvmconfig --type full devices/use_devicesfile >/dev/null 2>&1 && has_devicesfile=yes
    lvmconfig --type full global/use_lvmetad >/dev/null 2>&1 && has_lvmetad=yes
fi
section devices-file cat "$LVMDIR/devices/${devicesfile:-system.devices}"

# LVM's view with a permissive configuration, so the current filter hides nothing, and LVs are looked into (a
# guest's VG inside a volume LV is there whatever the host's scan_lvs). Keys an old LVM does not know are left out;
# lvmetad (2.02, which scans LVs anyway) is bypassed so the disks themselves are read.
open_devices=
if [ "$has_devicesfile" = yes ]; then open_devices=" use_devicesfile = 0"; fi
if lvmconfig --type full devices/scan_lvs >/dev/null 2>&1 </dev/null; then open_devices="$open_devices scan_lvs = 1"; fi
permissive="devices { filter = [ \"a|.*|\" ] global_filter = [ $GUARD_REJECTS\"a|.*|\" ]$open_devices }"
# With lvmetad, a command run with another filter refills lvmetad's cache with that filter's view.
nolvmetad=
if [ "$has_lvmetad" = yes ]; then
    nolvmetad='global { use_lvmetad = 0 }'
    permissive="$permissive $nolvmetad"
fi
# Every VG LVM knows of, another host's (a system ID: HA-LVM failover) and lvmlockd's shared ones included: LVM
# skips them otherwise with one line on stderr, and a filter would then hide them without a word.
section pvs bounded "$BOUND" pvs --foreign --shared --reportformat json --units b --nosuffix --config "$permissive" \
    -o pv_name,pv_uuid,vg_name,vg_uuid,dev_size
section vgs bounded "$BOUND" vgs --foreign --shared --reportformat json --config "$permissive" \
    -o vg_name,vg_uuid,vg_attr,pv_count,lv_count,vg_systemid,vg_lock_type
section lvs bounded "$BOUND" lvs --foreign --shared --reportformat json --config "$permissive" \
    -o vg_name,vg_uuid,lv_name,lv_uuid,lv_attr,lv_active,lv_dm_path,devices,lv_host
# This host's own system ID, against which a VG's tells whose it is (empty when the host sets none).
section systemid lvm systemid
# What the host's LVM sees with its own configuration (to check the filter is effective).
# With dead maps, the host's filter gets their reject rules in front; a devices file ignores filters, so then
# the host's own view is not read at all.
if [ -z "$GUARD_REJECTS" ]; then
    section pvs-current bounded "$BOUND" pvs --foreign --shared --reportformat json ${nolvmetad:+--config "$nolvmetad"} \
        -o pv_name,pv_uuid,vg_uuid
elif grep -qx 'use_devicesfile=1' "$TMP/config" 2>/dev/null; then
    section pvs-current sh -c 'echo "not read: the devices file is in use and a multipath map has no active path" >&2; exit 125'
else
    section pvs-current bounded "$BOUND" pvs --foreign --shared --reportformat json \
        --config "$(guarded_config "$LVMDIR") $nolvmetad" \
        -o pv_name,pv_uuid,vg_uuid
fi
section lsblk bounded "$BOUND" lsblk -P -b -o NAME,KNAME,TYPE,MAJ:MIN,SIZE,MOUNTPOINT,FSTYPE,PKNAME
section mounts cat /proc/mounts
# Which device each mount is, by major:minor (names lie: a guest LV can carry the host LV's name).
section mountinfo cat /proc/self/mountinfo
section swaps cat /proc/swaps
section cmdline cat /proc/cmdline
# A kernel without device-mapper (no "device-mapper" in /proc/misc) has no dm devices: an empty answer.
if grep -qw device-mapper /proc/misc 2>/dev/null; then
    section dm-info bounded "$BOUND" dmsetup info -c --noheadings --separator '|' -o name,major,minor,open,uuid
    section dm-deps bounded "$BOUND" dmsetup deps
else
    section dm-info true
    section dm-deps true
fi
# Each /sys/block entry and where its link points ("sda ../devices/pci0000:00/..."; lvmguard resolves it): one find, not
# a readlink per disk.
section sysfs-block find /sys/block -mindepth 1 -maxdepth 1 \( -type l -printf '%f %l\n' \) -o -printf '%f %p\n'
# Every link and block device one level under /dev/*/ and in /dev/disk/by-id: "PATH TARGET", a link's target as it holds
# it (lvmguard resolves it, as readlink -f would), a block device itself. One find each, not a process per link.
section dev-links sh -c 'links() { find "$@" \( -type l -printf "%p %l\n" \) -o \( -type b -printf "%p %p\n" \); }
links /dev -mindepth 2 -maxdepth 2 || exit 1
[ ! -d /dev/disk/by-id ] || links /dev/disk/by-id -mindepth 1 -maxdepth 1'
# Every holder the kernel counts, md included ("DEVICE HOLDER" by kernel name), and this boot's identity.
section holders sh -c 'for h in /sys/block/*/holders/*; do [ -e "$h" ] || continue; d=${h%/holders/*}; echo "${d##*/} ${h##*/}"; done'
section boot-id cat /proc/sys/kernel/random/boot_id
# NVMe controllers by subsystem with their transport (pcie is local; tcp, rdma, fc are fabrics): a native NVMe
# multipath namespace sits under its subsystem, not under one controller. "SUBSYSTEM CONTROLLER TRANSPORT".
section nvme-controllers sh -c 'for c in /sys/class/nvme-subsystem/*/nvme*; do [ -r "$c/transport" ] || continue; s=${c%/*}; echo "${s##*/} ${c##*/} $(cat "$c/transport")"; done'

# The initramfs of the running kernel, named as the RHEL family names it or as Debian does, and the tool that built it,
# told by the image's own content (dracut's carry usr/lib/dracut/, initramfs-tools' conf/initramfs.conf), not by which
# tools are installed: a host may have both, and only the one that built the image it boots may rebuild it.
kernel=$(uname -r)
image=
for candidate in "/boot/initramfs-$kernel.img" "/boot/initrd.img-$kernel"; do
    if [ -f "$candidate" ]; then image=$candidate; break; fi
done
built_by= unpacked=
# dracut's module list, one file taken out of the image (a whole listing takes four times as long on a slow host).
if [ -n "$image" ] && have lsinitrd && bounded "$BOUND" lsinitrd -f usr/lib/dracut/modules.txt "$image" \
    > "$TMP/initramfs-probe" 2>/dev/null && [ -s "$TMP/initramfs-probe" ]; then
    built_by=dracut
elif [ -n "$image" ] && have unmkinitramfs && mkdir -p "$TMP/initrd" \
    && bounded "$BOUND" unmkinitramfs "$image" "$TMP/initrd" >/dev/null 2>&1; then
    # Unpacked once: the tool is told by the tree, and its lvm.conf is read from it below.
    unpacked=yes
    if [ -n "$(find "$TMP/initrd" -path '*/usr/lib/dracut/*' -print -quit)" ]; then
        built_by=dracut
    elif [ -n "$(find "$TMP/initrd" -path '*/conf/initramfs.conf' -print -quit)" ]; then
        built_by=initramfs-tools
    fi
elif [ -n "$image" ] && have lsinitramfs && bounded "$BOUND" lsinitramfs "$image" > "$TMP/initramfs-probe" 2>/dev/null
then
    # The listing's own status decides; the markers are read from its file afterwards.
    if grep -Eq '(^| )usr/lib/dracut/' "$TMP/initramfs-probe"; then
        built_by=dracut
    elif grep -Eq '(^| )conf/initramfs\.conf$' "$TMP/initramfs-probe"; then
        built_by=initramfs-tools
    fi
fi
rm -f "$TMP/initramfs-probe"
if [ "$built_by" = dracut ] && have dracut && have lsinitrd; then
    section initramfs echo "dracut $image"
    section initramfs-lvm-conf bounded "$BOUND" lsinitrd -f etc/lvm/lvm.conf "$image"
    # lvmguard's udev rule for the lvm-pv-uuid links and the drop-in that puts it into dracut's images: "PATH BASE64".
    section pv-link-files sh -c 'for f in "$@"; do [ -f "$f" ] || continue; printf "%s " "$f"; head -c 65536 "$f" | base64 | tr -d "\n"; echo; done' \
        sh "${LVMGUARD_PV_LINK_RULE:-}" "${LVMGUARD_PV_LINK_DRACUT:-}"
elif [ "$built_by" = initramfs-tools ] && have update-initramfs; then
    section initramfs echo "initramfs-tools $image"
    if [ "$unpacked" = yes ]; then
        section initramfs-lvm-conf sh -c 'f=$(find "$1" -path "*/etc/lvm/lvm.conf" -print -quit); [ -n "$f" ] && cat "$f"' \
            sh "$TMP/initrd"
    fi
else
    # No image, one no installed tool can rebuild, or one lvmguard cannot tell: nothing to keep in sync here.
    section initramfs echo "none${image:+ $image ${built_by:-unknown}}"
fi

if have virsh; then
    # The running (and paused) domains by UUID, which for nova is the instance's UUID: "domain UUID NAME", then
    # one "disk UUID TYPE DEVICE TARGET SOURCE" per disk. No libvirtd running means no instance, not an error.
    section libvirt-disks bounded "$BOUND" sh -c '
        virsh list --uuid 2>/dev/null | while read -r uuid; do
            [ -n "$uuid" ] || continue
            printf "domain %s %s\n" "$uuid" "$(virsh domname "$uuid" </dev/null 2>/dev/null)"
            virsh domblklist --details "$uuid" </dev/null 2>/dev/null | while read -r type device target source; do
                printf "disk %s %s %s %s %s\n" "$uuid" "$type" "$device" "$target" "$source"
            done
        done'
fi
# libvirt's own XML, wherever it keeps it, for hosts with no virsh (kolla's nova_libvirt container) and for
# domains only defined: status files of running domains, definitions on the host, in kolla's docker volume
# and in podman's. "PATH BASE64" a file, each read up to 1 MiB; parsed by lvmguard, not here.
section libvirt-xml bounded "$BOUND" sh -c '
    for f in /run/libvirt/qemu/*.xml /etc/libvirt/qemu/*.xml \
        /var/lib/docker/volumes/nova_libvirt_qemu/_data/*.xml \
        /var/lib/containers/storage/volumes/nova_libvirt_qemu/_data/*.xml; do
        [ -f "$f" ] || continue
        printf "%s " "$f"
        head -c 1048576 "$f" | base64 | tr -d "\n"
        echo
    done'
# Block devices an iSCSI target exports (cinder's LVM backend: each volume LV a LUN). LIO, from configfs: "backstore
# DIR ENABLED DEVICE" for each block backstore, "lun DIR BACKSTORE-DIR" for each LUN of a fabric (iSCSI, ...) linked to
# one. tgt (cinder's tgtadm helper), from tgtadm's own listing. Parsed by lvmguard, not here.
section lio-exports bounded "$BOUND" sh -c '
    c=/sys/kernel/config/target
    [ -d "$c/core" ] || exit 0
    for d in "$c"/core/*/*; do
        [ -f "$d/udev_path" ] || continue
        printf "backstore %s %s %s\n" "$d" "$(cat "$d/enable" 2>/dev/null)" "$(cat "$d/udev_path")"
    done
    for l in "$c"/*/*/tpgt_*/lun/lun_*; do
        for s in "$l"/*; do
            if [ -L "$s" ]; then printf "lun %s %s\n" "$l" "$(readlink -f "$s")"; fi
        done
    done'
if have tgtadm; then
    section tgt-exports bounded "$BOUND" tgtadm --lld iscsi --mode target --op show
fi
# The iSCSI sessions this host logged in to, "SESSION TARGET" each (session1 iqn....): with a disk's sysfs path
# (.../session1/target2:0:0/2:0:0:LUN/block/sdb) they say which target and LUN a disk is, one exported here included.
section iscsi-sessions sh -c '
    for s in /sys/class/iscsi_session/session*; do
        if [ -f "$s/targetname" ]; then printf "%s %s\n" "${s##*/}" "$(cat "$s/targetname")"; fi
    done'
# OpenStack's own word on which VGs hold its volumes: cinder's volume_group (LVM backend) and nova's images_volume_group
# (images_type = lvm), on the host and where kolla keeps each service's configuration. "PATH BASE64" a file, each read
# up to 256 KiB; parsed by lvmguard, not here.
section openstack-conf bounded "$BOUND" sh -c '
    for f in /etc/cinder/cinder.conf /etc/kolla/cinder-volume/cinder.conf /etc/nova/nova.conf \
        /etc/kolla/nova-compute/nova.conf; do
        [ -f "$f" ] || continue
        printf "%s " "$f"
        head -c 262144 "$f" | base64 | tr -d "\n"
        echo
    done'
put_out_held
echo "$B end"
