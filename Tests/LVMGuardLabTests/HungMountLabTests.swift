import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardRemote
@testable import LVMGuardTestSupport

/// A hung NFS mount on a real host (lab/scenarios/nfs-instances.sh): nova's instances directory on an NFS server that
/// stopped answering while the mount held unwritten data. Every sync, df or stat of it waits for the server, in
/// uninterruptible sleep; nothing lvmguard runs may wait with it.
@Suite(
    "A hung NFS mount on a real host: nothing of a run waits for it", .serialized,
    .enabled(if: Runnable.labVMs, "needs root and qemu-system-x86_64 to start lab VMs"))
struct HungMountLabTests {
    static let host = "n-nfs"
    static let instances = "/var/lib/nova/instances"
    /// A writer that leaves 16 MiB unwritten on the mount and keeps the file open (NFS writes back on close).
    static let dirtyWriter =
        "setsid python3 -c 'import time; f = open(\"\(instances)/disk.part\", \"wb\"); "
        + "f.write(bytes(16 << 20)); f.flush(); time.sleep(86400)' </dev/null >/dev/null 2>&1 &"

    @Test(
        "with nova's instances directory hung on NFS (dirty data, a hard mount): plan, apply, check and rollback end within their bounds and leave no process behind; a whole-system sync (what CentOS 7's coreutils does for `sync FILE`) is cut at its bound and named"
    )
    func hungNFS() throws {
        guard let lab = try PrivateLab.start(["\(Self.host):nfs-instances"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = Self.host
        #expect(try lab.text(host, "findmnt -n -o FSTYPE \(Self.instances)").hasPrefix("nfs"))
        // The hang, built and proven: data written but not flushed, then the server stops answering.
        _ = try lab.ssh(host, Self.dirtyWriter)
        // The server stops once the writer's 16 MiB are on the mount (unwritten), not while python still starts: with
        // one reused ssh connection the next command comes at once (seen in CI: stopped before the write, no hang).
        let written = try lab.ssh(
            host,
            "i=0; until [ \"$(stat -c %s \(Self.instances)/disk.part 2>/dev/null)\" = \(16 << 20) ]; do "
                + "i=$((i + 1)); [ $i -le 600 ] || exit 1; sleep 0.1; done")
        #expect(written.status == 0, "the writer's 16 MiB are on the mount within 60 s")
        #expect(try lab.ssh(host, "systemctl stop nfs-server").status == 0)
        #expect(
            try lab.text(host, "timeout -s KILL 5 stat -f \(Self.instances) >/dev/null 2>&1; echo $?") == "137",
            "statfs of the mount hangs")
        #expect(
            try lab.text(host, "timeout -s KILL 5 sync </dev/null >/dev/null 2>&1; echo $?") == "137",
            "a whole-system sync hangs")
        #expect(
            try lab.text(host, "ps -eo stat=,args= | awk '$1 ~ /^D/ && $2 == \"sync\"' | wc -l") != "0",
            "the sync waits in uninterruptible sleep")
        lab.mark("NFS hung")

        // The whole cycle, each run timed: nothing lvmguard runs touches the mount, so nothing waits for the server.
        var seconds: [String: Int] = [:]
        func timed(_ name: String, _ arguments: [String]) throws -> CommandResult {
            let started = Date()
            let result = try lab.lvmguard(arguments)
            seconds[name] = Int(Date().timeIntervalSince(started))
            return result
        }
        let plan = try timed("plan", ["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--detailed-exitcode"])
        #expect(
            plan.status == 2 && plan.stdout.contains("guest VG guestvg"), "\(plan.stdout.suffix(1500)) \(plan.stderr)")
        let applied = try timed("apply", ["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0 && applied.stdout.contains("changed=1 failed=0"), "\(applied.stdout.suffix(2000))")
        #expect(try lab.ssh(host, "multipath -f mpatha").status == 0, "the map is free")
        _ = try lab.ssh(host, "multipath >/dev/null 2>&1; udevadm settle")
        let checked = try timed("check", ["check", "-i", "INVENTORY", ApplyLabTests.playbook])
        #expect(checked.status == 0, "\(checked.stdout.suffix(1500))")
        let rolledBack = try timed("rollback", ["rollback", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(rolledBack.status == 0, "\(rolledBack.stdout.suffix(1500))")
        print(
            "[hung NFS] seconds: \(seconds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))"
        )
        // A run that waited for the mount would have ended at its deadline (300 s), never within a command's bound.
        #expect(seconds.values.allSatisfy { $0 < 60 }, "\(seconds)")
        // A run's watchdog looks every second whether its run is still there.
        let left = try lab.text(
            host,
            "i=0; while ps -eo args= | grep -q '[l]vmguard' && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done; "
                + "ps -eo pid=,stat=,args= | grep '[l]vmguard' || true")
        #expect(left.isEmpty, "no process of a run is left: \(left)")
        #expect(
            try lab.ssh(host, "test -e /run/lock/lvmguard-*.lock && flock -n /run/lock/lvmguard-*.lock true").status
                == 0,
            "the lock is free")
        lab.mark("planned, applied, checked and rolled back")

        // bounded (remote/bounds.sh) around a whole-system sync, as `sync FILE` is with coreutils before 8.24 (CentOS 7):
        // killed at its bound, its stuck process named, and every later bounded command refused in that run.
        let started = Date()
        let script =
            RemoteScripts.bounds + """
                bounded 3 sync; echo "sync $?"
                bounded 3 true; echo "next $?"

                """
        let result = try lab.script(host, script)
        let took = Date().timeIntervalSince(started)
        #expect(
            result.stdout.contains("sync 137") && result.stdout.contains("next 125"),
            "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("'sync' was still running after 3 s and was killed"), "\(result.stderr)")
        #expect(result.stderr.contains("in uninterruptible sleep (D) and cannot be killed"), "\(result.stderr)")
        #expect(took < 20, "bounded returned in \(Int(took)) s")

        // The server back: every waiting process ends, the data reaches the server.
        #expect(try lab.ssh(host, "systemctl start nfs-server && timeout 120 sync").status == 0)
        #expect(try lab.text(host, "ps -eo stat= | grep -c '^D' || true") == "0", "nothing left waiting")
        _ = try lab.ssh(host, "pkill -f disk.part")
    }
}
