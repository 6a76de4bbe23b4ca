import Synchronization

/// The host as one plan (or one diagnosis) reads it: the facts, and what is derived from them once, the device graph
/// by identity and where each device lives. Every decision reads this model; none builds its own.
public struct HostModel: Sendable {
    public let facts: HostFacts
    /// Devices by major:minor and dm UUID, their holders and names.
    public let graph: DeviceGraph
    /// Where each device path leads: its block device and the storage under it.
    public var topology: DeviceTopology { graph.topology }

    public init(_ facts: HostFacts) {
        self.facts = facts
        graph = DeviceGraph(facts)
    }

    /// Counts what a task derives from facts, by type ("DeviceGraph": 1), for the test that proves a plan builds
    /// its model once.
    public final class BuildCount: Sendable {
        public let counts = Mutex([String: Int]())
        public init() {}

        func built(_ type: Any.Type) { counts.withLock { $0["\(type)", default: 0] += 1 } }
    }

    /// Set by a test (`HostModel.$builds.withValue`); nil otherwise, and nothing is counted.
    @TaskLocal public static var builds: BuildCount?
}
