import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardRemote
@testable import LVMGuardTestSupport

/// Fixtures/facts/dead-map.facts: the incident VM (guest VG active on mpatha) after `no_path_retry queue` and
/// both paths set offline, gathered by the real script: the map's every path failed, I/O queueing.
@Suite("Dead multipath maps: found without I/O, kept out of LVM, reported, released only when asked")
struct DeadMapTests {
    static let guestVG: VGUUID = "n7uuUj-9pIn-wO65-5KGz-ZPro-EkhJ-6X91GO"
    static let wwid = "35000c50015ea71ac"
    /// Status lines as dm prints them: the incident map healthy, then with both paths failed.
    static let healthy = "mpatha: 0 1048576 multipath 2 0 0 0 2 1 A 0 1 2 8:16 A 0 0 1 E 0 1 2 8:0 A 0 0 1 \n"
    static let dead = "mpathb: 0 1048576 multipath 2 0 0 0 2 1 A 0 1 2 8:0 F 1 0 1 E 0 1 2 8:16 F 1 0 1 \n"

    @Test("dm status: path states per map, queue_if_no_path from the table")
    func parseStatus() throws {
        let maps = MultipathState.maps(
            status: Self.healthy + Self.dead,
            table:
                "mpathb: 0 1048576 multipath 1 queue_if_no_path 0 2 1 service-time 0 1 2 8:0 1 1 service-time 0 1 2 8:16 1 1 \n"
        )
        #expect(maps.map(\.name) == ["mpatha", "mpathb"])
        #expect(
            maps[0].paths.map(\.majMin) == [MajorMinor("8:16"), MajorMinor("8:0")] && !maps[0].isDead
                && !maps[0].queueIfNoPath)
        #expect(maps[1].paths.map(\.active) == [false, false] && maps[1].isDead && maps[1].queueIfNoPath)
        // A map with no path at all is dead too (I/O to it queues or fails).
        #expect(MultipathState.maps(status: "mpathc: 0 2048 multipath 2 0 0 0 0 0 \n", table: "").first?.isDead == true)
    }

    @Test("the remote awk and the Swift parser agree on which maps are dead")
    func remoteAgrees() throws {
        let script = RemoteScripts.bounds + "dead_maps_from_status\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bounds-\(UUID().uuidString).sh").path
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let status =
            Self.healthy + Self.dead + "mpathc: 0 2048 multipath 2 0 0 0 0 0 \n" + "vg-lv: 0 2048 linear 8:0 0\n"
        let result = try run(["dash", path], stdin: status)
        #expect(result.status == 0)
        let swift = MultipathState.maps(status: status, table: "").filter(\.isDead).map(\.name)
        #expect(result.stdout.split(separator: "\n").map(String.init) == swift)
        #expect(swift == ["mpathb", "mpathc"])
    }

    @Test("a dead device's guard rule reads back through LVM's own config parser as the regex for exactly that name")
    func guardRuleThroughLVM() throws {
        guard Prerequisite.tool("lvmconfig") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        // udev writes a space in a serial as the four characters \x20; the dot is a regex metacharacter too.
        let name = #"/dev/disk/by-id/scsi-0QEMU_QEMU\x20HARDDISK_drive-scsi0.1"#
        let script =
            RemoteScripts.bounds + """

                rule=$(guard_rule "$1")
                lvmconfig --config "devices { global_filter = [ $rule\\"a|.*|\\" ] }" devices/global_filter
                """
        let result = try run(["dash", "-s", name], stdin: script + "\n")
        #expect(result.status == 0, "\(result.stderr)")
        let document = try LVMConfigDocument(parsing: result.stdout)
        let value = try #require(document.effectiveAssignment(at: ["global_filter"])?.value, "\(result.stdout)")
        let rules = try LVMFilter(parsing: value).rules
        #expect(rules.first == LVMFilter.Rule(.reject, "^" + LVMFilter.escape(name) + "$"), "\(result.stdout)")
    }

    @Test("bounded: a command past its bound is killed, named, and no later bounded command starts")
    func boundedCommands() throws {
        let script =
            RemoteScripts.bounds + """
                bounded 1 sleep 30; echo "first $?"
                bounded 5 true; echo "second $?"
                """
        let started = Date()
        let result = try run(["dash", "-s"], stdin: script + "\n")
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(result.stdout == "first 124\nsecond 125\n")
        #expect(result.stderr.contains("'sleep 30' was still running after 1 s and was killed"))
        #expect(result.stderr.contains("not run: 'sleep' hung earlier in this run"))
    }

    @Test("the gather kept the dead map, its paths and the guest LVs on it out of LVM's scan")
    func gatheredFacts() throws {
        let facts = try Fixture.facts("dead-map")
        #expect(facts.deadMaps.map(\.name) == ["mpatha"])
        #expect(facts.deadMaps.first?.queueIfNoPath == true)
        #expect(facts.excludedFromLVM.sorted() == ["dm-0", "dm-1", "dm-2", "sda", "sdb"])
        // LVM never read the map: its PV and the guest VG are not in the permissive scan.
        #expect(facts.pvs.isEmpty && facts.lvs.isEmpty)
        #expect(facts.dmDevices.filter { $0.uuid?.isLVM == true }.count == 2)
    }

    @Test(
        "default (dead_maps: report): the guest is named by UUID and left, and the host blocked: apply would fail after changing lvm.conf"
    )
    func reportByDefault() throws {
        let facts = try Fixture.facts("dead-map")
        let plan = Planner.plan(Fixture.host("lab-deadmap"), facts: facts, desired: Fixture.desired())
        #expect(plan.status == .blocked && plan.configEdit == nil, "\(plan.reasons)")
        let map = try #require(plan.deadMaps.first)
        #expect(map.wwid?.rawValue == Self.wwid && map.queueIfNoPath && !map.release)
        #expect(map.paths == ["sda (8:0) failed", "sdb (8:16) failed"])
        #expect(map.guestVGUUIDs == [Self.guestVG])
        #expect(
            map.guestLVs.map(\.lvUUID).sorted()
                == ["Zv5G6r-XjtL-tIOK-zcfA-1Xjt-Jhpu-UfmOau", "tJkmiS-wZEw-7ptx-r2NX-Jw8e-Kt3C-LMrcIc"].sorted())
        // A blocker naming the map whose guest stays active (not released, guest LVs on it): nothing is sent.
        #expect(plan.blockerKinds == [.deadMapGuestsStayActive(map: map)] && !map.guestLVs.isEmpty)
        #expect(plan.reasons[0].contains("set dead_maps: release"), "\(plan.reasons)")
        #expect(plan.commands.isEmpty)
        #expect(throws: ApplyRequestError.self) {
            try ApplyRequest(plan: plan, hostVGs: [], guestVGs: [], timestamp: "20261125T100000Z")
        }
        // check: the guest LVs on the dead map count as active guest LVs.
        let checks = CheckEvaluator.evaluate(
            [.noGuestVGsActive], host: Fixture.host("lab-deadmap"), facts: facts, desired: Fixture.desired())
        #expect(checks.first?.passed == false)
    }

    @Test("dead_maps: release: queueing stopped on that map, guest LV mappings removed, tops first")
    func releaseWhenAsked() throws {
        let facts = try Fixture.facts("dead-map")
        let plan = Planner.plan(
            Fixture.host("lab-deadmap"), facts: facts, desired: Fixture.desired("dead_maps: release"))
        let map = try #require(plan.deadMaps.first)
        #expect(map.release && map.blockers.isEmpty)
        #expect(
            plan.commands.contains("dmsetup message mpatha 0 fail_if_no_path   # wwid \(Self.wwid), no active path"))
        let request = try ApplyRequest(plan: plan, hostVGs: [], guestVGs: [], timestamp: "20261125T100000Z")
        let line = try #require(request.data.first { $0.name == "dead_maps" }?.text)
        #expect(line == "release \(Self.wwid) " + map.guestLVs.map(\.dmUUID.rawValue).joined(separator: " ") + "\n")
    }

    @Test("a dead map carrying the host's storage blocks the host: no filter can be planned that keeps it")
    func hostStorageBlocks() throws {
        let facts = try Fixture.facts("dead-map") { sections in
            let mountinfo = sections["mountinfo"]!
            sections["mountinfo"] = mountinfo.with(
                stdout: mountinfo.stdout + "99 1 253:2 / /srv/data rw - ext4 /dev/mapper/guestvg-data rw\n")
        }
        let plan = Planner.plan(
            Fixture.host("lab-deadmap"), facts: facts, desired: Fixture.desired("dead_maps: release"))
        #expect(plan.status == .blocked)
        let blocked = try #require(plan.deadMaps.first)
        #expect(plan.blockerKinds == [.deadMapCarriesHostStorage(map: blocked)])
        #expect(blocked.hostUse.contains { $0.hasSuffix("is mounted at /srv/data") }, "\(blocked.hostUse)")
        #expect(plan.configEdit == nil && plan.deadMaps.allSatisfy { !$0.release })
        // A VG declared the host's by UUID counts too, though LVM cannot see it.
        let declared = Planner.plan(
            Fixture.host("lab-deadmap", hostVGs: [Self.guestVG.rawValue]), facts: try Fixture.facts("dead-map"),
            desired: Fixture.desired())
        #expect(declared.status == .blocked)
    }

    @Test("a dead map that is an instance's disk is not released, even when asked")
    func instanceDiskBlocksRelease() throws {
        let facts = try Fixture.facts("dead-map") { sections in
            let uuid = "5d1f0c9e-7a44-4c1b-8e0f-3b2a1c9d8e7f"
            sections["libvirt-disks"] = FactSection(
                name: "libvirt-disks", status: 0,
                stdout: """
                    domain \(uuid) instance-0001
                    disk \(uuid) block disk vdb /dev/disk/by-id/dm-uuid-mpath-\(Self.wwid)

                    """, stderr: "")
        }
        let plan = Planner.plan(
            Fixture.host("lab-deadmap"), facts: facts, desired: Fixture.desired("dead_maps: release"))
        let map = try #require(plan.deadMaps.first)
        #expect(!map.release && map.blockers.contains { $0.contains("instance-0001") })
        #expect(plan.status == .blocked && plan.blockerKinds == [.deadMapGuestsStayActive(map: map)])
    }

    @Test("LVs on a dead map that nothing ties to a guest without I/O block the host: never released, never filtered")
    func withoutEvidenceBlocks() throws {
        // No instance names the map: its VG could be the host's failover VG on a LUN of an array that went down.
        let facts = try Fixture.facts("dead-map") { sections in sections["libvirt-xml"] = nil }
        for policy in ["dead_maps: report", "dead_maps: release"] {
            let plan = Planner.plan(Fixture.host("lab-deadmap"), facts: facts, desired: Fixture.desired(policy))
            let map = try #require(plan.deadMaps.first)
            #expect(map.guestLVs.isEmpty && map.unjudgedVGUUIDs == [Self.guestVG] && !map.release, "\(policy)")
            #expect(plan.status == .blocked && plan.configEdit == nil && plan.commands.isEmpty, "\(policy)")
            #expect(plan.blockerKinds == [.deadMapWithoutEvidence(map: map)], "\(policy): \(plan.reasons)")
            #expect(plan.reasons[0].contains("lvmguard_host_vgs"), "\(plan.reasons)")
        }
    }
}

extension DeadMapTests {
    @Test("a dead map open more times than its holders lvmguard names is not released, even when asked")
    func unnamedOpener() throws {
        let facts = try Fixture.facts("dead-map") { sections in
            let info = sections["dm-info"]!
            let lines = info.stdout.split(separator: "\n").map { line -> String in
                line.hasPrefix("mpatha|") ? line.replacingOccurrences(of: "|2|mpath-", with: "|3|mpath-") : String(line)
            }
            sections["dm-info"] = info.with(stdout: lines.joined(separator: "\n") + "\n")
        }
        let plan = Planner.plan(
            Fixture.host("lab-deadmap"), facts: facts, desired: Fixture.desired("dead_maps: release"))
        let map = try #require(plan.deadMaps.first)
        #expect(
            !map.release && map.blockers.contains { $0.contains("open 3 times but lvmguard names 2 holders") },
            "\(map.blockers)")
    }
}
