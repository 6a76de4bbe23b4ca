/// What a fleet run has done so far, for the live progress line: hosts finished of the total and how
/// many ended in each outcome, outcomes in the order first seen.
public struct ProgressTally: Sendable {
    public let phase: String
    public let total: Int
    public private(set) var done = 0
    public private(set) var counts: [(outcome: String, count: Int)] = []

    public init(phase: String, total: Int) {
        self.phase = phase
        self.total = total
    }

    /// Counts one finished host.
    public mutating func record(_ outcome: String) {
        done += 1
        if let index = counts.firstIndex(where: { $0.outcome == outcome }) {
            counts[index].count += 1
        } else {
            counts.append((outcome, 1))
        }
    }

    /// "apply: 12/50 hosts done · changed 9 · failed 1 · unreachable 2".
    public var line: String {
        (["\(phase): \(done)/\(total) host\(total == 1 ? "" : "s") done"] + counts.map { "\($0.outcome) \($0.count)" })
            .joined(separator: " · ")
    }

    /// One host's plain progress line, for logs: "[apply 3/50] fleet-007: changed".
    public func hostLine(_ host: String, _ outcome: String) -> String {
        "[\(phase) \(done)/\(total)] \(host): \(outcome)"
    }
}
