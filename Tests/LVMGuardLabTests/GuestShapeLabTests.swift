import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// Guests as they are built, on real VMs: LVM's own stacking inside a guest's VG (thin pool, snapshots, RAID, cache)
/// on a partitioned volume is not a use, and one apply frees every map.
@Suite(
    "Guests as they are built: a cloud image's thin pool, snapshots, RAID1 and cache on a partitioned volume",
    .serialized, .enabled(if: Runnable.labVMs, "needs root and qemu-system-x86_64 to start lab VMs"))
struct GuestShapeLabTests {
    static let permissive = "--config 'devices { global_filter = [ \"a|.*|\" ] use_devicesfile = 0 }'"
    /// The two volumes' WWIDs (lab/scenarios/cloud-guest.sh): the first is partitioned, the guest's PV on part 2.
    static let wwids = ["35000c50015ea71ac", "35000c50015ea71ad"]
    /// LVM as the guest sees it: only its partition and its second volume.
    static let guestView =
        "--config 'devices { use_devicesfile = 0 global_filter = [ \"a|part2-mpath-35000c50015ea71ac$|\", "
        + "\"a|dm-uuid-mpath-35000c50015ea71ad$|\", \"r|.*|\" ] filter = [ \"a|.*|\" ] }'"

    @Test(
        "one apply deactivates the whole guest, thin pool and all; every map flushes; the data reads back after a power cycle"
    )
    func cloudImageGuest() throws {
        guard let lab = try PrivateLab.start(["n-cloud:cloud-guest"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "n-cloud"
        #expect(lab.startForced(host) == nil, "boot autoactivated the guest's VG by itself")
        func mapName(_ wwid: String) throws -> String {
            try lab.text(host, "dmsetup info -c --noheadings -o name -u mpath-\(wwid)")
        }
        func activeGuestLVs() throws -> String {
            try lab.text(
                host, "lvs -a --noheadings \(Self.permissive) -o lv_name,lv_active centos | grep -w active || true")
        }
        let before = try lab.ssh(host, "multipath -f \(try mapName(Self.wwids[0]))")
        #expect(before.status != 0, "host LVM holds the partitioned volume")

        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--format", "json"])
        let planned = try #require(try JSONDecoder().decode(FleetPlan.self, from: Data(plan.stdout.utf8)).hosts.first)
        #expect(planned.status == .changes, "\(planned.reasons)")
        let guest = try #require(planned.deactivations.first { $0.vgName == "centos" })
        #expect(guest.lvs.allSatisfy { !$0.open }, "LVM's own stacking is not a use: \(guest.lvs)")
        lab.mark("planned")

        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "one apply fixes the host: \(applied.stdout.suffix(2500))")
        #expect(try activeGuestLVs() == "", "nothing of the guest is active, hidden sub-LVs included")
        #expect(try lab.text(host, "dmsetup ls | grep -c '^centos-' || true") == "0")
        // os-brick's flush of each volume's map (multipath -f, partition maps removed with it).
        for wwid in Self.wwids {
            let name = try mapName(wwid)
            let flush = try lab.ssh(host, "multipath -f \(name)")
            #expect(flush.status == 0, "\(name): \(flush.stdout)\(flush.stderr)")
        }
        lab.mark("applied and flushed")

        // A power cycle: the maps come back, host LVM leaves the guest alone, the plan is in sync.
        #expect(try lab.reboot(host).status == 0)
        #expect(try activeGuestLVs() == "", "nothing of the guest autoactivated at boot")
        let again = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--detailed-exitcode"])
        #expect(again.status == 0, "in sync after the power cycle: \(again.stdout.suffix(1500))")

        // The guest's data is intact: its VG, as the guest sees it, read back through the maps, snapshots included.
        let read = try lab.ssh(
            host,
            "vgchange -q -ay \(Self.guestView) centos >/dev/null && for lv in root root_snap home home_snap mirror cached; "
                + "do printf '%s=' $lv; head -n 1 /dev/centos/$lv; done; vgchange -q -an \(Self.guestView) centos >/dev/null"
        )
        #expect(read.status == 0, "\(read.stderr)")
        #expect(
            read.stdout.split(separator: "\n").map(String.init) == [
                "root=cloud-guest root", "root_snap=cloud-guest root", "home=cloud-guest home",
                "home_snap=cloud-guest home", "mirror=cloud-guest mirror", "cached=cloud-guest cached",
            ])
        for wwid in Self.wwids {
            let name = try mapName(wwid)
            #expect(try lab.ssh(host, "multipath -f \(name)").status == 0, "\(name) flushes after the power cycle")
        }
    }
}
