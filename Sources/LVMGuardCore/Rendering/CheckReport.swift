/// `lvmguard check` for machines: one versioned JSON document, or Prometheus' text exposition format for
/// node_exporter's textfile collector. Hosts sorted by name; deterministic but for the run's timestamp.
public struct CheckRun: Sendable, Codable, Equatable {
    /// Bumped when a field changes meaning or goes away; new fields may appear within a version.
    public static let currentVersion = 1

    public struct Host: Sendable, Codable, Equatable {
        public let host: String
        public let reachable: Bool
        /// Why the host's facts could not be had; nil when it was checked.
        public let reason: String?
        public let checks: [CheckEvaluator.Outcome]
        /// Guest LVs active on the host: those LVM sees and those on multipath maps with no active path.
        public let guestLVsActive: Int
        /// Multipath maps with a guest's LVs on them (what makes `multipath -f` fail with "map in use").
        public let multipathMapsHeld: Int
        /// Multipath maps with no active path.
        public let multipathMapsDead: Int

        public init(
            host: String, reachable: Bool, reason: String?, checks: [CheckEvaluator.Outcome],
            guestLVsActive: Int, multipathMapsHeld: Int, multipathMapsDead: Int
        ) {
            (self.host, self.reachable, self.reason, self.checks) = (host, reachable, reason, checks)
            (self.guestLVsActive, self.multipathMapsHeld, self.multipathMapsDead) = (
                guestLVsActive, multipathMapsHeld, multipathMapsDead
            )
        }
    }

    public let format: String
    public let version: Int
    public let playbook: String
    /// When the run ended, in seconds since the epoch.
    public let timestamp: Int
    public let hosts: [Host]

    public init(playbook: String, timestamp: Int, hosts: [Host]) {
        format = "lvmguard-check"
        version = Self.currentVersion
        self.playbook = playbook
        self.timestamp = timestamp
        self.hosts = hosts.sorted { $0.host < $1.host }
    }

    /// Every check passed on every reachable host.
    public var allPassed: Bool { hosts.allSatisfy { $0.checks.allSatisfy(\.passed) } }
}

extension CheckRun.Host {
    /// A checked host: its outcomes and counts, from its facts.
    public static func checked(_ host: HostSettings, facts: HostFacts, desired: DesiredState) -> Self {
        let model = HostModel(facts)
        let plan = Planner.plan(host, model: model, desired: desired)
        let outcomes = CheckEvaluator.evaluate(desired.checks, model: model, plan: plan)
        let guests = Set((plan.ownership?.guestVGs ?? []).map(\.uuid))
        let active =
            facts.lvs.filter { guests.contains($0.vgUUID) && $0.isActive }.count
            + plan.deadMaps.reduce(0) { $0 + $1.guestLVs.count }
        let held = CheckEvaluator.heldMaps(model, hostVGUUIDs: Set((plan.ownership?.hostVGs ?? []).map(\.uuid))).count
        return Self(
            host: host.name, reachable: true, reason: nil, checks: outcomes, guestLVsActive: active,
            multipathMapsHeld: held, multipathMapsDead: facts.deadMaps.count)
    }

    public static func unreachable(_ host: String, reason: String) -> Self {
        Self(
            host: host, reachable: false, reason: reason, checks: [], guestLVsActive: 0, multipathMapsHeld: 0,
            multipathMapsDead: 0)
    }
}

public enum CheckReport {
    /// Prometheus text exposition (version 0.0.4): one gauge per host and check, the host's counts, and the
    /// run's timestamp. Counts of an unreachable host are left out rather than reported as 0.
    public static func prometheus(_ run: CheckRun) -> String {
        var out: [String] = []
        func family(_ name: String, _ help: String, _ samples: [(labels: [(String, String)], value: Int)]) {
            out.append("# HELP \(name) \(help)")
            out.append("# TYPE \(name) gauge")
            for sample in samples {
                let labels = sample.labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
                out.append("\(name){\(labels)} \(sample.value)")
            }
        }
        let reachable = run.hosts.filter(\.reachable)
        family(
            "lvmguard_host_reachable", "1 when lvmguard could gather the host's facts, 0 when it could not.",
            run.hosts.map { ([("host", $0.host)], $0.reachable ? 1 : 0) })
        family(
            "lvmguard_check_passed", "1 when the check passed on the host, 0 when it failed.",
            reachable.flatMap { host in
                host.checks.map { ([("host", host.host), ("check", $0.check)], $0.passed ? 1 : 0) }
            })
        family(
            "lvmguard_guest_lvs_active",
            "Guest LVs active on the host (LVM's view plus LVs on maps with no active path).",
            reachable.map { ([("host", $0.host)], $0.guestLVsActive) })
        family(
            "lvmguard_multipath_maps_held", "Multipath maps held open by guest LVs on the host.",
            reachable.map { ([("host", $0.host)], $0.multipathMapsHeld) })
        family(
            "lvmguard_multipath_maps_dead", "Multipath maps with no active path on the host.",
            reachable.map { ([("host", $0.host)], $0.multipathMapsDead) })
        out.append("# HELP lvmguard_check_last_run_timestamp_seconds When this lvmguard check run ended.")
        out.append("# TYPE lvmguard_check_last_run_timestamp_seconds gauge")
        out.append("lvmguard_check_last_run_timestamp_seconds \(run.timestamp)")
        return out.joined(separator: "\n") + "\n"
    }

    /// A label value: backslash, double quote and newline escaped.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
