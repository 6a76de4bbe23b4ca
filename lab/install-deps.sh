#!/usr/bin/env bash
# Installs what the lab, the tests and the demo need on a fresh Debian 12 machine. Idempotent.
set -euo pipefail
packages=(qemu-system-x86 qemu-utils debootstrap openssh-client openssh-server e2fsprogs cpio
          lvm2 busybox-static kmod xz-utils zstd python3 python3-venv procps iproute2 iptables
          build-essential libaio-dev libblkid-dev libudev-dev pkg-config)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "[lab] installing: ${missing[*]}" >&2
    [ "$(id -u)" = 0 ] || { echo "[lab] error: installing packages needs root" >&2; exit 1; }
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
