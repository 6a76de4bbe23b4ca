import Foundation
import Testing
@testable import LVMGuardCore

/// A lab of its own for tests that change hosts, so they never disturb the read-only lab tests.
struct PrivateLab {
    let state: String
    let names: [String]
    let started = Date()

    /// Prints how far into the test a step ends ("[lab +42s] NAME: STEP"), for the CI log: where a VM test's time goes.
    func mark(_ step: String) {
        print("[lab +\(Int(Date().timeIntervalSince(started)))s] \(names.joined(separator: ",")): \(step)")
    }

    static func start(_ specs: [String]) throws -> PrivateLab? {
        guard getuid() == 0, FileManager.default.fileExists(atPath: "/usr/bin/qemu-system-x86_64") else {
            Prerequisite.missing("root and qemu to start lab VMs")
            return nil
        }
        let state = try temporaryDirectory()
        let result = try run([LabHost.repository + "/lab/start.sh"] + specs, environment: ["LVMGUARD_LAB_STATE": state])
        guard result.status == 0 else {
            _ = try? run([LabHost.repository + "/lab/stop.sh"], environment: ["LVMGUARD_LAB_STATE": state])
            Issue.record("lab/start.sh failed: \(result.stderr.suffix(2000))")
            return nil
        }
        return PrivateLab(state: state, names: specs.map { String($0.split(separator: ":")[0]) })
    }

    func stop() {
        _ = try? run([LabHost.repository + "/lab/stop.sh"], environment: ["LVMGUARD_LAB_STATE": state])
        try? FileManager.default.removeItem(atPath: state)
    }

    var inventory: String { state + "/inventory.yaml" }

    func ssh(_ host: String, _ command: String) throws -> CommandResult {
        try run([LabHost.repository + "/lab/ssh.sh", host, command], environment: ["LVMGUARD_LAB_STATE": state])
    }

    /// Runs `script` on the host with POSIX sh, sent on its stdin (the remote scripts' functions, for instance).
    func script(_ host: String, _ script: String) throws -> CommandResult {
        try run([LabHost.repository + "/lab/ssh.sh", host, "sh -s"], environment: ["LVMGUARD_LAB_STATE": state],
                stdin: script)
    }

    func text(_ host: String, _ command: String) throws -> String {
        try ssh(host, command).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func reboot(_ host: String) throws -> CommandResult {
        try run([LabHost.repository + "/lab/reboot.sh", host], environment: ["LVMGUARD_LAB_STATE": state])
    }

    func lvmguard(_ arguments: [String]) throws -> CommandResult {
        try LabHost.lvmguard(arguments.map { $0 == "INVENTORY" ? inventory : $0 })
    }

    /// Runs lvmguard with `arguments` (an apply) told to wait at fault point `point` on `host`, cuts the host's power
    /// there (lab/power-cut.sh: qemu killed, no shutdown) and powers it on again. The run must report the state as
    /// unknown, never as changed or as nothing done.
    func cutPower(_ host: String, at point: RemoteContract.FaultPoint, _ arguments: [String]) throws {
        let apply = try Child.spawn([LabHost.repository + "/.build/debug/lvmguard"]
                                        + arguments.map { $0 == "INVENTORY" ? inventory : $0 },
                                    environment: ["NO_COLOR": "1", RemoteContract.Variable.faultPause.rawValue: point.rawValue])
        let reached = try ssh(host, "i=0; until [ -e /run/lvmguard-fault-\(point.rawValue) ]; do i=$((i + 1)); "
                                  + "[ $i -le 1200 ] || exit 1; sleep 0.1; done")
        #expect(reached.status == 0, "apply reached \(point.rawValue)")
        let cut = try run([LabHost.repository + "/lab/power-cut.sh", host], environment: ["LVMGUARD_LAB_STATE": state])
        #expect(cut.status == 0, "\(cut.stderr.suffix(1500))")
        let outcome = apply.wait()
        #expect(outcome.status != 0 && outcome.stdout.contains("state unknown"), "\(outcome.stdout.suffix(1500))")
    }
}

@Suite("apply on real hosts: exactly the plan, atomic, idempotent, verified, through reboots", .serialized,
        .enabled(if: Runnable.labVMs, "needs root and qemu-system-x86_64 to start lab VMs"))
struct ApplyLabTests {
    static let playbook = LabHost.repository + "/playbooks/lab.yaml"

    @Test("incident fixed for good; host-lvm keeps its LVM; a stale host is refused; a second apply changes nothing")
    func applyOnLab() throws {
        guard let lab = try PrivateLab.start(["a-incident:incident", "a-hostlvm:host-lvm"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let (incident, hostLVM) = ("a-incident", "a-hostlvm")
        let before = try lab.ssh(incident, "multipath -f mpatha")
        #expect(before.status != 0 && (before.stdout + before.stderr).contains("map in use"))

        // A saved plan, then a hand edit on host-lvm: that host must be refused as stale, untouched.
        let planFile = lab.state + "/plan.json"
        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", Self.playbook, "--out", planFile, "--detailed-exitcode"])
        #expect(plan.status == 2, "\(plan.stdout.suffix(1500))")
        _ = try lab.ssh(hostLVM, "echo '# edited by hand' >> /etc/lvm/lvm.conf")
        let handEdited = try lab.text(hostLVM, "sha256sum /etc/lvm/lvm.conf")
        let applied = try lab.lvmguard(["apply", "--plan", planFile, "--yes"])
        #expect(applied.status == 1, "stale host makes the run fail: \(applied.stdout.suffix(1500))")
        #expect(applied.stdout.contains("\(hostLVM): stale"))
        #expect(applied.stdout.contains("\(incident): changed"))
        #expect(try lab.text(hostLVM, "sha256sum /etc/lvm/lvm.conf") == handEdited, "stale host left untouched")
        #expect(try lab.text(hostLVM, "ls /etc/lvm | grep -c lvmguard || true") == "0", "no backup or journal on the stale host")

        // The incident is gone: guest VG inactive, map free, flush works, lvmconfig has the planned filter.
        #expect(try lab.text(incident, "lvmconfig devices/global_filter") == #"global_filter="r|.*|""#)
        #expect(try lab.text(incident, "dmsetup info -c --noheadings -o open mpatha") == "0")
        #expect(try lab.text(incident, "lvs --noheadings --config 'devices { global_filter = [ \"a|.*|\" ] }' -o lv_active guestvg | tr -d ' ' | sort -u") == "")
        #expect(try lab.ssh(incident, "multipath -f mpatha").status == 0)

        // host-lvm, planned afresh, is fixed too and keeps its own VG active and mounted.
        let second = try lab.lvmguard(["apply", "-i", "INVENTORY", Self.playbook, "--yes"])
        #expect(second.status == 0, "\(second.stdout.suffix(1500))")
        #expect(second.stdout.contains("\(hostLVM): changed"))
        #expect(try lab.text(hostLVM, "findmnt -n -o SOURCE /srv/data") == "/dev/mapper/hostvg-data")
        #expect(try lab.text(hostLVM, "dmsetup info -c --noheadings -o open mpatha") == "0")

        // Idempotent: nothing changes, lvm.conf's mtime stays.
        let mtimes = try [incident, hostLVM].map { try lab.text($0, "stat -c %Y /etc/lvm/lvm.conf") }
        let third = try lab.lvmguard(["apply", "-i", "INVENTORY", Self.playbook, "--yes"])
        #expect(third.status == 0)
        #expect(third.stdout.contains("changed=0 failed=0"), "\(third.stdout.suffix(800))")
        #expect(try [incident, hostLVM].map { try lab.text($0, "stat -c %Y /etc/lvm/lvm.conf") } == mtimes)

        // Through a reboot: the guest VG stays inactive, the map is not held. (A host VG kept through a power cycle
        // is proven where names lie too, IdentityLabTests.sameNames, and with swap, devicesFileRenamed: one claim, one
        // boot.)
        #expect(try lab.reboot(incident).status == 0)
        #expect(try lab.text(incident, "dmsetup info -c --noheadings -o open mpatha") == "0")
        #expect(try lab.text(incident, "lvs --noheadings --config 'devices { global_filter = [ \"a|.*|\" ] }' -o lv_active guestvg | tr -d ' ' | sort -u") == "")
        let check = try lab.lvmguard(["check", "-i", "INVENTORY", Self.playbook])
        #expect(check.status == 0, "\(check.stdout)")

        // rollback puts back what the apply replaced, validated.
        let backup = try lab.text(incident, "ls /etc/lvm/lvm.conf.lvmguard-* | head -n 1")
        let restored = try lab.lvmguard(["rollback", "-i", "INVENTORY", Self.playbook, "--yes"])
        #expect(restored.status == 0, "\(restored.stdout)")
        #expect(try lab.text(incident, "cmp -s /etc/lvm/lvm.conf \(backup) && lvmconfig --validate >/dev/null 2>&1 && echo restored") == "restored")
    }

    @Test("the controller killed during apply: lvm.conf is the old or the new file, never partial, and a rerun converges")
    func interrupted() throws {
        guard let lab = try PrivateLab.start(["k-incident:incident"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "k-incident"
        let port = try String(contentsOfFile: lab.state + "/hosts/\(host)/port", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try lab.ssh(host, "cp -p /etc/lvm/lvm.conf /root/lvm.conf.orig")
        let original = try lab.text(host, "sha256sum < /etc/lvm/lvm.conf")
        let permissive = "devices { global_filter = [ \"a|.*|\" ] }"

        for seconds in [1.0, 3.0, 6.0] {
            // Back to the incident: the original lvm.conf, the guest VG active, no lvmguard files.
            _ = try lab.ssh(host, "cp -p /root/lvm.conf.orig /etc/lvm/lvm.conf; rm -f /etc/lvm/lvm.conf.lvmguard-* /etc/lvm/lvmguard.journal; "
                + "vgchange -ay --config '\(permissive)' guestvg >/dev/null; pvscan --cache >/dev/null 2>&1")
            let planFile = lab.state + "/plan.json"
            _ = try lab.lvmguard(["plan", "-i", "INVENTORY", Self.playbook, "--out", planFile])
            let saved = try Data(contentsOf: URL(fileURLWithPath: planFile))
            let plannedText = try #require(((try JSONSerialization.jsonObject(with: saved) as? [String: Any])?["hosts"] as? [[String: Any]])?
                .first?["configEdit"] as? [String: Any])["plannedText"] as? String
            let planned = try run(["sha256sum"], stdin: plannedText ?? "").stdout.trimmingCharacters(in: .whitespacesAndNewlines)

            let apply = try Child.spawn([LabHost.repository + "/.build/debug/lvmguard", "apply", "--plan", planFile, "--yes"])
            Thread.sleep(forTimeInterval: seconds)
            // Ctrl-C on the controller, and the connection cut: this host's ssh client killed.
            apply.signal(SIGINT)
            _ = try? run(["pkill", "-KILL", "-f", "ssh .*-p \(port) .*-- 127.0.0.1 sh -s"])
            _ = apply.wait()
            Thread.sleep(forTimeInterval: 5)

            let now = try lab.text(host, "sha256sum < /etc/lvm/lvm.conf")
            #expect(now == original || now == planned, "after \(seconds) s: lvm.conf is neither the old nor the new file")
            #expect(try lab.text(host, "lvmconfig --validate >/dev/null 2>&1 && echo valid") == "valid")
            #expect(try lab.text(host, "ls /etc/lvm/ | grep -c 'lvm.conf.lvmguard-new' || true") == "0", "no half-written candidate left")

            let rerun = try lab.lvmguard(["apply", "-i", "INVENTORY", Self.playbook, "--yes"])
            #expect(rerun.status == 0, "after \(seconds) s: \(rerun.stdout.suffix(1500))")
            #expect(try lab.text(host, "sha256sum < /etc/lvm/lvm.conf") == planned, "after \(seconds) s: the rerun converged")
            #expect(try lab.text(host, "dmsetup info -c --noheadings -o open mpatha") == "0")
        }
    }
}

@Suite("identity on real hosts: shapes where names lie, through apply and a power cycle", .serialized,
        .enabled(if: Runnable.labVMs, "needs root and qemu-system-x86_64 to start lab VMs"))
struct IdentityLabTests {
    static let permissive = "--config 'devices { global_filter = [ \"a|.*|\" ] }'"

    @Test("guest VG and LV named exactly like the host's: the guest LUN is never accepted; the host's LV stays the host's")
    func sameNames() throws {
        guard let lab = try PrivateLab.start(["n-names:same-names"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "n-names"
        // Two VGs named vg0, each with an LV named data; the guest's is on the map.
        let guestUUID = try lab.text(host, "pvs --noheadings \(Self.permissive) -o vg_uuid /dev/mapper/mpatha | tr -d ' '")
        let vgs = try lab.text(host, "vgs --noheadings \(Self.permissive) -o vg_name,vg_uuid 2>/dev/null | awk '{print $1}' | sort | uniq -c | tr -s ' '")
        #expect(vgs == "2 vg0", "\(vgs)")
        #expect(!guestUUID.isEmpty)

        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook])
        #expect(!plan.stdout.contains("mpath") || !plan.stdout.contains("a|^/dev/disk/by-id/dm-uuid-mpath"), "\(plan.stdout)")
        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2000))")
        let filter = try lab.text(host, "lvmconfig devices/global_filter")
        #expect(filter.contains("lvm-pv-uuid-") && !filter.contains("mpath") && !filter.contains("dm-"), "\(filter)")

        for phase in ["after apply", "after a power cycle"] {
            if phase == "after a power cycle" { #expect(try lab.reboot(host).status == 0) }
            #expect(try lab.text(host, "cat /srv/data/owner") == "host vg0/data", "\(phase): the mounted LV is the host's")
            let mounted = try lab.text(host, "dmsetup info -c --noheadings -o uuid \"$(findmnt -n -o MAJ:MIN /srv/data | tr : ' ' | "
                + "{ read a b; dmsetup info -c --noheadings -o name -j $a -m $b; })\"")
            #expect(!mounted.contains(guestUUID.replacingOccurrences(of: "-", with: "")), "\(phase): \(mounted)")
            #expect(try lab.text(host, "lvs --noheadings \(Self.permissive) --select vg_uuid=\(guestUUID) -o lv_active | tr -d ' ' | sort -u") == "",
                    "\(phase): the guest's vg0 is inactive")
            #expect(try lab.text(host, "pvs --noheadings -o pv_name | tr -d ' '") == "/dev/vdb", "\(phase): host LVM sees only its own PV")
            #expect(try lab.text(host, "dmsetup info -c --noheadings -o open mpatha") == "0", "\(phase): the map is free")
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
        #expect(try lab.text(host, "lvs --noheadings \(permissive) -o lv_active guestvg | tr -d ' ' | sort -u") == "",
                "the guest VG is inactive")
        #expect(try lab.text(host, "dmsetup info -c --noheadings -o open mpatha") == "0", "the guest map is free")
        #expect(try lab.ssh(host, "multipath -f mpatha").status == 0, "os-brick's flush succeeds")
        let again = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--detailed-exitcode"])
        #expect(again.status == 0, "in sync after the power cycle: \(again.stdout.suffix(1500))")
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
        #expect(try lab.text(host, "cat /etc/lvm/devices/system.devices").contains("mpath-35000c50015ea71ac"), "the guest's map is listed")
        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2500))")
        #expect(applied.stdout.contains("--delpvid") || applied.stdout.contains("removed: "), "\(applied.stdout.suffix(2500))")
        let devices = try lab.text(host, "cat /etc/lvm/devices/system.devices")
        #expect(!devices.contains("35000c50015ea71ac") && devices.contains("IDTYPE=sys_wwid"), "\(devices)")

        // One power cycle: the host renamed under the devices file is renamedDisks' claim (one claim, one boot).
        #expect(try lab.reboot(host).status == 0)
        #expect(try lab.text(host, "findmnt -n -o SOURCE /srv/data") == "/dev/mapper/hostvg-data", "the host's VG is mounted")
        #expect(try lab.text(host, "swapon --show=NAME --noheadings | xargs -r readlink -f | xargs -r -n1 basename") != "", "swap is on")
        try Self.expectGuestFreedAndInSync(lab, host)
    }

    @Test("disks renamed by a power cycle: the host's VG on a local SCSI disk that becomes another sdX stays the host's")
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
        #expect(try lab.text(host, "cat /srv/data/owner") == "host hostvg/data on the local SCSI disk", "the host's VG mounted")
        #expect(try lab.text(host, "ls /etc/lvm /etc/lvm/devices | grep -c lvmguard-new || true") == "0", "nothing half-written")
        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "the rerun converges: \(applied.stdout.suffix(2500))")
        #expect(try lab.text(host, "lvmconfig devices/use_devicesfile") == "use_devicesfile=1")
        let devices = try lab.text(host, "cat /etc/lvm/devices/system.devices")
        #expect(devices.contains("IDTYPE=sys_wwid") || devices.contains("IDTYPE=sys_serial"), "the disk is listed by identity: \(devices)")

        try Self.powerCycleRenaming(lab, host, before: before)
        #expect(try lab.text(host, "cat /srv/data/owner") == "host hostvg/data on the local SCSI disk", "the host's VG is mounted")
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
        let hostMap = "/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ad", guestMap = "/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ac"
        let mapName = { (link: String) in try lab.text(host, "dmsetup info -c --noheadings -o name \"$(readlink -f \(link))\"") }
        #expect(try lab.text(host, "cat /srv/secure/owner") == "host sanvg/secret through dm-crypt", "booted with its secure mount")
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
            #expect(try lab.text(host, "cat /srv/secure/owner") == "host sanvg/secret through dm-crypt", "\(phase): the host's mount")
            #expect(try lab.text(host, "lvs --noheadings -o lv_active sanvg/secret | tr -d ' '") == "active", "\(phase): host LV active")
            #expect(try lab.text(host, "lvs --noheadings \(Self.permissive) -o lv_active guestvg | tr -d ' ' | sort -u") == "",
                    "\(phase): the guest VG is inactive")
            #expect(try lab.text(host, "pvs --noheadings -o vg_name | tr -d ' '") == "sanvg", "\(phase): host LVM sees only its own PV")
            let guest = try mapName(guestMap)
            #expect(try lab.text(host, "dmsetup info -c --noheadings -o open \(guest)") == "0", "\(phase): the guest map is free")
            #expect(try lab.text(host, "dmsetup info -c --noheadings -o open \(try mapName(hostMap))") != "0", "\(phase): the host map is in use")
        }
        #expect(try lab.ssh(host, "multipath -f \(try mapName(guestMap))").status == 0)
        let again = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--detailed-exitcode"])
        #expect(again.status == 0, "in sync after the power cycle: \(again.stdout.suffix(1500))")
    }
}

@Suite("the initramfs on a real host: root on LVM booting its own initramfs-tools image", .serialized,
        .enabled(if: Runnable.labVMs, "needs root and qemu-system-x86_64 to start lab VMs"))
struct InitramfsLabTests {
    /// The lab policy with the initramfs rebuilt when its copy of lvm.conf differs, and checked, written in `directory`.
    static func playbook(in directory: String) throws -> String {
        let lab = try String(contentsOfFile: ApplyLabTests.playbook, encoding: .utf8)
        let text = lab.replacingOccurrences(of: "initramfs: check", with: "initramfs: rebuild-if-needed")
            .replacingOccurrences(of: "filter-effective]", with: "filter-effective, initramfs-current]")
        #expect(text != lab && text.contains("initramfs-current"))
        let path = directory + "/root-on-lvm.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The global_filter of the lvm.conf inside the initramfs the next boot uses, read by the host's lvmconfig.
    static let initramfsFilter = "d=$(mktemp -d); unmkinitramfs /boot/initrd.img-$(uname -r) $d; "
        + "f=$(find $d -path '*/etc/lvm/lvm.conf' | head -n 1); LVM_SYSTEM_DIR=${f%/lvm.conf} lvmconfig devices/global_filter 2>&1; rm -rf $d"
    static let initramfsSum = "sha256sum < /boot/initrd.img-$(uname -r)"
    /// Fills /boot to 2 MB free: too little for a new image beside the old one.
    static let fillBoot = "fallocate -l $(( $(df -Pk /boot | awk 'END { print $4 }') - 2048 ))K /boot/fill"

    /// Starts an apply and cuts the host's power (qemu killed, no shutdown) 5 s into its initramfs build, then powers
    /// it on again. The controller's run reports the state as unknown.
    static func cutPowerDuringInitramfsBuild(_ lab: PrivateLab, _ host: String, playbook: String) throws {
        let apply = try Child.spawn([LabHost.repository + "/.build/debug/lvmguard", "apply", "-i", lab.inventory, playbook, "--yes"])
        let building = try lab.ssh(host, "i=0; until pgrep -x mkinitramfs >/dev/null; do i=$((i + 1)); "
            + "[ $i -le 3000 ] || exit 1; sleep 0.05; done; sleep 5")
        #expect(building.status == 0, "the apply reached its initramfs build")
        let cut = try run([LabHost.repository + "/lab/power-cut.sh", host], environment: ["LVMGUARD_LAB_STATE": lab.state])
        #expect(cut.status == 0, "\(cut.stderr.suffix(1500))")
        let outcome = apply.wait()
        #expect(outcome.status != 0 && outcome.stdout.contains("state unknown"), "\(outcome.stdout.suffix(1500))")
    }

    @Test("apply rebuilds the initramfs, also after a power cut in the build; the host boots on its root VG with the guest off; rollback rebuilds it back")
    func rootOnLVM() throws {
        guard let lab = try PrivateLab.start(["r-root:root-on-lvm"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "r-root", playbook = try Self.playbook(in: lab.state)
        // Booted by its own initramfs onto rootvg/root; the guest VG active on the map (the incident).
        #expect(try lab.text(host, "findmnt -n -o SOURCE /") == "/dev/mapper/rootvg-root")
        #expect(try lab.text(host, "cat /owner") == "host rootvg/root")
        #expect(try lab.text(host, "dmsetup info -c --noheadings -o open mpatha") != "0", "the guest holds the map")
        #expect(try lab.text(host, Self.initramfsFilter).contains("not found"), "the initramfs's lvm.conf sets no filter yet")

        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", playbook])
        #expect(plan.stdout.contains("rebuild (initramfs-tools)") && plan.stdout.contains("host VG rootvg"), "\(plan.stdout.suffix(2500))")
        let before = try lab.text(host, Self.initramfsSum)
        let original = try lab.text(host, "sha256sum < /etc/lvm/lvm.conf")

        // /boot full: apply stops before its first change, naming the file system; freed, the rest goes on.
        #expect(try lab.ssh(host, Self.fillBoot).status == 0)
        let full = try lab.lvmguard(["apply", "-i", "INVENTORY", playbook, "--yes"])
        #expect(full.status == 1 && full.stdout.contains("initramfs: failed: the file system at /boot has")
                && full.stdout.contains("nothing was changed"), "\(full.stdout.suffix(1500))")
        #expect(try lab.text(host, "sha256sum < /etc/lvm/lvm.conf") == original, "lvm.conf unchanged with /boot full")
        #expect(try lab.text(host, Self.initramfsSum) == before, "the image unchanged with /boot full")
        #expect(try lab.ssh(host, "rm /boot/fill").status == 0)

        // A power cut while the initramfs is being built: the host boots its old image, whole, on its own root.
        try Self.cutPowerDuringInitramfsBuild(lab, host, playbook: playbook)
        #expect(try lab.text(host, "findmnt -n -o SOURCE /") == "/dev/mapper/rootvg-root", "booted on its own root after the cut")
        #expect(try lab.text(host, Self.initramfsSum) == before, "the image the host boots is the old one, whole")
        #expect(try lab.text(host, "lvmconfig --validate >/dev/null 2>&1 && echo valid") == "valid")
        let cutConf = try lab.text(host, "sha256sum < /etc/lvm/lvm.conf")
        let cutFilter = try lab.text(host, "lvmconfig devices/global_filter 2>&1")
        #expect(cutConf == original || cutFilter.contains("r|.*|"), "lvm.conf is the old or the planned file: \(cutFilter)")

        // The rerun converges: it rebuilds the image (beside it, renamed over) and leaves nothing of the cut run.
        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", playbook, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2500))")
        #expect(applied.stdout.contains("initramfs: changed: mkinitramfs built /boot/initrd.img-"), "\(applied.stdout.suffix(2500))")
        #expect(try lab.text(host, "ls /boot | grep -c 'lvmguard-new' || true") == "0", "built beside the image, renamed over it")
        #expect(try lab.text(host, "ls /boot | grep -c 'initrd.img-.*\\.lvmguard-2' || true") == "1", "the old image is kept")
        #expect(applied.stdout.contains("check initramfs-current: ok"))
        #expect(try lab.text(host, Self.initramfsSum) != before, "the image the next boot uses was rebuilt")
        let inside = try lab.text(host, Self.initramfsFilter)
        #expect(inside.contains("lvm-pv-uuid-") && inside.contains("r|.*|"), "the initramfs carries the planned filter: \(inside)")

        // A power cycle through that initramfs: root on its VG, the guest VG inactive, the map free.
        #expect(try lab.reboot(host).status == 0)
        #expect(try lab.text(host, "findmnt -n -o SOURCE /") == "/dev/mapper/rootvg-root")
        #expect(try lab.text(host, "cat /owner") == "host rootvg/root")
        #expect(try lab.text(host, "lvs --noheadings \(IdentityLabTests.permissive) -o lv_active guestvg | tr -d ' ' | sort -u") == "")
        #expect(try lab.text(host, "dmsetup info -c --noheadings -o open mpatha") == "0")
        #expect(try lab.ssh(host, "multipath -f mpatha").status == 0)
        let check = try lab.lvmguard(["check", "-i", "INVENTORY", playbook])
        #expect(check.status == 0 && check.stdout.contains("initramfs-current: ok"), "\(check.stdout)")
        let rebuilt = try lab.text(host, Self.initramfsSum)
        let again = try lab.lvmguard(["apply", "-i", "INVENTORY", playbook, "--yes"])
        #expect(again.status == 0 && again.stdout.contains("changed=0 failed=0"), "\(again.stdout.suffix(1500))")
        #expect(try lab.text(host, Self.initramfsSum) == rebuilt, "a second apply leaves the initramfs alone")

        // rollback shows what it will restore, then restores lvm.conf and rebuilds the initramfs from it.
        let preview = try lab.lvmguard(["rollback", "-i", "INVENTORY", playbook, "--dry-run"])
        #expect(preview.status == 0, "\(preview.stdout)")
        #expect(preview.stdout.contains("r-root: will restore") && preview.stdout.contains("-\tglobal_filter = [ \"a|^/dev/disk/by-id/lvm-pv-uuid-"),
                "\(preview.stdout)")
        #expect(preview.stdout.contains("initramfs: rebuild /boot/initrd.img-"), "\(preview.stdout)")
        #expect(try lab.text(host, Self.initramfsSum) == rebuilt, "a preview changes nothing")
        // /boot full: rollback too stops before its first change.
        #expect(try lab.ssh(host, Self.fillBoot).status == 0)
        let fullRollback = try lab.lvmguard(["rollback", "-i", "INVENTORY", playbook, "--yes"])
        #expect(fullRollback.status == 1 && fullRollback.stdout.contains("nothing was changed"), "\(fullRollback.stdout.suffix(1500))")
        #expect(try lab.text(host, Self.initramfsSum) == rebuilt, "the image unchanged with /boot full")
        #expect(try lab.text(host, "lvmconfig devices/global_filter").contains("r|.*|"), "lvm.conf unchanged with /boot full")
        #expect(try lab.ssh(host, "rm /boot/fill").status == 0)
        let restored = try lab.lvmguard(["rollback", "-i", "INVENTORY", playbook, "--yes", "--format", "json"])
        #expect(restored.status == 0, "\(restored.stdout) \(restored.stderr.suffix(1500))")
        let run = try JSONDecoder().decode(ApplyRun.self, from: Data(restored.stdout.utf8))
        #expect(run.format == "lvmguard-rollback" && run.hosts.first?.outcome == .changed)
        #expect(run.hosts.first?.steps.contains { $0.name == "initramfs" && $0.result == .changed } == true)
        #expect(try lab.text(host, Self.initramfsFilter).contains("not found"), "the initramfs agrees with the restored lvm.conf")
        let after = try lab.lvmguard(["check", "-i", "INVENTORY", playbook])
        #expect(after.stdout.contains("initramfs-current: ok"), "\(after.stdout)")
    }
}
