# Makes the lab VM a CentOS 7 host's LVM: LVM 2.02.180 with lvmetad in place of Debian's lvm2 2.03. Runs inside the VM
# (POSIX sh), prepended to a scenario that says '# lab-lvm: 2.02', after lab/prepare-scenario.sh unpacked the tree
# lab/build-lvm202.sh built into /var/tmp/lvm202. Debian's dmsetup, libdevmapper and multipath-tools stay.

# Removes Debian's lvm2 (its tools, udev rules and units), installs 2.02's tools under /opt/lvm2-2.02 with links where
# CentOS 7 keeps them, its udev rules (the dm-lvm rule that names LVs, and 69-dm-lvm-metad.rules, which feeds every PV
# to lvmetad and autoactivates its VG through lvm2-pvscan@), lvmetad's socket and service, and CentOS 7's lvm.conf
# settings: use_lvmetad = 1, no dmeventd (not built).
install_lvm202() {
    [ -x /var/tmp/lvm202/opt/lvm2-2.02/sbin/lvm ] || { echo "LVM 2.02's tree is not in /var/tmp/lvm202" >&2; exit 1; }
    systemctl stop lvm2-monitor.service lvm2-lvmpolld.socket lvm2-lvmpolld.service dm-event.socket \
        dm-event.service >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive dpkg --purge --force-depends lvm2 dmeventd liblvm2cmd2.03 >/dev/null 2>&1 || true
    if dpkg-query -W -f='${Status}' lvm2 2>/dev/null | grep -q 'ok installed'; then
        echo "Debian's lvm2 is still installed" >&2; exit 1
    fi
    # Stopping Debian's blk-availability on the way out ran blkdeactivate, which removes the multipath maps too.
    multipath >/dev/null 2>&1 || true
    udevadm settle
    rm -rf /etc/lvm
    mkdir -p /opt
    cp -a /var/tmp/lvm202/etc/lvm /etc/lvm
    cp -a /var/tmp/lvm202/opt/lvm2-2.02 /opt/lvm2-2.02
    rm -rf /var/tmp/lvm202 /opt/lvm2-2.02/include /opt/lvm2-2.02/lib/pkgconfig
    for tool in /opt/lvm2-2.02/sbin/*; do
        case "${tool##*/}" in dmsetup|dmstats|blkdeactivate) continue ;; esac
        ln -sf "$tool" "/usr/sbin/${tool##*/}"
    done
    install -m 644 /opt/lvm2-2.02/udev/11-dm-lvm.rules /etc/udev/rules.d/56-lvm.rules
    for unit in lvm2-lvmetad.socket lvm2-lvmetad.service lvm2-pvscan@.service; do
        install -m 644 "/opt/lvm2-2.02/systemd/$unit" "/etc/systemd/system/$unit"
    done
    # Until the scenario is written, no lvmetad: its commands, each with a filter of its own, scan the disks (a running
    # lvmetad refuses a command whose filter differs from its own). lvm202_enable_lvmetad, run after the scenario,
    # turns it on for the next boot.
    sed -i -e 's/^\([[:space:]]*\)use_lvmetad = .*/\1use_lvmetad = 0/' \
        -e 's/^\([[:space:]]*\)monitoring = .*/\1monitoring = 0/' /etc/lvm/lvm.conf
    systemctl daemon-reload
    udevadm control --reload
    lvm version | grep -q '2\.02\.180' || { echo "lvm is not 2.02.180" >&2; lvm version >&2; exit 1; }
}

# CentOS 7's boot from now on: lvmetad's socket enabled, use_lvmetad = 1, and the rule that feeds it every PV; in the
# root file system mounted at $1 (a copy the host will boot), else in this one.
lvm202_enable_lvmetad() {
    root=${1:-}
    sed -i 's/^\([[:space:]]*\)use_lvmetad = .*/\1use_lvmetad = 1/' "$root/etc/lvm/lvm.conf"
    install -m 644 /opt/lvm2-2.02/udev/69-dm-lvm-metad.rules "$root/etc/udev/rules.d/69-dm-lvm-metad.rules"
    systemctl --root="${root:-/}" enable lvm2-lvmetad.socket >/dev/null 2>&1
    LVM_SYSTEM_DIR=$root/etc/lvm lvmconfig global/use_lvmetad | grep -qx 'use_lvmetad=1' \
        || { echo "use_lvmetad is not 1 in $root/etc/lvm" >&2; exit 1; }
}

install_lvm202
