# lvmguard common: functions shared by the scripts that change a host (apply.sh, rollback.sh).
# POSIX sh; defines functions only, runs nothing.

step() { echo "$B step $1 $2 $3"; }

# Prints data function $1 decoded; fails when it is missing or not base64.
data() { "lvmguard_data_$1" | base64 -d; }

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
    PERMISSIVE="devices { filter = [ \"a|.*|\" ] global_filter = [ $GUARD_REJECTS\"a|.*|\" ] }"
    USES_DEVICESFILE=
    if lvmconfig --type full devices/use_devicesfile >/dev/null 2>&1; then
        PERMISSIVE="devices { filter = [ \"a|.*|\" ] global_filter = [ $GUARD_REJECTS\"a|.*|\" ] use_devicesfile = 0 }"
        lvmconfig --type full devices/use_devicesfile 2>/dev/null | grep -qx 'use_devicesfile=1' && USES_DEVICESFILE=1
    fi
    # With lvmetad (LVM 2.02), a command run with another filter would refill lvmetad's cache with that
    # filter's view: every LVM command run with a configuration that is not the host's bypasses lvmetad.
    NOLVMETAD=
    if lvmconfig --type full global/use_lvmetad >/dev/null 2>&1; then
        NOLVMETAD='global { use_lvmetad = 0 }'
        PERMISSIVE="$PERMISSIVE $NOLVMETAD"
    fi
    TMP=$(mktemp -d 2>/dev/null) || { step prepare failed "cannot create a temporary directory (disk full?)"; return 1; }
    # TERM keeps bounds.sh's trap (the deadline report), whose exit runs this one.
    trap 'rm -rf "$TMP"; rm -f "$NEW"' EXIT INT
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

# Validates lvm.conf candidate $1 with the host's own lvmconfig, in a directory of its own.
validate() {
    rm -rf "$TMP/lvm" && mkdir "$TMP/lvm" && cp "$1" "$TMP/lvm/lvm.conf" || return 1
    LVM_SYSTEM_DIR="$TMP/lvm" lvmconfig --validate > "$TMP/validate" 2>&1
}

# Puts candidate $1 in place of lvm.conf atomically, keeping a backup named $2. Same owner and mode.
swap_in() {
    if ! { cp "$1" "$NEW" && cmp -s "$1" "$NEW"; }; then
        step write failed "cannot write $NEW (disk full?); $CONF is unchanged"
        return 1
    fi
    chown --reference="$CONF" "$NEW" 2>/dev/null; chmod --reference="$CONF" "$NEW" 2>/dev/null
    if ! { cp -p "$CONF" "$2" && cmp -s "$CONF" "$2"; }; then
        rm -f "$2"
        step backup failed "cannot write the backup $2 (disk full?); $CONF is unchanged"
        return 1
    fi
    # Only these files, bounded: a whole-system sync waits for every dirty buffer, a hung NFS mount's too.
    # (coreutils before 8.24, as on CentOS 7, ignores the names and syncs everything, still bounded.)
    if ! bounded "$BOUND" sync "$NEW" "$2" 2>/dev/null; then
        rm -f "$NEW"
        step write failed "cannot flush $NEW and the backup to disk within $BOUND s; $CONF is unchanged"
        return 1
    fi
    if ! mv -f "$NEW" "$CONF"; then
        step write failed "cannot rename $NEW over $CONF; $CONF is unchanged"
        return 1
    fi
    # The rename itself: the directory. Past the rename either file is whole, so a slow flush is not a failure.
    bounded "$BOUND" sync "$CONF" "${CONF%/*}" 2>/dev/null
    return 0
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

# Rebuilds initramfs image $2 with tool $1 (dracut or initramfs-tools) so that it carries the lvm.conf in place.
rebuild_initramfs() {
    case "$1" in
        dracut)
            if bounded $((BOUND * 5)) dracut -f "$2" > "$TMP/out" 2>&1; then step initramfs changed "dracut -f $2"; return 0; fi
            step initramfs failed "dracut: $(tail -n 3 "$TMP/out" | tr '\n' ' ')" ;;
        initramfs-tools)
            if bounded $((BOUND * 5)) update-initramfs -u -k "$(uname -r)" > "$TMP/out" 2>&1; then step initramfs changed "update-initramfs -u"; return 0; fi
            step initramfs failed "update-initramfs: $(tail -n 3 "$TMP/out" | tr '\n' ' ')" ;;
        *) step initramfs failed "unknown initramfs tool '$1'" ;;
    esac
    return 1
}

# After main: the gather script that follows sets traps of its own, so clean up here.
finish() {
    rm -rf "${TMP:-/nonexistent}"
    rm -f "${NEW:-/nonexistent}"
    trap - EXIT INT
    echo "$LVMGUARD_BOUNDARY applied $1"
}
