# lvmguard rollback: puts back the lvm.conf (and devices file) backed up by the last apply, validated the
# same way, atomically, keeping a backup of what it replaces. Guest VGs are not reactivated.
# POSIX sh; sent after common.sh, with LVMGUARD_BOUNDARY and LVMGUARD_TIMESTAMP set; gather-facts.sh follows.
# RC: 0 done, 1 failed (nothing changed), 3 lock held, 5 nothing to roll back.

main() {
    set -u
    setup || return 1
    lock || return $?
    JOURNAL="$LVMDIR/lvmguard.journal"
    backup=$(grep " config $CONF backup=" "$JOURNAL" 2>/dev/null | tail -n 1 | sed 's/.* backup=\([^ ]*\).*/\1/')
    if [ -z "$backup" ] || [ ! -f "$backup" ]; then
        step rollback failed "no lvmguard backup of $CONF to restore (journal: $JOURNAL)"
        return 5
    fi
    if cmp -s "$backup" "$CONF"; then
        step rollback ok "$CONF already equals $backup"
    else
        if ! validate "$backup"; then
            step validate failed "lvmconfig --validate refuses $backup: $(tr '\n' ' ' < "$TMP/validate")"
            return 1
        fi
        step validate ok "lvmconfig --validate accepts $backup"
        swap_in "$backup" "$CONF.lvmguard-$LVMGUARD_TIMESTAMP" || return 1
        echo "$LVMGUARD_TIMESTAMP rollback $CONF restored=$backup backup=$CONF.lvmguard-$LVMGUARD_TIMESTAMP" >> "$JOURNAL"
        step rollback changed "restored $backup (the replaced file is kept as $CONF.lvmguard-$LVMGUARD_TIMESTAMP)"
    fi
    devices=$(grep " devices " "$JOURNAL" 2>/dev/null | tail -n 1)
    if [ -n "$devices" ]; then
        target=$(echo "$devices" | sed 's/.* devices \([^ ]*\) .*/\1/')
        saved=$(echo "$devices" | sed 's/.* backup=\([^ ]*\).*/\1/')
        if [ -f "$saved" ] && ! cmp -s "$saved" "$target"; then
            cp -p "$saved" "$target.lvmguard-new" && mv -f "$target.lvmguard-new" "$target" \
                && step devices-file changed "restored $saved" || { step devices-file failed "cannot restore $saved"; return 1; }
        fi
    fi
    refresh || true
    return 0
}
main
finish $?
