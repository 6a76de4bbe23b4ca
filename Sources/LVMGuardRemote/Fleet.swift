import Synchronization

/// Bounded fan-out: a sliding window of `forks` tasks, one in as one finishes.
public enum Fleet {
    /// Runs `body` on every input, at most `forks` at once; results in the order of `inputs`.
    public static func map<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], forks: Int, _ body: @escaping @Sendable (Input) async -> Output
    ) async -> [Output] {
        await window(inputs, forks: forks, stop: nil, body).compactMap { $0 }
    }

    /// Like `map`, but once `stop` is requested no further input is started: running ones finish (they are
    /// never cancelled: a remote change in flight is left to complete), and each unstarted input's result is
    /// `notStarted(input, the stop's reason)`.
    public static func map<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], forks: Int, stop: StopRequest,
        notStarted: (Input, String) -> Output, _ body: @escaping @Sendable (Input) async -> Output
    ) async -> [Output] {
        let results = await window(inputs, forks: forks, stop: stop, body)
        return zip(inputs, results).map { input, result in result ?? notStarted(input, stop.why ?? "stopped") }
    }

    /// The sliding window itself; nil for inputs never started.
    private static func window<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], forks: Int, stop: StopRequest?, _ body: @escaping @Sendable (Input) async -> Output
    ) async -> [Output?] {
        await withTaskGroup(of: (Int, Output).self) { group in
            var results = [Output?](repeating: nil, count: inputs.count)
            var next = 0
            func startNext() {
                guard next < inputs.count, stop?.isRequested != true else { return }
                let index = next
                let input = inputs[index]
                group.addTask { (index, await body(input)) }
                next += 1
            }
            for _ in 0..<max(1, forks) { startNext() }
            while let (index, output) = await group.next() {
                results[index] = output
                startNext()
            }
            return results
        }
    }
}

/// A request to stop starting work (the operator pressed Ctrl-C), shared by everything in a run.
public final class StopRequest: Sendable {
    private let reason = Mutex<String?>(nil)

    public init() {}

    /// Asks to stop; returns false when a stop was already requested.
    @discardableResult
    public func request(_ why: String) -> Bool {
        reason.withLock { current in
            guard current == nil else { return false }
            current = why
            return true
        }
    }

    public var isRequested: Bool { reason.withLock { $0 != nil } }
    public var why: String? { reason.withLock { $0 } }
}
