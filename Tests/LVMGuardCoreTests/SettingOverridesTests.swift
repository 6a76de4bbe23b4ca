import Foundation
import Testing

@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// A setting the plan changes, assigned in lvmlocal.conf or lvm_<tag>.conf (which LVM reads after lvm.conf and which
/// win), blocks the host naming the file and line: the edit would never take effect.
@Suite("Settings overridden beside lvm.conf block the plan, with file and line")
struct SettingOverridesTests {
    /// The `lvm-conf-beside` section for these files, as remote/gather-facts.sh prints it.
    static func beside(_ files: [(path: String, text: String)]) -> (section: String, old: String?, new: String) {
        (
            "lvm-conf-beside", nil,
            files.map { "== \($0.path)\n" + Data($0.text.utf8).base64EncodedString() + "\n" }.joined()
        )
    }

    static let localFilter = "# local settings\nlocal {\n}\ndevices {\n\tglobal_filter = [ \"a|.*|\" ]\n}\n"

    @Test("incident: lvmlocal.conf sets global_filter on line 5, which the plan must change: blocked, file and line")
    func filterInLVMLocal() throws {
        let facts = try Fixture.facts("incident", edits: [Self.beside([("/etc/lvm/lvmlocal.conf", Self.localFilter)])])
        #expect(facts.besideLVMConf == [.init(path: "/etc/lvm/lvmlocal.conf", text: Self.localFilter)])
        let plan = Planner.plan(Fixture.host("h"), facts: facts, desired: Fixture.desired())
        #expect(plan.status == .blocked)
        #expect(
            plan.blockerKinds == [
                .settingOverridden(
                    key: "devices/global_filter", path: "/etc/lvm/lvmlocal.conf", line: 5, value: #"[ "a|.*|" ]"#)
            ])
    }

    @Test("lvmconfig already reports the override: the vague 'set outside lvm.conf' gives way to file and line")
    func replacesSetElsewhere() throws {
        let tagged = "devices {\n\tglobal_filter = [ \"a|/dev/sd.*|\" ]\n}\n"
        let edited = try Fixture.facts("incident") { sections in
            sections["lvm-conf-beside"] = FactSection(
                name: "lvm-conf-beside", status: 0,
                stdout: "== /etc/lvm/lvm_compute.conf\n" + Data(tagged.utf8).base64EncodedString() + "\n", stderr: "")
            sections["config:devices/global_filter"] = sections["config:devices/global_filter"]!.with(
                stdout: "global_filter=[\"a|/dev/sd.*|\"]\n")
        }
        let plan = Planner.plan(Fixture.host("h"), facts: edited, desired: Fixture.desired())
        #expect(
            plan.blockerKinds == [
                .settingOverridden(
                    key: "devices/global_filter", path: "/etc/lvm/lvm_compute.conf", line: 2,
                    value: #"[ "a|/dev/sd.*|" ]"#)
            ], "\(plan.reasons)")
    }

    @Test("lvmlocal.conf as Debian ships it (no devices section), or setting other keys: the plan goes through")
    func unrelatedLocalSettings() throws {
        for text in ["local {\n}\n", "devices {\n\tscan_lvs = 0\n}\nlocal {\n\thost_id = 7\n}\n"] {
            let facts = try Fixture.facts("incident", edits: [Self.beside([("/etc/lvm/lvmlocal.conf", text)])])
            let plan = Planner.plan(Fixture.host("h"), facts: facts, desired: Fixture.desired())
            #expect(plan.status == .changes, "\(text): \(plan.reasons)")
        }
    }

    @Test("a move to the devices file with use_devicesfile = 0 in lvmlocal.conf: blocked on that line")
    func devicesFileOffInLVMLocal() throws {
        let off = "devices {\n\tuse_devicesfile = 0\n}\n"
        let facts = try Fixture.facts(
            "incident",
            edits: [
                ("mounts", "/dev/vda / ", "/dev/mapper/guestvg-root / "), IdentityTests.noInstance,
                Self.beside([("/etc/lvm/lvmlocal.conf", off)]),
            ])
        let plan = Planner.plan(Fixture.host("h"), facts: facts, desired: Fixture.desired())
        #expect(plan.regime == .devicesFile)
        #expect(
            plan.blockerKinds == [
                .settingOverridden(key: "devices/use_devicesfile", path: "/etc/lvm/lvmlocal.conf", line: 2, value: "0")
            ], "\(plan.reasons)")
    }

    @Test("a file beside lvm.conf that does not parse, or is too large to read, blocks a host with changes")
    func unreadableBesideFile() throws {
        let facts = try Fixture.facts("incident", edits: [Self.beside([("/etc/lvm/lvmlocal.conf", "devices {\n")])])
        let plan = Planner.plan(Fixture.host("h"), facts: facts, desired: Fixture.desired())
        guard case let .configUnparseable(path, _)? = plan.blockerKinds.first else {
            Issue.record("expected configUnparseable, got \(plan.blockerKinds)")
            return
        }
        #expect(path == "/etc/lvm/lvmlocal.conf")
        let large = try Fixture.facts(
            "incident", edits: [("lvm-conf-beside", nil, "== /etc/lvm/lvm_big.conf too-large\n")])
        #expect(large.besideLVMConf == [.init(path: "/etc/lvm/lvm_big.conf", text: nil)])
        #expect(Planner.plan(Fixture.host("h"), facts: large, desired: Fixture.desired()).status == .blocked)
    }

    @Test("a host already in sync is not blocked by what lvmlocal.conf sets: nothing is edited")
    func inSyncNotBlocked() throws {
        let facts = try Fixture.facts("clean", edits: [Self.beside([("/etc/lvm/lvmlocal.conf", Self.localFilter)])])
        let plan = Planner.plan(Fixture.host("h"), facts: facts, desired: Fixture.desired())
        #expect(
            !plan.blockerKinds.contains { if case .settingOverridden = $0 { true } else { false } }, "\(plan.reasons)")
    }
}
