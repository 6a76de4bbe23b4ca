import Foundation
import Testing
import LVMGuardCore
@testable import LVMGuardTestSupport

/// The host's /etc (its LVM directory) full or read-only, on loopback fleet hosts: real sshd, the real remote script,
/// real file systems (a filled tmpfs, a read-only bind mount).
@Suite(
    "Fleet: /etc full or read-only during apply", .serialized,
    .enabled(if: Runnable.fleet, "needs root and sshd for the loopback fleet"))
struct FullDiskFleetTests {
    @Test(
        "/etc full and /etc read-only: apply fails naming the file system, lvm.conf unchanged and nothing left beside it; freed, a rerun converges"
    )
    func fullAndReadOnly() throws {
        guard let fleet = try FleetApplyTests.LoopbackFleet.start(3) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { fleet.stop() }
        let full = fleet.state + "/hosts/fleet-002/etc/lvm", readOnly = fleet.state + "/hosts/fleet-003/etc/lvm"
        let before = try [full, readOnly].map { try String(contentsOfFile: $0 + "/lvm.conf", encoding: .utf8) }
        // fleet-002: its LVM directory on a small tmpfs holding its files, then filled.
        let saved = try temporaryDirectory()
        defer {
            _ = try? run(["umount", full])
            _ = try? run(["umount", readOnly])
            try? FileManager.default.removeItem(atPath: saved)
        }
        #expect(try run(["cp", "-a", full + "/.", saved]).status == 0)
        try #require(try run(["mount", "-t", "tmpfs", "-o", "size=1m", "lvmguard-etc-full", full]).status == 0)
        #expect(try run(["cp", "-a", saved + "/.", full]).status == 0)
        _ = try run(["dd", "if=/dev/zero", "of=\(full)/fill", "bs=4k"])
        // fleet-003: its LVM directory bound over itself, read-only.
        try #require(try run(["mount", "--bind", readOnly, readOnly]).status == 0)
        try #require(try run(["mount", "-o", "remount,bind,ro", readOnly]).status == 0)

        let inventory = try fleet.inventory(3)
        let apply = try LabHost.lvmguard([
            "apply", "-i", inventory, FleetApplyTests.playbook, "--yes", "--format", "json",
        ])
        #expect(apply.status == 1, "\(apply.stderr.suffix(800))")
        let applied = try JSONDecoder().decode(ApplyRun.self, from: Data(apply.stdout.utf8))
        let outcomes = Dictionary(uniqueKeysWithValues: applied.hosts.map { ($0.host, $0) })
        #expect(outcomes["fleet-001"]?.outcome == .changed)
        for (host, expected) in [("fleet-002", "is full (0 KB free)"), ("fleet-003", "is mounted read-only")] {
            let result = try #require(outcomes[host])
            let failed = result.steps.filter { $0.result == .failed }.map(\.message).joined(separator: "; ")
            #expect(
                result.outcome == .failed
                    && failed.contains("the file system at \(host == "fleet-002" ? full : readOnly) \(expected)")
                    && failed.contains("is unchanged"), "\(host): \(failed)")
            #expect(!failed.contains("uname"), "\(host): \(failed)")
        }
        for (directory, old) in zip([full, readOnly], before) {
            #expect(
                try String(contentsOfFile: directory + "/lvm.conf", encoding: .utf8) == old, "\(directory): unchanged")
            let beside = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasPrefix("lvm.conf.lvmguard") }
            #expect(beside.isEmpty, "\(directory): nothing of the cut run left beside lvm.conf: \(beside)")
        }
        // Freed (the filler removed, the read-only mount gone), a rerun converges and a plan after it is in sync.
        #expect(FileManager.default.isDeletableFile(atPath: full + "/fill"))
        try FileManager.default.removeItem(atPath: full + "/fill")
        #expect(try LVMGuardTestSupport.run(["umount", readOnly]).status == 0)
        let again = try LabHost.lvmguard(["apply", "-i", inventory, FleetApplyTests.playbook, "--yes"])
        #expect(again.status == 0 && again.stdout.contains("changed=2"), "\(again.stdout.suffix(800))")
        let plan = try LabHost.lvmguard(["plan", "-i", inventory, FleetApplyTests.playbook, "--detailed-exitcode"])
        #expect(plan.status == 0, "in sync: \(plan.stdout.suffix(800))")
    }
}
