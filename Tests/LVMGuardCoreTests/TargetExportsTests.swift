import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// The iSCSI targets' own word on which devices they export (Fixtures/README.md: `exports/`).
@Suite("iSCSI exports: LIO's configfs and tgt's listing name the devices a target holds")
struct TargetExportsTests {
    static func fixture(_ name: String) throws -> String {
        try String(contentsOfFile: "\(Fixture.directory)/../exports/\(name)", encoding: .utf8)
    }

    @Test(
        "tgt: the disk LUN's backing store, by target and LUN; the controller LUN (no backing store) and a target without a disk LUN give nothing"
    )
    func tgt() throws {
        let exports = TargetExports.tgt(try Self.fixture("tgtadm-show.txt"))
        #expect(
            exports == [
                TargetExport(
                    server: .tgt, target: "iqn.2010-10.org.openstack:volume-5f1c2e7a-8b3d-4c6e-9f0a-1b2c3d4e5f60",
                    lun: 1,
                    device: "/dev/cinder-volumes/volume-5f1c2e7a-8b3d-4c6e-9f0a-1b2c3d4e5f60")
            ])
        #expect(
            exports.first?.label
                == "iSCSI target iqn.2010-10.org.openstack:volume-5f1c2e7a-8b3d-4c6e-9f0a-1b2c3d4e5f60 LUN 1 (tgt)")
    }

    @Test("nothing from empty or foreign text")
    func empty() {
        #expect(TargetExports.tgt("").isEmpty && TargetExports.lio("").isEmpty)
        #expect(TargetExports.lio("backstore /sys/kernel/config/target/core/iblock_0/x 1 \nlun /a/b\n").isEmpty)
    }

    static let iqn = "iqn.2010-10.org.openstack:volume-9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d"
    static let disk = "/dev/nova/9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d_disk"
    static let guestPV: PVUUID = "lo4MgX-I6tx-GsIj-qOx2-Su5C-y3hf-tP67ug"

    @Test(
        "LIO: the LUN linked to a backstore names its device; a backstore not enabled and linked to no LUN gives nothing"
    )
    func lio() throws {
        let facts = try Fixture.facts("nova-lvm-lio")
        #expect(facts.targetExports == [TargetExport(server: .lio, target: Self.iqn, lun: 0, device: Self.disk)])
        let unlinked = TargetExports.lio(
            "backstore /sys/kernel/config/target/core/iblock_0/v 1 /dev/nova/v\n"
                + "backstore /sys/kernel/config/target/core/iblock_0/w 0 /dev/nova/w\n")
        #expect(unlinked.map(\.label) == ["LIO backstore /dev/nova/v (no LUN)"], "enabled: LIO holds it open")
    }

    /// The nova-lvm host with its disk LV exported through LIO and nothing else telling (no libvirt definition).
    static func exportedOnly(_ lio: Bool = true) throws -> HostFacts {
        try Fixture.facts("nova-lvm-lio") { sections in
            sections["libvirt-xml"] = sections["libvirt-xml"]!.with(stdout: "")
            if !lio { sections["lio-exports"] = sections["lio-exports"]!.with(stdout: "") }
        }
    }

    @Test(
        "rule 4: a VG inside a device an iSCSI target exports is a guest's, whatever else is known; the target's hold explains the LV being open, so the VG under it is the host's"
    )
    func exportedVolume() throws {
        let plan = Planner.plan(Fixture.host("v-nova"), facts: try Self.exportedOnly(), desired: Fixture.desired())
        #expect(plan.status == .changes, "\(plan.reasons)")
        let guest = try #require(plan.ownership?.guestVGs.first)
        #expect(guest.name == "guestvg" && guest.evidence?.instances == [] && guest.evidence?.volumeLVs == [])
        #expect(guest.evidence?.exportedBy == ["iSCSI target \(Self.iqn) LUN 0 (LIO)"])
        #expect(
            guest.evidence?.summary.hasPrefix("inside a device exported by iSCSI target \(Self.iqn) LUN 0 (LIO)")
                == true)
        let nova = try #require(plan.ownership?.hostVGs.first { $0.name == "nova" })
        #expect(
            nova.reasons == [
                "LV 9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d_disk is exported by iSCSI target \(Self.iqn) LUN 0 (LIO)"
            ])
        #expect(plan.configEdit?.planned.contains("lvm-pv-uuid-") == true, "nova's PV accepted by its UUID")
    }

    @Test(
        "without the target's word, the same host is a question for a person: an open LV nothing explains, a VG tied to nothing"
    )
    func withoutExports() throws {
        let plan = Planner.plan(Fixture.host("v-nova"), facts: try Self.exportedOnly(false), desired: Fixture.desired())
        #expect(plan.status == .blocked, "\(plan.reasons)")
        #expect(plan.ownership?.guestVGs.isEmpty == true)
    }

    @Test(
        "a converged node: the guest's PV on the exported LV and on this host's own iSCSI attachment of it is one volume seen twice, not a clone; the guest's on both, the filter accepts neither"
    )
    func convergedNode() throws {
        let facts = try Fixture.facts("cinder-converged")
        #expect(facts.iscsiSessions == ["session1": Self.iqn])
        let export = try #require(facts.targetExports.first)
        #expect(TargetExports.attachments(of: export, facts: facts).map(\.rawValue) == ["sdb"])
        let plan = Planner.plan(Fixture.host("v-conv"), facts: facts, desired: Fixture.desired())
        #expect(plan.status == .changes, "\(plan.reasons)")
        let ownership = Ownership(model: HostModel(facts), declaredVGs: [], accept: [], volumeVGs: [])
        let seen = try #require(ownership.exportedVolumesSeenTwice.first)
        #expect(seen.devices == [Self.disk, "/dev/sdb"] && seen.export == export.label)
        #expect(ownership.duplicatePVs.isEmpty)
        #expect(plan.warningKinds.contains(.exportedVolumeSeenTwice(volume: seen)))
        #expect(plan.ownership?.guestVGs.first?.evidence?.exportedBy == [export.label])
        let filter = try #require(plan.configEdit?.planned)
        #expect(!filter.contains("sdb") && !filter.contains("_disk") && filter.contains("r|.*|"), "\(filter)")
    }

    @Test("without the session's target, the same two devices are a clone for a person to resolve")
    func convergedWithoutSession() throws {
        let facts = try Fixture.facts("cinder-converged") { sections in
            sections["iscsi-sessions"] = sections["iscsi-sessions"]!.with(stdout: "")
        }
        let plan = Planner.plan(Fixture.host("v-conv"), facts: facts, desired: Fixture.desired())
        #expect(plan.status == .blocked)
        #expect(
            plan.blockerKinds.contains {
                if case let .duplicatePV(uuid, _) = $0 { uuid == Self.guestPV } else { false }
            })
    }
}
