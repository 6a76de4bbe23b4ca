import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

@Suite("One model of the host per plan: the device graph and topology are built once and every decision reads them")
struct HostModelTests {
    static let scenarios = [
        "cinder-converged", "clean", "dead-map", "devices-file", "dup-names", "host-lvm", "incident-evidence",
        "incident-instance", "incident", "local-vg", "lvm-2.02.180-lvmetad", "nova-lvm-applied", "nova-lvm-lio",
        "nova-lvm", "open-guest-lv",
    ]

    /// What `work` derives from facts, by type.
    static func builds(_ work: () throws -> Void) rethrows -> [String: Int] {
        let count = HostModel.BuildCount()
        try HostModel.$builds.withValue(count) { try work() }
        return count.counts.withLock { $0 }
    }

    static let once = ["DeviceGraph": 1, "DeviceTopology": 1]

    @Test("a plan builds one model, whatever the host's shape", arguments: scenarios)
    func planBuildsOne(scenario: String) throws {
        let facts = try Fixture.facts(scenario)
        var plan: HostPlan?
        #expect(
            Self.builds { plan = Planner.plan(Fixture.host("h"), facts: facts, desired: Fixture.desired()) }
                == Self.once)
        #expect(plan?.ownership != nil, "the plan was made from the facts")
    }

    @Test("a diagnosis builds one model, the plan it quotes included")
    func diagnosisBuildsOne() throws {
        let facts = try Fixture.facts("incident")
        var verdict: Diagnosis.Verdict?
        let builds = Self.builds {
            verdict =
                Diagnosis.analyze(
                    .init(wwid: "35000c50015ea71ac"), host: Fixture.host("h"), facts: facts, desired: Fixture.desired()
                ).verdict
        }
        #expect(builds == Self.once && verdict == .heldByHostLVM)
        var device: DeviceDiagnosis.Verdict?
        let deviceBuilds = Self.builds {
            device =
                DeviceDiagnosis.analyze(
                    "/dev/mapper/mpatha", host: Fixture.host("h"), facts: facts, desired: Fixture.desired()
                )
                .verdict
        }
        #expect(deviceBuilds == Self.once && device != nil && device != .notFound)
    }

    @Test("a check builds one model, the plan it judges by included")
    func checkBuildsOne() throws {
        let facts = try Fixture.facts("incident")
        let desired = Fixture.desired()
        var held: Int?
        let builds = Self.builds {
            held = CheckRun.Host.checked(Fixture.host("h"), facts: facts, desired: desired).multipathMapsHeld
        }
        #expect(builds == Self.once && held == 1)
    }
}
