import Foundation
import Testing
import LVMGuardCore
import LVMGuardRemote
@testable import LVMGuardTestSupport

@Suite("Progress and stopping: the live line's counts, Fleet.map after a stop request")
struct ProgressTests {
    @Test("the tally counts hosts per outcome in the order first seen")
    func tally() {
        var tally = ProgressTally(phase: "apply", total: 5)
        #expect(tally.line == "apply: 0/5 hosts done")
        tally.record("changed")
        tally.record("failed")
        tally.record("changed")
        #expect(tally.line == "apply: 3/5 hosts done · changed 2 · failed 1")
        #expect(tally.hostLine("fleet-007", "changed") == "[apply 3/5] fleet-007: changed")
        #expect(ProgressTally(phase: "plan", total: 1).line == "plan: 0/1 host done")
    }

    @Test("after a stop request no input is started; running ones finish; the unstarted come back nil")
    func stopStartsNothingMore() async {
        let stop = StopRequest()
        let started = Counter()
        let results: [Int?] = await Fleet.map(Array(0..<10), forks: 3, stop: stop, notStarted: { _, _ in nil }) {
            index in
            started.add()
            if index == 0 { stop.request("interrupted (test)") }
            try? await Task.sleep(for: .milliseconds(50))
            return Optional(index * 10)
        }
        #expect(results.count == 10)
        let finished = results.compactMap { $0 }
        // The three first started before the request, or right as it came; none after.
        #expect(finished.count == started.value && (1...3).contains(finished.count), "\(results)")
        #expect(Array(results.prefix(finished.count)) == finished.map { Optional($0) }, "in input order")
        #expect(results.dropFirst(finished.count).allSatisfy { $0 == nil })
        #expect(stop.why == "interrupted (test)")
        #expect(!stop.request("again"), "the first reason stays")
    }

    @Test("apply JSON: versioned, hosts sorted, every outcome in the recap")
    func applyJSON() throws {
        let run = ApplyRun(
            playbook: "p.yaml", inventory: "i.yaml", stopped: nil,
            results: [
                HostApplyResult(host: "b", outcome: .failed, reason: "timed out"),
                HostApplyResult(host: "a", outcome: .changed),
            ])
        #expect(run.hosts.map(\.host) == ["a", "b"])
        #expect(
            run.recap == [
                "ok": 0, "changed": 1, "failed": 1, "stale": 0, "blocked": 0, "unreachable": 0, "exempt": 0,
                "skipped": 0,
            ])
        let decoded = try JSONDecoder().decode(ApplyRun.self, from: try JSONEncoder().encode(run))
        #expect(decoded == run)
        #expect(decoded.format == "lvmguard-apply" && decoded.version == 1)
    }
}

/// A thread-safe count for tests.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
