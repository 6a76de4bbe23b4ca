import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardRemote
@testable import LVMGuardTestSupport

let scenarios = ["incident", "host-lvm", "dup-names", "open-guest-lv", "local-vg", "devices-file", "clean"]

@Suite("Facts from real lab hosts: parsing and ownership")
struct OwnershipTests {
    @Test("every captured host parses into typed facts", arguments: scenarios)
    func parses(scenario: String) throws {
        let facts = try Fixture.facts(scenario)
        #expect(facts.lvmVersion?.description == "2.03.16")
        #expect(facts.lvmConf.path == "/etc/lvm/lvm.conf")
        #expect(facts.lvmConf.sha256.count == 64)
        #expect(facts.dmDevices.contains { $0.name == "mpatha" && $0.multipathWWID == "35000c50015ea71ac" })
        #expect(!facts.vgs.isEmpty)
    }

    @Test(
        "a failed read of the device stack or of lvm.conf's state stops the host, named: never planned on a guess",
        arguments: [
            ("dm-deps", "dmsetup deps"), ("sysfs-block", "/sys/block"), ("dev-links", "device links"),
            ("lvm-conf-stat", "stat of /etc/lvm/lvm.conf"),
        ])
    func stackReadFailed(section: String, named: String) throws {
        do {
            _ = try Fixture.facts("incident") { sections in
                sections[section] = FactSection(name: section, status: 1, stdout: "", stderr: "it broke")
            }
            Issue.record("the facts parsed with \(section) failed")
        } catch let error as FactsError {
            #expect(error.message.contains(named) && error.message.contains("it broke"), "\(error.message)")
        }
    }

    @Test("a setting lvmconfig printed in a form lvmguard cannot read stops the host, naming the setting")
    func unreadableSetting() throws {
        do {
            _ = try Fixture.facts("incident") { sections in
                sections["config:devices/filter"] = FactSection(
                    name: "config:devices/filter", status: 0, stdout: "filter=[\"a|.*|\"\n", stderr: "")
            }
            Issue.record("the facts parsed with an unreadable devices/filter")
        } catch let error as FactsError {
            #expect(error.message.contains("devices/filter"), "\(error.message)")
        }
    }

    @Test(
        "VGs are classified by ownership, by UUID",
        arguments: [
            ("incident", [], ["guestvg"], []),
            ("host-lvm", ["hostvg"], ["guestvg"], []),
            ("dup-names", ["vg0"], ["vg0"], []),
            // A host process holds a guest LV open: nothing lvmguard sees explains it, so a person must look.
            ("open-guest-lv", [], [], ["guestvg"]),
            ("local-vg", [], ["guestvg"], ["scratchvg"]),
            ("devices-file", ["hostvg"], ["guestvg"], []),
            ("clean", [], ["guestvg"], []),
        ])
    func classify(scenario: String, host: [String], guest: [String], ambiguous: [String]) throws {
        let facts = try Fixture.facts(scenario)
        let ownership = Ownership(model: HostModel(facts), declaredVGs: [], accept: [])
        #expect(ownership.hostVGs.map(\.name) == host)
        #expect(ownership.guestVGs.map(\.name) == guest)
        #expect(ownership.ambiguousVGs.map(\.name) == ambiguous)
        // A VG is in exactly one class.
        let uuids = ownership.hostVGs.map(\.uuid) + ownership.guestVGs.map(\.uuid) + ownership.ambiguousVGs.map(\.uuid)
        #expect(Set(uuids).count == facts.vgs.count)
    }

    @Test("a guest VG named like the host's is told apart by UUID")
    func duplicateNames() throws {
        let facts = try Fixture.facts("dup-names")
        let ownership = Ownership(model: HostModel(facts), declaredVGs: [], accept: [])
        let host = try #require(ownership.hostVGs.first)
        let guest = try #require(ownership.guestVGs.first)
        #expect(host.name == guest.name)
        #expect(host.uuid != guest.uuid)
        #expect(ownership.hostPVs == ["/dev/vdb"])
        #expect(guest.storage == [.multipath(map: "mpatha", wwid: "35000c50015ea71ac")])
        // Declaring the shared name is ambiguous; declaring the UUID is not.
        #expect(Ownership(model: HostModel(facts), declaredVGs: ["vg0"], accept: []).ambiguousDeclarations == ["vg0"])
        #expect(
            Ownership(model: HostModel(facts), declaredVGs: [host.uuid.rawValue], accept: []).ambiguousDeclarations
                .isEmpty)
    }

    @Test("an undeclared local VG becomes the host's once declared or accepted")
    func declareLocalVG() throws {
        let facts = try Fixture.facts("local-vg")
        let declared = Ownership(model: HostModel(facts), declaredVGs: ["scratchvg"], accept: [])
        #expect(declared.hostVGs.map(\.name) == ["scratchvg"])
        #expect(declared.hostVGs[0].reasons == ["declared in lvmguard_host_vgs"])
        let accepted = Ownership(model: HostModel(facts), declaredVGs: [], accept: [.path("/dev/vdb")])
        #expect(accepted.hostVGs.map(\.name) == ["scratchvg"])
        let byRegex = Ownership(model: HostModel(facts), declaredVGs: [], accept: [.regex("^/dev/vd[b-z]$")])
        #expect(byRegex.hostPVs == ["/dev/vdb"])
    }

    @Test("one verdict per VG: a person's word settles it, a use outweighs evidence, evidence alone makes a guest")
    func verdict() {
        let instance = GuestEvidence(
            instances: ["instance-0000002a"], foreignCreationHosts: [], creationHosts: [], transports: [.iscsi])
        let madeHereOnLUN = GuestEvidence(
            instances: [], foreignCreationHosts: [], creationHosts: ["h"], transports: [.iscsi])
        let local = GuestEvidence(instances: [], foreignCreationHosts: [], creationHosts: [], transports: [.local])
        let open = [Ownership.OpenLV(name: "data", uuid: "U1U1U1-U1U1-U1U1-U1U1-U1U1-U1U1-U1U1U1", openCount: 1)]
        let mounted = ["LV data is mounted at /srv"]
        let cases: [(Ownership.Verdict, [String]?, Bool, GuestEvidence?, [Ownership.OpenLV]?)] = [
            (.usedByHostWithGuestEvidence(uses: mounted, evidence: instance), mounted, false, instance, nil),
            (.host(reasons: mounted), mounted, true, instance, nil),
            (.host(reasons: mounted), mounted, false, madeHereOnLUN, open),
            (.unexplainedOpenLVs(open), nil, false, instance, open),
            (.guest(instance), nil, false, instance, nil),
            (.unclaimedOnAttachableStorage(madeHereOnLUN), nil, false, madeHereOnLUN, nil),
            (.unclassified, nil, false, local, nil),
            (.unclassified, nil, false, nil, nil),
        ]
        for (expected, use, declared, evidence, unexplained) in cases {
            let verdict = Ownership.verdict(
                hostUse: use, declared: declared, evidence: evidence, unexplainedOpen: unexplained)
            #expect(verdict == expected, "use \(use ?? []), declared \(declared), \(String(describing: evidence))")
        }
    }
}
