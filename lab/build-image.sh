#!/usr/bin/env bash
# Builds the lab's base VM: a Debian 12 root file system with lvm2, multipath-tools, initramfs-tools (for
# hosts that boot their own initramfs) and libvirt with QEMU (for a nova-style instance on a map), a stock Debian
# kernel, a tiny busybox initramfs and an ssh key. Cached under $LVMGUARD_LAB_CACHE keyed by a hash of this
# script and lab/guest/*, so a second run returns at once.
# Needs root and the packages lab/install-deps.sh installs.
source "$(dirname "$0")/lib.sh"

out=$(base_dir)
if [ -f "$out/ready" ]; then
    echo "$out"
    exit 0
fi
[ "$(id -u)" = 0 ] || die "building the lab image needs root (debootstrap)"
mkdir -p "$LAB_CACHE"
work=$(mktemp -d "$LAB_CACHE/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The mirror the machine's apt already uses: never a hard-coded host.
mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1 || true)
if [ -z "$mirror" ]; then
    mirror=$(awk '$1 == "deb" && $3 !~ /security/ { print $2; exit }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
fi
[ -n "$mirror" ] || die "no Debian mirror found in the apt sources"

log "kernel: downloading the package linux-image-amd64 depends on"
kpkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: *\(linux-image-[^ ]*\).*/\1/p' | head -n1)
[ -n "$kpkg" ] || die "cannot find the kernel package behind linux-image-amd64 (run apt-get update)"
(cd "$work" && apt-get download -q "$kpkg" >/dev/null)
dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
kver=$(ls "$work/kernel/lib/modules")

log "root file system: debootstrap from $mirror (about a minute)"
debootstrap --variant=minbase \
    --include=systemd-sysv,udev,kmod,lvm2,multipath-tools,openssh-server,iproute2,procps,dbus,sudo,util-linux,e2fsprogs,python3,initramfs-tools,zstd,libvirt-daemon,libvirt-daemon-driver-qemu,libvirt-clients,qemu-system-x86 \
    bookworm "$work/rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; die "debootstrap failed"; }

log "root file system: kernel modules, ssh, network, multipath"
mkdir -p "$work/rootfs/lib/modules"
cp -a "$work/kernel/lib/modules/$kver" "$work/rootfs/lib/modules/"
for unneeded in gpu wireless media sound infiniband staging bluetooth net/wireless; do
    rm -rf "$work/rootfs/lib/modules/$kver/kernel/drivers/$unneeded"
done
rm -rf "$work/rootfs/lib/modules/$kver/kernel/sound"
depmod -b "$work/rootfs" "$kver"
ssh-keygen -q -t ed25519 -N '' -C lvmguard-lab -f "$work/id_ed25519"
install -d -m 700 "$work/rootfs/root/.ssh"
install -m 600 "$work/id_ed25519.pub" "$work/rootfs/root/.ssh/authorized_keys"
install -m 644 "$LAB_DIR/guest/eth0.network" "$work/rootfs/etc/systemd/network/10-eth0.network"
install -m 644 "$LAB_DIR/guest/multipath.conf" "$work/rootfs/etc/multipath.conf"
echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" > "$work/rootfs/etc/fstab"
echo lab-host > "$work/rootfs/etc/hostname"
chroot "$work/rootfs" systemctl enable systemd-networkd ssh multipathd >/dev/null 2>&1
chroot "$work/rootfs" passwd -d root >/dev/null
# libvirt's QEMU driver will not start without the user and group it was built to run qemu as, which
# libvirt-daemon-system would create; qemu.conf then runs it as root.
chroot "$work/rootfs" groupadd --system libvirt-qemu
chroot "$work/rootfs" useradd --system --no-create-home --shell /usr/sbin/nologin -g libvirt-qemu libvirt-qemu
install -D -m 644 "$LAB_DIR/guest/qemu.conf" "$work/rootfs/etc/libvirt/qemu.conf"
install -m 644 "$LAB_DIR/guest/libvirtd.service" "$work/rootfs/etc/systemd/system/libvirtd.service"
rm -f "$work/rootfs/var/cache/apt/archives/"*.deb
rm -rf "$work/rootfs/usr/share/doc/"* "$work/rootfs/usr/share/man/"* "$work/rootfs/usr/share/locale/"*

log "initramfs: busybox with virtio and ext4 only"
mkdir -p "$work/initrd/bin" "$work/initrd/modules"
cp /bin/busybox "$work/initrd/bin/busybox"
install -m 755 "$LAB_DIR/guest/initrd-init" "$work/initrd/init"
for module in virtio_pci virtio_blk crc32c_generic ext4; do
    modprobe -d "$work/rootfs" -S "$kver" --show-depends "$module" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' > "$work/modpaths"
: > "$work/initrd/modules/order"
while read -r path; do
    name=$(basename "$path")
    case "$name" in
        *.ko.xz) xz -dc "$path" > "$work/initrd/modules/${name%.xz}"; name=${name%.xz} ;;
        *.ko.zst) zstd -qdc "$path" > "$work/initrd/modules/${name%.zst}"; name=${name%.zst} ;;
        *) cp "$path" "$work/initrd/modules/$name" ;;
    esac
    echo "$name" >> "$work/initrd/modules/order"
done < "$work/modpaths"
(cd "$work/initrd" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.img"

log "root image: ext4 on a sparse 1.5 GB file"
truncate -s 1536M "$work/root.img"
mkfs.ext4 -q -F -L lab-root -d "$work/rootfs" "$work/root.img"

mkdir -p "$out"
cp "$work/kernel/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$work/kernel/boot/config-$kver" "$out/config"
cp "$work/initrd.img" "$out/initrd.img"
cp --sparse=always "$work/root.img" "$out/root.img"
cp "$work/id_ed25519" "$work/id_ed25519.pub" "$out/"
echo "$kver" > "$out/kernel-version"
touch "$out/ready"
log "base image ready in $out"
echo "$out"
