#!/usr/bin/env bash
# Puts the real lvm.conf files the unit tests round-trip into $1 (default .build/test-inputs):
#   debian-lvm.conf              the file Debian's lvm2 package installs, taken from the package itself
#   default-withcomments.conf    what `lvmconfig --type default --withcomments` prints
# Idempotent; needs lvm2 installed and apt reachable (or an unmodified /etc/lvm/lvm.conf).
set -euo pipefail
out=${1:-.build/test-inputs}
mkdir -p "$out"
export LVM_SUPPRESS_FD_WARNINGS=1

if [ ! -s "$out/debian-lvm.conf" ]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    if (cd "$work" && apt-get download -q lvm2 >/dev/null 2>&1); then
        dpkg-deb --fsys-tarfile "$work"/lvm2_*.deb | tar -xO ./etc/lvm/lvm.conf > "$out/debian-lvm.conf"
    else
        # No apt: the installed conffile serves if dpkg's recorded checksum says it is unmodified.
        expected=$(dpkg-query -W -f='${Conffiles}\n' lvm2 | awk '$1 == "/etc/lvm/lvm.conf" { print $2 }')
        actual=$(md5sum /etc/lvm/lvm.conf | cut -d' ' -f1)
        [ -n "$expected" ] && [ "$expected" = "$actual" ] || { echo "cannot get Debian's pristine lvm.conf" >&2; exit 1; }
        cp /etc/lvm/lvm.conf "$out/debian-lvm.conf"
    fi
fi
if [ ! -s "$out/default-withcomments.conf" ]; then
    empty=$(mktemp -d)
    : > "$empty/lvm.conf"
    LVM_SYSTEM_DIR=$empty lvmconfig --type default --withcomments > "$out/default-withcomments.conf"
    rm -rf "$empty"
fi
wc -l "$out"/*.conf >&2
