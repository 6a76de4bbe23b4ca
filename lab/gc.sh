#!/usr/bin/env bash
# Removes from the lab cache every image, scenario, saved state, LVM 2.02 build and package download that no current key
# names (what an edit or a new kernel left behind), each under its lock, skipped while that lock is held; and work
# directories a killed build left, once a day old; and Swift build folders unused for a week. scripts/test.sh runs it
# at the end. Usage: lab/gc.sh
source "$(dirname "$0")/lib.sh"
[ -d "$LAB_CACHE" ] || exit 0

named=("$(base_dir)")
for file in "$LAB_DIR"/scenarios/*.sh; do
    scenario=$(basename "$file" .sh)
    [ "$scenario" != common ] || continue
    named+=("$(scenario_dir "$scenario")" "$(saved_dir "$scenario")")
    packages=$(scenario_packages "$scenario")
    # lab_debs' directory for these packages, named as it names it.
    [ -z "$packages" ] || named+=("$LAB_CACHE/debs-$(printf '%s\n' $packages | sha256sum | cut -c1-16)")
done
source_archive=$(lvm202_source || true)
[ -z "$source_archive" ] || named+=("$LAB_CACHE/lvm202-$(lvm202_key "$source_archive")")

is_named() {
    local entry
    for entry in "${named[@]}"; do [ "$entry" != "$1" ] || return 0; done
    return 1
}

# The lock an entry is built under (with_lab_lock's names): the base image's, its scenario's, its saved state's, LVM
# 2.02's build's or the package downloads'.
lock_of() {
    case "$(basename "$1")" in
        base-*) echo base ;;
        scenario-*) local name=${1##*/scenario-}; echo "scenario-${name%-*}" ;;
        saved-*) local name=${1##*/saved-}; echo "saved-${name%-*}" ;;
        lvm202-*) echo lvm202 ;;
        debs-*) echo debs ;;
        *) echo gc ;;
    esac
}

freed=0
for entry in "$LAB_CACHE"/base-* "$LAB_CACHE"/scenario-*-* "$LAB_CACHE"/saved-*-* "$LAB_CACHE"/lvm202-* "$LAB_CACHE"/debs-*; do
    [ -d "$entry" ] && ! is_named "$entry" || continue
    size=$(du -sm "$entry" | cut -f1)
    if ( flock -n 9 && rm -rf "$entry" ) 9>"$LAB_CACHE/$(lock_of "$entry").lock"; then
        log "removed $(basename "$entry") (${size} MB): no current key names it"
        freed=$((freed + size))
    else
        log "kept $(basename "$entry"): in use (its lock is held)"
    fi
done
# What a killed build, preparation or save left (their names end in mktemp's six characters).
while IFS= read -r leftover; do
    log "removed $(basename "$leftover"): left by a build that did not finish"
    rm -rf "$leftover"
done < <(find "$LAB_CACHE" -mindepth 1 -maxdepth 1 -type d -mmin +1440 \
    \( -name 'build.??????' -o -name 'build-lvm202.??????' -o -name 'prepare-*.??????' -o -name 'save-*.??????' \))
# Swift build folders (scripts/test.sh keeps one pair per clone path) that no run used for a week, and any folder
# there without its clone file (an older layout).
build_cache=${LVMGUARD_BUILD_CACHE:-/var/cache/lvmguard-build}
for entry in "$build_cache"/*/; do
    [ -d "$entry" ] || continue
    if [ ! -f "$entry/clone" ] || [ -n "$(find "$entry/clone" -mtime +7)" ]; then
        log "removed build folder $entry ($(du -sm "$entry" | cut -f1) MB): unused for a week"
        rm -rf "$entry"
    fi
done
log "lab cache: ${freed} MB freed, $(du -sh "$LAB_CACHE" | cut -f1) kept in $LAB_CACHE"
