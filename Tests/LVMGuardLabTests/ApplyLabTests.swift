import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

@Suite(
    "apply on real hosts: exactly the plan, atomic, idempotent, verified, through reboots", .serialized,
    .enabled(if: Runnable.labVMs, "needs root and qemu-system-x86_64 to start lab VMs"))
struct ApplyLabTests {
    static let playbook = LabHost.repository + "/playbooks/lab.yaml"

    @Test("incident fixed for good; host-lvm keeps its LVM; a stale host is refused; a second apply changes nothing")
    func applyOnLab() throws {
        guard let lab = try PrivateLab.start(["a-incident:incident", "a-hostlvm:host-lvm"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let (incident, hostLVM) = ("a-incident", "a-hostlvm")
        let before = try lab.ssh(incident, "multipath -f mpatha")
        #expect(before.status != 0 && (before.stdout + before.stderr).contains("map in use"))

        // A saved plan, then a hand edit on host-lvm: that host must be refused as stale, untouched.
        let planFile = lab.state + "/plan.json"
        let plan = try lab.lvmguard([
            "plan", "-i", "INVENTORY", Self.playbook, "--out", planFile, "--detailed-exitcode",
        ])
        #expect(plan.status == 2, "\(plan.stdout.suffix(1500))")
        _ = try lab.ssh(hostLVM, "echo '# edited by hand' >> /etc/lvm/lvm.conf")
        let handEdited = try lab.text(hostLVM, "sha256sum /etc/lvm/lvm.conf")
        let applied = try lab.lvmguard(["apply", "--plan", planFile, "--yes"])
        #expect(applied.status == 1, "stale host makes the run fail: \(applied.stdout.suffix(1500))")
        #expect(applied.stdout.contains("\(hostLVM): stale"))
        #expect(applied.stdout.contains("\(incident): changed"))
        #expect(try lab.text(hostLVM, "sha256sum /etc/lvm/lvm.conf") == handEdited, "stale host left untouched")
        #expect(
            try lab.text(hostLVM, "ls /etc/lvm | grep -c lvmguard || true") == "0",
            "no backup or journal on the stale host")

        // The incident is gone: guest VG inactive, map free, flush works, lvmconfig has the planned filter.
        #expect(try lab.text(incident, "lvmconfig devices/global_filter") == #"global_filter="r|.*|""#)
        #expect(try lab.text(incident, "dmsetup info -c --noheadings -o open mpatha") == "0")
        #expect(
            try lab.text(
                incident,
                "lvs --noheadings --config 'devices { global_filter = [ \"a|.*|\" ] }' -o lv_active guestvg | tr -d ' ' | sort -u"
            ) == "")
        #expect(try lab.ssh(incident, "multipath -f mpatha").status == 0)

        // host-lvm, planned afresh, is fixed too and keeps its own VG active and mounted.
        let second = try lab.lvmguard(["apply", "-i", "INVENTORY", Self.playbook, "--yes"])
        #expect(second.status == 0, "\(second.stdout.suffix(1500))")
        #expect(second.stdout.contains("\(hostLVM): changed"))
        #expect(try lab.text(hostLVM, "findmnt -n -o SOURCE /srv/data") == "/dev/mapper/hostvg-data")
        #expect(try lab.text(hostLVM, "dmsetup info -c --noheadings -o open mpatha") == "0")

        // Idempotent: nothing changes, lvm.conf's mtime stays.
        let mtimes = try [incident, hostLVM].map { try lab.text($0, "stat -c %Y /etc/lvm/lvm.conf") }
        let third = try lab.lvmguard(["apply", "-i", "INVENTORY", Self.playbook, "--yes"])
        #expect(third.status == 0)
        #expect(third.stdout.contains("changed=0 failed=0"), "\(third.stdout.suffix(800))")
        #expect(try [incident, hostLVM].map { try lab.text($0, "stat -c %Y /etc/lvm/lvm.conf") } == mtimes)

        // Through a reboot: the guest VG stays inactive, the map is not held. (A host VG kept through a power cycle
        // is proven where names lie too, IdentityLabTests.sameNames, and with swap, devicesFileRenamed: one claim, one
        // boot.)
        #expect(try lab.reboot(incident).status == 0)
        #expect(try lab.text(incident, "dmsetup info -c --noheadings -o open mpatha") == "0")
        #expect(
            try lab.text(
                incident,
                "lvs --noheadings --config 'devices { global_filter = [ \"a|.*|\" ] }' -o lv_active guestvg | tr -d ' ' | sort -u"
            ) == "")
        let check = try lab.lvmguard(["check", "-i", "INVENTORY", Self.playbook])
        #expect(check.status == 0, "\(check.stdout)")

        // rollback puts back what the apply replaced, validated.
        let backup = try lab.text(incident, "ls /etc/lvm/lvm.conf.lvmguard-* | head -n 1")
        let restored = try lab.lvmguard(["rollback", "-i", "INVENTORY", Self.playbook, "--yes"])
        #expect(restored.status == 0, "\(restored.stdout)")
        #expect(
            try lab.text(
                incident, "cmp -s /etc/lvm/lvm.conf \(backup) && lvmconfig --validate >/dev/null 2>&1 && echo restored")
                == "restored")
    }

    @Test(
        "the controller killed during apply: lvm.conf is the old or the new file, never partial, and a rerun converges")
    func interrupted() throws {
        guard let lab = try PrivateLab.start(["k-incident:incident"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "k-incident"
        let port = try String(contentsOfFile: lab.state + "/hosts/\(host)/port", encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        _ = try lab.ssh(host, "cp -p /etc/lvm/lvm.conf /root/lvm.conf.orig")
        let original = try lab.text(host, "sha256sum < /etc/lvm/lvm.conf")
        let permissive = "devices { global_filter = [ \"a|.*|\" ] }"
        let ownConnections = try LabHost.inventoryWithoutSharing(state: lab.state)

        for seconds in [1.0, 3.0, 6.0] {
            // Back to the incident: the original lvm.conf, the guest VG active, no lvmguard files.
            _ = try lab.ssh(
                host,
                "cp -p /root/lvm.conf.orig /etc/lvm/lvm.conf; rm -f /etc/lvm/lvm.conf.lvmguard-* /etc/lvm/lvmguard.journal; "
                    + "vgchange -ay --config '\(permissive)' guestvg >/dev/null; pvscan --cache >/dev/null 2>&1")
            let planFile = lab.state + "/plan.json"
            // lvmguard's own connection, which the kill below cuts (the lab's shared one would outlive its client).
            _ = try lab.lvmguard(["plan", "-i", ownConnections, Self.playbook, "--out", planFile])
            let saved = try Data(contentsOf: URL(fileURLWithPath: planFile))
            let plannedText =
                try #require(
                    ((try JSONSerialization.jsonObject(with: saved) as? [String: Any])?["hosts"] as? [[String: Any]])?
                        .first?["configEdit"] as? [String: Any])["plannedText"] as? String
            let planned = try run(["sha256sum"], stdin: plannedText ?? "").stdout.trimmingCharacters(
                in: .whitespacesAndNewlines)

            let apply = try Child.spawn([
                LabHost.repository + "/.build/debug/lvmguard", "apply", "--plan", planFile, "--yes",
            ])
            Thread.sleep(forTimeInterval: seconds)
            // Ctrl-C on the controller, and the connection cut: this host's ssh client killed.
            apply.signal(SIGINT)
            _ = try? run(["pkill", "-KILL", "-f", "ssh .*-p \(port) .*-- 127.0.0.1 sh -s"])
            _ = apply.wait()
            try lab.waitForRunsToEnd(host)

            let now = try lab.text(host, "sha256sum < /etc/lvm/lvm.conf")
            #expect(
                now == original || now == planned, "after \(seconds) s: lvm.conf is neither the old nor the new file")
            #expect(try lab.text(host, "lvmconfig --validate >/dev/null 2>&1 && echo valid") == "valid")
            #expect(
                try lab.text(host, "ls /etc/lvm/ | grep -c 'lvm.conf.lvmguard-new' || true") == "0",
                "no half-written candidate left")

            let rerun = try lab.lvmguard(["apply", "-i", "INVENTORY", Self.playbook, "--yes"])
            #expect(rerun.status == 0, "after \(seconds) s: \(rerun.stdout.suffix(1500))")
            #expect(
                try lab.text(host, "sha256sum < /etc/lvm/lvm.conf") == planned,
                "after \(seconds) s: the rerun converged")
            #expect(try lab.text(host, "dmsetup info -c --noheadings -o open mpatha") == "0")
        }
    }
}
