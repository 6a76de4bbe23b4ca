import Synchronization
import Testing
@testable import LVMGuardCore
@testable import LVMGuardRemote
@testable import LVMGuardTestSupport

/// The rollout engine itself, called directly (it lives in LVMGuardRemote, not in the command line).
@Suite("Rollout engine: batches, failure limits, stop requests")
struct RolloutEngineTests {
    static func hosts(_ count: Int) -> [(HostPlan, HostSettings)] {
        (0..<count).map { index in
            let name = "h\(index)"
            return (Planner.unreachable(name, reason: "stand-in plan"), Fixture.host(name))
        }
    }

    @Test("a failed host in batch 1 with max_fail_percentage 0 stops the rollout: later batches are not started")
    func stopsOnFailure() async {
        let rollout = Rollout(forks: 2, serial: [.count(2)], maxFailPercentage: 0, maxFailures: nil)
        let engine = RolloutEngine(rollout: rollout, forks: 2, stop: StopRequest())
        let started = Mutex<[String]>([])
        let run = await engine.run(Self.hosts(5)) { plan, host in
            started.withLock { $0.append(host.name) }
            return HostApplyResult(host: host.name, outcome: host.name == "h1" ? .failed : .changed)
        }
        #expect(started.withLock { $0.sorted() } == ["h0", "h1"])
        #expect(run.results.map(\.outcome) == [.changed, .failed, .skipped, .skipped, .skipped])
        #expect(run.stopped?.contains("max_fail_percentage") == true, "\(run.stopped ?? "")")
    }

    @Test("after a stop request no host is started, and the run says why")
    func stopRequest() async {
        let stop = StopRequest()
        _ = stop.request("interrupted (Ctrl-C)")
        let engine = RolloutEngine(rollout: .default, forks: 4, stop: stop)
        let run = await engine.run(Self.hosts(3)) { _, host in HostApplyResult(host: host.name, outcome: .changed) }
        #expect(run.results.map(\.outcome) == [.skipped, .skipped, .skipped])
        #expect(run.stopped == "interrupted (Ctrl-C)")
    }

    @Test("a plan's hosts: in sync, exempt, blocked and unreachable are decided without a host; changes are applied")
    func partition() {
        let changes = HostPlan(
            host: "a", status: .changes, blockers: [], exemption: nil, regime: .filter, lvmVersion: nil,
            ownership: nil, configEdit: nil, devicesFileEdit: nil, deactivations: [], refreshCache: false,
            initramfs: nil, warnings: [], fingerprint: nil)
        let gone = HostPlan(
            host: "z", status: .changes, blockers: [], exemption: nil, regime: .filter, lvmVersion: nil,
            ownership: nil, configEdit: nil, devicesFileEdit: nil, deactivations: [], refreshCache: false,
            initramfs: nil, warnings: [], fingerprint: nil)
        let plan = FleetPlan(
            playbook: "pb", inventory: "inv", policy: "p",
            hosts: [changes, gone, Planner.unreachable("u", reason: "Connection refused")])
        let (decided, toApply) = RolloutEngine.partition(plan, targets: [Fixture.host("a")], notTargetBecause: "gone")
        #expect(toApply.map(\.1.name) == ["a"])
        #expect(decided.map(\.host) == ["u", "z"] && decided.map(\.outcome) == [.unreachable, .failed])
    }
}
