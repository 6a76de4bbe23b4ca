import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// A host in trouble on a real VM: the incident's guest VG is active on mpatha, then the map loses every path
/// while queueing I/O (`no_path_retry queue`, both SCSI paths set offline). Any read of the map now blocks in
/// the kernel for good, so the test itself never reads it: it looks only at dm tables, sysfs and ps.
@Suite(
    "hosts in trouble on a real VM: a multipath map with no active path", .serialized,
    .enabled(if: Runnable.labVMs, "needs root and qemu-system-x86_64 to start lab VMs"))
struct DeadMapLabTests {
    static let wwid = "35000c50015ea71ac"

    /// Queueing on, every path offline, then wait until multipathd's checker has failed them all.
    static let killPaths = """
        sed -i 's/find_multipaths yes/find_multipaths yes\\n    no_path_retry queue/' /etc/multipath.conf
        multipathd reconfigure >/dev/null
        i=0
        until dmsetup table mpatha | grep -q queue_if_no_path; do
            i=$((i + 1)); [ $i -lt 300 ] || { echo 'no queue_if_no_path 30 s after reconfigure' >&2; exit 1; }; sleep 0.1
        done
        for path in $(ls /sys/block/dm-0/slaves/); do echo offline > /sys/block/$path/device/state; done
        i=0
        while multipathd show paths format '%t' | grep -q active; do
            i=$((i + 1)); [ $i -lt 60 ] || { echo 'paths still active after 60 s' >&2; exit 1; }; sleep 1
        done
        dmsetup table mpatha | grep -q queue_if_no_path
        """

    /// Processes in uninterruptible sleep, one per line ("PID STAT ARGS").
    static let stuckProcesses = "ps -eo pid=,stat=,args= | awk '$2 ~ /^D/'"

    @Test("plan and apply finish well inside their timeout, name the map and leave nothing stuck; release frees it")
    func deadMap() throws {
        guard let lab = try PrivateLab.start(["d-map:incident"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "d-map"
        #expect(
            try lab.text(host, "dmsetup info -c --noheadings -o name | grep -c '^guestvg-'") == "2",
            "the guest VG is active")
        let killed = try lab.ssh(host, Self.killPaths)
        try #require(killed.status == 0, "\(killed.stderr)")

        let started = Date()
        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--timeout", "100"])
        let planSeconds = Date().timeIntervalSince(started)
        #expect(planSeconds < 60, "plan took \(Int(planSeconds)) s")
        #expect(plan.stdout.contains("\(host): blocked"), "\(plan.stdout.suffix(2000))")
        #expect(
            plan.stdout.contains("multipath map mpatha (wwid \(Self.wwid)) has no active path"),
            "\(plan.stdout.suffix(2000))")
        #expect(plan.stdout.contains("queueing I/O"))
        #expect(try lab.text(host, Self.stuckProcesses) == "", "nothing is stuck after plan")

        // Default policy: the guest would stay active and apply would fail after changing lvm.conf, so the host is
        // blocked and nothing on it changes.
        let conf = try lab.text(host, "sha256sum /etc/lvm/lvm.conf")
        let applied = try lab.lvmguard([
            "apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes", "--timeout", "100",
        ])
        #expect(applied.status != 0)
        #expect(
            applied.stdout.contains("\(host): blocked") && applied.stdout.contains("(dead_maps: report)"),
            "\(applied.stdout.suffix(2000))")
        #expect(!applied.stdout.contains("config: changed"))
        #expect(try lab.text(host, "sha256sum /etc/lvm/lvm.conf") == conf, "lvm.conf is not changed")
        #expect(try lab.text(host, Self.stuckProcesses) == "", "nothing is stuck after apply")
        #expect(
            try lab.text(host, "dmsetup info -c --noheadings -o open mpatha") == "2", "the guest LVs still hold the map"
        )

        // Monitoring sees it: node_exporter's textfile format, read by Prometheus' own parser.
        let scratch = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let metrics = scratch + "/lvmguard.prom"
        let check = try lab.lvmguard([
            "check", "-i", "INVENTORY", ApplyLabTests.playbook, "--format", "prometheus", "--output", metrics,
        ])
        #expect(check.status == 1, "a check failed: \(check.stdout) \(check.stderr)")
        if let python = PrometheusParser.python {
            let samples = try PrometheusParser.samples(
                try String(contentsOfFile: metrics, encoding: .utf8), python: python)
            #expect(samples["gauge lvmguard_multipath_maps_dead{host=\"\(host)\"}"] == 1, "\(samples)")
            #expect(samples["gauge lvmguard_guest_lvs_active{host=\"\(host)\"}"] == 2)
            #expect(samples["gauge lvmguard_multipath_maps_held{host=\"\(host)\"}"] == 1)
            #expect(samples["gauge lvmguard_check_passed{check=\"no-guest-vgs-active\",host=\"\(host)\"}"] == 0)
            #expect(samples["gauge lvmguard_host_reachable{host=\"\(host)\"}"] == 1)
            #expect((samples["gauge lvmguard_check_last_run_timestamp_seconds{}"] ?? 0) > 1_700_000_000)
        } else {
            #expect(Prerequisite.skipAllowed())
        }

        // dead_maps: release: queueing stopped on that map, the guest LVs' mappings removed, the map free.
        let releasing = scratch + "/release.yaml"
        try (try String(contentsOfFile: ApplyLabTests.playbook, encoding: .utf8) + "dead_maps: release\n")
            .write(toFile: releasing, atomically: true, encoding: .utf8)
        let released = try lab.lvmguard(["apply", "-i", "INVENTORY", releasing, "--yes", "--timeout", "100"])
        #expect(released.status == 0, "\(released.stdout.suffix(2000))")
        #expect(released.stdout.contains("dead-map: changed: released multipath map mpatha"))
        #expect(try lab.text(host, "dmsetup info -c --noheadings -o open mpatha") == "0")
        #expect(try lab.ssh(host, "multipath -f mpatha").status == 0, "os-brick's flush succeeds")
        #expect(try lab.text(host, Self.stuckProcesses) == "")
        let json = try lab.lvmguard(["check", "-i", "INVENTORY", ApplyLabTests.playbook, "--format", "json"])
        let run = try JSONDecoder().decode(CheckRun.self, from: Data(json.stdout.utf8))
        #expect(json.status == 0, "\(json.stdout)")
        #expect(run.hosts.first?.multipathMapsDead == 0 && run.hosts.first?.guestLVsActive == 0)
    }
}
