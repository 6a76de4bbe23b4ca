#!/usr/bin/env bash
# Prepares the base image and then each scenario named, one after another, at the lowest CPU priority (nice 19, for
# its session's and its VMs' scheduling groups too), so that what runs in front keeps the CPU it needs, and fetches
# every scenario's Debian packages beside them: scripts/test.sh runs it behind the Swift build and the pure suites for
# the scenarios the lab starts with. Every preparation happens under the scenario's lock (lab_prepare), which
# lab/start.sh takes too: a start that reaches a scenario still in preparation waits for it and finds it ready; one
# that failed here is prepared again in front.
# Not behind the VM suites: measured there (2 cores), the tests' VMs slowed about as much as the preparations gained.
# Usage: lab/prepare-ahead.sh SCENARIO...   (one line per scenario on stdout: prepared or failed, and its seconds)
source "$(dirname "$0")/lib.sh"
# nice 19 for this script, for its session's scheduling group (the image and LVM 2.02 builds) and, through start_qemu,
# for each VM it starts.
renice -n 19 -p $$ >/dev/null
carry_niceness $$
# At nice 19 a boot can take longer than a boot in front ever may.
export LVMGUARD_LAB_BOOT_TIMEOUT=${LVMGUARD_LAB_BOOT_TIMEOUT:-1800}
logs=${LVMGUARD_LAB_AHEAD_LOGS:-$(mktemp -d /tmp/lvmguard-ahead.XXXXXX)}
mkdir -p "$logs"

# The scenarios' Debian packages, fetched beside everything else (the network, not the CPU): each preparation that
# installs some finds them here.
(
    for file in "$LAB_DIR"/scenarios/*.sh; do
        packages=$(scenario_packages "$(basename "$file" .sh)")
        [ -z "$packages" ] || lab_debs $packages >/dev/null
    done
) >/dev/null 2>"$logs/debs.log" &
debs=$!

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
if wait "$debs"; then echo "[ahead] scenario packages fetched"; else echo "[ahead] scenario packages not fetched ($logs/debs.log)"; fi
