import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardRemote
@testable import LVMGuardTestSupport

@Suite("Facts stream and saved plans")
struct FactStreamTests {
    @Test("a cut-off or foreign stream is refused")
    func truncated() throws {
        let text = try String(contentsOfFile: "\(Fixture.directory)/incident.facts", encoding: .utf8)
        let cut = String(text.prefix(text.count / 2))
        #expect(throws: FactsError("the facts stream ended early (the gather script was cut off)")) {
            try FactStream.parse(cut, boundary: "@@lvmguard@@")
        }
        #expect(throws: FactsError("no facts came back (the gather script did not start)")) {
            try FactStream.parse("sudo: a password is required\n", boundary: "@@lvmguard@@")
        }
        #expect(throws: FactsError("the host's facts stream is version 2, expected 1")) {
            try FactStream.parse("@@lvmguard@@ facts 2\n@@lvmguard@@ end\n", boundary: "@@lvmguard@@")
        }
    }

    @Test("a saved plan round-trips through JSON and encodes the same way twice")
    func savedPlan() throws {
        let hosts = try ["incident", "host-lvm", "local-vg"].map { try PlannerTests.plan($0) }
        let plan = FleetPlan(playbook: "pb.yaml", inventory: "inv.yaml", policy: "host-pvs-only", hosts: hosts)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let first = try encoder.encode(plan)
        #expect(try encoder.encode(plan) == first)
        #expect(try JSONDecoder().decode(FleetPlan.self, from: first) == plan)
        #expect(String(decoding: first, as: UTF8.self).contains("\"format\":\"lvmguard-plan\""))
    }

    @Test("identical changes on many hosts fold into one change in markdown")
    func markdownFolding() throws {
        let facts = try Fixture.facts("incident")
        let desired = Fixture.desired()
        let hosts =
            ["compute-01", "compute-02", "compute-03"].map {
                Planner.plan(Fixture.host($0), facts: facts, desired: desired)
            }
            + [Planner.plan(Fixture.host("compute-04"), facts: try Fixture.facts("host-lvm"), desired: desired)]
        let markdown = PlanReport.markdown(
            FleetPlan(playbook: "pb.yaml", inventory: "inv.yaml", policy: "p", hosts: hosts))
        #expect(markdown.contains("## Change 1: 3 hosts\n\nHosts: `compute-01`, `compute-02`, `compute-03`"))
        #expect(markdown.contains("## Change 2: 1 host\n\nHosts: `compute-04`"))
        #expect(markdown.components(separatedBy: "```diff").count == 3)
    }

    @Test("the recap counts every status")
    func recap() throws {
        let hosts = [
            try PlannerTests.plan("incident"), try PlannerTests.plan("clean"), try PlannerTests.plan("local-vg"),
            Planner.unreachable("x", reason: "Connection refused"),
        ]
        let plan = FleetPlan(playbook: "pb.yaml", inventory: "inv.yaml", policy: "p", hosts: hosts)
        #expect(
            PlanReport.recapLine(plan) == "Recap: 4 hosts: 1 to change, 1 in-sync, 0 exempt, 1 blocked, 1 unreachable")
    }
}
