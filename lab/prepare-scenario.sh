#!/usr/bin/env bash
# Prepares the disks of a scenario once: boots the base VM with the scenario's disks, runs
# lab/scenarios/NAME.sh inside it, powers off, and caches root.qcow2 (an overlay on the base image),
# lun.img, lun2.img, local.img, scsi.img and boot.img. Cached by a hash of the base image key and the scenario files.
# A scenario that says "# lab-lvm: 2.02" gets LVM 2.02.180 with lvmetad first (lab/build-lvm202.sh, lvm202-install.sh);
# one that says "# lab-packages: P..." gets those Debian packages installed before it runs.
# Usage: lab/prepare-scenario.sh NAME  (prints the scenario directory)
source "$(dirname "$0")/lib.sh"
name=${1:?usage: prepare-scenario.sh NAME}
[ -f "$LAB_DIR/scenarios/$name.sh" ] || die "no scenario '$name' (see lab/scenarios/)"
out=$(scenario_dir "$name")
if [ -f "$out/ready" ]; then echo "$out"; exit 0; fi
base=$("$LAB_DIR/build-image.sh")
mkdir -p "$LAB_STATE" && ln -sfn "$base/id_ed25519" "$LAB_STATE/id_ed25519"
work=$(mktemp -d "$LAB_CACHE/prepare-$name.XXXXXX")
trap 'stop_qemu "$work/qemu.pid"; [ -z "${port:-}" ] || lab_ssh_close "$port"; rm -rf "$work"' EXIT

qemu-img create -q -f qcow2 -b "$base/root.img" -F raw "$work/root.qcow2"
for disk in $(scenario_disks "$name"); do
    case "$disk" in
        lun) truncate -s 512M "$work/lun.img" ;;
        lun2) truncate -s 512M "$work/lun2.img" ;;
        scsi) truncate -s 1G "$work/scsi.img" ;;
        local) truncate -s 1G "$work/local.img" ;;
        # The host's own /boot: the kernel and its config; the scenario writes an initramfs and lab-cmdline.
        boot) mkdir -p "$work/boot"; cp "$base/vmlinuz" "$work/boot/vmlinuz-$(cat "$base/kernel-version")"
              cp "$base/config" "$work/boot/config-$(cat "$base/kernel-version")"
              truncate -s 256M "$work/boot.img"; mkfs.ext4 -q -F -L lab-boot -d "$work/boot" "$work/boot.img" ;;
        *) die "scenario $name: unknown disk '$disk'" ;;
    esac
done
started=$(date +%s)
port=$(free_port)
log "preparing scenario $name (one boot, cached afterwards)"
start_qemu "$work" "$port"
wait_for_ssh "$port" "$work/qemu.pid"
setup=
if [ "$(scenario_lvm "$name")" = 2.02 ]; then
    # A CentOS 7 host: LVM 2.02.180's tree into the VM, installed by lab/lvm202-install.sh before the scenario.
    lvm202=$(lab_lvm202)
    lab_ssh_port "$port" 'mkdir -p /var/tmp/lvm202 && tar -xzf - -C /var/tmp/lvm202' < "$lvm202/tree.tar.gz"
    setup=$LAB_DIR/lvm202-install.sh
fi
packages=$(scenario_packages "$name")
if [ -n "$packages" ]; then
    debs=$(lab_debs $packages)
    tar -C "$debs" -cf - --exclude ready . | lab_ssh_port "$port" 'mkdir -p /var/tmp/lab-debs && tar -xf - -C /var/tmp/lab-debs'
fi
{ cat "$LAB_DIR/scenarios/common.sh" ${setup:+"$setup"}
  [ -z "$packages" ] || echo 'dpkg -i /var/tmp/lab-debs/*.deb >/dev/null && rm -rf /var/tmp/lab-debs'
  cat "$LAB_DIR/scenarios/$name.sh"
  [ -z "$setup" ] || echo lvm202_enable_lvmetad; } | lab_ssh_port "$port" sh -s \
    || { tail -30 "$work/console.log" >&2; die "scenario $name failed inside the VM"; }
lab_ssh_port "$port" 'sync; systemctl poweroff' || true
wait_for_exit "$work/qemu.pid" 120 || die "the VM did not power off"
lab_ssh_close "$port"
rm -f "$work/qemu.pid" "$work/console.log" "$work/qmp.sock"
mkdir -p "$out"
cp "$work/root.qcow2" "$out/"
for image in lun.img lun2.img local.img scsi.img boot.img; do
    [ -f "$work/$image" ] && cp --sparse=always "$work/$image" "$out/"
done
touch "$out/ready"
lab_time prepare "$started" "$name"
log "scenario $name ready in $out"
echo "$out"
