import Foundation
import Testing
@testable import LVMGuardCore

/// LVM backends fixed, not exempted (lab/scenarios/nova-lvm.sh): nova with images_type=lvm, the guest's VG inside the
/// instance's disk LV, found and activated by the host because its lvm.conf carries scan_lvs = 1.
@Suite("LVM backends on real hosts: a guest's VG inside a volume LV of the host", .serialized)
struct VolumeLabTests {
    static let disk = "nova/9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d_disk"
    /// Every LV, whatever the host's filter says (LVs scanned too).
    static let permissive = "--config 'devices { global_filter = [ \"a|.*|\" ] scan_lvs = 1 use_devicesfile = 0 }'"

    @Test("nova images_type=lvm: the guest's VG inside the instance's disk LV is the guest's (its disk, and the declared volume VG); apply frees the LV; it stays free through a power cycle; nova's VG stays up; day two: a declared disk joins nova's VG")
    func novaImagesLVM() throws {
        guard let lab = try PrivateLab.start(["v-nova:nova-lvm"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "v-nova"
        let guestVG = try lab.text(host, "vgs --noheadings \(Self.permissive) -o vg_uuid guestvg | tr -d ' '")
        // The incident's face on this node: the guest's VG active inside the disk, the disk LV held, nova's delete fails.
        #expect(try lab.text(host, "lvs --noheadings -o lv_active guestvg/root | tr -d ' '") == "active")
        let held = try lab.ssh(host, "lvremove --test -y \(Self.disk)")
        #expect(held.status != 0 && (held.stdout + held.stderr).contains("is used by another device"), "\(held.stdout) \(held.stderr)")

        // Without a declaration the instance's disk already ties it to a guest (rule 1); declared, rule 3 as well.
        try FileManager.default.createDirectory(atPath: lab.state + "/host_vars", withIntermediateDirectories: true)
        try "lvmguard_volume_vgs: [nova]\n".write(toFile: lab.state + "/host_vars/\(host).yaml", atomically: true, encoding: .utf8)
        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--format", "json"])
        let planned = try #require(try JSONDecoder().decode(FleetPlan.self, from: Data(plan.stdout.utf8)).hosts.first)
        #expect(planned.status == .changes, "\(planned.reasons)")
        let guest = try #require(planned.ownership?.guestVGs.first { $0.uuid == guestVG })
        #expect(guest.evidence?.instances.contains { $0.hasPrefix("instance-0000002b") } == true, "\(guest)")
        #expect(guest.evidence?.volumeLVs == [Self.disk], "\(guest)")
        #expect(planned.ownership?.hostVGs.map(\.name) == ["nova"])
        #expect(planned.deactivations.map(\.vgUUID) == [guestVG])
        // The filter accepts nova's PV (the local disk) and nothing inside it.
        #expect(planned.configEdit?.planned.contains("lvm-pv-uuid-") == true && planned.configEdit?.planned.contains("r|.*|") == true)

        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2500))")
        for phase in ["after apply", "after a power cycle"] {
            if phase == "after a power cycle" { #expect(try lab.reboot(host).status == 0) }
            #expect(try lab.text(host, "lvs --noheadings \(Self.permissive) -o lv_active guestvg | tr -d ' ' | sort -u") == "",
                    "\(phase): the guest's VG is inactive")
            #expect(try lab.text(host, "lvs --noheadings -o lv_active \(Self.disk) | tr -d ' '") == "active",
                    "\(phase): the instance's disk LV is active")
            #expect(try lab.ssh(host, "lvremove --test -y \(Self.disk)").status == 0, "\(phase): nova could delete the disk")
        }
        let again = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--detailed-exitcode"])
        #expect(again.status == 0, "in sync after the power cycle: \(again.stdout.suffix(1500))")
        try dayTwo(lab, host)
    }

    /// Day two on the same host: the filter refuses a new disk until it is declared in `lvmguard_accept`; declared
    /// and applied, `pvcreate` and `vgextend` succeed, the next apply accepts the new PV by its PV UUID, and nova's VG
    /// comes back whole after a power cycle.
    func dayTwo(_ lab: PrivateLab, _ host: String) throws {
        let disk = "/dev/disk/by-id/wwn-0x5000c50015ea71b0"
        let refused = try lab.ssh(host, "pvcreate -y \(disk)")
        #expect(refused.status != 0 && (refused.stdout + refused.stderr).contains("filter"),
                "the filter refuses an undeclared disk: \(refused.stdout) \(refused.stderr)")
        // diagnose names the refusal and the declaration that ends it, by the disk's WWN.
        let diagnosed = try lab.lvmguard(
            ["diagnose", "-i", "INVENTORY", ApplyLabTests.playbook, "--host", host, "--device", "/dev/sda"])
        #expect(diagnosed.status == 5 && diagnosed.stdout.contains("lvmguard_accept: [\"\(disk)\"]"),
                "\(diagnosed.stdout) \(diagnosed.stderr)")
        try "lvmguard_volume_vgs: [nova]\nlvmguard_accept: [\(disk)]\n".write(
            toFile: lab.state + "/host_vars/\(host).yaml", atomically: true, encoding: .utf8)
        let declared = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(declared.status == 0 && declared.stdout.contains("a|^\(disk)$|"), "\(declared.stdout.suffix(2500))")
        let extended = try lab.ssh(host, "pvcreate -y \(disk) && vgextend nova \(disk)")
        #expect(extended.status == 0, "\(extended.stdout) \(extended.stderr)")
        let settled = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(settled.status == 0, "\(settled.stdout.suffix(2500))")
        #expect(try lab.reboot(host).status == 0)
        #expect(try lab.text(host, "vgs --noheadings -o pv_count,lv_count nova | xargs") == "2 1", "nova whole")
        #expect(try lab.text(host, "lvs --noheadings -o lv_active \(Self.disk) | tr -d ' '") == "active")
        let inSync = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--detailed-exitcode"])
        #expect(inSync.status == 0, "in sync after day two: \(inSync.stdout.suffix(1500))")
    }
}
