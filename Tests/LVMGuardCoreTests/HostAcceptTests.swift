import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// Day two: `lvmguard_accept`, a host's own accept list in the inventory, merged with the playbook's `filter.accept`,
/// so that a disk an SRE adds to one host's VG can be declared for that host alone before `pvcreate`.
@Suite("Day two: a host's own accept list (lvmguard_accept) in YAML and INI inventories, merged into its filter")
struct HostAcceptTests {
    static func settings(_ files: [String: String], path: String = "inv/hosts.yaml")
        -> (HostSettings?, [String])
    {
        var diagnostics = Diagnostics()
        let inventory = InventoryLoader(files: InMemoryFiles(files)).load(path, diagnostics: &diagnostics)
        guard let entry = inventory?.hosts["c7"] else { return (nil, diagnostics.sorted.map(\.description)) }
        let settings = HostSettings(entry, diagnostics: &diagnostics)
        return (settings, diagnostics.sorted.map(\.description))
    }

    @Test("a YAML list and an INI comma list read as the playbook's accept entries")
    func reads() throws {
        let (yaml, yamlErrors) = Self.settings([
            "inv/hosts.yaml": """
            all:
              hosts:
                c7:
                  lvmguard_accept: [/dev/disk/by-id/wwn-0x5000c500a1b2c3d4, "/^\\\\/dev\\\\/sdc$/"]
            """
        ])
        #expect(yamlErrors.isEmpty, "\(yamlErrors)")
        #expect(yaml?.accept == [.path("/dev/disk/by-id/wwn-0x5000c500a1b2c3d4"), .regex(#"^\/dev\/sdc$"#)])

        let (ini, iniErrors) = Self.settings(
            ["inv/hosts": "[compute]\nc7 lvmguard_accept=/dev/sdc,/dev/sdd\n"], path: "inv/hosts")
        #expect(iniErrors.isEmpty, "\(iniErrors)")
        #expect(ini?.accept == [.path("/dev/sdc"), .path("/dev/sdd")])
    }

    @Test("an entry that is neither a /dev path nor a /regex/ is an error at its file and line")
    func refuses() throws {
        let (settings, errors) = Self.settings([
            "inv/hosts.yaml": "all:\n  hosts:\n    c7:\n      lvmguard_accept: [sdc]\n"
        ])
        #expect(settings == nil)
        #expect(
            errors.count == 1 && errors[0].hasPrefix("inv/hosts.yaml:4:")
                && errors[0].contains(
                    "accept entry 'sdc' is neither a device path nor a /regex/"),
            "\(errors)")
        let (_, mapErrors) = Self.settings([
            "inv/hosts.yaml": "all:\n  hosts:\n    c7:\n      lvmguard_accept: { disk: /dev/sdc }\n"
        ])
        #expect(mapErrors.contains { $0.contains("lvmguard_accept of host 'c7' must be a list") }, "\(mapErrors)")
    }

    @Test("the host's entries join the playbook's in the planned filter, for that host only")
    func merges() throws {
        let facts = try Fixture.facts(LVM202Tests.fixture, LVM202Tests.loop1OnISCSI)
        let desired = Fixture.desired("  accept: [/dev/disk/by-id/wwn-0x5000c500aaaaaaaa]\n")
        let withOwn = Fixture.host(
            "c7", hostVGs: ["vghost"],
            variables: ["lvmguard_accept: [/dev/disk/by-id/wwn-0x5000c500a1b2c3d4]"] + LVM202Tests.trustsCreationHost)
        let planned = try #require(Planner.plan(withOwn, facts: facts, desired: desired).configEdit?.planned)
        #expect(
            planned
                == #"[ "a|^/dev/disk/by-id/wwn-0x5000c500a1b2c3d4$|", "a|^/dev/disk/by-id/wwn-0x5000c500aaaaaaaa$|", "#
                + #""a|^/dev/loop0$|", "r|.*|" ]"#)
        let without = Fixture.host("other", hostVGs: ["vghost"], variables: LVM202Tests.trustsCreationHost)
        let plannedOther = try #require(Planner.plan(without, facts: facts, desired: desired).configEdit?.planned)
        #expect(!plannedOther.contains("a1b2c3d4"))
    }
}
