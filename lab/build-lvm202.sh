#!/usr/bin/env bash
# Builds LVM 2.02.180 (CentOS 7.6's LVM, with lvmetad) for the lab's CentOS 7 hosts, from upstream source that never
# enters the repo: $LVMGUARD_LVM202_SOURCE, else ../shared/sources/lvm2-2.02.180.tar.gz beside this clone or beside
# the repository it was cloned from. Installs under its own prefix, /opt/lvm2-2.02, with a RUNPATH there, so that its
# libdevmapper never meets Debian's (multipath-tools keeps using that one); configuration in /etc/lvm and run files in
# /run, as on CentOS 7. Prints the directory holding tree.tar.gz (the installed files, rooted at /) and version.
# Cached under $LVMGUARD_LAB_CACHE keyed by a hash of this script and the source archive: built once per machine.
# Needs the build dependencies lab/install-deps.sh installs (libaio-dev libblkid-dev libudev-dev pkg-config).
source "$(dirname "$0")/lib.sh"

expected_sha256=ce688c424d132eae6ba407041e4aaafd696cd315ba5dbbd5a8a51f0fe6893626
source_archive=$(lvm202_source) \
    || die "LVM 2.02.180's source not found: set LVMGUARD_LVM202_SOURCE to lvm2-2.02.180.tar.gz (see docs/lab.md)"
out=$LAB_CACHE/lvm202-$(lvm202_key "$source_archive")
if [ -f "$out/ready" ]; then
    echo "$out"
    exit 0
fi
actual=$(sha256sum "$source_archive" | cut -d' ' -f1)
[ "$actual" = "$expected_sha256" ] || die "$source_archive: sha256 $actual, expected $expected_sha256 (lvm2 tag v2_02_180)"
mkdir -p "$LAB_CACHE"
work=$(mktemp -d "$LAB_CACHE/build-lvm202.XXXXXX")
trap 'rm -rf "$work"' EXIT

log "LVM 2.02.180: building from $source_archive (about a minute)"
tar -xzf "$source_archive" -C "$work"
prefix=/opt/lvm2-2.02
(
    cd "$work/lvm2-2.02.180"
    ./configure --prefix="$prefix" --with-confdir=/etc --with-default-system-dir=/etc/lvm \
        --with-default-run-dir=/run/lvm --with-default-pid-dir=/run --with-default-dm-run-dir=/run \
        --with-default-locking-dir=/run/lock/lvm \
        --enable-lvmetad --enable-udev_sync --enable-udev_rules --enable-systemd-units \
        --with-udevdir="$prefix/udev" --with-systemdsystemunitdir="$prefix/systemd" \
        LDFLAGS="-Wl,-rpath,$prefix/lib"
    make -j2
    make install install_systemd_units install_systemd_generators DESTDIR="$work/root"
    # lvmetactl (built, not installed by make): the lab compares lvmetad's cache before and after a read-only plan.
    install -m 755 daemons/lvmetad/lvmetactl "$work/root$prefix/sbin/lvmetactl"
) > "$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; die "LVM 2.02.180 did not build (log above)"; }

root=$work/root
# The udev rule runs systemd-run from the prefix it was configured with; CentOS 7's is /usr/bin/systemd-run.
sed -i "s|$prefix/bin/systemd-run|/usr/bin/systemd-run|g" "$root$prefix/udev/69-dm-lvm-metad.rules"
grep -q 'lvm2-pvscan@' "$root$prefix/udev/69-dm-lvm-metad.rules" \
    || die "69-dm-lvm-metad.rules does not start lvm2-pvscan@ (built without systemd units?)"
# The units keep their plain names, as CentOS 7 installs them.
for unit in "$root$prefix/systemd/"*; do
    [ -f "$unit" ] || continue
    case "$unit" in *_red_hat*) mv "$unit" "${unit%%_red_hat*}${unit##*_red_hat}" ;; esac
done
[ -f "$root$prefix/systemd/lvm2-lvmetad.socket" ] || die "no lvm2-lvmetad.socket among the built units"
readelf -d "$root$prefix/sbin/lvm" | grep -q "RUNPATH.*$prefix/lib" || die "lvm has no RUNPATH $prefix/lib"
version=$(LD_LIBRARY_PATH="$root$prefix/lib" "$root$prefix/sbin/lvm" version 2>/dev/null | sed -n 's/^ *LVM version: *//p')
case "$version" in 2.02.180*) ;; *) die "the built lvm says version '$version'" ;; esac
rm -rf "$root$prefix/share/man"

mkdir -p "$out.tmp"
tar -czf "$out.tmp/tree.tar.gz" -C "$root" .
echo "$version" > "$out.tmp/version"
touch "$out.tmp/ready"
rm -rf "$out"
mv "$out.tmp" "$out"
log "LVM $version ready in $out"
echo "$out"
