import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

@Suite(
    "identity on real hosts: shapes where names lie, through apply and a power cycle", .serialized,
    .enabled(if: Runnable.labVMs, "needs root and qemu-system-x86_64 to start lab VMs"))
struct IdentityLabTests {
    static let permissive = "--config 'devices { global_filter = [ \"a|.*|\" ] }'"

    @Test(
        "guest VG and LV named exactly like the host's: the guest LUN is never accepted; the host's LV stays the host's"
    )
    func sameNames() throws {
        guard let lab = try PrivateLab.start(["n-names:same-names"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "n-names"
        // Two VGs named vg0, each with an LV named data; the guest's is on the map.
        let guestUUID = try lab.text(
            host, "pvs --noheadings \(Self.permissive) -o vg_uuid /dev/mapper/mpatha | tr -d ' '")
        let vgs = try lab.text(
            host,
            "vgs --noheadings \(Self.permissive) -o vg_name,vg_uuid 2>/dev/null | awk '{print $1}' | sort | uniq -c | tr -s ' '"
        )
        #expect(vgs == "2 vg0", "\(vgs)")
        #expect(!guestUUID.isEmpty)

        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook])
        #expect(
            !plan.stdout.contains("mpath") || !plan.stdout.contains("a|^/dev/disk/by-id/dm-uuid-mpath"),
            "\(plan.stdout)")
        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2000))")
        let filter = try lab.text(host, "lvmconfig devices/global_filter")
        #expect(filter.contains("lvm-pv-uuid-") && !filter.contains("mpath") && !filter.contains("dm-"), "\(filter)")

        for phase in ["after apply", "after a power cycle"] {
            if phase == "after a power cycle" { #expect(try lab.reboot(host).status == 0) }
            #expect(
                try lab.text(host, "cat /srv/data/owner") == "host vg0/data", "\(phase): the mounted LV is the host's")
            let mounted = try lab.text(
                host,
                "dmsetup info -c --noheadings -o uuid \"$(findmnt -n -o MAJ:MIN /srv/data | tr : ' ' | "
                    + "{ read a b; dmsetup info -c --noheadings -o name -j $a -m $b; })\"")
            #expect(!mounted.contains(guestUUID.replacingOccurrences(of: "-", with: "")), "\(phase): \(mounted)")
            #expect(
                try lab.text(
                    host,
                    "lvs --noheadings \(Self.permissive) --select vg_uuid=\(guestUUID) -o lv_active | tr -d ' ' | sort -u"
                ) == "",
                "\(phase): the guest's vg0 is inactive")
            #expect(
                try lab.text(host, "pvs --noheadings -o pv_name | tr -d ' '") == "/dev/vdb",
                "\(phase): host LVM sees only its own PV")
            #expect(
                try lab.text(host, "dmsetup info -c --noheadings -o open mpatha") == "0", "\(phase): the map is free")
        }
        #expect(try lab.ssh(host, "multipath -f mpatha").status == 0)
        let again = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--detailed-exitcode"])
        #expect(again.status == 0, "in sync after the power cycle: \(again.stdout.suffix(1500))")
    }

    /// The local SCSI disk (WWN ...71b0) of `host`, which is `before` now.
    static let localDisk = "/dev/disk/by-id/wwn-0x5000c50015ea71b0"

    /// Power cycles with the SAN controllers probed first until the local disk has another kernel name than
    /// `before` (asserted). sd assigns names as its probes finish, which run asynchronously even with
    /// scsi_mod.scan=sync, so the PCI order makes a new name likely, not certain: up to three cycles.
    static func powerCycleRenaming(_ lab: PrivateLab, _ host: String, before: String) throws {
        #expect(FileManager.default.createFile(atPath: lab.state + "/hosts/\(host)/san-first", contents: nil))
        var after = before
        for _ in 1...3 where after == before {
            #expect(try lab.reboot(host).status == 0)
            after = try lab.text(host, "readlink -f \(localDisk)")
        }
        #expect(after != before && after.hasPrefix("/dev/sd"), "the kernel name changed: \(before) -> \(after)")
    }

    /// After apply and a power cycle: guestvg inactive, mpatha free and flushable, and the plan in sync.
    static func expectGuestFreedAndInSync(_ lab: PrivateLab, _ host: String) throws {
        #expect(
            try lab.text(host, "lvs --noheadings \(permissive) -o lv_active guestvg | tr -d ' ' | sort -u") == "",
            "the guest VG is inactive")
        #expect(try lab.text(host, "dmsetup info -c --noheadings -o open mpatha") == "0", "the guest map is free")
        #expect(try lab.ssh(host, "multipath -f mpatha").status == 0, "os-brick's flush succeeds")
        let again = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--detailed-exitcode"])
        #expect(again.status == 0, "in sync after the power cycle: \(again.stdout.suffix(1500))")
    }

    @Test("a host on the devices file whose lvm.conf also changes (scan_lvs): the trial reads the planned devices file")
    func devicesFileWithConfigEdit() throws {
        guard let lab = try PrivateLab.start(["n-devconf:devices-file"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "n-devconf"
        // An old setting lvmguard turns off: the plan edits lvm.conf and the devices file in one apply.
        let set = try lab.ssh(
            host, "sed -i 's/^devices {/devices {\\n\\tscan_lvs = 1/' /etc/lvm/lvm.conf && lvmconfig devices/scan_lvs")
        try #require(set.status == 0 && set.stdout.contains("scan_lvs=1"), "\(set.stdout)\(set.stderr)")
        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2500))")
        #expect(applied.stdout.contains("trial: ok"), "\(applied.stdout.suffix(2500))")
        #expect(try lab.text(host, "lvmconfig devices/scan_lvs") == "scan_lvs=0")
        #expect(!(try lab.text(host, "cat /etc/lvm/devices/system.devices")).contains("35000c50015ea71ac"))
        let again = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(again.status == 0 && again.stdout.contains("changed=0 failed=0"), "\(again.stdout.suffix(1500))")
    }

    @Test("devices file: the guest's entry removed by PVID; through a power cycle the host's VG is up, swap on")
    func devicesFileRenamed() throws {
        guard let lab = try PrivateLab.start(["n-devfile:devices-file"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "n-devfile"
        let before = try lab.text(host, "readlink -f \(Self.localDisk)")
        #expect(before.hasPrefix("/dev/sd"), "the local SCSI disk: \(before)")
        #expect(try lab.text(host, "findmnt -n -o SOURCE /srv/data") == "/dev/mapper/hostvg-data")
        #expect(
            try lab.text(host, "cat /etc/lvm/devices/system.devices").contains("mpath-35000c50015ea71ac"),
            "the guest's map is listed")
        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2500))")
        #expect(
            applied.stdout.contains("--delpvid") || applied.stdout.contains("removed: "),
            "\(applied.stdout.suffix(2500))")
        let devices = try lab.text(host, "cat /etc/lvm/devices/system.devices")
        #expect(!devices.contains("35000c50015ea71ac") && devices.contains("IDTYPE=sys_wwid"), "\(devices)")

        // One power cycle: the host renamed under the devices file is renamedDisks' claim (one claim, one boot).
        #expect(try lab.reboot(host).status == 0)
        #expect(
            try lab.text(host, "findmnt -n -o SOURCE /srv/data") == "/dev/mapper/hostvg-data",
            "the host's VG is mounted")
        #expect(
            try lab.text(host, "swapon --show=NAME --noheadings | xargs -r readlink -f | xargs -r -n1 basename") != "",
            "swap is on")
        try Self.expectGuestFreedAndInSync(lab, host)
    }

    @Test(
        "disks renamed by a power cycle: the host's VG on a local SCSI disk that becomes another sdX stays the host's")
    func renamedDisks() throws {
        guard let lab = try PrivateLab.start(["n-rename:renamed-disks"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "n-rename"
        let before = try lab.text(host, "readlink -f \(Self.localDisk)")
        #expect(before.hasPrefix("/dev/sd"), "the local SCSI disk: \(before)")
        #expect(try lab.text(host, "cat /srv/data/owner") == "host hostvg/data on the local SCSI disk")
        // The move to the devices file cut by a power loss once the complete file is in place, before lvm.conf turns
        // it on: the host boots on the old lvm.conf, its VG up, the new file there but not in force.
        let original = try lab.text(host, "sha256sum < /etc/lvm/lvm.conf")
        try lab.cutPower(host, at: .devicesFile, ["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(try lab.text(host, "sha256sum < /etc/lvm/lvm.conf") == original, "the old lvm.conf after the cut")
        #expect(try lab.text(host, "lvmconfig --type full devices/use_devicesfile") == "use_devicesfile=0")
        #expect(
            try lab.text(host, "cat /srv/data/owner") == "host hostvg/data on the local SCSI disk",
            "the host's VG mounted")
        #expect(
            try lab.text(host, "ls /etc/lvm /etc/lvm/devices | grep -c lvmguard-new || true") == "0",
            "nothing half-written")
        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "the rerun converges: \(applied.stdout.suffix(2500))")
        #expect(try lab.text(host, "lvmconfig devices/use_devicesfile") == "use_devicesfile=1")
        let devices = try lab.text(host, "cat /etc/lvm/devices/system.devices")
        #expect(
            devices.contains("IDTYPE=sys_wwid") || devices.contains("IDTYPE=sys_serial"),
            "the disk is listed by identity: \(devices)")

        try Self.powerCycleRenaming(lab, host, before: before)
        #expect(
            try lab.text(host, "cat /srv/data/owner") == "host hostvg/data on the local SCSI disk",
            "the host's VG is mounted")
        #expect(try lab.text(host, "lvs --noheadings -o lv_active hostvg/data | tr -d ' '") == "active")
        try Self.expectGuestFreedAndInSync(lab, host)
    }

    @Test("boot from SAN, stacked: the host's VG on one multipath LUN under dm-crypt stays; the guest's map is freed")
    func bootFromSAN() throws {
        guard let lab = try PrivateLab.start(["n-san:boot-from-san"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "n-san"
        let hostMap = "/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ad",
            guestMap = "/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ac"
        let mapName = { (link: String) in
            try lab.text(host, "dmsetup info -c --noheadings -o name \"$(readlink -f \(link))\"")
        }
        #expect(
            try lab.text(host, "cat /srv/secure/owner") == "host sanvg/secret through dm-crypt",
            "booted with its secure mount")
        let sanvg = try lab.text(host, "vgs --noheadings \(Self.permissive) -o vg_uuid sanvg | tr -d ' '")
        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook])
        #expect(plan.stdout.contains("host VG sanvg (\(sanvg))"), "\(plan.stdout.suffix(2500))")
        #expect(!plan.stdout.contains("deactivate guest VG sanvg"))
        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2500))")
        // LVM 2.03.16 autoactivates before the map's /dev/disk links exist: the host moved to the devices file.
        #expect(try lab.text(host, "lvmconfig devices/use_devicesfile") == "use_devicesfile=1")
        let devices = try lab.text(host, "cat /etc/lvm/devices/system.devices")
        #expect(devices.contains("IDNAME=mpath-35000c50015ea71ad"), "the host's map is listed by WWID: \(devices)")
        #expect(!devices.contains("35000c50015ea71ac"), "the guest's map is not: \(devices)")

        for phase in ["after apply", "after a power cycle"] {
            if phase == "after a power cycle" { #expect(try lab.reboot(host).status == 0) }
            #expect(
                try lab.text(host, "cat /srv/secure/owner") == "host sanvg/secret through dm-crypt",
                "\(phase): the host's mount")
            #expect(
                try lab.text(host, "lvs --noheadings -o lv_active sanvg/secret | tr -d ' '") == "active",
                "\(phase): host LV active")
            #expect(
                try lab.text(host, "lvs --noheadings \(Self.permissive) -o lv_active guestvg | tr -d ' ' | sort -u")
                    == "",
                "\(phase): the guest VG is inactive")
            #expect(
                try lab.text(host, "pvs --noheadings -o vg_name | tr -d ' '") == "sanvg",
                "\(phase): host LVM sees only its own PV")
            let guest = try mapName(guestMap)
            #expect(
                try lab.text(host, "dmsetup info -c --noheadings -o open \(guest)") == "0",
                "\(phase): the guest map is free")
            #expect(
                try lab.text(host, "dmsetup info -c --noheadings -o open \(try mapName(hostMap))") != "0",
                "\(phase): the host map is in use")
        }
        #expect(try lab.ssh(host, "multipath -f \(try mapName(guestMap))").status == 0)
        let again = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--detailed-exitcode"])
        #expect(again.status == 0, "in sync after the power cycle: \(again.stdout.suffix(1500))")
    }
}
