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

    @Test("nova images_type=lvm: the guest's VG inside the instance's disk LV is the guest's (its disk, and the declared volume VG); apply frees the LV; it stays free through a power cycle; nova's VG stays up")
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
    }
}
