# Shared settings and helpers for the lab scripts. Sourced, not run.
# Images are cached outside the repo, keyed by a hash of the build inputs; running hosts keep their
# disks, pids and logs under the state directory.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_DIR=$(cd "$LAB_DIR/.." && pwd)
LAB_CACHE=${LVMGUARD_LAB_CACHE:-/var/cache/lvmguard-lab}
LAB_STATE=${LVMGUARD_LAB_STATE:-/var/tmp/lvmguard-lab}
LAB_MEMORY=${LVMGUARD_LAB_MEMORY:-768}
LAB_BOOT_TIMEOUT=${LVMGUARD_LAB_BOOT_TIMEOUT:-300}

log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Appends "WHAT SECONDS WHO" to $LVMGUARD_LAB_TIMES when it is set (scripts/test.sh sums them per kind in its log):
# where a run's VM time goes. $1 what (boot, resume, reboot, power-cut, save, prepare, base), $2 since (epoch s), $3 who.
lab_time() {
    [ -z "${LVMGUARD_LAB_TIMES:-}" ] || echo "$1 $(( $(date +%s) - $2 )) $3" >> "$LVMGUARD_LAB_TIMES"
}
die() { log "error: $*"; exit 1; }

# The kernel package linux-image-amd64 depends on and the version apt would install ("linux-image-6.1.0-57-amd64
# 6.1.192-3"): what the base image boots. Asking apt takes seconds, so the answer is kept in the cache beside the
# apt lists' modification time, and asked again only after an apt-get update changed them.
lab_kernel() {
    local stamp cache=$LAB_CACHE/kernel-package package
    stamp=$(stat -c %Y /var/lib/apt/lists 2>/dev/null || echo none)
    if [ "$(sed -n 1p "$cache" 2>/dev/null)" != "$stamp" ]; then
        package=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: *\(linux-image-[^ ]*\).*/\1/p' \
            | head -n1)
        [ -n "$package" ] || { echo "unknown"; return; }
        mkdir -p "$LAB_CACHE"
        printf '%s\n%s %s\n' "$stamp" "$package" "$(apt-cache policy "$package" | sed -n 's/ *Candidate: //p')" \
            > "$cache.$$" && mv "$cache.$$" "$cache"
    fi
    sed -n 2p "$cache"
}

# The hash of everything that goes into the base image: change a file or get a new kernel, get a new image.
base_key() {
    { cat "$LAB_DIR/build-image.sh" "$LAB_DIR/guest/"*; lab_kernel; } | sha256sum | cut -c1-16
}

base_dir() { echo "$LAB_CACHE/base-$(base_key)"; }

# What of lab/scenarios/common.sh scenario script $1 runs: its lines outside any function but comments, and each function
# the script calls, directly or through another. A function starts at "NAME() {" at the start of a line and ends at the
# next "}" there (or on its own line, "NAME() { ...; }"). An edit to a helper a scenario does not use leaves its key.
common_used() {
    awk -v script="$1" '
        BEGIN { while ((getline line < script) > 0) wanted = wanted "\n" line }
        function calls(text, name) { return text ~ ("(^|[^A-Za-z0-9_])" name "([^A-Za-z0-9_]|$)") }
        name != "" { body[name] = body[name] $0 "\n"; if ($0 ~ /^}/) name = ""; next }
        /^[A-Za-z_][A-Za-z0-9_]*\(\) *\{/ {
            name = substr($0, 1, index($0, "(") - 1); body[name] = $0 "\n"; order[++count] = name
            if ($0 ~ /\} *$/) name = ""
            next
        }
        !/^[ \t]*(#|$)/ { prelude = prelude $0 "\n" }
        END {
            do {
                added = 0
                for (i = 1; i <= count; i++) {
                    n = order[i]
                    if (!(n in used) && calls(wanted, n)) { used[n] = 1; wanted = wanted "\n" body[n]; added = 1 }
                }
            } while (added)
            printf "%s", prelude
            for (i = 1; i <= count; i++) if (order[i] in used) printf "%s", body[order[i]]
        }' "$LAB_DIR/scenarios/common.sh"
}

scenario_key() {
    { base_key; cat "$LAB_DIR/prepare-scenario.sh" "$LAB_DIR/scenarios/$1.sh"; common_used "$LAB_DIR/scenarios/$1.sh"
      if [ "$(scenario_lvm "$1")" = 2.02 ]; then
          cat "$LAB_DIR/lvm202-install.sh"; lvm202_key "$(lvm202_source)"
      fi; } | sha256sum | cut -c1-16
}

# The LVM a scenario's host runs, from its '# lab-lvm:' line: 2.02 (CentOS 7's, with lvmetad) or Debian's (empty).
scenario_lvm() {
    sed -n 's/^# lab-lvm: *//p' "$LAB_DIR/scenarios/$1.sh"
}

scenario_dir() { echo "$LAB_CACHE/scenario-$1-$(scenario_key "$1")"; }

# Runs COMMAND... holding the lock $LAB_CACHE/NAME.lock, waiting for it first: what lab/prepare-ahead.sh builds in the
# background and what a test's lab/start.sh needs in front is built once, by whichever comes first, and the other
# finds it ready. The command does not inherit the lock's descriptor (a VM it leaves running must not hold the lock).
with_lab_lock() {
    local name=$1
    shift
    mkdir -p "$LAB_CACHE"
    ( flock 9 && "$@" 9>&- ) 9>"$LAB_CACHE/$name.lock"
}

# Gives process $1's scheduling group this shell's niceness, where the kernel groups sessions for the CPU
# (sched_autogroup_enabled): there a session shares the CPU as one group whatever its processes' nice values, and a
# daemonized qemu is a session of its own.
carry_niceness() {
    local niceness
    niceness=$(nice)
    if [ "$niceness" != 0 ] && [ -w "/proc/$1/autogroup" ]; then echo "$niceness" > "/proc/$1/autogroup"; fi
}

# The base image, built once (lab/build-image.sh under its lock); prints its directory.
lab_base() { with_lab_lock base "$LAB_DIR/build-image.sh"; }

# A scenario's disks, prepared once (lab/prepare-scenario.sh under the scenario's lock); prints their directory.
lab_prepare() { with_lab_lock "scenario-$1" "$LAB_DIR/prepare-scenario.sh" "$1"; }

# Debian packages a scenario's host gets beside the base image, from its '# lab-packages:' line (e.g. dracut-core).
scenario_packages() {
    sed -n 's/^# lab-packages: *//p' "$LAB_DIR/scenarios/$1.sh"
}

# Downloads the .deb of each package named (not their dependencies: the base image has those) into a cache directory
# of its own, once, and prints it. Needs the machine's apt lists (lab/install-deps.sh updates them).
# Under the lock "debs": lab/prepare-ahead.sh fetches them while a test's preparation may want them.
lab_debs() { with_lab_lock debs lab_debs_now "$@"; }
lab_debs_now() {
    local dir
    dir=$LAB_CACHE/debs-$(printf '%s\n' "$@" | sha256sum | cut -c1-16)
    if [ ! -f "$dir/ready" ]; then
        rm -rf "$dir" && mkdir -p "$dir"
        (cd "$dir" && apt-get download -q "$@" >/dev/null) || die "cannot download the packages $* (apt-get update?)"
        touch "$dir/ready"
    fi
    echo "$dir"
}

# LVM 2.02.180 built once (lab/build-lvm202.sh under the lock "lvm202"); prints its directory.
lab_lvm202() { with_lab_lock lvm202 "$LAB_DIR/build-lvm202.sh"; }

# The disks a scenario attaches, from its '# lab-disks:' line (lun, lun2, local, scsi, boot).
scenario_disks() {
    sed -n 's/^# lab-disks: *//p' "$LAB_DIR/scenarios/$1.sh"
}

# LVM 2.02.180's source archive for the CentOS 7 hosts (lab/build-lvm202.sh): $LVMGUARD_LVM202_SOURCE, else
# ../shared/sources/ beside this clone, else beside the repository this clone came from (a CI clone of a local one).
lvm202_source() {
    local candidate origin
    if [ -n "${LVMGUARD_LVM202_SOURCE:-}" ]; then
        [ -f "$LVMGUARD_LVM202_SOURCE" ] && echo "$LVMGUARD_LVM202_SOURCE"
        return
    fi
    candidate=$REPO_DIR/../shared/sources/lvm2-2.02.180.tar.gz
    if [ ! -f "$candidate" ]; then
        origin=$(git -C "$REPO_DIR" remote get-url origin 2>/dev/null || true)
        case "$origin" in /*) candidate=$origin/../shared/sources/lvm2-2.02.180.tar.gz ;; esac
    fi
    [ -f "$candidate" ] && (cd "$(dirname "$candidate")" && echo "$PWD/$(basename "$candidate")")
}

# The hash of LVM 2.02's build: the build script and the source archive $1.
lvm202_key() {
    { cat "$LAB_DIR/build-lvm202.sh"; sha256sum < "$1"; } | sha256sum | cut -c1-16
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# The lab's ssh key: the base image's, linked into $LAB_STATE (by lab/start.sh, or here the first time), so a lab script
# that only talks to a host need not compute the image's key.
lab_key() {
    [ -e "$LAB_STATE/id_ed25519" ] || ln -sfn "$(base_dir)/id_ed25519" "$LAB_STATE/id_ed25519"
    echo "$LAB_STATE/id_ed25519"
}

# The options of every ssh to a lab VM: root with the lab key, and one connection per host reused by every later ssh
# (ControlMaster; the socket is per forwarded port under $LAB_STATE, the connection kept 10 minutes after its last use):
# a login into an emulated guest costs a key exchange, a PAM session and a fork under TCG, a reused one a channel.
lab_ssh_options() {
    mkdir -p "$LAB_STATE"
    printf '%s\n' -i "$(lab_key)" \
        -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o LogLevel=ERROR -o ConnectTimeout=20 -o ServerAliveInterval=5 -o ServerAliveCountMax=2 \
        -o ControlMaster=auto -o "ControlPath=$LAB_STATE/mux-%p" -o ControlPersist=600
}

# ssh to a lab VM as root with the lab key; extra args are the remote command.
lab_ssh_port() {
    local port=$1 options; shift
    mapfile -t options < <(lab_ssh_options)
    ssh "${options[@]}" -p "$port" root@127.0.0.1 "$@"
}

# Ends the reused connection to forwarded port $1, if there is one: after its VM stopped, or before its state is saved.
lab_ssh_close() {
    local options
    mapfile -t options < <(lab_ssh_options)
    [ -S "$LAB_STATE/mux-$1" ] || return 0
    ssh "${options[@]}" -p "$1" -O exit root@127.0.0.1 >/dev/null 2>&1 || true
    rm -f "$LAB_STATE/mux-$1"
}

# A probe while a VM boots or shuts down: qemu's user network accepts the TCP connection at once even
# when the guest cannot answer, so every probe is bounded (LAB_PROBE_SECONDS, default 20).
lab_probe() {
    local port=$1 options; shift
    mapfile -t options < <(lab_ssh_options)
    timeout "${LAB_PROBE_SECONDS:-20}" ssh "${options[@]}" -p "$port" root@127.0.0.1 "$@"
}

# Whether the guest's sshd answers on forwarded port $1 with its banner, within 2 s. Before the guest's network is up,
# qemu's user network accepts the connection and holds it unanswered: an ssh probe then waits out its whole timeout
# (measured: 20 s lost on a boot that took 23), so the boot is watched with this short, cheap look first.
ssh_banner() {
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && head -c 4 <&3' _ "$1" 2>/dev/null | grep -q '^SSH-'
}

wait_for_ssh() {
    local port=$1 pidfile=$2 deadline
    deadline=$(( $(date +%s) + LAB_BOOT_TIMEOUT ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            die "qemu exited before ssh came up (see the console log)"
        fi
        if ssh_banner "$port" && lab_probe "$port" true 2>/dev/null; then return 0; fi
        sleep 0.5
    done
    die "no ssh on port $port after ${LAB_BOOT_TIMEOUT}s"
}

# Waits until the scenario's '# lab-ready:' condition (POSIX sh, run in the VM) holds: the state its tests start from,
# e.g. the incident's host LVM holding the map. Boot-time autoactivation runs from udev events that can land after
# systemd calls the boot finished (CI met an incident host whose guest VG was not yet active, and once a host-lvm host
# whose starting state never came while two VMs booted on two cores), so wait, bounded; if it never comes, replay every
# block device's change events (as a coldplug would); if it still does not, do by hand what boot should have done
# (autoactivation, fstab's mounts and swap), saying so; otherwise fail naming the scenario and showing the host's state,
# instead of handing a test a host that is not the one it asked for. A state that had to be forced is written to
# $3/forced (and kept with a saved state), so a test that claims what boot did can refuse it. The starting state is a
# test's precondition, not its claim: what boots after a test's own power cycle is checked by the test.
# $1 port, $2 scenario, $3 host dir.
wait_for_scenario() {
    local port=$1 scenario=$2 dir=$3 condition attempt
    condition=$(sed -n 's/^# lab-ready: *//p' "$LAB_DIR/scenarios/$scenario.sh")
    [ -n "$condition" ] || return 0
    for attempt in 1 2 3; do
        if LAB_PROBE_SECONDS=75 lab_probe "$port" \
            "i=0; until $condition; do i=\$((i + 1)); [ \$i -le 60 ] || exit 1; sleep 1; done"; then
            case "$attempt" in
                2) echo "ready after replaying the block devices' udev events" > "$dir/forced" ;;
                3) echo "ready after activating and mounting by hand what boot left undone" > "$dir/forced" ;;
            esac
            [ ! -f "$dir/forced" ] || log "$scenario: $(cat "$dir/forced")"
            return 0
        fi
        case "$attempt" in
            1) log "$scenario: not ready 60 s after boot ($condition); replaying the block devices' udev events"
               lab_probe "$port" "udevadm trigger --action=change --subsystem-match=block; udevadm settle" || true ;;
            2) log "$scenario: still not ready; activating VGs (vgchange -aay), fstab's mounts and swap by hand"
               lab_probe "$port" "vgchange -aay >/dev/null 2>&1; udevadm settle; mount -a; swapon -a" || true ;;
        esac
    done
    lab_probe "$port" "findmnt -rn -o TARGET,SOURCE; lvs -a -o vg_name,lv_name,lv_attr 2>&1; systemctl --failed --no-legend" \
        >&2 || true
    tail -20 "$dir/console.log" >&2 || true
    die "$scenario: the host booted, but its starting state never came ($condition)"
}

# Adds to `args` the SAN LUN in image $1 (when it exists) on controllers scsi$2 and scsi$(($2 + 1)),
# with serial $3 and WWN $4.
add_lun() {
    local image=$1 first=$2 serial=$3 wwn=$4 path
    [ -f "$image" ] || return 0
    for path in "$first" $((first + 1)); do
        args+=(-device "virtio-scsi-pci,id=scsi$path"
            -drive "file=$image,if=none,id=lun$path,format=raw,cache=none,file.locking=off"
            -device "scsi-hd,bus=scsi$path.0,drive=lun$path,serial=$serial,wwn=$wwn,share-rw=on")
    done
}

# Adds to `args` the local SCSI disk in image $1 (when it exists): one path, serial and WWN of its own.
add_local_scsi() {
    [ -f "$1" ] || return 0
    args+=(-device "virtio-scsi-pci,id=scsilocal"
        -drive "file=$1,if=none,id=localscsi,format=raw"
        -device "scsi-hd,bus=scsilocal.0,drive=localscsi,serial=LVMGUARDLOCAL01,wwn=0x5000c50015ea71b0")
}

# Starts qemu for the VM whose disks are in $1 (root.qcow2, optional local.img, boot.img, extra.img, scsi.img, lun.img, lun2.img), ssh
# forwarded from 127.0.0.1:$2, in the background; writes $1/qemu.pid and $1/console.log, and answers QMP on $1/qmp.sock.
# With $3, a state lab/qmp.py saved from this machine on these disks, it resumes from that state instead of booting.
start_qemu() {
    local dir=$1 port=$2 state=${3:-} base path kernel initrd cmdline="root=/dev/vda rw"
    base=$(base_dir)
    kernel=$base/vmlinuz initrd=$base/initrd.img
    # A host with its own /boot (boot.img holding lab-cmdline) boots what is there, as a boot loader would: the
    # kernel, the initramfs its dracut or update-initramfs last wrote and its command line, read without mounting.
    if [ -f "$dir/boot.img" ] && read_boot_file "$dir/boot.img" lab-cmdline "$dir/boot-cmdline"; then
        read_boot_file "$dir/boot.img" "vmlinuz-$(cat "$base/kernel-version")" "$dir/boot-vmlinuz" || die "$dir/boot.img: no kernel"
        # dracut's name on the RHEL family (initramfs-KV.img), else Debian's (initrd.img-KV), as their boot loaders.
        read_boot_file "$dir/boot.img" "initramfs-$(cat "$base/kernel-version").img" "$dir/boot-initrd" \
            || read_boot_file "$dir/boot.img" "initrd.img-$(cat "$base/kernel-version")" "$dir/boot-initrd" \
            || die "$dir/boot.img: no initramfs"
        kernel=$dir/boot-vmlinuz initrd=$dir/boot-initrd cmdline=$(cat "$dir/boot-cmdline")
    fi
    # Two vCPUs. One was faster while other VMs loaded both cores (an A/B on the incident host beside a test run: a
    # gather 8.5-11.7 s against 12.6-17.2 s, a boot 29 s against 44 s), but with one VM working, as the suites run,
    # dracut's builds want both cores: the CentOS 7 suite took 1,069 s on one vCPU against 812 s on two.
    local args=(
        -accel tcg,thread=multi -smp 2 -m "$LAB_MEMORY" -display none -nodefaults
        -kernel "$kernel" -initrd "$initrd"
        -append "console=ttyS0 quiet $cmdline panic=-1 net.ifnames=0 scsi_mod.scan=sync"
        -serial "file:$dir/console.log"
        -drive "file=$dir/root.qcow2,if=virtio,format=qcow2"
    )
    for path in local.img boot.img; do
        [ ! -f "$dir/$path" ] || args+=(-drive "file=$dir/$path,if=virtio,format=raw")
    done
    # A disk a test added to the running host (lab/qmp.py hotplug): attached from then on, with the same serial.
    [ ! -f "$dir/extra.img" ] || args+=(-drive "file=$dir/extra.img,if=none,id=extra,format=raw"
        -device "virtio-blk-pci,drive=extra,serial=LVMGUARDEXTRA01")
    # A local SCSI disk on its own controller, probed before the SAN controllers (so it is sda), or after them
    # when the host directory holds a file named san-first: with scsi_mod.scan=sync the order is the PCI order,
    # so the same disk comes back under another kernel name.
    [ -f "$dir/san-first" ] || add_local_scsi "$dir/scsi.img"
    # Each SAN LUN over two paths: two controllers, same serial and WWN, so multipathd builds one map per LUN.
    add_lun "$dir/lun.img" 0 LVMGUARDLUN0001 0x5000c50015ea71ac
    add_lun "$dir/lun2.img" 2 LVMGUARDLUN0002 0x5000c50015ea71ad
    [ ! -f "$dir/san-first" ] || add_local_scsi "$dir/scsi.img"
    args+=(-nic "user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:$port-:22"
        -qmp "unix:$dir/qmp.sock,server=on,wait=off" -pidfile "$dir/qemu.pid" -daemonize)
    [ -z "$state" ] || args+=(-incoming "exec:zstd -q -d -c $(printf '%q' "$state")")
    # The daemonized qemu must not keep the caller's stdout/stderr open (a caller reading to EOF would hang).
    qemu-system-x86_64 "${args[@]}" </dev/null >>"$dir/qemu.log" 2>&1
    carry_niceness "$(cat "$dir/qemu.pid")"
}

# The saved state of a scenario's host, lab-ready after a real boot (save_host): keyed by the scenario's disks and by
# the machine QEMU emulates (start_qemu's devices, QEMU's version), which a state must be resumed on unchanged.
saved_key() {
    { scenario_key "$1"; declare -f start_qemu add_lun add_local_scsi; qemu-system-x86_64 --version; } \
        | sha256sum | cut -c1-16
}

saved_dir() { echo "$LAB_CACHE/saved-$1-$(saved_key "$1")"; }

# The disk images a host directory may hold besides root.qcow2 (raw: a LUN is opened on two paths at once).
LAB_RAW_IMAGES="lun.img lun2.img local.img scsi.img boot.img"

# Saves host directory $1 (scenario $2), booted for real and lab-ready, as its scenario's saved state, unless one is
# there: the VM paused, its RAM and device state written (lab/qmp.py), its disks copied as they are at that instant
# (root.qcow2 an overlay on the scenario's, the raw images whole), then run on. Called under the saved state's lock.
save_host() {
    local dir=$1 scenario=$2 out work image
    out=$(saved_dir "$scenario")
    [ ! -f "$out/ready" ] || return 0
    work=$(mktemp -d "$LAB_CACHE/save-$scenario.XXXXXX")
    # No ssh connection may be open in the state: a resumed guest would hold one nobody is at.
    lab_ssh_close "$(cat "$dir/port")"
    if ! "$LAB_DIR/qmp.py" "$dir/qmp.sock" save "$work/state.zst"; then
        "$LAB_DIR/qmp.py" "$dir/qmp.sock" cont || true
        rm -rf "$work"
        die "$scenario: saving the host's state failed"
    fi
    cp "$dir/root.qcow2" "$work/"
    for image in $LAB_RAW_IMAGES; do
        [ ! -f "$dir/$image" ] || cp --sparse=always "$dir/$image" "$work/"
    done
    [ ! -f "$dir/forced" ] || cp "$dir/forced" "$work/"
    "$LAB_DIR/qmp.py" "$dir/qmp.sock" cont || { rm -rf "$work"; die "$scenario: the host did not run on after its save"; }
    rm -rf "$out"
    mv "$work" "$out"
    touch "$out/ready"
    log "$scenario: saved lab-ready ($(du -sh "$out" | cut -f1) in $out)"
}

# Copies file $2 from the ext4 image $1 (not mounted: the host kernel may lack what the VM uses) to $3;
# fails when the file is not there.
read_boot_file() {
    rm -f "$3"
    debugfs -R "dump /$2 $3" "$1" >/dev/null 2>&1 || true
    [ -s "$3" ]
}

# Stops the qemu whose pid file is $1: ACPI-less, so SIGTERM, then SIGKILL after 10 s.
stop_qemu() {
    local pidfile=$1 pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}

# Waits up to $2 seconds for the process in pid file $1 to end.
wait_for_exit() {
    local pidfile=$1 timeout=$2 pid
    pid=$(cat "$pidfile" 2>/dev/null) || return 0
    for _ in $(seq 1 $((timeout * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    return 1
}
