import Testing

/// The lab's VMs reproduce the incident for real: real kernel, device-mapper, multipath, LVM autoactivation.
@Suite("Lab VMs: the incident and a host with its own LVM, for real")
struct LabTests {
    @Test("incident host: the guest VG is active on the multipath map, which is held open and cannot be flushed")
    func incident() throws {
        guard let host = LabHost.running("incident") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
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

    @Test("host-lvm host boots with its own VG active, its LV mounted and its swap on")
    func hostLVM() throws {
        guard let host = LabHost.running("host-lvm") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let mount = try host.run("findmnt -n -o SOURCE /srv/data")
        #expect(mount.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "/dev/mapper/hostvg-data")
        let active = try host.run("lvs --noheadings -o lv_active hostvg")
        #expect(active.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) } == ["active", "active"])
        let swap = try host.run("swapon --noheadings --show=NAME")
        let swapDevice = try host.run("readlink -f /dev/hostvg/swap").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(swap.stdout.contains(swapDevice) && !swapDevice.isEmpty)
        // The guest VG on the LUN is active here too: the host-lvm host is also affected.
        #expect(try host.openCount("mpatha") ?? 0 >= 1)
    }
}
