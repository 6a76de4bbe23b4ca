# lvmguard bounds: bounds every command, and keeps every LVM command of a run away from multipath maps that
# lost all their paths. Such a map queues I/O (queue_if_no_path) and any read of it, or of anything on it,
# blocks in the kernel for good; LVM does not skip it when it scans. The maps are found without I/O, from
# device-mapper's status, and every name of every device they carry or sit on is rejected through the
# command's own --config. POSIX sh; defines functions only. Sent before the other scripts.

# The bound of one LVM or multipath command, in seconds; dracut and update-initramfs get five times as long.
BOUND=${LVMGUARD_COMMAND_BOUND:-60}
# When the run started: the deadline counts from here.
RUN_STARTED=$(date +%s)
# Set once a bounded command had to be killed: no further LVM command is started in this run.
STUCK=
# What the run is doing now (set by bounded and the scripts' steps), for the report at the deadline.
RUNNING=

# The run's deadline. The controller sends LVMGUARD_TIMEOUT (its --timeout) and LVMGUARD_DEADLINE (a little
# less). When the deadline passes, a watchdog sends TERM to the run's shell and to every process the run
# started; the shell's trap says what was running and exits, so nothing of the run is left and its lock is
# released. Without it the controller could only end its own ssh, and the remote run went on.
WATCHDOG_SCRIPT='
main=$1 left=$2
trap "" HUP PIPE
while [ "$left" -gt 0 ]; do
    sleep 1
    kill -0 "$main" 2>/dev/null || exit 0
    left=$((left - 1))
done
# Listed before the shell is signalled: once it exits, its children are no longer found under it.
pids=$(ps -eo pid=,ppid= | awk -v root="$main" -v self="$$" "
    { parent[\$1] = \$2 }
    END { for (p in parent) { q = p; n = 0
              while ((q in parent) && q != root && q != self && n++ < 64) q = parent[q]
              if (q == root && p != root) print p } }")
kill -TERM "$main" 2>/dev/null
for pid in $pids; do kill -TERM "$pid" 2>/dev/null; done
'

# Starts the watchdog once per run, when the controller set a deadline.
start_watchdog() {
    [ -z "${WATCHDOG:-}" ] || return 0
    case "${LVMGUARD_DEADLINE:-}" in ''|*[!0-9]*) return 0 ;; esac
    WATCHDOG=started
    sh -c "$WATCHDOG_SCRIPT" lvmguard-watchdog "$$" "$LVMGUARD_DEADLINE" </dev/null >/dev/null 2>&1 9>&- &
}

# The TERM trap of every run: "<boundary> deadline SECONDS WHAT-WAS-RUNNING", then the end of the run.
deadline_passed() {
    trap - TERM
    echo "${LVMGUARD_BOUNDARY:-lvmguard} deadline ${LVMGUARD_TIMEOUT:-0} ${RUNNING:-nothing (between commands)}"
    exit 143
}
trap deadline_passed TERM

# bounded SECONDS COMMAND...: runs COMMAND, killed when it outlives SECONDS (status 124 or 137). GNU timeout
# kills its own process group at the end, so it returns even when COMMAND is in uninterruptible sleep; such a
# process is named on stderr. It lives on, though, holding whatever it was given: so COMMAND writes to files, which
# are copied out once it ended. Given this shell's stdout, a pipe (a command substitution, the ssh channel), it would
# keep the reader waiting for the end of the pipe for as long as it sleeps: measured on a hung NFS mount, a whole-system
# sync killed at its bound kept the ssh session open for good. After a kill, every later bounded command is refused
# (status 125).
bounded() {
    limit=$1; shift
    if [ -n "$STUCK" ]; then
        echo "lvmguard: not run: '$STUCK' hung earlier in this run" >&2
        return 125
    fi
    if ! command -v timeout >/dev/null 2>&1; then "$@" 9>&-; return; fi
    previous=$RUNNING
    RUNNING="$*"
    # In the run's own directory (mktemp -d, removed with it) a counter kept in a file names the files, never one
    # name twice, subshells included (a command killed in uninterruptible sleep may still write to its file): no
    # mktemp, no rm, two processes fewer per command, which count on a slow host. Elsewhere a mktemp name.
    bounded_n=0
    if [ -n "${TMP:-}" ] && [ -d "$TMP" ]; then
        [ ! -s "$TMP/bounded.count" ] || read -r bounded_n < "$TMP/bounded.count" || bounded_n=0
        bounded_n=$((bounded_n + 1))
        { echo "$bounded_n" > "$TMP/bounded.count"; } 2>/dev/null || bounded_n=0
    fi
    if [ "$bounded_n" -gt 0 ]; then
        bounded_out=$TMP/bounded.$bounded_n
    else
        bounded_out=$(mktemp "${TMP:-/tmp}/lvmguard-bounded.XXXXXX" 2>/dev/null) || {
            RUNNING=$previous
            echo "lvmguard: not run: no temporary file for '$1' in ${TMP:-/tmp}" >&2
            return 125
        }
    fi
    # Without the lock's descriptor: a command stuck in the kernel must not keep the run's lock held.
    timeout -k 5 "$limit" "$@" > "$bounded_out" 2> "$bounded_out.err" 9>&-
    status=$?
    RUNNING=$previous
    cat "$bounded_out"
    if [ -s "$bounded_out.err" ]; then cat "$bounded_out.err" >&2; fi
    [ "$bounded_n" -gt 0 ] || rm -f "$bounded_out" "$bounded_out.err"
    if [ "$status" = 124 ] || [ "$status" = 137 ]; then
        STUCK=$1
        echo "lvmguard: '$*' was still running after $limit s and was killed" >&2
        stuck_processes "$1" >&2
    fi
    return "$status"
}

# Names each process called $1 in uninterruptible sleep: it cannot be killed until its I/O ends.
stuck_processes() {
    ps -eo pid=,stat=,args= 2>/dev/null | while read -r pid stat args; do
        case "$stat $args" in
            D*" $1"*|D*" /"*"/$1"*) echo "lvmguard: process $pid ($args) is in uninterruptible sleep (D) and cannot be killed" ;;
        esac
    done
}

# Reads a multipath status from `dmsetup status --target multipath` on stdin and prints the name of every map
# none of whose paths is active. After the target name the status is: <#features> <features>
# <#handler args> <args> <#groups> <next group>, then per group <state> <#args> <args> <#paths>
# <#selector args>, then per path <major:minor> <A|F> <fail count> <selector args>.
dead_maps_from_status() {
    awk '{
        name = $1; sub(/:$/, "", name)
        for (t = 2; t <= NF && $t != "multipath"; t++) ;
        if (t > NF) next
        i = t + 1
        i += $i + 1
        i += $i + 1
        groups = $i; i += 2
        active = 0
        for (g = 0; g < groups && i <= NF; g++) {
            i++
            i += $i + 1
            paths = $i; selector = $(i + 1); i += 2
            for (p = 0; p < paths && i <= NF; p++) {
                if ($(i + 1) == "A") active++
                i += 3 + selector
            }
        }
        if (active == 0) print name
    }'
}

# Finds the dead maps and sets DEAD_DEVICES (kernel names: each dead map, everything stacked on it, its paths)
# and GUARD_REJECTS (an LVM reject rule, followed by ", ", for every name under /dev of each of them).
# Reads only device-mapper's tables, sysfs and udev's database: no I/O to any disk.
guard_scan() {
    DEAD_DEVICES= GUARD_REJECTS=
    grep -qw device-mapper /proc/misc 2>/dev/null || return 0
    command -v dmsetup >/dev/null 2>&1 || return 0
    dead=$(bounded 10 dmsetup status --target multipath 2>/dev/null | dead_maps_from_status)
    [ -n "$dead" ] || return 0
    # A dm device's kernel name is dm-<minor>.
    todo=$(bounded 10 dmsetup info -c --noheadings --separator '|' -o name,minor 2>/dev/null \
        | awk -F'|' -v dead="$dead" 'BEGIN { n = split(dead, d, "\n"); for (i = 1; i <= n; i++) is[d[i]] = 1 }
            ($1 in is) { print "dm-" $2 }')
    for kname in $todo; do
        for path in "/sys/block/$kname/slaves/"*; do [ -e "$path" ] && DEAD_DEVICES="$DEAD_DEVICES ${path##*/}"; done
    done
    # Everything stacked on a dead map, to the top: LVs, partitions, dm-crypt, an LV used as a PV.
    while [ -n "$todo" ]; do
        set -- $todo
        kname=$1; shift; todo=$*
        case " $DEAD_DEVICES " in *" $kname "*) continue ;; esac
        DEAD_DEVICES="$DEAD_DEVICES $kname"
        for holder in "/sys/block/$kname/holders/"*; do [ -e "$holder" ] && todo="$todo ${holder##*/}"; done
    done
    for kname in $DEAD_DEVICES; do
        names="/dev/$kname"
        [ -r "/sys/block/$kname/dev" ] && names="$names /dev/block/$(cat "/sys/block/$kname/dev")"
        for link in $(udevadm info --query=symlink --name="/dev/$kname" 2>/dev/null); do names="$names /dev/$link"; done
        for name in $names; do GUARD_REJECTS="$GUARD_REJECTS$(guard_rule "$name")"; done
    done
}

# An LVM reject rule for exactly device name $1 as it goes into a --config string, followed by ", ": the name's
# regex metacharacters escaped for LVM's regex, then backslashes and quotes escaped again for the config string
# LVM unescapes first (udev writes a space in a link name as the four characters \x20).
guard_rule() {
    rule=$(printf '%s\n' "$1" | sed 's/[][\\.^$*+?()|]/\\&/g; s/[\\"]/\\&/g')
    printf '"r|^%s$|", ' "$rule"
}

# Prints the entries of a filter as lvmconfig prints it ("global_filter=[\"a|x|\",\"r|.*|\"]" on stdin),
# or "a|.*|" when none is set: what follows the reject rules in a guarded filter.
filter_entries() {
    value=$(sed -n 's/^[a-z_]*filter=//p' | head -n 1)
    case "$value" in
        "[]"|"") echo '"a|.*|"' ;;
        \[*) value=${value#\[}; echo "${value%\]}" ;;
        *) echo "$value" ;;
    esac
}

# Prints a --config value that keeps LVM away from the dead devices and otherwise lets it see what the
# configuration in directory $1 (an LVM_SYSTEM_DIR) lets it see. Empty when nothing is dead.
guarded_config() {
    [ -n "$GUARD_REJECTS" ] || return 0
    entries=$(LVM_SYSTEM_DIR=$1 lvmconfig --type full devices/global_filter 2>/dev/null </dev/null | filter_entries)
    echo "devices { global_filter = [ $GUARD_REJECTS$entries ] }"
}
