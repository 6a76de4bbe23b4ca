# lvmguard common: functions shared by the scripts that change a host (apply.sh, rollback.sh).
# POSIX sh; defines functions only, runs nothing.

step() { echo "$B step $1 $2 $3"; }

# Prints data function $1 decoded; fails when it is missing or not base64.
data() { "lvmguard_data_$1" | base64 -d; }

# The fingerprint's lines, one definition with the controller's (HostPlan.Fingerprint): from `lvs -o
# vg_uuid,lv_uuid,lv_attr` rows, "vg_uuid lv_uuid STATE" with STATE lv_attr's fifth letter; from `pvs -o pv_uuid,vg_uuid`
# rows, "pv_uuid vg_uuid" with "-" for a PV in no VG. Sorted bytewise.
lv_state_lines() { awk 'NF >= 3 { print $1, $2, substr($3, 5, 1) }' | LC_ALL=C sort; }
pv_member_lines() { awk 'NF >= 1 { print $1, (NF >= 2 ? $2 : "-") }' | LC_ALL=C sort; }

# Sets the run's variables: B, LVMDIR, CONF, NEW, PERMISSIVE, NOLVMETAD, USES_DEVICESFILE, TMP, and the guard's. Fails when no temp dir can be made.
setup() {
    umask 077
    PATH=/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}
    export PATH LC_ALL=C LVM_SUPPRESS_FD_WARNINGS=1
    # A dropped connection must not stop a run half-way; every step leaves lvm.conf whole.
    trap '' HUP PIPE
    B=$LVMGUARD_BOUNDARY
    LVMDIR=${LVM_SYSTEM_DIR:-/etc/lvm}
    CONF="$LVMDIR/lvm.conf"
    # A symlinked lvm.conf is edited at its target: the link stays a link.
    if [ -L "$CONF" ]; then
        CONF=$(readlink -f "$CONF") || { step prepare failed "cannot resolve the symlink $LVMDIR/lvm.conf"; return 1; }
    fi
    NEW="$CONF.lvmguard-new"
    # Multipath maps with no active path, and everything on them, are kept out of every LVM command.
    guard_scan
    # Every device, LVs looked into (a guest's VG inside a volume LV is deactivated whatever the host's scan_lvs).
    # Which of the settings this LVM knows, from one lvmconfig printing every setting it has (a key it lacks is
    # not there), read line by line in the shell: one process, not one per key.
    has_devicesfile= has_scan_lvs= has_lvmetad= USES_DEVICESFILE=
    settings=$(lvmconfig --type full 2>/dev/null) || settings=
    while IFS= read -r line; do
        line=${line#"${line%%[![:space:]]*}"}
        case $line in
            use_devicesfile=*) has_devicesfile=1; [ "$line" != use_devicesfile=1 ] || USES_DEVICESFILE=1 ;;
            scan_lvs=*) has_scan_lvs=1 ;;
            use_lvmetad=*) has_lvmetad=1 ;;
        esac
    done <<EOF
$settings
EOF
    open_devices=
    if [ -n "$has_devicesfile" ]; then open_devices=" use_devicesfile = 0"; fi
    if [ -n "$has_scan_lvs" ]; then open_devices="$open_devices scan_lvs = 1"; fi
    PERMISSIVE="devices { filter = [ \"a|.*|\" ] global_filter = [ $GUARD_REJECTS\"a|.*|\" ]$open_devices }"
    # With lvmetad (LVM 2.02), a command run with another filter would refill lvmetad's cache with that
    # filter's view: every LVM command run with a configuration that is not the host's bypasses lvmetad.
    NOLVMETAD=
    if [ -n "$has_lvmetad" ]; then
        NOLVMETAD='global { use_lvmetad = 0 }'
        PERMISSIVE="$PERMISSIVE $NOLVMETAD"
    fi
    TMP=$(mktemp -d 2>/dev/null) || { step prepare failed "cannot create a temporary directory: $(write_failure "${TMPDIR:-/tmp}")"; return 1; }
    # TERM keeps bounds.sh's trap (the deadline report), whose exit runs this one.
    INITRD_NEW=
    REPLACING=
    trap 'rm -rf "$TMP"; rm -f "$NEW" ${INITRD_NEW:+"$INITRD_NEW"} ${REPLACING:+"$REPLACING"}' EXIT INT
    start_watchdog
}

# One lvmguard at a time per LVM configuration; the kernel drops the lock when the process dies.
# Returns 3 when another run holds it.
lock() {
    command -v flock >/dev/null 2>&1 || { step lock failed "flock is not installed"; return 1; }
    mkdir -p /run/lock
    LOCK="/run/lock/lvmguard-$(printf '%s' "$LVMDIR" | cksum | cut -d' ' -f1).lock"
    exec 9>"$LOCK" || { step lock failed "cannot open $LOCK"; return 1; }
    if ! flock -n 9; then
        step lock refused "another lvmguard run holds $LOCK"
        return 3
    fi
    step lock ok "$LOCK"
}

# Makes $TMP/lvm, an LVM directory of its own: file $1 as its lvm.conf, beside copies of the rest of the host's
# configuration (lvmlocal.conf, lvm_<tag>.conf, profiles), which LVM reads with it.
config_dir() {
    rm -rf "$TMP/lvm" && mkdir "$TMP/lvm" && cp "$1" "$TMP/lvm/lvm.conf" || return 1
    for extra in "$LVMDIR"/lvmlocal.conf "$LVMDIR"/lvm_*.conf; do
        if [ -f "$extra" ]; then cp "$extra" "$TMP/lvm/" || return 1; fi
    done
    if [ -d "$LVMDIR/profile" ]; then cp -R "$LVMDIR/profile" "$TMP/lvm/" || return 1; fi
}

# Validates lvm.conf candidate $1 with the host's own lvmconfig, in config_dir's directory.
validate() {
    config_dir "$1" || return 1
    LVM_SYSTEM_DIR="$TMP/lvm" lvmconfig --validate > "$TMP/validate" 2>&1
}

# Names the files beside lvm.conf (in the directory validate made) that change a device setting of candidate $1:
# a setting overridden there would never take effect, and the host would never converge. Prints nothing when none.
overriding_files() {
    [ "$(device_settings "$1")" = "$(device_settings_in "$TMP/lvm")" ] && return 0
    for extra in "$TMP/lvm"/*; do
        [ "${extra##*/}" = lvm.conf ] || printf '%s ' "$LVMDIR/${extra##*/}"
    done
}

# The line `df -Pk` prints for the file system holding $1 (bounded): "DEVICE KB USED FREE USE% MOUNTPOINT".
fs_line() {
    bounded "$BOUND" df -Pk "$1" 2>/dev/null | tail -n 1
}

# Why writing into directory $1 failed, as an SRE would check it: its file system mounted read-only, full, or out
# of inodes (df and /proc/mounts), so the report names the file system instead of a guess.
write_failure() {
    wf_line=$(fs_line "$1")
    wf_mount=${wf_line##* }
    wf_free=$(echo "$wf_line" | awk '{ print $4 }')
    wf_inodes=$(bounded "$BOUND" df -Pi "$1" 2>/dev/null | tail -n 1 | awk '{ print $4 }')
    if [ -z "$wf_line" ]; then
        echo "the file system of $1 does not answer (df)"
    elif awk -v m="$wf_mount" '$2 == m { n = split($4, o, ","); ro = 0; for (i = 1; i <= n; i++) if (o[i] == "ro") ro = 1 }
        END { exit !ro }' /proc/mounts 2>/dev/null; then
        echo "the file system at $wf_mount is mounted read-only"
    elif [ "$wf_free" = 0 ]; then
        echo "the file system at $wf_mount is full (0 KB free)"
    elif [ "$wf_inodes" = 0 ]; then
        echo "the file system at $wf_mount has no free inodes"
    else
        echo "the file system at $wf_mount refused the write ($wf_free KB free)"
    fi
}

# Replaces file $2 whole with a copy of file $1: written beside it ($2.lvmguard-new) and compared, then as
# rename_over. On failure (1) $2 is unchanged, nothing is left beside it, and WHY says what failed.
replace_whole() {
    REPLACING="$2.lvmguard-new"
    if ! { cp "$1" "$REPLACING" && cmp -s "$1" "$REPLACING"; }; then
        rm -f "$REPLACING"; REPLACING=
        WHY="cannot write $2.lvmguard-new: $(write_failure "${2%/*}")"
        return 1
    fi
    shift
    rename_over "$REPLACING" "$@"
}

# Renames file $1, written beside file $2, over $2: it takes $2's owner and mode (when $2 exists), is flushed with the
# files $3... (a backup), renamed, and the rename flushed. Cut at any instant, $2 is the old file or the new one, whole.
# Flushes are of these files only, bounded: a whole-system sync waits for every dirty buffer, a hung NFS mount's too
# (coreutils before 8.24, as on CentOS 7, ignores the names and syncs everything: still bounded, and once killed
# it holds none of the run's pipes; HungMountLabTests.hungNFS).
# On failure (1) $2 is unchanged, $1 is removed, and WHY says what failed.
rename_over() {
    over_new=$1 over_target=$2
    shift 2
    if [ -e "$over_target" ]; then
        chown --reference="$over_target" "$over_new" 2>/dev/null; chmod --reference="$over_target" "$over_new" 2>/dev/null
    fi
    if ! bounded "$BOUND" sync "$over_new" "$@" 2>/dev/null; then
        rm -f "$over_new"; REPLACING=
        WHY="cannot flush $over_new to disk within $BOUND s"
        return 1
    fi
    if ! mv -f "$over_new" "$over_target"; then
        rm -f "$over_new"; REPLACING=
        WHY="cannot rename $over_new over $over_target"
        return 1
    fi
    REPLACING=
    # The rename itself: the directory. Past the rename either file is whole, so a slow flush is not a failure.
    bounded "$BOUND" sync "$over_target" "${over_target%/*}" 2>/dev/null
    return 0
}

# Keeps a copy of file $1 as $2 (same owner, mode and times), compared; on failure nothing is left and WHY says why.
keep_copy() {
    if ! { cp -p "$1" "$2" && cmp -s "$1" "$2"; }; then
        rm -f "$2"
        WHY="cannot write the backup $2: $(write_failure "${2%/*}")"
        return 1
    fi
}

# Puts candidate $1 in place of lvm.conf atomically, keeping a backup named $2. Same owner and mode.
swap_in() {
    keep_copy "$CONF" "$2" || { step backup failed "$WHY; $CONF is unchanged"; return 1; }
    replace_whole "$1" "$CONF" "$2" || { rm -f "$2"; step write failed "$WHY; $CONF is unchanged"; return 1; }
}

# Refreshes LVM's cache of PVs (pvscan --cache) with the configuration in place, kept away from dead maps.
# With a devices file, which ignores filters, and a dead map, the refresh is skipped and said so.
refresh() {
    if [ -n "$GUARD_REJECTS" ] && [ -n "$USES_DEVICESFILE" ]; then
        step refresh skipped "pvscan --cache not run: a multipath map has no active path and the devices file ignores filters"
        return 0
    fi
    guard=$(guarded_config "$LVMDIR")
    if bounded "$BOUND" pvscan --cache ${guard:+--config "$guard"} > "$TMP/out" 2>&1; then
        step refresh changed "pvscan --cache"
    else
        step refresh failed "pvscan --cache: $(tr '\n' ' ' < "$TMP/out")"
        return 1
    fi
}

# Appends line $1 to lvmguard.journal beside lvm.conf and flushes it (the file and its directory) before the change
# it records: a power cut must not keep a change whose record it lost (a backup no rollback would find).
journal() {
    echo "$1" >> "$LVMDIR/lvmguard.journal" || return 1
    bounded "$BOUND" sync "$LVMDIR/lvmguard.journal" "$LVMDIR" 2>/dev/null
}

# The seconds a long command may take (an initramfs build): five command bounds, or what the run's deadline leaves
# when that is more (a user who gives `--timeout 1500` for a slow dracut host gets it), less one command bound for the
# rest of the run; never past the deadline (less 10 s to report and clean up), so that the command, not the watchdog,
# is what stops and the run says what it left.
long_bound() {
    limit=$((BOUND * 5))
    case "${LVMGUARD_DEADLINE:-}" in ''|*[!0-9]*) echo "$limit"; return 0 ;; esac
    left=$((LVMGUARD_DEADLINE - ($(date +%s) - RUN_STARTED) - 10))
    [ $((left - BOUND)) -gt "$limit" ] && limit=$((left - BOUND))
    [ "$left" -lt "$limit" ] && limit=$left
    echo "$limit"
}

# Whether the file system holding initramfs image $1 has room for a new image built beside it: the old image's size
# and a fifth more (the old one is then kept by a hard link, which takes no room). Checked before the first change, so a
# full /boot stops the run with nothing changed, instead of after lvm.conf was swapped in, with the build failing late.
initramfs_room() {
    [ -f "$1" ] || return 0
    room_need=$(( $(wc -c < "$1") / 1024 * 6 / 5 + 1024 ))
    room_line=$(fs_line "${1%/*}")
    room_free=$(echo "$room_line" | awk '{ print $4 }')
    case "$room_free" in ''|*[!0-9]*) return 0 ;; esac
    [ "$room_free" -ge "$room_need" ] && return 0
    step initramfs failed "the file system at ${room_line##* } has $room_free KB free, and a new image beside $1 needs \
about $room_need KB: nothing was changed; free space there and run it again"
    return 1
}

# Rebuilds initramfs image $2 with tool $1 (dracut or initramfs-tools) so that it carries the lvm.conf in place,
# never over the image the host boots: built beside it ($2.lvmguard-new), checked to carry lvm.conf's device settings,
# flushed, then renamed over $2, the old image kept as $2.lvmguard-$3. Cut at any instant (deadline, kill, power),
# $2 is the old image or the new one, whole; a leftover $2.lvmguard-new is removed by the next rebuild.
rebuild_initramfs() {
    tool=$1 image=$2 kept="$2.lvmguard-$3"
    INITRD_NEW="$image.lvmguard-new"
    rm -f "$INITRD_NEW"
    limit=$(long_bound)
    if [ "$limit" -lt 30 ]; then
        step initramfs failed "only $limit s left before the deadline: $image not rebuilt and unchanged; run apply again"
        return 1
    fi
    case "$tool" in
        dracut) set -- dracut -f "$INITRD_NEW" "$(uname -r)" ;;
        initramfs-tools) set -- mkinitramfs -o "$INITRD_NEW" "$(uname -r)" ;;
        *) step initramfs failed "unknown initramfs tool '$tool'"; return 1 ;;
    esac
    if ! bounded "$limit" "$@" > "$TMP/out" 2>&1; then
        rm -f "$INITRD_NEW"
        step initramfs failed "$1: $(tail -n 3 "$TMP/out" | tr '\n' ' ')(the old $image is unchanged)"
        return 1
    fi
    if ! initramfs_carries_settings "$tool" "$INITRD_NEW"; then
        rm -f "$INITRD_NEW"
        step initramfs failed "the image $1 built does not carry the device settings of $CONF; the old $image is unchanged"
        return 1
    fi
    # A filter that accepts PVs by /dev/disk/by-id/lvm-pv-uuid-* needs those links at boot, before the root is mounted:
    # LVM's udev rule makes them, and dracut's lvm module leaves that rule out of its image. Such an image would not
    # find the root's PV; the old image, whose lvm.conf sets no such filter, keeps booting the host.
    if printf '%s\n' "$SETTINGS" | grep -q 'lvm-pv-uuid-' && ! initramfs_makes_pv_uuid_links "$tool" "$INITRD_NEW"; then
        rm -f "$INITRD_NEW"
        step initramfs failed "the image $1 built has no udev rule that makes the /dev/disk/by-id/lvm-pv-uuid-* links \
$CONF accepts PVs by: it would not find the root's PV at boot; the old $image is unchanged and boots"
        return 1
    fi
    # The old image stays reachable under its backup name (a hard link where the file system has them).
    rm -f "$kept"
    if ! { ln "$image" "$kept" 2>/dev/null || keep_copy "$image" "$kept"; }; then
        rm -f "$INITRD_NEW" "$kept"
        step initramfs failed "cannot keep the old image as $kept beside $image: ${WHY:-ln and cp failed}; $image is unchanged"
        return 1
    fi
    if ! rename_over "$INITRD_NEW" "$image" "$kept"; then
        rm -f "$kept"
        step initramfs failed "$WHY; $image is unchanged"
        return 1
    fi
    INITRD_NEW=
    # One old image kept per image, the one this build replaced: the copies earlier builds kept would fill a small
    # /boot (CentOS 7's 500 MB) until a kernel update could not write its image.
    pruned=0
    for old in "$image".lvmguard-2*; do
        [ -f "$old" ] && [ "$old" != "$kept" ] || continue
        rm -f "$old" && pruned=$((pruned + 1))
    done
    note=
    [ "$pruned" = 0 ] || note="; $pruned older kept images removed"
    step initramfs changed "$1 built $image beside it and renamed it over (the old image is kept as $kept$note)"
}

# Prints the device settings lvmguard owns (filters, devices file) that lvm.conf file $1 makes, defaults included, read
# by the host's own lvmconfig with that file alone: an image's copy may be rewritten, so settings are compared, not bytes.
device_settings() {
    rm -rf "$TMP/settings" && mkdir "$TMP/settings" && cp "$1" "$TMP/settings/lvm.conf" || return 1
    device_settings_in "$TMP/settings"
}

# The same settings as LVM reads them from LVM directory $1, every file in it included.
# One lvmconfig for the three keys; an LVM without the devices file (2.02) refuses the whole call, and then each key is
# read alone (the same LVM gives the same form for both files compared).
device_settings_in() {
    if all=$(LVM_SYSTEM_DIR="$1" bounded "$BOUND" lvmconfig --type full devices/filter devices/global_filter \
        devices/use_devicesfile 2>/dev/null); then
        printf '%s\n' "$all"
        return 0
    fi
    for key in devices/filter devices/global_filter devices/use_devicesfile; do
        LVM_SYSTEM_DIR="$1" bounded "$BOUND" lvmconfig --type full "$key" 2>/dev/null || echo "$key unset"
    done
}

# Whether initramfs image $2 built by tool $1 carries an lvm.conf with the device settings of $CONF (as LVM reads them,
# so a copy the tool rewrote still counts). Leaves those settings in SETTINGS, and an initramfs-tools image unpacked in
# $TMP/initrd.
initramfs_carries_settings() {
    SETTINGS=$(device_settings "$CONF")
    initramfs_lvm_conf "$1" "$2" > "$TMP/initrd-lvm.conf" && [ "$(device_settings "$TMP/initrd-lvm.conf")" = "$SETTINGS" ]
}

# Whether a udev rule inside initramfs image $2 built by tool $1 makes the lvm-pv-uuid links (initramfs_lvm_conf unpacked
# an initramfs-tools image into $TMP/initrd already). LVM's rules are named for it (69-dm-lvm-metad, 69-dm-lvm, 69-lvm):
# only rules files named *lvm* are read, each a pass over the compressed image.
initramfs_makes_pv_uuid_links() {
    case "$1" in
        dracut)
            for rules in $(bounded "$BOUND" lsinitrd "$2" 2>/dev/null | awk '$NF ~ /rules\.d\/[^/]*lvm[^/]*\.rules$/ { print $NF }'); do
                bounded "$BOUND" lsinitrd -f "$rules" "$2" 2>/dev/null | grep -q 'lvm-pv-uuid-' && return 0
            done
            return 1 ;;
        initramfs-tools) find "$TMP/initrd" -path '*rules.d/*.rules' -exec grep -l 'lvm-pv-uuid-' {} + 2>/dev/null | grep -q . ;;
        *) return 1 ;;
    esac
}

# Prints the lvm.conf inside initramfs image $2 built by tool $1; fails when it has none.
initramfs_lvm_conf() {
    case "$1" in
        dracut) bounded "$BOUND" lsinitrd -f etc/lvm/lvm.conf "$2" 2>/dev/null ;;
        initramfs-tools)
            rm -rf "$TMP/initrd" && mkdir "$TMP/initrd" && bounded "$BOUND" unmkinitramfs "$2" "$TMP/initrd" 2>/dev/null \
                || return 1
            found=$(find "$TMP/initrd" -path "*/etc/lvm/lvm.conf" | head -n 1)
            [ -n "$found" ] && cat "$found" ;;
        *) return 1 ;;
    esac
}

# After main: the gather script that follows sets traps of its own, so clean up here.
finish() {
    rm -rf "${TMP:-/nonexistent}"
    rm -f "${NEW:-/nonexistent}" "${INITRD_NEW:-/nonexistent}" "${REPLACING:-/nonexistent}"
    trap - EXIT INT
    echo "$LVMGUARD_BOUNDARY applied $1"
}
