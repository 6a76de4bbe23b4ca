import Synchronization
import Testing
@testable import LVMGuardCore
@testable import LVMGuardRemote
@testable import LVMGuardTestSupport

@Suite("Rollout: serial batches and when failures stop the run, as Ansible does")
struct RolloutTests {
    @Test(
        "serial splits hosts into batches; the last size repeats",
        arguments: [
            ([BatchSize.percent(100)], 10, [10]),
            ([.count(3)], 10, [3, 3, 3, 1]),
            ([.percent(25)], 10, [2, 2, 2, 2, 2]),
            ([.count(1), .percent(10), .percent(50)], 20, [1, 2, 10, 7]),
            ([.percent(1)], 10, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
            ([.count(5)], 0, []),
        ])
    func batches(serial: [BatchSize], hosts: Int, expected: [Int]) {
        let batches = RolloutBatches.split(Array(0..<hosts), serial: serial)
        #expect(batches.map(\.count) == expected)
        #expect(batches.flatMap { $0 } == Array(0..<hosts), "every host once, in order")
    }

    @Test(
        "max_fail_percentage is per batch and strict; max_failures counts all batches",
        arguments: [
            (0, nil as Int?, 10, 0, 0, false),
            (0, nil, 10, 1, 1, true),
            (20, nil, 10, 2, 2, false),
            (20, nil, 10, 3, 3, true),
            (100, 3, 10, 2, 2, false),
            (100, 3, 10, 1, 3, true),
        ])
    func stop(maxFailPercentage: Int, maxFailures: Int?, batchSize: Int, batchFailures: Int, total: Int, stops: Bool) {
        let rollout = Rollout(
            forks: 5, serial: [.count(batchSize)], maxFailPercentage: maxFailPercentage, maxFailures: maxFailures)
        let reason = RolloutBatches.shouldStop(
            batchSize: batchSize, batchFailures: batchFailures, totalFailures: total, rollout: rollout)
        #expect((reason != nil) == stops, "\(reason ?? "no stop")")
    }

    @Test("failures that count: failed, stale and unreachable; skipped hosts are not failures of their own")
    func failureOutcomes() {
        #expect(HostApplyResult.Outcome.allCases.filter(\.isFailure) == [.failed, .stale, .unreachable])
    }
}
