#!/usr/bin/env bash
# lvmguard against the physical floor and against Ansible, side by side, on the lab's loopback fleet
# (real sshd, one 127.0.X.Y address and one lvm.conf per host, the real lvm2 tools).
#
#   bench/fleet-vs-ansible.sh [--sizes "10 50 200"] [--plan-sizes "1000"] [--runs 3] [--forks 20] [--record]
#
# --plan-sizes: fleet sizes (up to 1000) at which only the floor's and lvmguard's plan are measured (Ansible would
# take most of an hour there, and apply adds nothing plan does not show about scale); "" skips them.
#
# For each fleet size and run, in this order, each timed with /usr/bin/time:
#   floor plan     the gather script lvmguard sends, with plain `ssh HOST sh -s`, --forks hosts at once (xargs -P)
#   lvmguard plan  release build, same forks
#   ansible plan   bench/ansible/lvm-filter.yml with --check --diff (ansible-core in its own venv, pipelining and
#                  ControlPersist on, same forks)
#   floor apply    per host, on one shared ssh connection: the gather script, then the apply script lvmguard sends
#   lvmguard apply --yes (plans, then applies: two executions on one connection per host)
#   ansible apply  the same playbook for real
# Every host's lvm.conf is put back between the applies, and each apply is checked to have set the filter on
# every host. The ssh executions per host are counted in sshd's log.
#
# Prints the medians, the ratios lvmguard/floor and Ansible/lvmguard, controller CPU seconds (user+sys of
# the tool and every process it waited for, ssh included) and peak RSS, then compares the *ratios* with the
# tables last recorded in docs/performance.md: these machines are shared and their speed varies from day to day
# (the floor itself has moved by half), so seconds are not compared; the floor measured in the same run is the
# yardstick. lvmguard/floor more than 20% above the recorded ratio, or Ansible/lvmguard more than 20% below it,
# is flagged REGRESSION and the exit status is 3.
# --record writes the new tables (with the machine and date) into docs/performance.md.
# Needs root (the fleet's sshd). Takes about 45 minutes with the defaults on 2 cores.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZES="10 50 200"
PLAN_SIZES="1000"
RUNS=3
FORKS=20
RECORD=no
while [ $# -gt 0 ]; do
    case "$1" in
    --sizes) SIZES=$2; shift 2 ;;
    --plan-sizes) PLAN_SIZES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --forks) FORKS=$2; shift 2 ;;
    --record) RECORD=yes; shift ;;
    *) echo "usage: $0 [--sizes \"10 50 200\"] [--plan-sizes \"1000\"] [--runs N] [--forks N] [--record]" >&2; exit 64 ;;
    esac
done
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
[ "$(id -u)" = 0 ] || die "the loopback fleet's sshd needs root"

CACHE=${LVMGUARD_BENCH_CACHE:-/var/cache/lvmguard-bench}
WORK=$(mktemp -d /tmp/lvmguard-bench.XXXXXX)
export LVMGUARD_FLEET_STATE=$WORK/fleet
FLEET=$LVMGUARD_FLEET_STATE
RESULTS=$WORK/results.tsv
cleanup() {
    "$ROOT/lab/fleet.sh" stop >/dev/null 2>&1 || true
    pkill -f "$WORK/" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# --- set-up: packages, a release build, ansible-core in its own venv -----------------------------------------
"$ROOT/lab/install-deps.sh"
for package in time python3-venv; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" && continue
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null
done
log "release build"
(cd "$ROOT" && swift build -c release --product lvmguard >/dev/null)
LVMGUARD=$ROOT/.build/release/lvmguard
VENV=$CACHE/ansible-venv
if [ ! -x "$VENV/bin/ansible-playbook" ]; then
    log "installing ansible-core 2.19 into $VENV"
    mkdir -p "$CACHE"
    /usr/bin/python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q 'ansible-core>=2.19,<2.20'
fi
# sed reads all of it: `head -n 1` closed the pipe early and ansible-core 2.19 dies of the broken pipe.
ANSIBLE_VERSION=$("$VENV/bin/ansible-playbook" --version | sed -n '1s/.*core \([0-9.]*\).*/\1/p')
export ANSIBLE_CONFIG=$ROOT/bench/ansible/ansible.cfg ANSIBLE_LOCAL_TEMP=$WORK/ansible-tmp
PLAYBOOK=$ROOT/playbooks/lab.yaml

# --- helpers -------------------------------------------------------------------------------------------------
sessions() { cat "$FLEET"/sshd-*.log 2>/dev/null | grep -c 'Starting session: command' || true; }

# Puts every host's lvm.conf back as it was and removes backups and journals.
reset_hosts() {
    local dir
    for dir in "$FLEET"/hosts/*/etc/lvm; do
        cp "$WORK/lvm.conf.orig" "$dir/lvm.conf"
        rm -f "$dir"/lvm.conf?* "$dir/lvmguard.journal"
    done
}

# Fails the benchmark unless every host's lvm.conf carries the filter (the apply really happened).
check_applied() {
    local count
    count=$(grep -l '^[[:space:]]*global_filter = \[ "r|\.\*|" \]' "$FLEET"/hosts/*/etc/lvm/lvm.conf | wc -l)
    [ "$count" = "$1" ] || die "$2 set the filter on $count of $1 hosts"
}

# measure SIZE TOOL PHASE RUN COMMAND...: times COMMAND, counts the ssh executions it caused per host.
measure() {
    local size=$1 tool=$2 phase=$3 run=$4 before after status=0
    shift 4
    before=$(sessions)
    # Shell functions (the floor, ansible_run) run in a child bash that knows them; tools run directly.
    if [ "$(type -t "$1")" = function ]; then set -- bash -c '"$@"' bash "$@"; fi
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || status=$?
    sleep 0.2  # sshd writes its log lines as sessions start; the last ones may lag the client's exit
    after=$(sessions)
    if [ "$status" != 0 ]; then
        tail -n 20 "$WORK/out" "$WORK/err" >&2
        die "$tool $phase at $size hosts exited $status"
    fi
    read -r elapsed user system rss < <(tail -n 1 "$WORK/time")
    awk -v OFS='\t' -v size="$size" -v tool="$tool" -v phase="$phase" -v run="$run" -v elapsed="$elapsed" \
        -v usr="$user" -v sys_="$system" -v rss="$rss" -v sessions="$((after - before))" \
        'BEGIN { print size, tool, phase, run, elapsed, usr + sys_, rss, sessions / size }' >> "$RESULTS"
    log "$(printf '%4s hosts  %-8s %-5s run %s: %6.2f s' "$size" "$tool" "$phase" "$run" "$elapsed")"
}

# The floor: plain ssh, the same scripts lvmguard sends, the same concurrency, nothing else.
ssh_options() {
    printf '%s\n' -p "$PORT" -l root -i "$FLEET/id_ed25519" -o BatchMode=yes -o "UserKnownHostsFile=$FLEET/known_hosts"
}
floor_plan() {
    mapfile -t options < <(ssh_options)
    # shellcheck disable=SC2016
    cut -d' ' -f2 "$WORK/addresses" | xargs -P "$FORKS" -I{} sh -c 'gather=$1 host=$2; shift 2; ssh "$@" "$host" sh -s < "$gather" > /dev/null' \
        sh "$WORK/gather.sh" {} "${options[@]}"
}
floor_apply() {
    mapfile -t options < <(ssh_options)
    # shellcheck disable=SC2016
    cut -d' ' -f2 "$WORK/addresses" | xargs -P "$FORKS" -I{} sh -c '
        sockets=$1 gather=$2 apply=$3 host=$4; shift 4
        share="-o ControlMaster=auto -o ControlPersist=30 -o ControlPath=$sockets/%C"
        ssh $share "$@" "$host" sh -s < "$gather" > /dev/null &&
            ssh $share "$@" "$host" sh -s < "$apply" | grep -q " applied 0$"
        status=$?
        ssh -o "ControlPath=$sockets/%C" "$@" -O exit "$host" 2>/dev/null
        exit $status' sh "$WORK/floor-sockets" "$WORK/gather.sh" "$WORK/apply.sh" {} "${options[@]}"
}
ansible_run() {
    local control=$WORK/ansible-cp
    mkdir -p "$control"
    ANSIBLE_SSH_CONTROL_PATH_DIR=$control "$VENV/bin/ansible-playbook" -i "$FLEET/inventory.yaml" \
        "$ROOT/bench/ansible/lvm-filter.yml" -e "fleet_dir=$FLEET" --forks "$FORKS" "$@"
    # ControlPersist would keep a master per host alive into the next measurement.
    pkill -f "$control/" 2>/dev/null || true
}

# Captures the two scripts lvmguard sends one host (the gather, then the apply) through an ssh that records
# its stdin. Every fleet host starts from the same lvm.conf, so the apply script fits every host.
capture_scripts() {
    local capture=$WORK/capture
    rm -rf "$capture"
    mkdir -p "$capture" "$WORK/bin"
    cat > "$WORK/bin/ssh" <<EOF
#!/bin/sh
file="$capture/\$(date +%s%N).in"
cat > "\$file"
exec /usr/bin/ssh "\$@" < "\$file"
EOF
    chmod +x "$WORK/bin/ssh"
    PATH="$WORK/bin:$PATH" "$LVMGUARD" apply -i "$FLEET/inventory.yaml" "$PLAYBOOK" --limit fleet-001 --yes >"$WORK/capture.log" 2>&1 \
        || { tail -n 20 "$WORK/capture.log" >&2; die "lvmguard apply on fleet-001 failed while capturing its scripts"; }
    mapfile -t scripts < <(find "$capture" -name '*.in' -size +0 | sort)
    [ "${#scripts[@]}" = 2 ] || die "expected 2 scripts from lvmguard, captured ${#scripts[@]}"
    cp "${scripts[0]}" "$WORK/gather.sh"
    cp "${scripts[1]}" "$WORK/apply.sh"
    reset_hosts
}

export -f ssh_options floor_plan floor_apply ansible_run
export WORK FLEET FORKS VENV ROOT

# Starts a fleet of $1 hosts and captures the scripts lvmguard sends.
start_fleet() {
    log "starting a fleet of $1 hosts"
    "$ROOT/lab/fleet.sh" start "$1" >/dev/null 2>&1 || die "lab/fleet.sh start $1 failed"
    PORT=$(sed -n 's/^ *ansible_port: *//p' "$FLEET/inventory.yaml")
    export PORT
    sed -n 's/^ *\(fleet-[0-9]*\): { ansible_host: \([0-9.]*\) }$/\1 \2/p' "$FLEET/inventory.yaml" > "$WORK/addresses"
    [ "$(wc -l < "$WORK/addresses")" = "$1" ] || die "the fleet's inventory lists $(wc -l < "$WORK/addresses") of $1 hosts"
    cp "$FLEET/hosts/fleet-001/etc/lvm/lvm.conf" "$WORK/lvm.conf.orig"
    mkdir -p "$WORK/floor-sockets"
    capture_scripts
}

# --- the runs ------------------------------------------------------------------------------------------------
: > "$RESULTS"
for size in $SIZES; do
    start_fleet "$size"
    for run in $(seq 1 "$RUNS"); do
        measure "$size" floor plan "$run" floor_plan
        measure "$size" lvmguard plan "$run" "$LVMGUARD" plan -i "$FLEET/inventory.yaml" "$PLAYBOOK" --forks "$FORKS"
        measure "$size" ansible plan "$run" ansible_run --check --diff
        measure "$size" floor apply "$run" floor_apply
        check_applied "$size" "the floor"
        reset_hosts
        measure "$size" lvmguard apply "$run" "$LVMGUARD" apply -i "$FLEET/inventory.yaml" "$PLAYBOOK" --forks "$FORKS" --yes
        check_applied "$size" "lvmguard"
        reset_hosts
        measure "$size" ansible apply "$run" ansible_run
        check_applied "$size" "ansible"
        reset_hosts
    done
    "$ROOT/lab/fleet.sh" stop >/dev/null 2>&1
done
for size in $PLAN_SIZES; do
    start_fleet "$size"
    for run in $(seq 1 "$RUNS"); do
        measure "$size" floor plan "$run" floor_plan
        measure "$size" lvmguard plan "$run" "$LVMGUARD" plan -i "$FLEET/inventory.yaml" "$PLAYBOOK" --forks "$FORKS"
    done
    "$ROOT/lab/fleet.sh" stop >/dev/null 2>&1
done

# --- the table -----------------------------------------------------------------------------------------------
MACHINE="$(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(free -g | awk '/^Mem:/ {print $2}') GB, Linux $(uname -r), OpenSSH $(ssh -V 2>&1 | sed 's/^OpenSSH_\([^ ,]*\).*/\1/'), ansible-core $ANSIBLE_VERSION"
/usr/bin/python3 - "$RESULTS" "$ROOT/docs/performance.md" "$RECORD" "$FORKS" "$RUNS" "$(date -u +%Y-%m-%d)" "$MACHINE" <<'PYTHON'
import re, statistics, sys
results, doc_path, record, forks, runs, day, machine = sys.argv[1:]
rows = [line.rstrip("\n").split("\t") for line in open(results) if line.strip()]
data = {}
for size, tool, phase, run, elapsed, cpu, rss, per_host in rows:
    data.setdefault((int(size), tool, phase), []).append((float(elapsed), float(cpu), int(rss), float(per_host)))
def median(key, index):
    return statistics.median(value[index] for value in data[key])
def cell(key, index, form):
    return format(median(key, index), form) if key in data else "–"
header = [
    f"Measured {day} by `bench/fleet-vs-ansible.sh` ({runs} runs each, medians, `--forks {forks}`) on {machine}.",
    "Seconds are wall-clock for the whole fleet; CPU is the controller's user+sys seconds including its ssh clients.",
    "",
    "| hosts | phase | floor s | lvmguard s | ansible s | lvmguard/floor | ansible/lvmguard | ssh execs/host (floor, lvmguard, ansible) | lvmguard CPU s | ansible CPU s | lvmguard peak RSS MB |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
]
# ratios[(size, phase)] = (lvmguard/floor, ansible/lvmguard or None), the figures compared across days.
ratios, seconds, tables = {}, {}, {}
for block, with_ansible in (("fleet-vs-ansible", True), ("fleet-plan-large", False)):
    lines = []
    sizes = sorted({key[0] for key in data if ((key[0], "ansible", "plan") in data) == with_ansible})
    for size in sizes:
        for phase in ("plan", "apply"):
            f, l, a = ((size, tool, phase) for tool in ("floor", "lvmguard", "ansible"))
            if l not in data:
                continue
            floor_s, ours_s = median(f, 0), median(l, 0)
            theirs = median(a, 0) / ours_s if a in data else None
            ratios[(size, phase)] = (ours_s / floor_s, theirs)
            seconds[(size, phase)] = (floor_s, ours_s)
            lines.append(f"| {size} | {phase} | {floor_s:.2f} | {ours_s:.2f} | {cell(a, 0, '.2f')} | {ours_s / floor_s:.2f}x "
                         f"| {'–' if theirs is None else format(theirs, '.1f') + 'x'} "
                         f"| {median(f, 3):g}, {median(l, 3):g}, {cell(a, 3, 'g')} | {median(l, 1):.2f} "
                         f"| {cell(a, 1, '.2f')} | {median(l, 2) / 1024:.1f} |")
    if not lines:
        continue
    if with_ansible and len(sizes) > 1:
        low, high = sizes[0], sizes[-1]
        lines += ["", f"Cost per host, {low} → {high} hosts (linear when about equal): " + "; ".join(
            f"{phase} {seconds[(low, phase)][1] / low:.3f} → {seconds[(high, phase)][1] / high:.3f} s"
            for phase in ("plan", "apply"))]
    tables[block] = "\n".join(header + lines)
    print("\n" + tables[block] + "\n")

doc = open(doc_path).read()
def recorded_rows(block):
    """(size, phase) -> (lvmguard/floor, ansible/lvmguard or None, floor s) from the table recorded in the doc."""
    match = re.search(re.escape(f"<!-- bench:{block} -->") + r"(.*?)" + re.escape(f"<!-- /bench:{block} -->"), doc, re.S)
    found = {}
    for line in (match.group(1).splitlines() if match else []):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 6 and cells[0].isdigit() and cells[1] in ("plan", "apply"):
            theirs = None if cells[6] in ("–", "-") else float(cells[6].rstrip("x"))
            found[(int(cells[0]), cells[1])] = (float(cells[5].rstrip("x")), theirs, float(cells[2]))
    return found
recorded = {**recorded_rows("fleet-vs-ansible"), **recorded_rows("fleet-plan-large")}
print("Compared by ratio with the recorded tables: the floor measured in this run is the yardstick, because this\n"
      "machine's speed varies from day to day (seconds alone would flag a slower day as a regression).")
status = 0
for key in sorted(ratios):
    if key not in recorded:
        print(f"  {key[0]:>5} hosts {key[1]:<5} no recorded row to compare with")
        continue
    ours, theirs = ratios[key]
    was_ours, was_theirs, was_floor = recorded[key]
    verdict = "ok"
    if ours > was_ours * 1.2:
        verdict, status = f"REGRESSION: lvmguard/floor {ours:.2f}x, more than 20% over the recorded {was_ours:.2f}x", 3
    elif theirs is not None and was_theirs is not None and theirs < was_theirs / 1.2:
        verdict, status = f"REGRESSION: ansible/lvmguard {theirs:.1f}x, more than 20% under the recorded {was_theirs:.1f}x", 3
    print(f"  {key[0]:>5} hosts {key[1]:<5} lvmguard/floor {ours:.2f}x (recorded {was_ours:.2f}x)"
          + (f", ansible/lvmguard {theirs:.1f}x (recorded {was_theirs:.1f}x)" if theirs and was_theirs else "")
          + f"; the floor took {seconds[key][0]:.2f} s (recorded {was_floor:.2f} s): {verdict}")
if record == "yes":
    for block, table in tables.items():
        begin, end = f"<!-- bench:{block} -->", f"<!-- /bench:{block} -->"
        text = begin + "\n" + table + "\n" + end
        match = re.search(re.escape(begin) + r"(.*?)" + re.escape(end), doc, re.S)
        doc = doc[:match.start()] + text + doc[match.end():] if match else doc.rstrip("\n") + "\n\n" + text + "\n"
    open(doc_path, "w").write(doc)
    print(f"recorded in {doc_path}")
sys.exit(status)
PYTHON
