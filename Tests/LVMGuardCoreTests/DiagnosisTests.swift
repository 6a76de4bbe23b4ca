import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

@Suite("diagnose: who holds a multipath map, from real gather output")
struct DiagnosisTests {
    static let logLine =
        "2026-11-20 10:12:31.220 7 ERROR os_brick.initiator.linuxscsi [req-1] multipath -f "
        + "/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ac failed: Unexpected error while running command. "
        + "Exit code: 1 Stderr: 'Nov 20 10:12:31 | mpatha: map in use\\n'"

    @Test("os-brick's log line names the map; the incident host's LVM holds it with the guest VG's LVs, by UUID")
    func incident() throws {
        #expect(Diagnosis.Query.wwid(inLogLine: Self.logLine) == "35000c50015ea71ac")
        let facts = try Fixture.facts("incident")
        let diagnosis = Diagnosis.analyze(
            .init(logLine: Self.logLine), host: Fixture.host("lab-incident"), facts: facts, desired: Fixture.desired())
        #expect(diagnosis.verdict == .heldByHostLVM && diagnosis.map == "mpatha" && diagnosis.openCount == 2)
        #expect(diagnosis.guestVGs == ["guestvg (gMD2xM-ZdGA-vrmy-TdFe-1LJS-zo1T-mPeb4D)"])
        #expect(diagnosis.holders.count == 2 && diagnosis.holders.allSatisfy { $0.depth == 1 && $0.owner == "guest" })
        #expect(
            diagnosis.holders.contains {
                $0.lv
                    == "guestvg/data (VG gMD2xM-ZdGA-vrmy-TdFe-1LJS-zo1T-mPeb4D, LV 8iEwEz-pPyJ-PZdo-QqUv-0aT4-vroI-bDquVd)"
            })
        #expect(
            diagnosis.why.first?.hasPrefix("devices/global_filter accepts every device") == true, "\(diagnosis.why)")
        #expect(diagnosis.plan.status == .changes)
        let text = DiagnosisReport.text(diagnosis)
        #expect(
            text.contains("multipath map mpatha (wwid 35000c50015ea71ac), open count 2: held by host LVM"), "\(text)")
        #expect(text.contains("deactivate guest VG guestvg"), "the plan that fixes it: \(text)")
        // The same map by name and by WWID; an unknown WWID is not found.
        for query in [Diagnosis.Query(map: "/dev/mapper/mpatha"), Diagnosis.Query(wwid: "35000c50015ea71ac")] {
            #expect(
                Diagnosis.analyze(query, host: Fixture.host("lab-incident"), facts: facts, desired: Fixture.desired())
                    .verdict == .heldByHostLVM)
        }
        #expect(
            Diagnosis.analyze(
                .init(wwid: "36000"), host: Fixture.host("lab-incident"), facts: facts, desired: Fixture.desired()
            ).verdict == .notFound)
    }

    @Test(
        "nova's instance running on the incident host (captured): found by UUID or name, holding the map beside host LVM"
    )
    func instanceDisk() throws {
        let fixed = try Fixture.facts("clean")
        let free = Diagnosis.analyze(
            .init(map: "mpatha"), host: Fixture.host("lab-clean"), facts: fixed, desired: Fixture.desired())
        #expect(free.verdict == .free || free.verdict == .notFound, "\(free.verdict)")
        let uuid = "0f3c6d52-8a4e-4b7e-9b1d-2e6a5c7d8f90"
        let facts = try Fixture.facts("incident-instance")
        let expected = HostFacts.LibvirtDisk(
            domain: "instance-0000002a", domainUUID: uuid, target: "vdb",
            source: "/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ac")
        // Found from the instance's UUID (what `openstack server show` gives, in any case) and from its libvirt name.
        for query in [uuid.uppercased(), "instance-0000002a"] {
            let diagnosis = Diagnosis.analyze(
                .init(instance: query), host: Fixture.host("lab-incident"), facts: facts,
                desired: Fixture.desired())
            #expect(diagnosis.map == "mpatha" && diagnosis.instances == [expected], "\(query): \(diagnosis.instances)")
            #expect(
                diagnosis.verdict == .heldByHostLVM && diagnosis.openCount == 3, "two guest LVs and the instance's qemu"
            )
            #expect(DiagnosisReport.text(diagnosis).contains("instance instance-0000002a (\(uuid)) has it as disk vdb"))
        }
        #expect(
            Diagnosis.analyze(
                .init(instance: "instance-0000002b"), host: Fixture.host("lab-incident"), facts: facts,
                desired: Fixture.desired()
            ).verdict == .notFound)
    }

    @Test(
        "libvirt disks: a domain's name comes from its UUID line; virsh's header, rule and sourceless disks are no disks"
    )
    func libvirtDiskLines() {
        let uuid = "5d1f0c9e-7a44-4c1b-8e0f-3b2a1c9d8e7f"
        let disks = HostFacts.libvirtDisks(
            """
            domain \(uuid) instance 0001
            disk \(uuid) Type Device Target Source
            disk \(uuid) --------------------------------
            disk \(uuid) file disk vda /var/lib/nova/instances/\(uuid)/disk
            disk \(uuid) file cdrom sda -
            disk 6e2a1d0f-8b55-4d2c-9f10-4c3b2d0e9f80 block disk vdb /dev/sdc
            disk \(uuid)
            """)
        #expect(
            disks == [
                .init(
                    domain: "instance 0001", domainUUID: uuid, target: "vda",
                    source: "/var/lib/nova/instances/\(uuid)/disk"),
                .init(
                    domain: "6e2a1d0f-8b55-4d2c-9f10-4c3b2d0e9f80", domainUUID: "6e2a1d0f-8b55-4d2c-9f10-4c3b2d0e9f80",
                    target: "vdb", source: "/dev/sdc"),
            ])
    }
}
