import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// LVM backends fixed, not exempted (lab/scenarios/nova-lvm.sh): nova with images_type=lvm, the guest's VG inside the
/// instance's disk LV, found and activated by the host because its lvm.conf carries scan_lvs = 1.
@Suite(
    "LVM backends on real hosts: a guest's VG inside a volume LV of the host", .serialized,
    .enabled(if: Runnable.labVMs, "needs root and qemu-system-x86_64 to start lab VMs"))
struct VolumeLabTests {
    static let disk = "nova/9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d_disk"
    /// Every LV, whatever the host's filter says (LVs scanned too).
    static let permissive = "--config 'devices { global_filter = [ \"a|.*|\" ] scan_lvs = 1 use_devicesfile = 0 }'"

    @Test(
        "nova images_type=lvm: the guest's VG inside the instance's disk LV is the guest's (its disk, and the declared volume VG); apply frees the LV; it stays free through a power cycle; nova's VG stays up; day two: a declared disk joins nova's VG"
    )
    func novaImagesLVM() throws {
        guard let lab = try PrivateLab.start(["v-nova:nova-lvm"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "v-nova"
        #expect(
            lab.startForced(host) == nil, "boot activated the guest's VG, not the lab: \(lab.startForced(host) ?? "")")
        let guestVG = try #require(
            VGUUID(try lab.text(host, "vgs --noheadings \(Self.permissive) -o vg_uuid guestvg | tr -d ' '")))
        // The incident's face on this node: the guest's VG active inside the disk, the disk LV held, nova's delete fails.
        #expect(try lab.text(host, "lvs --noheadings -o lv_active guestvg/root | tr -d ' '") == "active")
        let held = try lab.ssh(host, "lvremove --test -y \(Self.disk)")
        #expect(
            held.status != 0 && (held.stdout + held.stderr).contains("is used by another device"),
            "\(held.stdout) \(held.stderr)")

        // Without a declaration the instance's disk already ties it to a guest (rule 1); declared, rule 3 as well.
        try lab.hostVars(host, "lvmguard_volume_vgs: [nova]\n")
        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--format", "json"])
        let planned = try #require(try JSONDecoder().decode(FleetPlan.self, from: Data(plan.stdout.utf8)).hosts.first)
        #expect(planned.status == .changes, "\(planned.reasons)")
        let guest = try #require(planned.ownership?.guestVGs.first { $0.uuid == guestVG })
        #expect(guest.evidence?.instances.contains { $0.hasPrefix("instance-0000002b") } == true, "\(guest)")
        #expect(guest.evidence?.volumeLVs == [Self.disk], "\(guest)")
        #expect(planned.ownership?.hostVGs.map(\.name) == ["nova"])
        #expect(planned.deactivations.map(\.vgUUID) == [guestVG])
        // The filter accepts nova's PV (the local disk) and nothing inside it.
        #expect(
            planned.configEdit?.planned.contains("lvm-pv-uuid-") == true
                && planned.configEdit?.planned.contains("r|.*|") == true)

        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2500))")
        #expect(try lab.text(host, "lvmconfig devices/scan_lvs") == "scan_lvs=0", "LVs no longer scanned for PVs")
        for phase in ["after apply", "after a power cycle"] {
            if phase == "after a power cycle" { #expect(try lab.reboot(host).status == 0) }
            #expect(
                try lab.text(host, "lvs --noheadings \(Self.permissive) -o lv_active guestvg | tr -d ' ' | sort -u")
                    == "",
                "\(phase): the guest's VG is inactive")
            #expect(
                try lab.text(host, "lvs --noheadings -o lv_active \(Self.disk) | tr -d ' '") == "active",
                "\(phase): the instance's disk LV is active")
            #expect(
                try lab.ssh(host, "lvremove --test -y \(Self.disk)").status == 0, "\(phase): nova could delete the disk"
            )
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
        #expect(
            refused.status != 0 && (refused.stdout + refused.stderr).contains("filter"),
            "the filter refuses an undeclared disk: \(refused.stdout) \(refused.stderr)")
        // diagnose names the refusal and the declaration that ends it, by the disk's WWN.
        let diagnosed = try lab.lvmguard(
            ["diagnose", "-i", "INVENTORY", ApplyLabTests.playbook, "--host", host, "--device", "/dev/sda"])
        #expect(
            diagnosed.status == 5 && diagnosed.stdout.contains("lvmguard_accept: [\"\(disk)\"]"),
            "\(diagnosed.stdout) \(diagnosed.stderr)")
        try lab.hostVars(host, "lvmguard_volume_vgs: [nova]\nlvmguard_accept: [\(disk)]\n")
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

    static let volume = "volume-9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d"
    static let iqn = "iqn.2010-10.org.openstack:\(volume)"
    static let backstore = "/sys/kernel/config/target/core/iblock_0/\(volume)"
    static let attached = "/dev/disk/by-path/ip-127.0.0.1:3260-iscsi-\(iqn)-lun-0"
    /// The guest's file, read through the guest's own path (the iSCSI disk): its VG activated there alone, read-only.
    static let guestFileSum = """
        d=$(readlink -f \(attached)) && c="devices { scan_lvs = 0 use_devicesfile = 0 filter = [ \\"a|^$d\\$|\\", \\"r|.*|\\" ] \
        global_filter = [ \\"a|^$d\\$|\\", \\"r|.*|\\" ] }" && vgchange -q --config "$c" -ay guestvg >/dev/null && \
        mount -o ro /dev/guestvg/data /mnt && sha256sum < /mnt/guest-data; umount /mnt; vgchange -q --config "$c" -an guestvg >/dev/null
        """

    @Test(
        "a converged cinder node (LIO export attached back over iSCSI, scan_lvs = 1): the guest's VG inside the volume is the guest's; apply takes it down so the export can claim the volume; after a power cycle it stays down on both paths, the export and the attachment are back, the guest's data intact, the plan in sync; unexported, the volume LV is free"
    )
    func convergedCinder() throws {
        guard let lab = try PrivateLab.start(["v-cinder:cinder-converged"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "v-cinder", lv = "cinder-volumes/\(Self.volume)"
        #expect(
            lab.startForced(host) == nil, "boot activated the guest's VG, not the lab: \(lab.startForced(host) ?? "")")
        let guestVG = try #require(
            VGUUID(try lab.text(host, "vgs --noheadings \(Self.permissive) -o vg_uuid guestvg | tr -d ' '")))
        let guestSum = try lab.text(host, "seq 1 100000 | sha256sum")
        // The incident's converged face: the host's LVM took the volume first, LIO could not export it.
        #expect(try lab.text(host, "lvs --noheadings -o lv_active guestvg/data | tr -d ' '") == "active")
        #expect(try lab.text(host, "cat \(Self.backstore)/enable") == "0", "LIO could not claim the volume")
        #expect(try lab.ssh(host, "test -b \(Self.attached)").status != 0, "logged in, but no disk behind the session")
        #expect(try lab.ssh(host, "lvremove --test -y \(lv)").status != 0, "cinder cannot delete the volume")
        lab.mark("converged incident")

        try lab.hostVars(host, "lvmguard_volume_vgs: [cinder-volumes]\n")
        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--format", "json"])
        let planned = try #require(try JSONDecoder().decode(FleetPlan.self, from: Data(plan.stdout.utf8)).hosts.first)
        #expect(planned.status == .changes, "\(planned.reasons)")
        #expect(planned.ownership?.guestVGs.first { $0.uuid == guestVG }?.evidence?.volumeLVs == [lv])
        #expect(planned.deactivations.map(\.vgUUID) == [guestVG])
        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2500))")
        // The volume free, the export claims it and the host logs in to it, as its next boot does.
        // (The session came up at boot with no LUN behind it: a rescan finds the new one.)
        #expect(
            try lab.ssh(
                host,
                "systemctl restart lab-target && iscsiadm -m session --rescan >/dev/null "
                    + "&& udevadm settle && test -b \(Self.attached)"
            ).status == 0)
        for phase in ["after apply", "after a power cycle"] {
            if phase == "after a power cycle" { #expect(try lab.reboot(host).status == 0) }
            #expect(try lab.text(host, "cat \(Self.backstore)/enable") == "1", "\(phase): LIO exports the volume")
            #expect(try lab.ssh(host, "test -b \(Self.attached)").status == 0, "\(phase): attached over iSCSI")
            #expect(
                try lab.text(host, "lvs --noheadings \(Self.permissive) -o lv_active guestvg | tr -d ' ' | sort -u")
                    == "",
                "\(phase): the guest's VG is inactive on both paths")
            #expect(try lab.text(host, "lvs --noheadings -o lv_active \(lv) | tr -d ' '") == "active", "\(phase)")
            #expect(
                try lab.text(host, Self.guestFileSum) == guestSum, "\(phase): the guest's data, read through its path")
            let again = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--detailed-exitcode"])
            #expect(
                again.status == 0 && again.stdout.contains("one volume seen twice"),
                "\(phase): in sync: \(again.stdout.suffix(2000))")
            lab.mark(phase)
        }
        // cinder deletes the volume: detached and unexported, nothing of the host holds it.
        let unexport =
            "iscsiadm -m node -T \(Self.iqn) -p 127.0.0.1:3260 --logout >/dev/null && t=/sys/kernel/config/target/iscsi/"
            + "\(Self.iqn) && rm \"$t\"/tpgt_1/lun/lun_0/lab && rmdir \"$t\"/tpgt_1/lun/lun_0 \"$t\"/tpgt_1/np/* \"$t\"/tpgt_1 \"$t\" "
            + "\(Self.backstore)"
        #expect(try lab.ssh(host, unexport).status == 0)
        let removable = try lab.ssh(host, "lvremove --test -y \(lv)")
        #expect(removable.status == 0, "the volume LV is free: \(removable.stderr)")
    }
}
