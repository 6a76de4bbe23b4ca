import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// Who is a guest, by evidence: each rule of `GuestEvidence` and `Ownership` on the incident VM's real gather
/// (Fixtures/facts/incident-evidence.facts: guestvg on mpatha, written by guest-vm-0042, nova's instance-0000002a
/// defined with the map as disk vdb), changed one fact at a time.
@Suite("Evidence, not assumptions: what makes a VG a guest's, the host's, or a question")
struct EvidenceTests {
    static let guestVG: VGUUID = "PysyGp-eTj1-yXTb-h0xK-vrum-0pzK-Flfms8"
    static let instance = "instance-0000002a (0f3c6d52-8a4e-4b7e-9b1d-2e6a5c7d8f90), defined"

    /// The fixture with sections changed: (section, old text or nil to append, new text).
    static func facts(_ edits: [(String, String?, String)] = []) throws -> HostFacts {
        try Fixture.facts("incident-evidence", edits: edits.map { (section: $0.0, old: $0.1, new: $0.2) })
    }

    static func plan(_ edits: [(String, String?, String)] = [], hostVGs: [String] = []) throws -> HostPlan {
        Planner.plan(Fixture.host("lab-host", hostVGs: hostVGs), facts: try facts(edits), desired: Fixture.desired())
    }

    /// No libvirt domain at all on the host.
    static var noInstance: (String, String?, String) {
        ("libvirt-xml", (try? Fixture.sections("incident-evidence"))?["libvirt-xml"]?.stdout, "")
    }
    /// Both paths of mpatha are iSCSI sessions.
    static let overISCSI: [(String, String?, String)] = [
        (
            "sysfs-block", "/virtio1/host0/target0:0:0/0:0:0:0/block/sda",
            "/platform/host0/session1/target0:0:0/0:0:0:0/block/sda"
        ),
        (
            "sysfs-block", "/virtio2/host1/target1:0:0/1:0:0:0/block/sdb",
            "/platform/host1/session2/target1:0:0/1:0:0:0/block/sdb"
        ),
    ]
    /// The guest's LVs record this host as their creator.
    static let madeHere = ("lvs", #""lv_host":"guest-vm-0042""#, #""lv_host":"lab-host""#)
    static let mounted = (
        "mountinfo", nil as String?, "99 1 253:2 / /mnt/guest rw - ext4 /dev/mapper/guestvg-data rw\n"
    )

    @Test("rule 1: a disk of a libvirt domain, only defined, on a local-transport map: the guest's, by that instance")
    func instanceDisk() throws {
        let plan = try Self.plan()
        #expect(plan.status == .changes, "\(plan.reasons)")
        let guest = try #require(plan.ownership?.guestVGs.first)
        #expect(guest.uuid == Self.guestVG)
        #expect(guest.evidence?.instances == [Self.instance])
        #expect(guest.evidence?.foreignCreationHosts == ["guest-vm-0042"] && guest.evidence?.transports == [.local])
        #expect(plan.deactivations.first?.instances == ["instance-0000002a (0f3c6d52-8a4e-4b7e-9b1d-2e6a5c7d8f90)"])
    }

    @Test(
        "rule 2: another machine's metadata alone on iSCSI storage is a question, a guest's where the host trusts it; on local storage a question"
    )
    func creationHost() throws {
        let alone = try Self.plan([Self.noInstance] + Self.overISCSI)
        #expect(alone.status == .blocked && alone.deactivations.isEmpty && alone.configEdit == nil)
        guard case let .unclaimedVG(unclaimed)? = alone.blockerKinds.first else {
            Issue.record("\(alone.reasons)")
            return
        }
        #expect(unclaimed.uuid == Self.guestVG && unclaimed.foreignCreationHosts == ["guest-vm-0042"])
        #expect(
            alone.reasons[0].contains("says it was made on guest-vm-0042")
                && alone.reasons[0].contains("lvmguard_trust_creation_host: true"), "\(alone.reasons)")
        let trusting = Fixture.host("lab-host", variables: ["lvmguard_trust_creation_host: true"])
        let attached = Planner.plan(
            trusting, facts: try Self.facts([Self.noInstance] + Self.overISCSI), desired: Fixture.desired())
        #expect(attached.status == .changes, "\(attached.reasons)")
        #expect(attached.ownership?.guestVGs.first?.evidence?.transports == [.iscsi])
        // An installer's name is nobody's: trusted or not, it is no evidence.
        for installer in ["localhost.localdomain", "localhost"] {
            let made = ("lvs", #""lv_host":"guest-vm-0042""# as String?, #""lv_host":"\#(installer)""#)
            let plan = Planner.plan(
                trusting, facts: try Self.facts([Self.noInstance, made] + Self.overISCSI), desired: Fixture.desired())
            #expect(plan.status == .blocked, "\(installer): \(plan.reasons)")
            #expect(
                plan.blockerKinds.contains {
                    if case let .unclaimedVG(vg) = $0 { vg.foreignCreationHosts.isEmpty } else { false }
                }, "\(installer): \(plan.reasons)")
        }
        let local = try Self.plan([Self.noInstance])
        #expect(local.blockerKinds.count == 1)
        guard case let .unclassifiedVG(vg)? = local.blockerKinds.first else {
            Issue.record("\(local.reasons)")
            return
        }
        #expect(vg.uuid == Self.guestVG)
    }

    @Test("made on this host, on attachable storage, unused, no instance: blocked with its map, WWID and creator")
    func unclaimed() throws {
        let plan = try Self.plan([Self.noInstance, Self.madeHere] + Self.overISCSI)
        #expect(plan.status == .blocked && plan.deactivations.isEmpty && plan.configEdit == nil)
        guard case let .unclaimedVG(vg)? = plan.blockerKinds.first else {
            Issue.record("\(plan.reasons)")
            return
        }
        #expect(vg.uuid == Self.guestVG && vg.creationHosts == ["lab-host"])
        #expect(vg.storage == [.multipath(map: "mpatha", wwid: "35000c50015ea71ac")])
        #expect(
            plan.reasons[0].contains("made on lab-host") && plan.reasons[0].contains("lvmguard_host_vgs for lab-host"))
        // Declared, it is the host's: accepted, never deactivated.
        let declared = try Self.plan(
            [Self.noInstance, Self.madeHere] + Self.overISCSI, hostVGs: [Self.guestVG.rawValue])
        #expect(declared.status == .changes && declared.deactivations.isEmpty)
        #expect(declared.ownership?.hostVGs.map(\.uuid) == [Self.guestVG])
    }

    @Test(
        "the creation host never makes a VG the host's: this host's name on a guest's instance disk is still a guest's")
    func creatorIsNeverHostEvidence() throws {
        let plan = try Self.plan([Self.madeHere])
        #expect(plan.ownership?.guestVGs.map(\.uuid) == [Self.guestVG])
    }

    @Test("a guest's volume the host mounted: blocked, naming the mount and the guest evidence; declared, the host's")
    func mountedGuest() throws {
        let plan = try Self.plan([Self.mounted])
        #expect(plan.status == .blocked && plan.configEdit == nil && plan.devicesFileEdit == nil)
        guard case let .guestVGInUse(vg)? = plan.blockerKinds.first else {
            Issue.record("\(plan.reasons)")
            return
        }
        #expect(vg.uuid == Self.guestVG && vg.uses == ["LV data is mounted at /mnt/guest"])
        #expect(vg.evidence.instances == [Self.instance] && vg.evidence.foreignCreationHosts == ["guest-vm-0042"])
        #expect(plan.reasons[0].contains("/mnt/guest") && plan.reasons[0].contains("created by guest-vm-0042"))
        let declared = try Self.plan([Self.mounted], hostVGs: ["guestvg"])
        #expect(declared.ownership?.hostVGs.map(\.uuid) == [Self.guestVG])
    }

    @Test("kolla: no virsh; the running domain's status XML under /run and its definition in the docker volume")
    func kolla() throws {
        let xml = (try Fixture.sections("incident-evidence"))["libvirt-xml"]!.stdout
        let body = try #require(xml.split(separator: " ").last.map(String.init))
        let files =
            "/run/libvirt/qemu/instance-0000002a.xml \(body)"
            + "/var/lib/docker/volumes/nova_libvirt_qemu/_data/instance-0000002a.xml \(body)"
        let facts = try Self.facts([("libvirt-xml", xml, files)])
        #expect(facts.libvirtDisks.map(\.state) == [.running])
        #expect(facts.libvirtDisks.map(\.origin) == ["/run/libvirt/qemu/instance-0000002a.xml"])
        let plan = Planner.plan(Fixture.host("lab-host"), facts: facts, desired: Fixture.desired())
        #expect(
            plan.ownership?.guestVGs.first?.evidence?.instances == [
                "instance-0000002a (0f3c6d52-8a4e-4b7e-9b1d-2e6a5c7d8f90)"
            ])
        let report = Diagnosis.analyze(
            .init(instance: "0f3c6d52-8a4e-4b7e-9b1d-2e6a5c7d8f90"), host: Fixture.host("lab-host"),
            facts: facts, desired: Fixture.desired())
        #expect(report.map == "mpatha", "\(report)")
    }

    @Test("duplicate PVs (a cloned image): blocked, naming both devices with their identities")
    func duplicates() throws {
        let stderr =
            "  WARNING: Not using device /dev/sdb for PV Meahjf-mdI0-vlgs-V2rU-RQ2I-FEON-LECTae.\n"
            + "  WARNING: PV Meahjf-mdI0-vlgs-V2rU-RQ2I-FEON-LECTae prefers device /dev/mapper/mpatha because device is used by LV.\n"
        let facts = try Fixture.facts("incident-evidence") { sections in
            sections["pvs"] = FactSection(name: "pvs", status: 0, stdout: sections["pvs"]!.stdout, stderr: stderr)
        }
        #expect(
            facts.duplicatePVs == [
                DuplicatePV(
                    uuid: "Meahjf-mdI0-vlgs-V2rU-RQ2I-FEON-LECTae",
                    devices: ["/dev/mapper/mpatha", "/dev/sdb"])
            ])
        let plan = Planner.plan(Fixture.host("lab-host"), facts: facts, desired: Fixture.desired())
        guard case let .duplicatePV(uuid, devices)? = plan.blockerKinds.last else {
            Issue.record("\(plan.reasons)")
            return
        }
        #expect(
            uuid == "Meahjf-mdI0-vlgs-V2rU-RQ2I-FEON-LECTae"
                && devices.map(\.path) == ["/dev/mapper/mpatha", "/dev/sdb"])
        #expect(devices[0].identities.contains("/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ac"))
        // 2.02's wording.
        #expect(
            DuplicatePV.found(in: [
                "  Found duplicate PV Meahjf-mdI0-vlgs-V2rU-RQ2I-FEON-LECTae: using /dev/sdc not /dev/sdb\n"
            ])
            .first?.devices == ["/dev/sdb", "/dev/sdc"])
    }

    @Test("a partial guest VG (one of two PVs attached) is a guest's, deactivated and reported partial")
    func partial() throws {
        let plan = try Self.plan([
            ("vgs", #""vg_attr":"wz--n-", "pv_count":"1""#, #""vg_attr":"wz-pn-", "pv_count":"2""#),
            (
                "pvs", #"{"pv_name":"/dev/mapper/mpatha""#,
                #"{"pv_name":"[unknown]", "pv_uuid":"Xxxxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxxxx", "vg_name":"guestvg", "vg_uuid":"\#(Self.guestVG)", "dev_size":"0"}, {"pv_name":"/dev/mapper/mpatha""#
            ),
        ])
        #expect(plan.status == .changes, "\(plan.reasons)")
        #expect(plan.ownership?.guestVGs.first?.partial == "partial: 1 of 2 PVs present")
        #expect(plan.deactivations.map(\.vgUUID) == [Self.guestVG])
    }

    @Test("md over a guest map is a holder: no-multipath-held fails though device-mapper lists no holder")
    func mdHolder() throws {
        let facts = try Self.facts([("holders", nil, "dm-0 md127\n")])
        let held = CheckEvaluator.heldMaps(HostModel(facts), hostVGUUIDs: [])
        #expect(held.first?.holders.contains("md127") == true, "\(held)")
    }

    @Test("a guest's LVs on a partition of the map (kpartx's mpatha-part2, a cloud image's PV) hold the map")
    func heldThroughPartition() throws {
        let facts = try Self.facts([
            ("dm-info", nil, "mpatha-part2|253|5|2|part2-mpath-35000c50015ea71ac\n"),
            ("dm-deps", "guestvg-data: 1 dependencies\t: (253, 0)", "guestvg-data: 1 dependencies\t: (253, 5)"),
            ("dm-deps", "guestvg-root: 1 dependencies\t: (253, 0)", "guestvg-root: 1 dependencies\t: (253, 5)"),
            ("dm-deps", nil, "mpatha-part2: 1 dependencies\t: (253, 0)\n"),
            ("holders", "dm-0 dm-1\ndm-0 dm-2", "dm-0 dm-5\ndm-5 dm-1\ndm-5 dm-2"),
            (
                "lsblk", nil,
                #"NAME="mpatha-part2" KNAME="dm-5" TYPE="part" MAJ:MIN="253:5" SIZE="1" MOUNTPOINT="" "#
                    + #"FSTYPE="LVM2_member" PKNAME="dm-0""# + "\n"
            ),
        ])
        let held = CheckEvaluator.heldMaps(HostModel(facts), hostVGUUIDs: [])
        #expect(held.map(\.map) == ["mpatha"] && held.first?.holders == ["guestvg-data", "guestvg-root"], "\(held)")
        let check = CheckEvaluator.evaluate(
            [.noMultipathHeld], host: Fixture.host("lab-host"), facts: facts, desired: Fixture.desired())
        #expect(check.first?.passed == false, "\(check)")
    }

    @Test("after apply, check fails when a host PV's UUID appears on a second device (a clone attached since)")
    func duplicateAfterApply() throws {
        // nova-lvm-applied: lvmguard applied, nova's PV accepted by its lvm-pv-uuid link; check passes as captured.
        let host = Fixture.host("v-nova", variables: ["lvmguard_volume_vgs: [nova]"])
        let clean = try Fixture.facts("nova-lvm-applied")
        let checks: [Check] = [.filterEffective]
        #expect(
            CheckEvaluator.evaluate(checks, host: host, facts: clean, desired: Fixture.desired()).first?.passed == true)
        // A clone of nova's PV on a volume attached after apply: udev's last writer takes the link the filter names.
        let nova = try #require(clean.pvs.first { $0.vgName == "nova" })
        let stderr =
            "  WARNING: Not using device /dev/sdb for PV \(nova.uuid).\n"
            + "  WARNING: PV \(nova.uuid) prefers device \(nova.name) because device is used by LV.\n"
        let cloned = try Fixture.facts("nova-lvm-applied") { sections in
            sections["pvs"] = sections["pvs"]!.with(stderr: stderr)
        }
        let outcome = try #require(
            CheckEvaluator.evaluate(checks, host: host, facts: cloned, desired: Fixture.desired()).first)
        #expect(!outcome.passed)
        #expect(outcome.detail.contains(nova.uuid.rawValue) && outcome.detail.contains("/dev/sdb"), "\(outcome.detail)")
    }

    @Test("a current accept rule that matches no device present is kept, with a warning")
    func keptAcceptRule() throws {
        let conf = "devices {\n\tglobal_filter = [ \"a|^/dev/disk/by-id/wwn-0x5000c500deadbeef$|\", \"r|.*|\" ]\n}\n"
        let facts = try Fixture.facts("incident-evidence") { sections in
            sections["lvm-conf-base64"] = sections["lvm-conf-base64"]!.with(
                stdout: Data(conf.utf8).base64EncodedString() + "\n")
            sections["config:devices/global_filter"] = sections["config:devices/global_filter"]!
                .with(stdout: #"global_filter=["a|^/dev/disk/by-id/wwn-0x5000c500deadbeef$|","r|.*|"]"# + "\n")
        }
        let kept = Planner.plan(Fixture.host("lab-host"), facts: facts, desired: Fixture.desired())
        #expect(
            kept.warningKinds.contains(.keptAcceptRule(rule: "a|^/dev/disk/by-id/wwn-0x5000c500deadbeef$|")),
            "\(kept.warnings)")
        #expect(
            kept.configEdit?.planned == #"[ "a|^/dev/disk/by-id/wwn-0x5000c500deadbeef$|", "r|.*|" ]"#
                || kept.configEdit == nil, "\(String(describing: kept.configEdit?.planned))")
    }

    @Test("the plan carries the boot it was made in, and apply is told to refuse another")
    func bootID() throws {
        let plan = try Self.plan()
        #expect(
            plan.fingerprint?.bootID == "62d02283-a831-4a55-b022-9d024e3b7ab2" || plan.fingerprint?.bootID?.count == 36)
        let request = try ApplyRequest(plan: plan, hostVGs: [], guestVGs: [Self.guestVG], timestamp: "20261202T100000Z")
        #expect(request.variables.first { $0.name == "LVMGUARD_EXPECT_BOOT_ID" }?.value == plan.fingerprint?.bootID)
    }

    /// The instance's definition with its disk's source replaced (the fixture names the map by its WWID).
    static func definitionNaming(_ source: String) throws -> (String, String?, String) {
        let section = try #require(try Fixture.sections("incident-evidence")["libvirt-xml"]?.stdout)
        let words = section.trimmingCharacters(in: .newlines).split(separator: " ", maxSplits: 1).map(String.init)
        let xml = String(decoding: try #require(Data(base64Encoded: words[1])), as: UTF8.self)
        let edited = xml.replacingOccurrences(of: "/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ac", with: source)
        #expect(edited != xml, "the definition names the map by its WWID")
        return ("libvirt-xml", section, words[0] + " " + Data(edited.utf8).base64EncodedString() + "\n")
    }

    @Test("a shut-off instance naming its disk by kernel name ties nothing; a running one's qemu holds what it names")
    func staleKernelName() throws {
        let defined = try Self.plan([Self.definitionNaming("/dev/dm-0")])
        #expect(defined.status == .blocked && defined.deactivations.isEmpty, "\(defined.reasons)")
        #expect(
            defined.blockerKinds.contains {
                if case let .unclassifiedVG(vg) = $0 { vg.uuid == Self.guestVG } else { false }
            }, "\(defined.reasons)")
        #expect(
            defined.warningKinds.contains {
                if case let .staleInstanceDisk(stale) = $0 {
                    stale.disk.source == "/dev/dm-0" && stale.pvs == ["/dev/mapper/mpatha"]
                } else {
                    false
                }
            }, "\(defined.warnings.map(\.message))")
        let running = try Self.plan([
            Self.noInstance,
            (
                "libvirt-disks", nil,
                "domain 0f3c6d52-8a4e-4b7e-9b1d-2e6a5c7d8f90 instance-0000002a\n"
                    + "disk 0f3c6d52-8a4e-4b7e-9b1d-2e6a5c7d8f90 block disk vdb /dev/dm-0\n"
            ),
        ])
        #expect(running.status == .changes, "\(running.reasons)")
        #expect(running.ownership?.guestVGs.first?.evidence?.instances.first?.hasPrefix("instance-0000002a") == true)
    }

    @Test(
        "a name on the kernel command line is not ownership: the guest's VG stays a guest's; with no evidence, a question"
    )
    func bootNameIsNotOwnership() throws {
        let leftover = ("cmdline", "scsi_mod.scan=sync" as String?, "scsi_mod.scan=sync rd.lvm.lv=guestvg/data")
        let guest = try Self.plan([leftover])
        #expect(guest.status == .changes && guest.deactivations.map(\.vgUUID) == [Self.guestVG], "\(guest.reasons)")
        #expect(
            guest.warningKinds.contains(
                .bootNameWithoutUse(
                    reference: .init(reference: "rd.lvm.lv=guestvg/data", vgName: "guestvg", vgUUID: Self.guestVG))))
        let unknown = try Self.plan([leftover, Self.noInstance])
        #expect(unknown.status == .blocked, "\(unknown.reasons)")
        guard case let .unclassifiedVG(vg)? = unknown.blockerKinds.first else {
            Issue.record("\(unknown.reasons)")
            return
        }
        #expect(vg.bootNames == ["rd.lvm.lv=guestvg/data"])
        #expect(unknown.reasons[0].contains("by name only (rd.lvm.lv=guestvg/data"), "\(unknown.reasons)")
    }

    @Test("another host's VG (HA-LVM's system ID) or a shared one is seen: a question unless declared, then the host's")
    func anotherHostsVG() throws {
        let owned = ("vgs", #""vg_attr":"wz--n-","# as String?, #""vg_attr":"wz--n-", "vg_systemid":"node-b","#)
        let foreign = try Self.plan([owned])
        #expect(foreign.status == .blocked && foreign.deactivations.isEmpty && foreign.configEdit == nil)
        guard case let .foreignVG(vg)? = foreign.blockerKinds.first, foreign.blockerKinds.count == 1 else {
            Issue.record("\(foreign.reasons)")
            return
        }
        #expect(
            vg.uuid == Self.guestVG && vg.systemID == "node-b" && vg.hostSystemID == nil
                && vg.pvs == ["/dev/mapper/mpatha"])
        #expect(foreign.reasons[0].contains("system ID node-b; this host's is unknown"), "\(foreign.reasons)")
        // This host is node-b: the VG is its own, judged as any other (here the instance's disk: a guest's).
        let own = try Self.plan([owned, ("systemid", nil, "  system ID: node-b\n")])
        #expect(own.status == .changes && own.deactivations.map(\.vgUUID) == [Self.guestVG], "\(own.reasons)")
        // Declared: the host's, its PV accepted.
        let declared = try Self.plan([owned, ("systemid", nil, "  system ID: node-a\n")], hostVGs: ["guestvg"])
        #expect(declared.ownership?.hostVGs.map(\.uuid) == [Self.guestVG], "\(declared.reasons)")
        #expect(declared.deactivations.isEmpty)
        // Shared through lvmlockd: the same question.
        let shared = try Self.plan([("vgs", #""vg_attr":"wz--n-","#, #""vg_attr":"wz--n-", "vg_lock_type":"sanlock","#)]
        )
        #expect(shared.status == .blocked)
        #expect(
            shared.blockerKinds.contains {
                if case let .foreignVG(vg) = $0 { vg.lockType == "sanlock" } else { false }
            }, "\(shared.reasons)")
        #expect(shared.reasons[0].contains("shared through lvmlockd (lock type sanlock)"), "\(shared.reasons)")
    }

    @Test("a creation host with a control character (as LVM prints it raw, seen on a VM) is read, not a broken report")
    func controlCharacterInCreationHost() throws {
        let raw = ("lvs", #""lv_host":"guest-vm-0042""# as String?, "\"lv_host\":\"guest\u{01}vm\"")
        let facts = try Self.facts([raw])
        #expect(facts.lvs.contains { $0.creationHost == "guest\u{01}vm" })
        #expect(Planner.plan(Fixture.host("lab-host"), facts: facts, desired: Fixture.desired()).status == .changes)
    }
}
