# lvmguard rollback: puts back the lvm.conf (and devices file) backed up by the last apply, validated the
# same way, atomically, keeping a backup of what it replaces, then rebuilds the initramfs the apply rebuilt so
# that its copy agrees again. Guest VGs are not reactivated.
# With LVMGUARD_ROLLBACK_PREVIEW=1 it changes nothing and says what it would do: "would" steps, and the
# lvm.conf diff as "diff line |TEXT" steps.
# POSIX sh; sent after common.sh, with LVMGUARD_BOUNDARY and LVMGUARD_TIMESTAMP set; gather-facts.sh follows.
# RC: 0 done, 1 failed (nothing changed), 3 lock held, 5 nothing to roll back.

main() {
    set -u
    setup || return 1
    lock || return $?
    JOURNAL="$LVMDIR/lvmguard.journal"
    PREVIEW=${LVMGUARD_ROLLBACK_PREVIEW:-0}
    backup=$(grep " config $CONF backup=" "$JOURNAL" 2>/dev/null | tail -n 1 | sed 's/.* backup=\([^ ]*\).*/\1/')
    if [ -z "$backup" ] || [ ! -f "$backup" ]; then
        step rollback failed "no lvmguard backup of $CONF to restore (journal: $JOURNAL)"
        return 5
    fi
    restored=
    if cmp -s "$backup" "$CONF"; then
        step rollback ok "$CONF already equals $backup"
    elif ! validate "$backup"; then
        step validate failed "lvmconfig --validate refuses $backup: $(tr '\n' ' ' < "$TMP/validate")"
        return 1
    elif [ "$PREVIEW" = 1 ]; then
        step rollback would "restore $CONF from $backup (validated by lvmconfig)"
        diff -u "$CONF" "$backup" > "$TMP/diff" 2>&1
        sed -n '3,400s/^/|/p' "$TMP/diff" | while IFS= read -r line; do step diff line "$line"; done
        restored=1
    else
        step validate ok "lvmconfig --validate accepts $backup"
        swap_in "$backup" "$CONF.lvmguard-$LVMGUARD_TIMESTAMP" || return 1
        journal "$LVMGUARD_TIMESTAMP rollback $CONF restored=$backup backup=$CONF.lvmguard-$LVMGUARD_TIMESTAMP" \
            || step journal failed "cannot write $JOURNAL: the restore is done, but not recorded"
        step rollback changed "restored $backup (the replaced file is kept as $CONF.lvmguard-$LVMGUARD_TIMESTAMP)"
        restored=1
    fi
    devices=$(grep " devices " "$JOURNAL" 2>/dev/null | tail -n 1)
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
    # The initramfs the apply rebuilt carries the applied settings: rebuild it from what was restored.
    initramfs=$(grep " initramfs " "$JOURNAL" 2>/dev/null | tail -n 1)
    if [ -n "$restored" ] && [ -n "$initramfs" ]; then
        # "TIMESTAMP initramfs TOOL IMAGE"
        set -- $initramfs
        if [ "$PREVIEW" = 1 ]; then
            step initramfs would "rebuild $4 ($3), as the apply at $1 did"
        else
            rebuild_initramfs "$3" "$4" "$LVMGUARD_TIMESTAMP" || return 1
        fi
    fi
    [ "$PREVIEW" = 1 ] && return 0
    refresh || true
    return 0
}
main
finish $?
