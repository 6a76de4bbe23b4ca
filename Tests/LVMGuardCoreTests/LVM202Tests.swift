import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// CentOS 7's LVM: 2.02.180 with lvmetad. The facts are the gather script's real output on that LVM
/// (Fixtures/README.md); its two VGs sit on loop devices, so where a test needs a guest it says how it
/// presents /dev/loop1 as a SAN disk.
@Suite("LVM 2.02 + lvmetad (CentOS 7): plan, apply, settle")
struct LVM202Tests {
    static let fixture = "lvm-2.02.180-lvmetad"
    static let hostVG: VGUUID = "47kNoo-atcS-4Oib-vdzP-Xpf3-z41u-6YVkxL"
    static let guestVG: VGUUID = "QCK9Ff-NMFi-UIF7-Je88-lhDa-atb7-2Dr8f1"

    /// /dev/loop1 presented as an iSCSI disk: its sysfs path rewritten to an iSCSI session's, and lsblk's
    /// TYPE to "disk" (a real iSCSI LUN is a disk); nothing else changes.
    /// loop1 as an iSCSI LUN whose VG a guest made (its LV records the guest as creation host): guest evidence
    /// by another machine's metadata on attachable storage, which these hosts trust (`trustsCreationHost`).
    static func loop1OnISCSI(_ sections: inout [String: FactSection]) {
        let lvs = sections["lvs"]!.stdout.replacingOccurrences(
            of: #""lv_name":"lvguest","#,
            with: #""lv_name":"lvguest", "lv_host":"cirros-guest","#)
        sections["lvs"] = sections["lvs"]!.with(stdout: lvs)
        let sysfs = sections["sysfs-block"]!.stdout.replacingOccurrences(
            of: "loop1 /sys/devices/virtual/block/loop1",
            with: "loop1 /sys/devices/platform/host3/session1/target3:0:0/3:0:0:1/block/loop1")
        sections["sysfs-block"] = sections["sysfs-block"]!.with(stdout: sysfs)
        let lsblk = sections["lsblk"]!.stdout.replacingOccurrences(
            of: #"NAME="loop1" KNAME="loop1" TYPE="loop""#,
            with: #"NAME="loop1" KNAME="loop1" TYPE="disk""#)
        sections["lsblk"] = sections["lsblk"]!.with(stdout: lsblk)
    }

    /// Host variables that let a foreign creation host alone on attachable storage decide (`loop1OnISCSI`).
    static let trustsCreationHost = ["lvmguard_trust_creation_host: true"]

    static func plan(
        hostVGs: [String] = [], _ extra: String = "", _ change: (inout [String: FactSection]) -> Void = { _ in }
    )
        throws -> HostPlan
    {
        Planner.plan(
            Fixture.host("c7", hostVGs: hostVGs, variables: trustsCreationHost),
            facts: try Fixture.facts(fixture, change),
            desired: Fixture.desired(extra))
    }

    @Test("as captured: blocked only for the two ambiguous VGs, never for LVM 2.02's default filter a|.*/|")
    func asCaptured() throws {
        let facts = try Fixture.facts(Self.fixture)
        #expect(facts.lvmVersion?.description == "2.02.180")
        #expect(facts.settings["devices/global_filter"] == .list([.string("a|.*/|")]))
        let plan = try Self.plan()
        #expect(plan.status == .blocked)
        #expect(plan.blockers.count == 2)
        #expect(
            plan.blockerKinds.allSatisfy {
                if case let .unclassifiedVG(vg) = $0 { vg.name.hasPrefix("vg") } else { false }
            },
            "\(plan.reasons)")
        #expect(!plan.blockerKinds.contains { if case .filterSetElsewhere = $0 { true } else { false } })
    }

    @Test("declared host VG and a SAN guest: global_filter, pvscan --cache, no devices file; then in sync after apply")
    func plansAndSettles() throws {
        let plan = try Self.plan(hostVGs: ["vghost"], "", Self.loop1OnISCSI)
        #expect(plan.status == .changes, "\(plan.reasons)")
        #expect(plan.regime == .filter)
        #expect(plan.devicesFileEdit == nil)
        let edit = try #require(plan.configEdit)
        #expect(edit.key == "devices/global_filter")
        #expect(edit.current == #"[ "a|.*|" ]"#)
        // No identity link was captured (no udev on that machine): the current name, with a warning; 2.02
        // needs no kernel name for boot (lvmetad's pvscan runs after udev made the links).
        #expect(edit.planned == #"[ "a|^/dev/loop0$|", "r|.*|" ]"#)
        #expect(
            plan.warningKinds.contains(
                .noIdentityLink(pv: "/dev/loop0", uuid: "PDLike-iQnT-Mv8C-xODZ-hapY-ggEZ-sv7nzd")))
        #expect(plan.ownership?.guestVGs.map(\.uuid) == [Self.guestVG])
        #expect(plan.ownership?.guestVGs.first?.storage == [.disk(device: "/dev/loop1", transport: .iscsi)])
        #expect(plan.refreshCache)
        #expect(
            plan.commands == [
                "write /etc/lvm/lvm.conf (validated with lvmconfig --validate, tried with pvs, backup kept)",
                "pvscan --cache",
            ])
        #expect(edit.diff.contains("+\tglobal_filter = [ \"a|^/dev/loop0$|\", \"r|.*|\" ]"))

        // The host after apply: the planned lvm.conf, lvmconfig reporting it, lvmetad seeing only vghost.
        let planned = edit.plannedText
        let after = try Self.plan(hostVGs: ["vghost"], "") { sections in
            Self.loop1OnISCSI(&sections)
            sections["lvm-conf"] = sections["lvm-conf"]!.with(stdout: planned)
            sections["config:devices/global_filter"] = sections["config:devices/global_filter"]!
                .with(stdout: #"global_filter=["a|^/dev/loop0$|","r|.*|"]"# + "\n")
        }
        #expect(after.status == .inSync, "\(after.reasons) \(after.commands)")
        #expect(after.configEdit == nil && after.commands.isEmpty)
    }

    @Test("key 'filter' with lvmetad on is refused: lvmetad ignores it")
    func filterKeyRefused() throws {
        let plan = try Self.plan(hostVGs: ["vghost"], "  key: filter\n", Self.loop1OnISCSI)
        #expect(plan.status == .blocked)
        #expect(plan.blockerKinds.contains(.lvmetadIgnoresFilter))
    }

    @Test("an LVM older than 2.02.158 (no JSON reports) is 'unsupported', blocked, not unreachable")
    func tooOld() throws {
        var sections = try Fixture.sections(Self.fixture)
        sections["lvm-version"] = sections["lvm-version"]!.with(
            stdout: "  LVM version:     2.02.130(2)-RHEL7 (2015-10-14)\n")
        sections["pvs"] = sections["pvs"]!.with(stdout: "", status: 3)
        do {
            _ = try HostFacts(sections: sections)
            Issue.record("facts from LVM 2.02.130 were accepted")
        } catch {
            #expect(error.unsupported)
            #expect(
                error.message
                    == "unsupported LVM 2.02.130: lvmguard needs 2.02.158 or later (LVM's JSON reports, --reportformat json)"
            )
            let plan = Planner.unusable("c7", error)
            #expect(plan.status == .blocked)
            #expect(plan.blockerKinds == [.unsupported(message: error.message)])
            #expect(plan.reasons == [error.message])
        }
        #expect(Planner.unusable("c7", FactsError("ssh: connect refused")).status == .unreachable)
    }

    @Test("a dracut copy of the planned lvm.conf, with locking_type and use_lvmetad rewritten, counts as current")
    func dracutCopy() throws {
        let plan = try Self.plan(hostVGs: ["vghost"], "", Self.loop1OnISCSI)
        let planned = try #require(plan.configEdit?.plannedText)
        // dracut's 90lvm module (RHEL 7): inst_simple /etc/lvm/lvm.conf, then these two sed -i, run for real.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lvmguard-dracut-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let copy = directory + "/lvm.conf"
        try planned.write(toFile: copy, atomically: false, encoding: .utf8)
        for expression in [
            #"s/\(^[[:space:]]*\)locking_type[[:space:]]*=[[:space:]]*[[:digit:]]/\1locking_type = 4/"#,
            #"s/\(^[[:space:]]*\)use_lvmetad[[:space:]]*=[[:space:]]*[[:digit:]]/\1use_lvmetad = 0/"#,
        ] {
            #expect(try run(["sed", "-i", "-e", expression, copy]).status == 0)
        }
        let rewritten = try String(contentsOfFile: copy, encoding: .utf8)
        #expect(rewritten != planned)
        #expect(rewritten.contains("\tlocking_type = 4\n") && rewritten.contains("\tuse_lvmetad = 0\n"))
        #expect(OwnedSettings.agree(planned, rewritten))
        // The same copy taken before the change (the old, unset filter) is stale.
        #expect(!OwnedSettings.agree(planned, try Fixture.facts(Self.fixture).lvmConf.text))

        // The plan after apply, with that copy in the initramfs: nothing to rebuild, initramfs-current passes.
        let after = try Self.plan(hostVGs: ["vghost"], "initramfs: rebuild-if-needed\n") { sections in
            Self.loop1OnISCSI(&sections)
            sections["lvm-conf"] = sections["lvm-conf"]!.with(stdout: planned)
            sections["config:devices/global_filter"] = sections["config:devices/global_filter"]!
                .with(stdout: #"global_filter=["a|^/dev/loop0$|","r|.*|"]"# + "\n")
            sections["initramfs"] = sections["initramfs"]!.with(
                stdout: "dracut /boot/initramfs-3.10.0-957.el7.x86_64.img\n")
            sections["initramfs-lvm-conf"] = FactSection(
                name: "initramfs-lvm-conf", status: 0, stdout: rewritten, stderr: "")
        }
        #expect(after.status == .inSync, "\(after.commands)")
        #expect(after.initramfs == nil)
    }
}
