import LVMGuardCore

/// Rolls changes out across a fleet as Ansible's `serial` does: batch by batch (`RolloutBatches`), each batch
/// `forks` hosts at a time, stopping before the next batch when failures pass `max_fail_percentage` in a batch
/// or `max_failures` in all. Once `stop` is requested (Ctrl-C) no host is started; running ones finish.
/// What it reports to people goes through `events`; it prints nothing itself.
public struct RolloutEngine: Sendable {
    /// Every host's result, and why the rollout stopped early if it did.
    public struct Run: Sendable {
        public var results: [HostApplyResult] = []
        public var stopped: String?

        public init(results: [HostApplyResult] = [], stopped: String? = nil) {
            self.results = results
            self.stopped = stopped
        }
    }

    /// What the engine tells the operator as it goes.
    public struct Events: Sendable {
        /// A batch starts: its phase name ("apply batch 2/4") and hosts, when there is more than one batch.
        public var batchStarted: @Sendable (_ phase: String, _ hosts: [String]) -> Void = { _, _ in }
        /// A host finished within the phase; `total` is the phase's host count.
        public var hostDone: @Sendable (_ phase: String, _ total: Int, _ host: String, _ outcome: String) -> Void = {
            _, _, _, _ in
        }
        /// The phase's last host finished.
        public var batchEnded: @Sendable (_ phase: String) -> Void = { _ in }
        /// The failure limits stopped the rollout before batch `next` (1-based).
        public var stopping: @Sendable (_ next: Int, _ why: String) -> Void = { _, _ in }

        public init() {}
    }

    public let rollout: Rollout
    public let forks: Int
    public let stop: StopRequest

    public init(rollout: Rollout, forks: Int, stop: StopRequest) {
        self.rollout = rollout
        self.forks = forks
        self.stop = stop
    }

    /// Runs `apply` for every planned host, batch by batch.
    public func run(
        _ hosts: [(HostPlan, HostSettings)], events: Events = Events(),
        apply: @escaping @Sendable (HostPlan, HostSettings) async -> HostApplyResult
    ) async -> Run {
        let batches = RolloutBatches.split(hosts, serial: rollout.serial)
        var run = Run()
        var failures = 0
        for (index, batch) in batches.enumerated() {
            if let why = run.stopped ?? stop.why {
                run.stopped = why
                run.results += batch.map { .notStarted($0.0.host, because: why) }
                continue
            }
            let phase = batches.count > 1 ? "apply batch \(index + 1)/\(batches.count)" : "apply"
            if batches.count > 1 { events.batchStarted(phase, batch.map(\.0.host)) }
            let done = await Fleet.map(
                batch, forks: forks, stop: stop,
                notStarted: { .notStarted($0.0.host, because: $1) }
            ) { plan, host in
                let result = await apply(plan, host)
                events.hostDone(phase, batch.count, host.name, result.outcome.rawValue)
                return result
            }
            events.batchEnded(phase)
            run.results += done
            let batchFailures = done.filter(\.outcome.isFailure).count
            failures += batchFailures
            if index + 1 < batches.count,
                let limit = RolloutBatches.shouldStop(
                    batchSize: batch.count, batchFailures: batchFailures,
                    totalFailures: failures, rollout: rollout)
            {
                run.stopped = limit
                events.stopping(index + 2, limit)
            }
        }
        if run.stopped == nil, let why = stop.why { run.stopped = why }
        return run
    }

    /// The results a plan already decides without touching a host (in sync, exempt, blocked, unreachable, or no
    /// longer a target), and the hosts left to change.
    public static func partition(_ plan: FleetPlan, targets: [HostSettings], notTargetBecause why: String)
        -> (decided: [HostApplyResult], toApply: [(HostPlan, HostSettings)])
    {
        let byName = Dictionary(uniqueKeysWithValues: targets.map { ($0.name, $0) })
        var decided: [HostApplyResult] = [], toApply: [(HostPlan, HostSettings)] = []
        for host in plan.hosts {
            switch host.status {
            case .changes:
                if let settings = byName[host.host] {
                    toApply.append((host, settings))
                } else {
                    decided.append(HostApplyResult(host: host.host, outcome: .failed, reason: why))
                }
            case .inSync: decided.append(HostApplyResult(host: host.host, outcome: .ok))
            case .exempt: decided.append(HostApplyResult(host: host.host, outcome: .exempt, reason: host.reasons.first))
            case .blocked:
                decided.append(HostApplyResult(host: host.host, outcome: .blocked, reason: host.reasons.first))
            case .unreachable:
                decided.append(HostApplyResult(host: host.host, outcome: .unreachable, reason: host.reasons.first))
            }
        }
        return (decided, toApply)
    }
}
