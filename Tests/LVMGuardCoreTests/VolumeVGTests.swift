import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// Rule 3 of the evidence, `lvmguard_volume_vgs`, from the `nova-lvm` lab host's real facts (Fixtures/README.md): nova's
/// VG on the local disk, instance-0000002b's disk an LV of it, the guest's VG inside that LV, scan_lvs = 1.
@Suite("Volume VGs: a VG inside a declared volume VG's LV is a guest's")
struct VolumeVGTests {
    static let fixture = "nova-lvm"
    static let disk = "nova/9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d_disk"

    @Test("declared: the guest's VG carries the volume LV it sits in; nova stays the host's; deactivated by UUID")
    func declared() throws {
        let facts = try Fixture.facts(Self.fixture)
        let plan = Planner.plan(
            Fixture.host("v-nova", variables: ["lvmguard_volume_vgs: [nova]"]), facts: facts, desired: Fixture.desired()
        )
        #expect(plan.status == .changes, "\(plan.reasons)")
        let guest = try #require(plan.ownership?.guestVGs.first)
        #expect(guest.name == "guestvg")
        #expect(guest.evidence?.volumeLVs == [Self.disk])
        // Where it is: inside the volume LV, which is on the local disk; never "on local /dev/vdb" as if it were nova's.
        #expect(
            guest.storage == [.insideLV(lv: Self.disk, under: .disk(device: "/dev/vdb", transport: .local))],
            "\(guest.storage)")
        #expect(
            PlanReport.text(FleetPlan(playbook: "", inventory: "", policy: "", hosts: [plan]), colored: false)
                .contains("on LV \(Self.disk) (on local /dev/vdb):"))
        #expect(guest.evidence?.summary.contains("inside volume LV \(Self.disk) (lvmguard_volume_vgs)") == true)
        let nova = try #require(plan.ownership?.hostVGs.first { $0.name == "nova" })
        #expect(nova.reasons.contains("declared in lvmguard_volume_vgs: its LVs are guests' disks"), "\(nova.reasons)")
        #expect(plan.deactivations.map(\.vgUUID) == [guest.uuid])
    }

    @Test("without the instance's definition, the declaration alone makes it a guest's; without both, a person decides")
    func declarationAlone() throws {
        let facts = try Fixture.facts(Self.fixture) { sections in
            sections["libvirt-xml"] = sections["libvirt-xml"]!.with(stdout: "")
        }
        let declared = Planner.plan(
            Fixture.host("v-nova", variables: ["lvmguard_volume_vgs: [nova]"]), facts: facts, desired: Fixture.desired()
        )
        #expect(declared.ownership?.guestVGs.map(\.name) == ["guestvg"], "\(declared.reasons)")
        #expect(declared.ownership?.guestVGs.first?.evidence?.instances == [])
        let undeclared = Planner.plan(Fixture.host("v-nova"), facts: facts, desired: Fixture.desired())
        #expect(undeclared.status == .blocked, "\(undeclared.reasons)")
        #expect(undeclared.ownership?.guestVGs.isEmpty == true)
    }

    @Test("the volume VG's own LVs are never a guest's, nor is the volume VG, whatever is inside")
    func volumeVGItself() throws {
        let facts = try Fixture.facts(Self.fixture)
        let ownership = Ownership(model: HostModel(facts), declaredVGs: [], accept: [], volumeVGs: ["nova"])
        #expect(ownership.hostVGs.map(\.name) == ["nova"])
        #expect(!ownership.guestVGs.contains { $0.name == "nova" })
        #expect(
            ownership.hostPVs.allSatisfy { !$0.contains("nova") && !$0.hasPrefix("/dev/dm-") }, "\(ownership.hostPVs)")
    }

    @Test("a volume declaration naming no VG warns in its own words")
    func missingVolumeVG() throws {
        let plan = Planner.plan(
            Fixture.host("v-nova", variables: ["lvmguard_volume_vgs: [nova, cinder-volumes]"]),
            facts: try Fixture.facts(Self.fixture),
            desired: Fixture.desired())
        #expect(plan.warningKinds.contains(.missingVolumeDeclaration(name: "cinder-volumes")))
        #expect(
            plan.warnings.map(\.message).contains(
                "lvmguard_volume_vgs names 'cinder-volumes', but the host has no such VG"),
            "\(plan.warnings.map(\.message))")
    }

    /// The nova-lvm host as LVM 2.03 reports it: scan_lvs = 1 in effect (the fixture predates the key's section).
    static func scanningLVs(beside: String? = nil) throws -> HostFacts {
        try Fixture.facts(Self.fixture) { sections in
            sections["config:devices/scan_lvs"] = FactSection(
                name: "config:devices/scan_lvs", status: 0, stdout: "scan_lvs=1\n", stderr: "")
            if let beside {
                let text = "== /etc/lvm/lvmlocal.conf\n" + Data(beside.utf8).base64EncodedString() + "\n"
                sections["lvm-conf-beside"] = FactSection(name: "lvm-conf-beside", status: 0, stdout: text, stderr: "")
            }
        }
    }

    @Test("scan_lvs = 1 in lvm.conf is planned off beside the filter, in one edit; in sync once it is")
    func scanLVsOff() throws {
        let plan = Planner.plan(Fixture.host("v-nova"), facts: try Self.scanningLVs(), desired: Fixture.desired())
        let edit = try #require(plan.configEdit)
        #expect(edit.key == "devices/global_filter")
        #expect(edit.alsoSets == [HostPlan.SettingChange(key: "devices/scan_lvs", current: "1", planned: "0")])
        #expect(edit.diff.contains("-\tscan_lvs = 1") && edit.diff.contains("+\tscan_lvs = 0"), "\(edit.diff)")
        #expect(edit.diff.contains("+\tglobal_filter = "))
        #expect(
            PlanReport.text(FleetPlan(playbook: "", inventory: "", policy: "", hosts: [plan]), colored: false)
                .contains("  devices/scan_lvs: 1 -> 0"))
        // Applied: the planned lvm.conf in place, scan_lvs 0 in effect: nothing left to change.
        let applied = try Fixture.facts(Self.fixture) { sections in
            sections["lvm-conf"] = sections["lvm-conf"]?.with(stdout: edit.plannedText)
            sections["lvm-conf-base64"] = sections["lvm-conf-base64"]?.with(
                stdout: Data(edit.plannedText.utf8).base64EncodedString() + "\n")
            sections["config:devices/scan_lvs"] = FactSection(
                name: "config:devices/scan_lvs", status: 0, stdout: "scan_lvs=0\n", stderr: "")
        }
        let again = Planner.plan(Fixture.host("v-nova"), facts: applied, desired: Fixture.desired())
        #expect(again.configEdit == nil, "\(again.configEdit?.diff ?? "")")
    }

    @Test("scan_lvs set beside lvm.conf (lvmlocal.conf) is left alone, neither changed nor fought")
    func scanLVsSetBeside() throws {
        let facts = try Self.scanningLVs(beside: "devices {\n\tscan_lvs = 1\n}\n")
        let plan = Planner.plan(Fixture.host("v-nova"), facts: facts, desired: Fixture.desired())
        #expect(plan.status == .changes, "\(plan.reasons)")
        #expect(plan.configEdit?.alsoSets == [])
    }
}
