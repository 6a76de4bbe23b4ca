#!/usr/bin/env bash
# Prepares the base image and then each scenario named, one after another, ahead of the tests that boot them, at the
# lowest CPU priority (nice 19, for its session's and its VMs' scheduling groups too). On a 2-core machine a test's VM mostly keeps one core busy (a guest running lvm or an
# initramfs build is one process after another); this uses what the test leaves idle and yields whenever the test's VM
# wants both cores, so the tests still run one VM scenario at a time. A test that reaches a scenario still being
# prepared here waits for it (lab_prepare takes the scenario's lock), and no longer competes with anything; one that
# failed here is prepared again by its test, in front.
# Usage: lab/prepare-ahead.sh SCENARIO...   (one line per scenario on stdout: prepared or failed, and its seconds)
source "$(dirname "$0")/lib.sh"
renice -n 19 -p $$ >/dev/null
# Where the kernel groups sessions (sched_autogroup_enabled), a session shares the CPU as one group whatever its
# processes' nice values: this session's group (the image and LVM 2.02 builds, what the caller runs after) gets 19
# too, and each VM started here carries it to its own (start_qemu).
if [ -w /proc/self/autogroup ]; then echo 19 > /proc/self/autogroup; fi
# Starved of CPU by the test in front, a boot takes longer than a boot in front ever may.
export LVMGUARD_LAB_BOOT_TIMEOUT=${LVMGUARD_LAB_BOOT_TIMEOUT:-1800}
logs=${LVMGUARD_LAB_AHEAD_LOGS:-$(mktemp -d /tmp/lvmguard-ahead.XXXXXX)}
mkdir -p "$logs"

started=$(date +%s)
if lab_base >/dev/null 2>"$logs/base.log"; then
    echo "[ahead] base image ready in $(( $(date +%s) - started ))s"
else
    echo "[ahead] base image failed (its log: $logs/base.log); the tests build it"
    exit 1
fi
for scenario in "$@"; do
    started=$(date +%s)
    if lab_prepare "$scenario" >/dev/null 2>"$logs/$scenario.log"; then
        echo "[ahead] $scenario ready in $(( $(date +%s) - started ))s"
    else
        echo "[ahead] $scenario failed in $(( $(date +%s) - started ))s (its log: $logs/$scenario.log); its test prepares it"
    fi
done
