import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

@Suite("Transports: attachable is iSCSI, FC, NVMe over fabrics, rbd and nbd; anything else is local")
struct TransportTests {
    static func facts(sysfs: String, nvme: String = "") throws -> HostFacts {
        try Fixture.facts("incident-evidence") { sections in
            sections["sysfs-block"] = sections["sysfs-block"]!.with(stdout: sysfs)
            sections["nvme-controllers"] = FactSection(name: "nvme-controllers", status: 0, stdout: nvme, stderr: "")
        }
    }

    @Test(
        "by sysfs path and controller",
        arguments: [
            ("sda", "sda /sys/devices/platform/host3/session1/target3:0:0/3:0:0:1/block/sda", "", Transport.iscsi),
            // As the gather lists it now: the /sys/block link as it is, resolved by lvmguard.
            ("sda", "sda ../devices/platform/host3/session1/target3:0:0/3:0:0:1/block/sda", "", .iscsi),
            ("sda", "sda ../devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda", "", .local),
            (
                "sda", "sda /sys/devices/pci0000:00/0000:00:1f.0/host2/rport-2:0-3/target2:0:0/2:0:0:1/block/sda", "",
                .fc
            ),
            ("sda", "sda /sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda", "", .local),
            ("nvme1n1", "nvme1n1 /sys/devices/virtual/nvme-fabrics/ctl/nvme1/nvme1n1", "", .nvmeFabrics),
            (
                "nvme0n1", "nvme0n1 /sys/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1",
                "nvme-subsys0 nvme0 tcp\nnvme-subsys0 nvme1 tcp\n", .nvmeFabrics
            ),
            (
                "nvme0n1", "nvme0n1 /sys/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1",
                "nvme-subsys0 nvme0 pcie\nnvme-subsys0 nvme1 pcie\n", .local
            ),
            (
                "nvme0n1", "nvme0n1 /sys/devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1",
                "nvme-subsys0 nvme0 pcie\n", .local
            ),
            ("rbd0", "rbd0 /sys/devices/virtual/block/rbd0", "", .rbd),
            ("nbd3", "nbd3 /sys/devices/virtual/block/nbd3", "", .nbd),
        ])
    func transport(kernelName: String, sysfs: String, nvme: String, expected: Transport) throws {
        let disk = try #require(KernelName(kernelName))
        #expect(Transport.of(disk: disk, facts: try Self.facts(sysfs: sysfs + "\n", nvme: nvme)) == expected)
    }

    @Test(
        "where a disk lives is named once: the plan's storage of a disk carries the transport's own decision",
        arguments: [
            (
                "sda /sys/devices/platform/host3/session1/target3:0:0/3:0:0:1/block/sda", Transport.iscsi,
                "iscsi /dev/sda"
            ),
            (
                "sda /sys/devices/pci0000:00/0000:00:1f.0/host2/rport-2:0-3/target2:0:0/2:0:0:1/block/sda", .fc,
                "fc /dev/sda"
            ),
            (
                "sda /sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda", .local,
                "local /dev/sda"
            ),
        ])
    func storageNamedOnce(sysfs: String, expected: Transport, rendered: String) throws {
        let facts = try Self.facts(sysfs: sysfs + "\n")
        let storage = DeviceTopology(facts).storage(of: "/dev/sda")
        #expect(storage == .disk(device: "/dev/sda", transport: expected))
        #expect(
            storage
                == .disk(
                    device: "/dev/sda", transport: Transport.of(disk: try #require(KernelName("sda")), facts: facts)))
        #expect(PlanReport.describe(storage) == rendered)
    }

    @Test("a /sys/block link resolves to the device's path under /sys/devices")
    func sysfsLink() {
        #expect(HostFacts.sysfsPath("../devices/virtual/block/dm-0") == "/sys/devices/virtual/block/dm-0")
        #expect(HostFacts.sysfsPath("/sys/devices/virtual/block/dm-0") == "/sys/devices/virtual/block/dm-0")
        #expect(HostFacts.sysfsPath("./../devices/x/../block/sda") == "/sys/devices/block/sda")
    }
}
