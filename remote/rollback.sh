# lvmguard rollback: undoes the latest apply still in force, then (run again) the one before: a stack. An apply is in
# force until a rollback restored its backup. Its records are taken together, by its timestamp: the lvm.conf backup,
# the devices file's and the initramfs it rebuilt. It restores only what that apply left: if lvm.conf (or the devices
# file) is no longer the file the apply wrote (sha256_after in its journal line), it shows the difference and stops,
# unless LVMGUARD_ROLLBACK_FORCE=1. lvm.conf is validated the same way and swapped in atomically, keeping a backup of
# what it replaces; then the initramfs that apply rebuilt is rebuilt from the restored file. Guest VGs are not
# reactivated.
# With LVMGUARD_ROLLBACK_PREVIEW=1 it changes nothing and says what it would do: "would" steps, and the
# lvm.conf diff as "diff line |TEXT" steps.
# POSIX sh; sent after common.sh, with LVMGUARD_BOUNDARY and LVMGUARD_TIMESTAMP set; gather-facts.sh follows.
# RC: 0 done, 1 failed or refused (nothing changed), 3 lock held, 5 nothing to roll back.

# Prints the journal's line for the latest apply of lvm.conf still in force: its backup was never restored.
apply_in_force() {
    grep " config $CONF backup=" "$JOURNAL" 2>/dev/null > "$TMP/applies"
    sed -n 's/.* rollback .* restored=\([^ ]*\).*/\1/p' "$JOURNAL" 2>/dev/null > "$TMP/restored"
    # Newest first (tac is not POSIX): the first whose backup no rollback restored.
    sed -n '1!G;h;$p' "$TMP/applies" | while IFS= read -r line; do
        backup=$(echo "$line" | sed 's/.* backup=\([^ ]*\).*/\1/')
        grep -qxF "$backup" "$TMP/restored" || { echo "$line"; break; }
    done
}

# Shows how file $1 differs from file $2 as "diff line |TEXT" steps (at most 400 lines).
show_diff() {
    diff -u "$1" "$2" > "$TMP/diff" 2>&1
    sed -n '3,400s/^/|/p' "$TMP/diff" | while IFS= read -r line; do step diff line "$line"; done
}

# Takes lvmguard's PV link rule and dracut drop-in away once the lvm.conf restored from $1 no longer accepts PVs by
# lvm-pv-uuid links: whichever apply wrote them (an apply cut after writing them left no lvm.conf record of its own), as
# the latest journal line for each path says ("TIMESTAMP pv-links PATH created|backup=FILE"): removed, or the file it
# replaced put back. Runs after the initramfs, so the image the host boots never needs a file removed here.
undo_pv_link_files() {
    grep " pv-links " "$JOURNAL" 2>/dev/null > "$TMP/pv-links"
    [ -s "$TMP/pv-links" ] || return 0
    if device_settings "$1" | grep -q 'lvm-pv-uuid-'; then
        step pv-links ok "the restored $CONF still accepts PVs by lvm-pv-uuid links: lvmguard's rule and drop-in stay"
        return 0
    fi
    for path in $(awk '{ print $3 }' "$TMP/pv-links" | LC_ALL=C sort -u); do
        # The latest line for the path: "TIMESTAMP pv-links PATH RECORD" (awk: exact field match, no pattern).
        record=$(awk -v path="$path" '$3 == path { record = $4 } END { print record }' "$TMP/pv-links")
        case $record in
            created)
                if [ ! -e "$path" ]; then
                    continue
                elif [ "$PREVIEW" = 1 ]; then
                    step pv-links would "remove $path, which lvmguard wrote"
                elif rm -f "$path"; then
                    bounded "$BOUND" sync "${path%/*}" 2>/dev/null
                    step pv-links changed "removed $path, which lvmguard wrote"
                else
                    step pv-links failed "cannot remove $path"; return 1
                fi ;;
            backup=*)
                saved=${record#backup=}
                if [ ! -f "$saved" ]; then
                    step pv-links failed "the backup $saved of $path is gone; $path is unchanged"; return 1
                elif cmp -s "$saved" "$path"; then
                    continue
                elif [ "$PREVIEW" = 1 ]; then
                    step pv-links would "restore $path from $saved"
                elif replace_whole "$saved" "$path"; then
                    step pv-links changed "restored $path from $saved"
                else
                    step pv-links failed "cannot restore $saved: $WHY"; return 1
                fi ;;
        esac
    done
}

main() {
    set -u
    setup || return 1
    lock || return $?
    JOURNAL="$LVMDIR/lvmguard.journal"
    PREVIEW=${LVMGUARD_ROLLBACK_PREVIEW:-0}
    FORCE=${LVMGUARD_ROLLBACK_FORCE:-0}
    record=$(apply_in_force)
    if [ -z "$record" ]; then
        step rollback failed "no apply of $CONF left to roll back (journal: $JOURNAL)"
        return 5
    fi
    applied_at=${record%% *}
    backup=$(echo "$record" | sed 's/.* backup=\([^ ]*\).*/\1/')
    if [ ! -f "$backup" ]; then
        step rollback failed "the backup $backup of the apply at $applied_at is gone; $CONF is unchanged"
        return 1
    fi
    # Only what that apply left: a later edit would be thrown away.
    left=$(echo "$record" | sed -n 's/.* sha256_after=\([0-9a-f]*\).*/\1/p')
    now=$(sha256sum "$CONF" | cut -d' ' -f1)
    if [ -n "$left" ] && [ "$now" != "$left" ] && ! cmp -s "$backup" "$CONF"; then
        if [ "$FORCE" != 1 ]; then
            step rollback refused "$CONF changed since the apply at $applied_at left it (sha256 $now, not $left): restoring $backup would throw that change away; what the restore would change:"
            show_diff "$CONF" "$backup"
            return 1
        fi
        step rollback ok "$CONF changed since the apply at $applied_at; restoring $backup anyway (--force)"
    fi
    # A /boot too full for the image's rebuild stops the rollback before its first change, as it stops apply.
    last_image=$(grep -E '^[^ ]+ initramfs ' "$JOURNAL" 2>/dev/null | tail -n 1 | awk '{ print $4 }')
    if [ "$PREVIEW" != 1 ] && [ -n "$last_image" ]; then initramfs_room "$last_image" || return 1; fi
    restored=
    if cmp -s "$backup" "$CONF"; then
        step rollback ok "$CONF already equals $backup"
    elif ! validate "$backup"; then
        step validate failed "lvmconfig --validate refuses $backup: $(tr '\n' ' ' < "$TMP/validate")"
        return 1
    elif [ "$PREVIEW" = 1 ]; then
        step rollback would "restore $CONF from $backup, undoing the apply at $applied_at (validated by lvmconfig)"
        show_diff "$CONF" "$backup"
        restored=1
    else
        step validate ok "lvmconfig --validate accepts $backup"
        swap_in "$backup" "$CONF.lvmguard-$LVMGUARD_TIMESTAMP" || return 1
        journal "$LVMGUARD_TIMESTAMP rollback $CONF restored=$backup backup=$CONF.lvmguard-$LVMGUARD_TIMESTAMP" \
            || step journal failed "cannot write $JOURNAL: the restore is done, but not recorded"
        step rollback changed "restored $backup (the replaced file is kept as $CONF.lvmguard-$LVMGUARD_TIMESTAMP)"
        restored=1
    fi
    devices=$(grep "^$applied_at devices " "$JOURNAL" 2>/dev/null | tail -n 1)
    if [ -n "$devices" ]; then
        target=$(echo "$devices" | sed 's/.* devices \([^ ]*\) .*/\1/')
        saved=$(echo "$devices" | sed 's/.* backup=\([^ ]*\).*/\1/')
        if [ -f "$saved" ] && ! cmp -s "$saved" "$target"; then
            restored=1
            if [ "$PREVIEW" = 1 ]; then
                step devices-file would "restore $target from $saved"
            else
                replace_whole "$saved" "$target" && step devices-file changed "restored $saved" \
                    || { step devices-file failed "cannot restore $saved: $WHY"; return 1; }
            fi
        fi
    fi
    # The image lvmguard last rebuilt carries applied settings: rebuild it from what was restored, unless it already
    # carries those. The latest rebuild of any apply, not only this one's: an apply cut after lvm.conf leaves the
    # rebuild to its rerun, which journals it under its own timestamp (seen in the lab: the image kept the filter).
    initramfs=$(grep -E '^[^ ]+ initramfs ' "$JOURNAL" 2>/dev/null | tail -n 1)
    if [ -n "$restored" ] && [ -n "$initramfs" ]; then
        # "TIMESTAMP initramfs TOOL IMAGE"
        set -- $initramfs
        if [ "$PREVIEW" = 1 ]; then
            step initramfs would "rebuild $4 ($3), as the apply at $1 did"
        elif initramfs_carries_settings "$3" "$4"; then
            # The apply's build was cut or refused: the image is still the one the restored lvm.conf goes with.
            step initramfs ok "$4 already carries the device settings of the restored $CONF; not rebuilt"
        else
            rebuild_initramfs "$3" "$4" "$LVMGUARD_TIMESTAMP" || return 1
        fi
    fi
    undo_pv_link_files "$backup" || return 1
    [ "$PREVIEW" = 1 ] && return 0
    refresh || true
    return 0
}
main
finish $?
