#!/usr/bin/env bash
# The test command. On a fresh Debian 12 machine (as root) it installs what the tests need, gets the real
# lvm.conf inputs, builds and boots the lab VMs (incident, host-lvm), runs the whole suite, and stops every
# VM it started, pass or fail. Without root, the tests that need the lab say so and skip (never under CI).
set -euo pipefail
cd "$(dirname "$0")/.."
ahead_pid=
# Ends what runs behind the tests (a session of its own, whose leader wrote its pid), if it still runs.
stop_ahead() {
    [ -n "$ahead_pid" ] || return 0
    [ ! -s "$ahead/session" ] || kill -TERM -- "-$(cat "$ahead/session")" 2>/dev/null || true
    wait "$ahead_pid" 2>/dev/null || true
}

# The Swift build folders are kept in the machine's cache ($LVMGUARD_BUILD_CACHE), one pair per clone path (the build
# records absolute paths: clang's module cache fails a build made from another clone), and linked from a clone that
# has none: a second run from the same path reuses the packages' builds and rebuilds only what changed. lab/gc.sh
# removes a folder no run used for a week.
if [ "$(id -u)" = 0 ] && [ ! -e .build ] && [ ! -e .build-release ]; then
    build_cache=${LVMGUARD_BUILD_CACHE:-/var/cache/lvmguard-build}/$(printf '%s' "$PWD" | sha256sum | cut -c1-16)
    mkdir -p "$build_cache/debug" "$build_cache/release"
    echo "$PWD" > "$build_cache/clone"
    ln -s "$build_cache/debug" .build
    ln -s "$build_cache/release" .build-release
fi
# Used now: lab/gc.sh keeps it for a week from here.
[ ! -L .build ] || [ ! -f "$(readlink .build)/../clone" ] || touch "$(readlink .build)/../clone"
if [ "$(id -u)" = 0 ]; then
    lab/install-deps.sh
    scripts/test-inputs.sh
    LVMGUARD_PYTHON=$(scripts/python-deps.sh)
    export LVMGUARD_PYTHON
    export LVMGUARD_LAB_STATE=${LVMGUARD_LAB_STATE:-$(mktemp -d /var/tmp/lvmguard-test.XXXXXX)}
    # Every VM start, resume, save, reboot, power cut and preparation appends its seconds here (lab_time).
    export LVMGUARD_LAB_TIMES=$LVMGUARD_LAB_STATE/times.log
    ahead=$LVMGUARD_LAB_STATE/ahead
    mkdir -p "$ahead"
    trap 'stop_ahead; lab/stop.sh; rm -rf "$LVMGUARD_LAB_STATE"' EXIT
    # Behind the build and the pure suites, at nice 19 (lab/prepare-ahead.sh): the lab's base image and the two
    # scenarios the lab starts with; lab/start.sh below waits for them by their locks. Nothing runs behind the VM
    # suites: a VM prepared beside a test's VM slowed the test about as much as it gained (docs/development.md).
    setsid -w nice -n 19 bash -c 'echo $$ > "$1/session"
        LVMGUARD_LAB_AHEAD_LOGS=$1/logs lab/prepare-ahead.sh incident host-lvm > "$1/scenarios.log" 2>&1' \
        prepare-ahead "$ahead" &
    ahead_pid=$!
else
    echo "[test] not root: the lab VMs and package installs are skipped; their tests will say so" >&2
    scripts/test-inputs.sh || true
fi
# Style first, in seconds: swift-format (.swift-format: 4 spaces, 120 columns) over Sources/ and the tests.
formatted=(Sources Tests/LVMGuardCoreTests Tests/LVMGuardFleetTests Tests/LVMGuardLabTests Tests/Support)
swift format lint --strict --recursive "${formatted[@]}" \
    || { echo "[test] FAIL: swift format lint (run: swift format format -i -r ${formatted[*]})" >&2; exit 1; }
echo "[test] swift format lint: ${formatted[*]} formatted"
swift build --build-tests
log=$(mktemp /tmp/lvmguard-test-log.XXXXXX)
status=0
# The pure target first (captured output, local scripts, inventories, docs): a logic error fails in seconds.
# Then the fleet and lab targets' suites (the loopback fleet, the VMs), serially: the VM suites and the 25-way
# fleet test would starve each other on 2 cores.
started=$(date +%s)
# (A failing suite must not end this script under set -e and pipefail: its status is kept, the rest still runs.)
swift test --skip-build --no-parallel --filter '^LVMGuardCoreTests\.' 2>&1 | tee -a "$log" \
    && pure_status=0 || pure_status=${PIPESTATUS[0]}
echo "[test] pure suites: exit $pure_status in $(( $(date +%s) - started ))s"
[ "$pure_status" = 0 ] || status=$pure_status
if [ "$(id -u)" = 0 ]; then
    started=$(date +%s)
    # The shared lab's first boot is a real one (--boot); it saves both scenarios' states for the tests' own hosts.
    lab/start.sh --boot lab-incident:incident lab-hostlvm:host-lvm
    echo "[test] lab up in $(( $(date +%s) - started ))s; prepared behind the build:"
    wait "$ahead_pid" || true
    ahead_pid=
    sed 's/^/[test]   /' "$ahead/scenarios.log" 2>/dev/null || true
fi
# One suite at a time, each under its time limit (LVMGUARD_SUITE_LIMIT seconds, default 1200): a hang fails its suite,
# named with the last step it printed ("[lab +Ns] ..."), and the run goes on; the VMs it left are stopped.
started=$(date +%s)
suites=$(swift test list --skip-build 2>/dev/null | sed -n 's/^LVMGuard\(Lab\|Fleet\)Tests\.\([A-Za-z0-9]*\)\/.*/\1Tests.\2/p' \
    | sort -u)
[ -n "$suites" ] || { echo "[test] FAIL: no lab or fleet suite found (swift test list)" >&2; status=1; }
suite_times=
for suite in $suites; do
    suite_log=$(mktemp /tmp/lvmguard-suite-log.XXXXXX)
    suite_started=$(date +%s)
    timeout -k 30 "${LVMGUARD_SUITE_LIMIT:-1200}" swift test --skip-build --no-parallel --filter "^LVMGuard$suite/" 2>&1 \
        | tee "$suite_log" && suite_status=0 || suite_status=${PIPESTATUS[0]}
    cat "$suite_log" >> "$log"
    if [ "$suite_status" = 124 ] || [ "$suite_status" = 137 ]; then
        echo "[test] FAIL: $suite hit its time limit (${LVMGUARD_SUITE_LIMIT:-1200} s); its last step:" \
            "$(grep -o '\[lab +[0-9]*s\].*' "$suite_log" | tail -n 1 || true)" >&2
        for private in /tmp/lvmguard-test-*/; do
            [ ! -d "$private/hosts" ] || LVMGUARD_LAB_STATE=$private lab/stop.sh 2>/dev/null || true
        done
    fi
    rm -f "$suite_log"
    suite_times+=$(printf '%7d s  exit %-3s %s' "$(( $(date +%s) - suite_started ))" "$suite_status" "$suite")$'\n'
    [ "$suite_status" = 0 ] || status=$suite_status
done
echo "[test] lab and fleet suites in $(( $(date +%s) - started ))s, each with its start-up (slowest first):"
printf '%s' "$suite_times" | sort -rn | sed 's/^/[test] /'
# What each suite cost, slowest first (swift-testing's own "Suite ... after N seconds" lines).
echo "[test] seconds per suite:"
sed -n 's/^.*Suite "\(.*\)" \(passed\|failed\) after \([0-9.]*\) seconds.*$/\3\t\2\t\1/p' "$log" | sort -rn \
    | awk -F'\t' '{ printf "[test]   %7.1f s  %-6s %s\n", $1, $2, $3 }'
rm -f "$log"
if [ -s "${LVMGUARD_LAB_TIMES:-}" ]; then
    echo "[test] lab VM time by kind (count, seconds; prepare and base only where the cache lacked them):"
    awk '{ n[$1]++; s[$1] += $2 } END { for (k in n) printf "[test]   %-9s %3d x %6d s\n", k, n[k], s[k] }' \
        "$LVMGUARD_LAB_TIMES" | sort
fi

# The documented install (README): one static binary that runs where no Swift toolchain is, with its man page and
# completions. Built here, after the suites: built behind them at nice 19 it slowed them more than it saved (measured).
prefix=$(mktemp -d /tmp/lvmguard-install.XXXXXX)
started=$(date +%s)
if scripts/install.sh "$prefix" && scripts/check-install.sh "$prefix"; then
    echo "[test] release binary: installed and ran validate without a Swift toolchain ($(( $(date +%s) - started )) s)"
else
    echo "[test] FAIL: the release binary (scripts/install.sh) did not install or run" >&2
    status=1
fi
rm -rf "$prefix"

# The tests end what they start: no VM, fleet sshd, or process a fleet host ran may be left behind.
# (The lab this script started is stopped first; the trap stopping it again is harmless.)
if [ "$(id -u)" = 0 ]; then lab/stop.sh; lab/gc.sh || true; fi
left=$(ps -eo pid=,args= | grep -E 'qemu-system|/sshd -f /tmp/lvmguard-test|lvmguard-test-.*/fleet/' | grep -v grep || true)
for environ in /proc/[0-9]*/environ; do
    { tr '\0' '\n' < "$environ" | grep -q '^LVM_SYSTEM_DIR=/tmp/lvmguard-test-'; } 2>/dev/null \
        && left+=$'\n'"${environ//[!0-9]/} $(tr '\0' ' ' < "/proc/${environ//[!0-9]/}/cmdline" 2>/dev/null)"
done
left=$(echo "$left" | sed '/^$/d')
if [ -n "$left" ]; then
    echo "[test] FAIL: processes the tests started are still running:" >&2
    echo "$left" >&2
    [ "$status" != 0 ] || status=1
else
    echo "[test] no process of the tests, the lab or the fleet is left running"
fi
exit "$status"
