# lvmguard apply: makes exactly the planned changes on one host, in one run, then verifies.
# POSIX sh for CentOS 7 (LVM 2.02, lvmetad) to RHEL 9 / Debian 12 (LVM 2.03, devices file).
# The controller sends, on stdin: variables (validated tokens only: UUIDs, /dev paths, hex), data functions
# whose bodies are base64 (lvmguard_data_*), bounds.sh, common.sh, this script, then gather-facts.sh for the
# facts after.
# Everything runs from main(), called on the last lines, so nothing starts before the whole script has arrived.
# HUP and PIPE are ignored: a dropped connection cannot stop the run half-way, and every step leaves lvm.conf whole.
# Output: "<boundary> step NAME RESULT MESSAGE" lines, then "<boundary> applied RC".
# RC: 0 done, 1 failed (nothing half-done), 3 lock held by another run, 4 stale (host changed since the plan).

# The fingerprint's LV and PV lines as the host is now (`lv_state_lines`, `pv_member_lines` in common.sh).
lv_states() {
    bounded "$BOUND" lvs --foreign --shared --noheadings --config "$PERMISSIVE" -o vg_uuid,lv_uuid,lv_attr 2>/dev/null \
        | lv_state_lines
}
pv_members() {
    bounded "$BOUND" pvs --foreign --shared --noheadings --config "$PERMISSIVE" -o pv_uuid,vg_uuid 2>/dev/null \
        | pv_member_lines
}

# The devices file's entries as LVM matches them: IDTYPE, IDNAME, PVID (and PART), sorted. Left out is what LVM
# rewrites on its own: the header comment and VERSION it bumps on every write, and DEVNAME, a hint it corrects when
# a device was renamed (any pvs may do that between plan and apply).
devices_entries() {
    sed -n '/^IDTYPE=/{ s/ DEVNAME=[^ ]*//; p; }' | LC_ALL=C sort
}

# Each line of the plan's dead_maps data: "release|report WWID DM-UUID...", the dm UUIDs being the guest LVs
# on the map, top of the stack first. "release": stop queueing on that map alone, remove the LVs' mappings
# (no I/O: with queueing off, nothing waits on the dead paths) and check the map's open count reached 0.
# "report": the plan leaves it; the run fails so the guest is not forgotten.
release_dead_maps() {
    status=0
    data dead_maps > "$TMP/dead-maps" || return 1
    while read -r action wwid devices; do
        [ -n "$wwid" ] || continue
        name=$(bounded "$BOUND" dmsetup info -c --noheadings -o name -u "mpath-$wwid" 2>/dev/null </dev/null)
        if [ -z "$name" ]; then
            step dead-map ok "multipath map $wwid is gone"
            continue
        fi
        if ! bounded "$BOUND" dmsetup status --target multipath -u "mpath-$wwid" </dev/null 2>/dev/null \
            | sed "s/^/$wwid: /" | dead_maps_from_status | grep -q .; then
            step dead-map failed "multipath map $name ($wwid) has an active path again: run plan again"
            status=1
            continue
        fi
        if [ "$action" != release ]; then
            step dead-map failed "guest LVs on multipath map $name ($wwid), which has no active path, are left active (dead_maps: report)"
            status=1
            continue
        fi
        if ! bounded "$BOUND" dmsetup message -u "mpath-$wwid" 0 fail_if_no_path > "$TMP/out" 2>&1 </dev/null; then
            step dead-map failed "dmsetup message $name 0 fail_if_no_path: $(tr '\n' ' ' < "$TMP/out")"
            status=1
            continue
        fi
        for uuid in $devices; do
            bounded "$BOUND" dmsetup info -u "$uuid" >/dev/null 2>&1 </dev/null || continue
            if ! bounded "$BOUND" dmsetup remove -u "$uuid" > "$TMP/out" 2>&1 </dev/null; then
                step dead-map failed "dmsetup remove $uuid (on $name): $(tr '\n' ' ' < "$TMP/out")"
                status=1
                continue 2
            fi
        done
        open=$(bounded "$BOUND" dmsetup info -c --noheadings -o open -u "mpath-$wwid" 2>/dev/null </dev/null | tr -d ' ')
        if [ "$open" = 0 ]; then
            step dead-map changed "released multipath map $name ($wwid): queueing stopped, guest LVs removed, open count 0"
        else
            step dead-map failed "multipath map $name ($wwid) is still open (open count ${open:-unknown}) after its guest LVs were removed"
            status=1
        fi
    done < "$TMP/dead-maps"
    return $status
}

# The host must still be what the plan saw: the same boot, lvm.conf, LV states and devices file. Returns 4 when
# it is not (stale), naming what changed.
check_fingerprint() {
    # 2. The host must still be what the plan saw, in the same boot: after a reboot, kernel names and device
    # paths in the plan may name other devices.
    if [ -n "${LVMGUARD_EXPECT_BOOT_ID:-}" ]; then
        boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)
        if [ "$boot" != "$LVMGUARD_EXPECT_BOOT_ID" ]; then
            step fingerprint stale "the host rebooted since the plan (boot ${boot:-unreadable}, planned in $LVMGUARD_EXPECT_BOOT_ID)"
            return 4
        fi
    fi
    RUNNING="fingerprint: sha256sum $CONF"
    actual=$(sha256sum "$CONF" 2>/dev/null | cut -d' ' -f1)
    RUNNING=
    if [ "$actual" != "$LVMGUARD_EXPECT_SHA256" ]; then
        step fingerprint stale "$CONF changed since the plan (sha256 ${actual:-unreadable}, planned $LVMGUARD_EXPECT_SHA256)"
        return 4
    fi
    lv_states > "$TMP/lv-states"
    data lv_states > "$TMP/expected-lv-states"
    if ! cmp -s "$TMP/lv-states" "$TMP/expected-lv-states"; then
        step fingerprint stale "LV activation changed since the plan: $(diff "$TMP/expected-lv-states" "$TMP/lv-states" | grep '^[<>]' | head -n 3 | tr '\n' ';')"
        return 4
    fi
    pv_members > "$TMP/pv-members"
    data pv_members > "$TMP/expected-pv-members"
    if ! cmp -s "$TMP/pv-members" "$TMP/expected-pv-members"; then
        step fingerprint stale "PVs joined or left a VG since the plan (pv_uuid vg_uuid): $(diff "$TMP/expected-pv-members" "$TMP/pv-members" | grep '^[<>]' | head -n 3 | tr '\n' ';')"
        return 4
    fi
    DEVICES="$LVMDIR/devices/${LVMGUARD_DEVICES_FILE_NAME:-system.devices}"
    if [ "$LVMGUARD_EXPECT_DEVICES_FILE" = 1 ]; then
        data devices_file | devices_entries > "$TMP/expected-devices"
        devices_entries < "$DEVICES" > "$TMP/devices" 2>/dev/null
        if [ ! -f "$DEVICES" ] || ! cmp -s "$TMP/devices" "$TMP/expected-devices"; then
            step fingerprint stale "$DEVICES changed since the plan"
            return 4
        fi
    elif [ -e "$DEVICES" ] && [ "$LVMGUARD_DEVICES_ADD$LVMGUARD_DEVICES_REMOVE$LVMGUARD_DEVICES_CREATE" != 0 ]; then
        step fingerprint stale "$DEVICES appeared since the plan"
        return 4
    fi
    step fingerprint ok "boot, lvm.conf, LV states, PV membership and devices file are as planned"
}

# The candidate lvm.conf: validated, tried, then swapped in atomically with a backup kept.
write_config() {
    # 3-4. Candidate lvm.conf: validated, tried, then swapped in atomically with a backup kept.
    if [ "$LVMGUARD_CONFIG_EDIT" = 1 ]; then
        data candidate > "$TMP/candidate" || { step candidate failed "cannot decode the planned lvm.conf"; return 1; }
        if ! validate "$TMP/candidate"; then
            step validate failed "lvmconfig --validate refused the planned lvm.conf: $(tr '\n' ' ' < "$TMP/validate")"
            return 1
        fi
        overridden=$(overriding_files "$TMP/candidate")
        if [ -n "$overridden" ]; then
            step validate failed "a device setting of the planned lvm.conf is overridden by what LVM reads beside it (${overridden% }): it would never take effect; $CONF is unchanged"
            return 1
        fi
        step validate ok "lvmconfig --validate accepts the planned lvm.conf"
        # Under the devices file (turned on by the candidate, 1, or on already, 2) the candidate is tried with the
        # planned devices file, made the same way: without it LVM would use every device.
        if [ "$LVMGUARD_TRIAL_DEVICES" != 0 ]; then
            build_devices_file "$TMP/lvm" trial || return 1
        fi
        # The status that matters is pvs's own: a trial whose pvs fails is a failed trial.
        trial=$(guarded_config "$TMP/lvm")${NOLVMETAD:+ $NOLVMETAD}
        # --foreign and --shared: a declared host VG of HA-LVM or lvmlockd counts like any other.
        # Each VG with the PVs it misses ("vg_uuid N"): with the planned lvm.conf, and as LVM sees every device now.
        if ! bounded "$BOUND" env LVM_SYSTEM_DIR="$TMP/lvm" pvs --foreign --shared --noheadings -o vg_uuid,vg_missing_pv_count ${trial:+--config "$trial"} \
            > "$TMP/trial-pvs" 2> "$TMP/trial-err"; then
            step trial failed "pvs with the planned lvm.conf failed: $(tail -n 3 "$TMP/trial-err" | tr '\n' ' ')"
            return 1
        fi
        if ! bounded "$BOUND" pvs --foreign --shared --noheadings --config "$PERMISSIVE" -o vg_uuid,vg_missing_pv_count \
            > "$TMP/now-pvs" 2> "$TMP/trial-err"; then
            step trial failed "pvs with every device in sight failed: $(tail -n 3 "$TMP/trial-err" | tr '\n' ' ')"
            return 1
        fi
        awk 'NF == 2 { print $1, $2 }' "$TMP/trial-pvs" | LC_ALL=C sort -u > "$TMP/trial-vgs"
        awk 'NF == 2 { print $1, $2 }' "$TMP/now-pvs" | LC_ALL=C sort -u > "$TMP/now-vgs"
        for vg in $LVMGUARD_HOST_VGS; do
            seen=$(grep "^$vg " "$TMP/trial-vgs") || { step trial failed "with the planned lvm.conf, pvs no longer sees host VG $vg"; return 1; }
            now=$(grep "^$vg " "$TMP/now-vgs")
            # A host VG the planned filter leaves a PV of out (a disk added to it since the plan) would not activate.
            if [ "${seen#* }" != "${now#* }" ]; then
                step trial failed "with the planned lvm.conf, host VG $vg misses ${seen#* } PVs (now ${now#* }): the planned filter leaves a PV of it out"
                return 1
            fi
        done
        for vg in $LVMGUARD_GUEST_VGS; do
            grep -q "^$vg " "$TMP/trial-vgs" && { step trial failed "with the planned lvm.conf, pvs still sees guest VG $vg"; return 1; }
        done
        step trial ok "with the planned lvm.conf, pvs sees every host VG whole and no guest VG"
        # The devices file the trial used goes in whole before lvm.conf turns it on: until then LVM ignores it.
        if [ "$LVMGUARD_TRIAL_DEVICES" = 1 ]; then
            install_devices_file "$TMP/lvm/devices/${DEVICES##*/}" || return 1
            fault_point devices-file
        fi
        BACKUP="$CONF.lvmguard-$LVMGUARD_TIMESTAMP"
        # Journaled before the change: a journal that cannot be written leaves a backup no rollback finds.
        if ! journal "$LVMGUARD_TIMESTAMP config $CONF backup=$BACKUP sha256_before=$LVMGUARD_EXPECT_SHA256 sha256_after=$(sha256sum "$TMP/candidate" | cut -d' ' -f1)"; then
            step config failed "cannot write $LVMDIR/lvmguard.journal: $(write_failure "$LVMDIR"); $CONF is unchanged"
            [ -z "${DEVICES_DONE:-}" ] || restore_devices_file
            return 1
        fi
        if ! swap_in "$TMP/candidate" "$BACKUP"; then
            # lvm.conf is unchanged, so the devices file just installed was never in force: put back what was there.
            [ -z "${DEVICES_DONE:-}" ] || restore_devices_file
            return 1
        fi
        step config changed "wrote $CONF (backup $BACKUP)"
    fi
}

# Builds the planned devices file in LVM directory $1 (which holds the lvm.conf to use): the current file, then
# the planned additions by device and removals by PVID (a device name may belong to another device by now), made
# by LVM's own lvmdevices. $2 names the step a failure is reported as.
build_devices_file() {
    mkdir -p "$1/devices" || { step "$2" failed "cannot create $1/devices"; return 1; }
    built="$1/devices/${DEVICES##*/}"
    if [ -e "$DEVICES" ]; then
        cp "$DEVICES" "$built" || { step "$2" failed "cannot copy $DEVICES: $(write_failure "${built%/*}")"; return 1; }
    elif [ "$LVMGUARD_DEVICES_CREATE" = 1 ]; then
        : > "$built" || { step "$2" failed "cannot create $built: $(write_failure "${built%/*}")"; return 1; }
    fi
    for device in $LVMGUARD_DEVICES_ADD; do
        bounded "$BOUND" env LVM_SYSTEM_DIR="$1" lvm lvmdevices --yes --adddev "$device" > "$TMP/out" 2>&1 \
            || { step "$2" failed "lvmdevices --adddev $device: $(tr '\n' ' ' < "$TMP/out")"; return 1; }
    done
    for pvid in $LVMGUARD_DEVICES_REMOVE; do
        bounded "$BOUND" env LVM_SYSTEM_DIR="$1" lvm lvmdevices --yes --delpvid "$pvid" > "$TMP/out" 2>&1 \
            || { step "$2" failed "lvmdevices --delpvid $pvid: $(tr '\n' ' ' < "$TMP/out")"; return 1; }
    done
}

# Puts the devices file built at $1 in place whole: a backup of the current one (journaled for rollback), the new
# file written beside it, flushed, renamed over. Cut at any instant, the devices file is the old or the new one.
install_devices_file() {
    mkdir -p "${DEVICES%/*}" || { step devices-file failed "cannot create ${DEVICES%/*}"; return 1; }
    saved=
    if [ -e "$DEVICES" ]; then
        saved="$DEVICES.lvmguard-$LVMGUARD_TIMESTAMP"
        keep_copy "$DEVICES" "$saved" || { step devices-file failed "$WHY; $DEVICES is unchanged"; return 1; }
        journal "$LVMGUARD_TIMESTAMP devices $DEVICES backup=$saved" \
            || { step devices-file failed "cannot write $LVMDIR/lvmguard.journal: $(write_failure "$LVMDIR"); $DEVICES is unchanged"; return 1; }
    fi
    replace_whole "$1" "$DEVICES" || { step devices-file failed "$WHY; $DEVICES is unchanged"; return 1; }
    DEVICES_DONE=1
    step devices-file changed "added: ${LVMGUARD_DEVICES_ADD:-none}; removed: ${LVMGUARD_DEVICES_REMOVE:-none}"
}

# Puts back the devices file install_devices_file replaced (or removes the one it created).
restore_devices_file() {
    if [ -n "${saved:-}" ] && [ -f "$saved" ]; then
        if replace_whole "$saved" "$DEVICES"; then
            step devices-file changed "restored $saved: lvm.conf was not changed"
        else
            step devices-file failed "cannot restore $saved: $WHY"
        fi
    else
        rm -f "$DEVICES" && step devices-file changed "removed $DEVICES again: lvm.conf was not changed"
    fi
}

# Devices-file hosts: the same change, built with LVM's own tools beside the file and put in place whole. (A move to
# the devices file installed it before lvm.conf turned it on.)
edit_devices_file() {
    [ -z "${DEVICES_DONE:-}" ] || return 0
    if [ "$LVMGUARD_DEVICES_ADD$LVMGUARD_DEVICES_REMOVE$LVMGUARD_DEVICES_CREATE" != 0 ]; then
        # Built with the whole configuration in place (lvm.conf and what LVM reads beside it), as validate saw it.
        config_dir "$CONF" || { step devices-file failed "cannot prepare $TMP/lvm: $(write_failure "$TMP")"; return 1; }
        build_devices_file "$TMP/lvm" devices-file || return 1
        install_devices_file "$TMP/lvm/devices/${DEVICES##*/}" || return 1
    fi
}

# lvmguard's udev rule for the lvm-pv-uuid links and the dracut drop-in that puts it into every image, written whole
# before lvm.conf accepts PVs by those links: alone they only add links, so every state on the way boots. A file that
# differs is kept as a backup; each write is journaled first ("TIMESTAMP pv-links PATH created|backup=FILE").
install_pv_link_files() {
    [ "$LVMGUARD_PV_LINK_FILES" = 1 ] || return 0
    for file in "rule $LVMGUARD_PV_LINK_RULE" "dracut $LVMGUARD_PV_LINK_DRACUT"; do
        name=${file%% *} path=${file#* }
        data "pv_link_$name" > "$TMP/pv-link-$name" || { step pv-links failed "cannot decode lvmguard's $path"; return 1; }
        if [ -f "$path" ] && cmp -s "$TMP/pv-link-$name" "$path"; then
            step pv-links ok "$path is in place"
            continue
        fi
        mkdir -p "${path%/*}" || { step pv-links failed "cannot create ${path%/*}; $CONF is unchanged"; return 1; }
        record=created
        if [ -e "$path" ]; then
            record="backup=$path.lvmguard-$LVMGUARD_TIMESTAMP"
            keep_copy "$path" "${record#backup=}" || { step pv-links failed "$WHY; $CONF is unchanged"; return 1; }
        fi
        journal "$LVMGUARD_TIMESTAMP pv-links $path $record" \
            || { step pv-links failed "cannot write $LVMDIR/lvmguard.journal: $(write_failure "$LVMDIR"); $path and $CONF are unchanged"; return 1; }
        replace_whole "$TMP/pv-link-$name" "$path" || { step pv-links failed "$WHY; $CONF is unchanged"; return 1; }
        case $record in
            created) step pv-links changed "wrote $path (it was not there)" ;;
            *) step pv-links changed "wrote $path (the file it replaced is kept as ${record#backup=})" ;;
        esac
    done
}

# Guest VGs nothing outside holds, whole and by UUID: LVM deactivates its own stack in order (thin LVs before their
# pool, snapshots with their origin, RAID and cache sub-LVs with their LV). LVM refuses a VG with an open LV whole,
# so an LV opened since the plan leaves the VG as it was and fails the step; nothing is forced.
deactivate_guest_vgs() {
    failed_vgs=0
    for uuid in $LVMGUARD_DEACTIVATE_VGS; do
        # vgs's own status: a VG LVM could not read is a failure, never "no longer there".
        if ! bounded "$BOUND" vgs --noheadings --config "$PERMISSIVE" -o vg_name --select "vg_uuid=$uuid" </dev/null \
            > "$TMP/out" 2> "$TMP/err"; then
            step deactivate failed "VG $uuid: vgs failed: $(tail -n 3 "$TMP/err" | tr '\n' ' ')"
            failed_vgs=1
            continue
        fi
        name=$(tr -d ' \n' < "$TMP/out")
        if [ -z "$name" ]; then
            step deactivate ok "VG $uuid is no longer there"
            continue
        fi
        if ! bounded "$BOUND" lvs -a --noheadings --config "$PERMISSIVE" -o lv_active --select "vg_uuid=$uuid" </dev/null > "$TMP/out" 2>&1; then
            step deactivate failed "VG $name ($uuid): $(tr '\n' ' ' < "$TMP/out")"
            failed_vgs=1
            continue
        fi
        active=$(grep -cw active "$TMP/out")
        if [ "$active" = 0 ]; then
            step deactivate ok "VG $name ($uuid) is already inactive"
        elif bounded "$BOUND" vgchange -an --config "$PERMISSIVE" --select "vg_uuid=$uuid" </dev/null > "$TMP/out" 2>&1; then
            step deactivate changed "VG $name ($uuid) deactivated whole: $active active LVs, hidden ones included"
        else
            step deactivate failed "VG $name ($uuid): $(tr '\n' ' ' < "$TMP/out")"
            failed_vgs=1
        fi
    done
    return $failed_vgs
}

# Guest LVs, by UUID, in the plan's order (top of each stack first); an LV open now is left alone and reported,
# never forced.
deactivate_guests() {
    # 5. Guest VGs whole, then guest LVs one by one.
    deactivated=0
    deactivate_guest_vgs || deactivated=1
    for uuid in $LVMGUARD_DEACTIVATE; do
        if ! bounded "$BOUND" lvs --noheadings --config "$PERMISSIVE" -o lv_attr,vg_name,lv_name --select "lv_uuid=$uuid" \
            </dev/null > "$TMP/out" 2> "$TMP/err"; then
            step deactivate failed "LV $uuid: lvs failed: $(tail -n 3 "$TMP/err" | tr '\n' ' ')"
            deactivated=1
            continue
        fi
        state=$(awk '{ print $1, $2 "/" $3 }' "$TMP/out")
        attr=${state%% *}
        name=${state#* }
        case "$attr" in
            "") step deactivate ok "LV $uuid is no longer there" ;;
            ?????o*) step deactivate skipped "LV $name ($uuid) is open: left active" ;;
            ????a*)
                if bounded "$BOUND" lvchange -an --config "$PERMISSIVE" --select "lv_uuid=$uuid" > "$TMP/out" 2>&1; then
                    step deactivate changed "LV $name ($uuid) deactivated"
                else
                    step deactivate failed "LV $name ($uuid): $(tr '\n' ' ' < "$TMP/out")"
                    deactivated=1
                fi ;;
            *) step deactivate ok "LV $name ($uuid) is already inactive" ;;
        esac
    done
    return $deactivated
}

# The lab's fault injection: at point $1, when LVMGUARD_FAULT_PAUSE names it, apply says so in /run and waits there,
# bounded by the run's deadline, for the lab to cut the power. Nothing else happens at a point.
fault_point() {
    [ "${LVMGUARD_FAULT_PAUSE:-}" = "$1" ] || return 0
    : > "/run/lvmguard-fault-$1"
    sleep "$(long_bound)"
}

main() {
    set -u
    setup || return 1
    lock || return $?
    check_fingerprint || return $?
    if [ "$LVMGUARD_INITRAMFS" != none ]; then initramfs_room "$LVMGUARD_INITRAMFS_IMAGE" || return 1; fi
    install_pv_link_files || return 1
    fault_point pv-links
    write_config || return 1
    fault_point config
    edit_devices_file || return 1
    failed=0
    deactivate_guests || failed=1
    # 6. Guests on multipath maps with no active path: LVM cannot touch them (any read blocks).
    release_dead_maps || failed=1

    # 7. Refresh LVM's view, then the initramfs.
    if [ "$LVMGUARD_REFRESH" = 1 ]; then
        refresh || failed=1
    fi
    if [ "$LVMGUARD_INITRAMFS" != none ]; then
        # Journaled first, so that rollback rebuilds it from the lvm.conf it restores even after a cut build.
        if ! journal "$LVMGUARD_TIMESTAMP initramfs $LVMGUARD_INITRAMFS $LVMGUARD_INITRAMFS_IMAGE"; then
            step initramfs failed "cannot write $LVMDIR/lvmguard.journal: $(write_failure "$LVMDIR"); $LVMGUARD_INITRAMFS_IMAGE not rebuilt"
            failed=1
        elif ! rebuild_initramfs "$LVMGUARD_INITRAMFS" "$LVMGUARD_INITRAMFS_IMAGE" "$LVMGUARD_TIMESTAMP"; then
            failed=1
        fi
    fi
    return $failed
}
main
finish $?
