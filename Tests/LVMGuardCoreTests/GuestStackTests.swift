import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// LVM's own stacking inside a guest's VG, from the cloud-guest lab host's real `lvs`, `dmsetup info` and holders
/// (lab/scenarios/cloud-guest.sh: a thin pool with a thin root and thin snapshot, a classic snapshot, RAID1, a cache
/// LV and swap, on a partitioned volume and a second one, all active as boot left them).
@Suite("Guest stacks: LVM's own stacking is not a use; what holds from outside keeps its LV and what is under it")
struct GuestStackTests {
    static let vg: VGUUID = "e5H1Fx-4Sq0-NsG6-B1EH-eGsf-9Gcs-MbQtCX"

    /// The cloud guest's facts with dm device `name` open once more: a process on the host holding it.
    static func held(_ name: String) throws -> HostFacts {
        try Fixture.facts("cloud-guest") { sections in
            let info = sections["dm-info"]!
            var found = false
            let lines = info.stdout.split(separator: "\n").map { line in
                var fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard fields.first == name, let open = Int(fields[3]) else { return String(line) }
                found = true
                fields[3] = String(open + 1)
                return fields.joined(separator: "|")
            }
            #expect(found, "the fixture has \(name)")
            sections["dm-info"] = info.with(stdout: lines.joined(separator: "\n") + "\n")
        }
    }

    static func stack(_ facts: HostFacts) -> GuestStack {
        GuestStack(vg: vg, facts: facts, graph: HostModel(facts).graph)
    }

    /// Names of `stack.order`'s LVs.
    static func order(_ stack: GuestStack) -> [String] { stack.order.map(\.name) }

    @Test(
        "nothing held: the whole VG comes down by UUID, thin LVs listed before their pool, the snapshot with its origin"
    )
    func wholeVG() throws {
        let stack = Self.stack(try Fixture.facts("cloud-guest"))
        #expect(stack.whole && stack.kept.isEmpty)
        let order = Self.order(stack)
        #expect(Set(order) == ["cached", "home", "home_snap", "mirror", "pool", "root", "root_snap", "swap"])
        for thin in ["root", "root_snap"] {
            #expect(try #require(order.firstIndex(of: thin)) < #require(order.firstIndex(of: "pool")), "\(order)")
        }
        let snapshot = try #require(stack.order.first { $0.name == "home_snap" })
        #expect(stack.withOrigin == [snapshot.uuid: "home"])
    }

    @Test("the plan: one vgchange by the VG's UUID, no LV left open, each map named with its own WWID")
    func plan() throws {
        let plan = Planner.plan(Fixture.host("h"), facts: try Fixture.facts("cloud-guest"), desired: Fixture.desired())
        #expect(plan.status == .changes, "\(plan.reasons)")
        let deactivation = try #require(plan.deactivations.first)
        #expect(deactivation.vgUUID == Self.vg && deactivation.wholeVG)
        #expect(deactivation.lvs.allSatisfy { !$0.open }, "a pool under its thin LVs is not open to anyone else")
        #expect(plan.commands.filter { $0.hasPrefix("vgchange -an --select vg_uuid=\(Self.vg) ") }.count == 1)
        #expect(!plan.commands.contains { $0.hasPrefix("lvchange") })
        #expect(!plan.warnings.contains { if case .openGuestLV = $0.kind { true } else { false } })
        // Sorted together: a map's WWID is its own (mpatha is the second LUN here, the first is partitioned).
        #expect(deactivation.multipathMaps == ["mpatha", "mpathb-part2"])
        #expect(deactivation.wwids == ["35000c50015ea71ad", "35000c50015ea71ac"])
        let request = try ApplyRequest(plan: plan, hostVGs: [], guestVGs: [Self.vg], timestamp: "20261207T180000Z")
        let variables = Dictionary(uniqueKeysWithValues: request.variables.map { ($0.name, $0.value) })
        #expect(variables["LVMGUARD_DEACTIVATE_VGS"] == Self.vg.rawValue && variables["LVMGUARD_DEACTIVATE"] == "")
    }

    @Test(
        "a thin LV held from outside keeps itself and its pool; its sibling snapshot still comes down, before the pool")
    func heldThinLV() throws {
        let stack = Self.stack(try Self.held("centos-root"))
        #expect(!stack.whole)
        let kept = Dictionary(
            uniqueKeysWithValues: stack.order.compactMap { lv in stack.kept[lv.uuid].map { (lv.name, $0) } })
        #expect(kept == ["root": .held(opens: 1), "pool": .under(lv: "centos/root")])
        let order = Self.order(stack)
        #expect(try #require(order.firstIndex(of: "root_snap")) < #require(order.firstIndex(of: "pool")))
    }

    @Test("a classic snapshot held keeps its origin; an origin held keeps nothing else")
    func heldSnapshot() throws {
        let snapshot = Self.stack(try Self.held("centos-home_snap"))
        #expect(snapshot.kept.count == 2)
        #expect(snapshot.kept.values.contains(.under(lv: "centos/home_snap")))
        let origin = Self.stack(try Self.held("centos-home"))
        #expect(Array(origin.kept.values) == [.held(opens: 1)])
    }

    @Test("a hidden sub-LV held (the pool's _tdata): the VG is blocked as held by something lvmguard cannot see")
    func heldHiddenLayer() throws {
        // Captured with `sleep < /dev/mapper/centos-pool_tdata` running on the host.
        let facts = try Fixture.facts("cloud-guest-held")
        let plan = Planner.plan(Fixture.host("h"), facts: facts, desired: Fixture.desired())
        #expect(plan.status == .blocked)
        guard case let .unexplainedOpenLVs(vg) = plan.blockerKinds.first else {
            Issue.record("not an unexplained open LV: \(plan.reasons)")
            return
        }
        #expect(vg.openLVs.map(\.name) == ["[centos-pool_tdata]"] && vg.openLVs.map(\.openCount) == [1])
        // GuestStack on its own keeps every visible LV over it, and nothing else.
        let stack = Self.stack(facts)
        let kept = Set(stack.order.filter { stack.kept[$0.uuid] != nil }.map(\.name))
        #expect(kept == ["pool", "root", "root_snap"])
    }

    @Test("a RAID image or cache pool opened once per LV on top: the open counts the VG explains are not uses")
    func explainedOpens() throws {
        let facts = try Fixture.facts("cloud-guest")
        let graph = HostModel(facts).graph
        let opened = facts.dmDevices.filter { $0.open > 0 && $0.uuid?.isLVM(ofVG: Self.vg) == true }
        #expect(opened.count >= 10, "the fixture has the stack open under its LVs")
        for device in opened { #expect(graph.opensFromOutsideVG(device.majMin) == 0, "\(device.name)") }
    }
}
