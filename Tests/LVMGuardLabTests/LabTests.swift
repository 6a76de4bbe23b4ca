import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// The lab's VMs reproduce the incident for real: real kernel, device-mapper, multipath, LVM autoactivation.
@Suite(
    "Lab VMs: the incident and a host with its own LVM, for real",
    .enabled(if: Runnable.sharedLab, "needs the shared lab running: scripts/test.sh starts it with lab/start.sh"))
struct LabTests {
    @Test("incident host: the guest VG is active on the multipath map, which is held open and cannot be flushed")
    func incident() throws {
        guard let host = LabHost.running("incident") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        #expect(host.startForced == nil, "boot autoactivated the guest VG, not the lab: \(host.startForced ?? "")")
        let lvs = try host.run("lvs --noheadings -o vg_name,lv_active,devices guestvg")
        #expect(lvs.status == 0, "\(lvs.stderr)")
        #expect(lvs.stdout.contains("active") && lvs.stdout.contains("/dev/mapper/mpatha"))
        let open = try #require(try host.openCount("mpatha"))
        #expect(open >= 1, "dmsetup info shows the map held open")
        let flush = try host.flushMultipath("mpatha")
        #expect(flush.status != 0)
        #expect(flush.output.contains("map in use"), "\(flush.output)")
        // The flush failed, so the map is still there.
        #expect(try host.run("test -e /dev/mapper/mpatha").status == 0)
    }

    @Test(
        "diagnose from os-brick's log line or the instance: map, open count, guest VG by UUID, nova's instance; exit 4; read-only"
    )
    func diagnose() throws {
        guard let host = LabHost.running("incident") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        // Nova's instance with the volume attached: a paused qemu that libvirt started with the map as disk vdb.
        let start = try host.run("systemctl start libvirtd && virsh start --paused \(Self.instanceName) >/dev/null")
        defer { _ = try? host.run("virsh destroy \(Self.instanceName); systemctl stop libvirtd") }
        try #require(start.status == 0, "the lab's instance starts: \(start.stderr)")
        let before = try host.lvmState()
        let guestVG = try host.run("vgs --noheadings -o vg_uuid guestvg").stdout.trimmingCharacters(
            in: .whitespaces.union(.newlines))
        let wwid = try host.run("dmsetup info -c --noheadings -o uuid mpatha").stdout.trimmingCharacters(
            in: .whitespacesAndNewlines
        )
        .replacingOccurrences(of: "mpath-", with: "")
        let line =
            "ERROR os_brick.initiator.linuxscsi [req-7] multipath -f /dev/disk/by-id/dm-uuid-mpath-\(wwid) failed: "
            + "Exit code: 1 Stderr: 'mpatha: map in use'"
        let result = try LabHost.lvmguard([
            "diagnose", "-i", LabHost.inventory, ApplyLabTests.playbook, "--host", host.name,
            "--log-line", line, "--format", "json",
        ])
        #expect(result.status == 4, "held by host LVM: \(result.stdout.suffix(1500)) \(result.stderr.suffix(500))")
        let diagnosis = try JSONDecoder().decode(Diagnosis.self, from: Data(result.stdout.utf8))
        #expect(diagnosis.map == "mpatha" && diagnosis.wwid?.rawValue == wwid)
        #expect(diagnosis.guestVGs == ["guestvg (\(guestVG))"], "\(diagnosis.guestVGs)")
        #expect(
            !diagnosis.holders.isEmpty
                && diagnosis.holders.allSatisfy { $0.owner == "guest" && $0.lv?.contains(guestVG) == true })
        let instance = HostFacts.LibvirtDisk(
            domain: Self.instanceName, domainUUID: Self.instanceUUID, target: "vdb",
            source: "/dev/disk/by-id/dm-uuid-mpath-\(wwid)")
        #expect(diagnosis.instances == [instance], "\(diagnosis.instances)")
        // Each guest LV on the map and the instance's qemu hold it open, as the kernel counts.
        let directHolders = diagnosis.holders.filter { $0.depth == 1 }.count
        let kernelCount = try host.openCount("mpatha")
        #expect(
            diagnosis.openCount == directHolders + 1 && diagnosis.openCount == kernelCount,
            "open count \(String(describing: diagnosis.openCount)), \(directHolders) LVs and the instance")
        #expect(diagnosis.plan.status == .changes)
        // From what `openstack server show` gives the SRE: the instance's UUID.
        let text = try LabHost.lvmguard([
            "diagnose", "-i", LabHost.inventory, ApplyLabTests.playbook, "--host", host.name,
            "--instance", Self.instanceUUID,
        ])
        let instanceLine = "instance \(Self.instanceName) (\(Self.instanceUUID)) has it as disk vdb"
        #expect(
            text.status == 4 && text.stdout.contains("multipath map mpatha") && text.stdout.contains("held by host LVM")
                && text.stdout.contains("host LVM activated guest VG guestvg") && text.stdout.contains(instanceLine),
            "\(text.stdout)")
        #expect(try host.lvmState() == before, "diagnose changed nothing")
    }

    /// The incident scenario's nova instance (lab/scenarios/incident.sh).
    static let instanceName = "instance-0000002a", instanceUUID = "0f3c6d52-8a4e-4b7e-9b1d-2e6a5c7d8f90"

    @Test("host-lvm host boots with its own VG active, its LV mounted and its swap on")
    func hostLVM() throws {
        guard let host = LabHost.running("host-lvm") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        #expect(
            host.startForced == nil, "boot activated and mounted the host's VG, not the lab: \(host.startForced ?? "")")
        let mount = try host.run("findmnt -n -o SOURCE /srv/data")
        #expect(mount.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "/dev/mapper/hostvg-data")
        let active = try host.run("lvs --noheadings -o lv_active hostvg")
        #expect(
            active.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) } == [
                "active", "active",
            ])
        let swap = try host.run("swapon --noheadings --show=NAME")
        let swapDevice = try host.run("readlink -f /dev/hostvg/swap").stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(swap.stdout.contains(swapDevice) && !swapDevice.isEmpty)
        // The guest VG on the LUN is active here too: the host-lvm host is also affected.
        #expect(try host.openCount("mpatha") ?? 0 >= 1)
    }
}
