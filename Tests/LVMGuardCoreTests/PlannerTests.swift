import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardRemote
@testable import LVMGuardTestSupport

@Suite("Planner: decisions from real host facts")
struct PlannerTests {
    static func plan(
        _ scenario: String, hostVGs: [String] = [], _ desired: DesiredState = Fixture.desired(),
        _ change: (inout [String: FactSection]) -> Void = { _ in }
    ) throws -> HostPlan {
        Planner.plan(Fixture.host("h", hostVGs: hostVGs), facts: try Fixture.facts(scenario, change), desired: desired)
    }

    @Test(
        "status per scenario and policy",
        arguments: [
            ("incident", "host-pvs-only", HostPlan.Status.changes),
            ("incident", "reject-all", .changes),
            ("host-lvm", "host-pvs-only", .changes),
            ("host-lvm", "reject-all", .blocked),
            ("dup-names", "host-pvs-only", .changes),
            ("open-guest-lv", "host-pvs-only", .blocked),
            ("local-vg", "host-pvs-only", .blocked),
            ("devices-file", "host-pvs-only", .changes),
            ("clean", "host-pvs-only", .inSync),
            ("clean", "reject-all", .inSync),
        ])
    func status(scenario: String, policy: String, expected: HostPlan.Status) throws {
        let plan = try Self.plan(scenario, Fixture.desired(policy: policy))
        #expect(plan.status == expected, "\(plan.reasons)")
    }

    @Test("incident: the filter diff, the guest VG by UUID with its map and WWID, pvscan")
    func incident() throws {
        let plan = try Self.plan("incident")
        let edit = try #require(plan.configEdit)
        #expect(edit.key == "devices/global_filter")
        #expect(edit.current == #"[ "a|.*|" ]"#)
        #expect(edit.planned == #"[ "r|.*|" ]"#)
        #expect(edit.diff.contains("+\tglobal_filter = [ \"r|.*|\" ]"))
        #expect(edit.diff.hasPrefix("--- h:/etc/lvm/lvm.conf (current)\n+++ h:/etc/lvm/lvm.conf (planned)\n"))
        let deactivation = try #require(plan.deactivations.first)
        #expect(deactivation.vgName == "guestvg")
        #expect(deactivation.vgUUID == "gMD2xM-ZdGA-vrmy-TdFe-1LJS-zo1T-mPeb4D")
        #expect(deactivation.multipathMaps == ["mpatha"])
        #expect(deactivation.wwids == ["35000c50015ea71ac"])
        #expect(deactivation.lvs.map(\.name) == ["data", "root"])
        #expect(deactivation.lvs.allSatisfy { !$0.open })
        #expect(plan.refreshCache)
        #expect(plan.commands.last == "pvscan --cache")
        #expect(deactivation.wholeVG, "nothing of it is held from outside")
        #expect(
            plan.commands.filter { $0.hasPrefix("vgchange -an --select vg_uuid=\(deactivation.vgUUID) ") }.count == 1)
        #expect(!plan.commands.contains { $0.hasPrefix("lvchange") })
    }

    @Test("host-lvm: the host's PVs are accepted and its VG is never deactivated")
    func hostLVM() throws {
        let plan = try Self.plan("host-lvm")
        // By identity (the PV UUID link), plus the kernel name LVM 2.03's boot-time pvscan sees.
        #expect(
            plan.configEdit?.planned
                == #"[ "a|^/dev/disk/by-id/lvm-pv-uuid-rOG4M6-Q5sZ-wOyZ-YlLG-emVU-RD3y-zEiD06$|", "a|^/dev/vdb$|", "r|.*|" ]"#
        )
        let hostUUID = try #require(plan.ownership?.hostVGs.first?.uuid)
        #expect(!plan.deactivations.contains { $0.vgUUID == hostUUID })
        #expect(plan.deactivations.map(\.vgName) == ["guestvg"])
        let blocked = try Self.plan("host-lvm", Fixture.desired(policy: "reject-all"))
        #expect(blocked.blockerKinds.first == .rejectAllHidesHostPVs(pvs: ["/dev/vdb"]))
        #expect(blocked.configEdit == nil && blocked.deactivations.isEmpty)
    }

    @Test("a host VG with a PV missing: the PV present is accepted, the missing one gets no '[unknown]' rule")
    func hostVGWithMissingPV() throws {
        let plan = try Self.plan("host-lvm") { sections in
            let missing =
                #"{"pv_name":"[unknown]", "pv_uuid":"Mi55in-gPV0-0000-0000-0000-0000-000000", "vg_name":"hostvg", "#
                + #""vg_uuid":"fLlyT5-16c4-NxJU-2DY8-YQoF-WUwe-DFsZSp", "dev_size":"0"},"# + "\n"
            let pvs = sections["pvs"]!.stdout.replacingOccurrences(
                of: #"{"pv_name":"/dev/vdb""#, with: missing + #"{"pv_name":"/dev/vdb""#)
            sections["pvs"] = sections["pvs"]!.with(stdout: pvs)
        }
        #expect(plan.status == .changes, "\(plan.reasons)")
        #expect(plan.ownership?.hostPVs == ["/dev/vdb"])
        let planned = try #require(plan.configEdit?.planned)
        #expect(!planned.contains("unknown") && planned.contains("/dev/vdb"), "\(planned)")
    }

    @Test("duplicate VG names: the inactive guest vg0 is not touched; the host's vg0 is accepted")
    func duplicateNames() throws {
        let plan = try Self.plan("dup-names")
        #expect(
            plan.configEdit?.planned
                == #"[ "a|^/dev/disk/by-id/lvm-pv-uuid-7YDRiZ-Pe3J-ZTWc-4xlM-7BKN-kIVt-LLrALb$|", "a|^/dev/vdb$|", "r|.*|" ]"#
        )
        #expect(plan.deactivations.isEmpty)
    }

    @Test("a guest LV held open by a host process blocks the host: nothing lvmguard sees explains it")
    func openLV() throws {
        let plan = try Self.plan("open-guest-lv")
        #expect(plan.status == .blocked)
        #expect(plan.blockers.count == 1)
        guard case let .unexplainedOpenLVs(vg) = plan.blockerKinds.first else {
            Issue.record("not an unexplained open LV: \(plan.reasons)")
            return
        }
        #expect(vg.name == "guestvg" && vg.openLVs.map(\.name) == ["data"] && vg.openLVs.map(\.openCount) == [1])
        #expect(plan.configEdit == nil && plan.deactivations.isEmpty)
        // Declared the host's, it is kept and accepted: never deactivated.
        let declared = try Self.plan("open-guest-lv", hostVGs: ["guestvg"])
        #expect(declared.status == .changes)
        #expect(declared.deactivations.isEmpty)
    }

    @Test("an undeclared unmounted local VG blocks the host with a message saying how to declare it")
    func undeclaredLocalVG() throws {
        let plan = try Self.plan("local-vg")
        #expect(
            plan.blockerKinds == [
                .unclassifiedVG(
                    vg: .init(
                        name: "scratchvg", uuid: "xJiBVx-2hQC-TB8N-fC3e-sn19-wjyU-JM2A9n",
                        pvs: ["/dev/vdb"]))
            ])
        #expect(plan.reasons[0].contains("add it to lvmguard_host_vgs for h"))
        #expect(plan.configEdit == nil && plan.deactivations.isEmpty && plan.commands.isEmpty)
        let declared = try Self.plan("local-vg", hostVGs: ["scratchvg"])
        #expect(declared.status == .changes)
        #expect(
            declared.configEdit?.planned
                == #"[ "a|^/dev/disk/by-id/lvm-pv-uuid-JtcB9b-VxiC-UDro-L6G1-ldVW-rgIi-73NqXI$|", "a|^/dev/vdb$|", "r|.*|" ]"#
        )
        #expect(declared.deactivations.map(\.vgName) == ["guestvg"])
    }

    @Test("devices-file host: the plan edits the devices file, not the filter")
    func devicesFile() throws {
        let plan = try Self.plan("devices-file")
        #expect(plan.regime == .devicesFile)
        #expect(plan.configEdit == nil)
        // Removed by PVID, never by the name, which may be another device's by apply time.
        let edit = try #require(plan.devicesFileEdit)
        #expect(edit.add == [] && edit.remove == ["/dev/mapper/mpatha"] && !edit.createFile)
        #expect(edit.removePVIDs.count == 1 && edit.removePVIDs[0].compact.count == 32)
        #expect(plan.commands.first == "lvm lvmdevices --delpvid \(edit.removePVIDs[0].compact)   # /dev/mapper/mpatha")
        // Enabled but missing: LVM sees everything, so the plan creates the file with the host's PVs.
        let missing = try Self.plan("devices-file") {
            $0["devices-file"] = $0["devices-file"]?.with(stdout: "", status: 1)
        }
        #expect(missing.devicesFileEdit == HostPlan.DevicesFileEdit(add: ["/dev/vdb"], remove: [], createFile: true))
    }

    @Test("devices-file host: a PV in no VG (made for the host, before vgextend) keeps its entry, with a warning")
    func orphanPVEntryKept() throws {
        let orphan =
            #"{"pv_name":"/dev/vdc", "pv_uuid":"0rphan-PV00-0000-0000-0000-0000-000000", "vg_name":"", "#
            + #""vg_uuid":"", "dev_size":"1073741824"},"# + "\n"
        let plan = try Self.plan("devices-file") { sections in
            sections["pvs"] = sections["pvs"]!.with(
                stdout: sections["pvs"]!.stdout.replacingOccurrences(
                    of: #"{"pv_name":"/dev/vdb""#, with: orphan + #"{"pv_name":"/dev/vdb""#))
            sections["devices-file"] = sections["devices-file"]!.with(
                stdout: sections["devices-file"]!.stdout
                    + "IDTYPE=devname IDNAME=/dev/vdc DEVNAME=/dev/vdc PVID=0rphanPV000000000000000000000000\n")
        }
        let edit = try #require(plan.devicesFileEdit)
        #expect(edit.remove == ["/dev/mapper/mpatha"], "only the guest's entry goes: \(edit)")
        #expect(plan.warningKinds.contains(.keptOrphanPVEntry(device: "/dev/vdc")), "\(plan.warnings.map(\.message))")
    }

    @Test("key, accept rules and deactivate_guest_vgs from the playbook are honoured")
    func playbookOptions() throws {
        let filterKey = try Self.plan("incident", Fixture.desired("  key: filter\n"))
        #expect(filterKey.configEdit?.key == "devices/filter")
        let accept = try Self.plan("incident", Fixture.desired("  accept: [/dev/sdz9, '/^\\/dev\\/nvme.*$/']\n"))
        // Config strings escape backslashes (libdm reads "\\/" as "\/").
        #expect(accept.configEdit?.planned == #"[ "a|^/dev/sdz9$|", "a|^\\/dev\\/nvme.*$|", "r|.*|" ]"#)
        let keep = try Self.plan("incident", Fixture.desired("deactivate_guest_vgs: false\n"))
        #expect(keep.deactivations.isEmpty)
        #expect(
            keep.warningKinds.contains(
                .guestVGKeptActive(name: "guestvg", uuid: "gMD2xM-ZdGA-vrmy-TdFe-1LJS-zo1T-mPeb4D")))
    }

    @Test(
        "the host needs a person when lvm.conf or its filter cannot be understood",
        arguments: [
            (
                "devices {\n\tglobal_filter = [ \"a|unclosed ]\n}\n",
                "configUnparseable(/etc/lvm/lvm.conf, line 2, column 20: string is not closed on its line)"
            ),
            (
                "devices {\n\tglobal_filter = [ \"x|what|\" ]\n}\n",
                "filterNotUnderstood(devices/global_filter, /etc/lvm/lvm.conf, 2)"
            ),
            (
                "devices {\n\tglobal_filter = [ 7 ]\n}\n",
                "filterNotUnderstood(devices/global_filter, /etc/lvm/lvm.conf, 2)"
            ),
        ])
    func notUnderstood(conf: String, expected: String) throws {
        let plan = try Self.plan("incident") { $0["lvm-conf"] = $0["lvm-conf"]?.with(stdout: conf) }
        #expect(plan.status == .blocked)
        let found = plan.blockerKinds.map { blocker -> String in
            switch blocker {
            case let .configUnparseable(path, error): "configUnparseable(\(path), \(error))"
            case let .filterNotUnderstood(key, path, line, _): "filterNotUnderstood(\(key), \(path), \(line))"
            default: "\(blocker)"
            }
        }
        #expect(found.contains(expected), "\(found)")
        #expect(plan.configEdit == nil)
    }

    @Test("a filter set outside lvm.conf (lvmlocal.conf, a profile) blocks instead of being shadowed")
    func setElsewhere() throws {
        let plan = try Self.plan("incident") {
            $0["config:devices/global_filter"] = $0["config:devices/global_filter"]?.with(
                stdout: "global_filter=[\"a|/dev/sd.*|\"]\n")
        }
        #expect(plan.status == .blocked)
        guard case let .filterSetElsewhere(key, path, _, _)? = plan.blockerKinds.first else {
            Issue.record("not a filter set elsewhere: \(plan.reasons)")
            return
        }
        #expect(key == "devices/global_filter" && path == "/etc/lvm/lvm.conf")
    }

    @Test("with lvmetad, key 'filter' is refused: lvmetad ignores it")
    func lvmetad() throws {
        let plan = try Self.plan("incident", Fixture.desired("  key: filter\n")) {
            $0["config:global/use_lvmetad"] = $0["config:global/use_lvmetad"]?.with(
                stdout: "use_lvmetad=1\n", status: 0)
        }
        #expect(plan.status == .blocked)
        #expect(plan.blockerKinds.first == .lvmetadIgnoresFilter)
    }

    @Test("after the change is made the host is in sync")
    func convergence() throws {
        let first = try Self.plan("incident")
        let planned = try #require(first.configEdit?.plannedText)
        let lvsAfter = try Fixture.sections("incident")["lvs"]!.stdout.replacingOccurrences(
            of: "\"lv_attr\":\"-wi-a-----\", \"lv_active\":\"active\"",
            with: "\"lv_attr\":\"-wi-------\", \"lv_active\":\"\"")
        let second = try Self.plan("incident") {
            $0["lvm-conf"] = $0["lvm-conf"]?.with(stdout: planned)
            $0["config:devices/global_filter"] = $0["config:devices/global_filter"]?.with(
                stdout: "global_filter=\"r|.*|\"\n")
            $0["lvs"] = $0["lvs"]?.with(stdout: lvsAfter)
        }
        #expect(second.status == .inSync, "\(second.commands)")
    }

    @Test("exempt hosts keep their reason, ticket and expiry; nothing is planned")
    func exempt() {
        let exempt = TargetSelection.ExemptHost(
            host: "compute-17", reason: "nova images_type=lvm", ticket: "CHG-1234",
            until: CalendarDate("2027-01-31"), source: "host compute-17 at pb.yaml:7:5")
        let plan = Planner.exempt(exempt)
        #expect(plan.status == .exempt)
        #expect(
            plan.exemption
                == HostPlan.Exemption(
                    reason: "nova images_type=lvm", ticket: "CHG-1234", until: "2027-01-31",
                    source: "host compute-17 at pb.yaml:7:5"))
        #expect(plan.commands.isEmpty)
    }

    @Test("fingerprints record what the plan relied on")
    func fingerprint() throws {
        let plan = try Self.plan("incident")
        let facts = try Fixture.facts("incident")
        #expect(plan.fingerprint?.lvmConfSHA256 == facts.lvmConf.sha256)
        #expect(plan.fingerprint?.lvStates.count == facts.lvs.count)
        // Every LV active: lv_attr's fifth letter is `a` on each line.
        #expect(plan.fingerprint?.lvStates.allSatisfy { $0.hasSuffix(" a") } == true)
        // Every PV with its VG: the guest's PV on the map, by UUID.
        #expect(plan.fingerprint?.pvMembers.count == facts.pvs.count)
        #expect(
            plan.fingerprint?.pvMembers.contains { $0.hasSuffix(" gMD2xM-ZdGA-vrmy-TdFe-1LJS-zo1T-mPeb4D") } == true)
    }
}
