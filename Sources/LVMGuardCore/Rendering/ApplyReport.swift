/// `lvmguard apply` output: each host's steps and checks, then a recap like Ansible's.
public enum ApplyReport {
    public static func text(_ results: [HostApplyResult], colored: Bool) -> String {
        let (red, green, yellow, reset) =
            colored ? ("\u{1B}[31m", "\u{1B}[32m", "\u{1B}[33m", "\u{1B}[0m") : ("", "", "", "")
        var out: [String] = []
        for result in results {
            let color =
                switch result.outcome {
                case .ok, .exempt: green
                case .changed: yellow
                case .failed, .stale, .blocked, .unreachable, .skipped: red
                }
            out.append(
                "\(result.host): \(color)\(result.outcome.rawValue)\(reset)" + (result.reason.map { ": \($0)" } ?? ""))
            for step in result.steps { out.append("  \(step.name): \(step.result.rawValue): \(step.message)") }
            for check in result.checks {
                out.append("  check \(check.check): \(check.passed ? "ok" : "FAILED"): \(check.detail)")
            }
        }
        out.append("")
        out.append(recapLine(results))
        return out.joined(separator: "\n") + "\n"
    }

    /// What a rollback would restore, per host: its "would" steps, and the lvm.conf diff (steps named "diff",
    /// whose message is "|" and a line of `diff -u`).
    public static func rollbackPreview(_ results: [HostApplyResult]) -> String {
        var out: [String] = []
        for result in results {
            let would = result.steps.contains { $0.result == .would }
            let summary =
                result.outcome == .ok
                ? (would ? "will restore" : result.reason ?? "nothing to restore") : result.outcome.rawValue
            out.append(
                "\(result.host): \(summary)" + (result.outcome == .ok ? "" : result.reason.map { ": \($0)" } ?? ""))
            for step in result.steps where step.result != .ok || step.step == .rollback {
                out.append(step.step == .diff ? "    " + step.message.dropFirst() : "  \(step.name): \(step.message)")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// "Recap: 3 hosts: ok=1 changed=1 failed=0 stale=0 blocked=1 unreachable=0 exempt=0".
    public static func recapLine(_ results: [HostApplyResult]) -> String {
        "Recap: \(results.count) host\(results.count == 1 ? "" : "s"): "
            + HostApplyResult.Outcome.allCases.map { outcome in
                "\(outcome.rawValue)=\(results.filter { $0.outcome == outcome }.count)"
            }
            .joined(separator: " ")
    }
}

/// `apply --format json`: the whole run as one versioned document (schema in docs/reference.md, "JSON documents").
public struct ApplyRun: Sendable, Codable, Equatable {
    /// Bumped when a field changes meaning or goes away; new fields may appear within a version.
    public static let currentVersion = 1

    public let format: String
    public let version: Int
    public let playbook: String
    public let inventory: String
    /// Why the rollout ended early (failure limits, Ctrl-C); nil when every host was worked on.
    public let stopped: String?
    /// Hosts per outcome, every outcome present.
    public let recap: [String: Int]
    /// Sorted by host name.
    public let hosts: [HostApplyResult]

    /// `format` names the command: "lvmguard-apply", or "lvmguard-rollback" for the same document from rollback.
    public init(
        playbook: String, inventory: String, stopped: String?, results: [HostApplyResult],
        format: String = "lvmguard-apply"
    ) {
        self.format = format
        version = Self.currentVersion
        self.playbook = playbook
        self.inventory = inventory
        self.stopped = stopped
        hosts = results.sorted { $0.host < $1.host }
        recap = Dictionary(
            uniqueKeysWithValues: HostApplyResult.Outcome.allCases.map { outcome in
                (outcome.rawValue, results.filter { $0.outcome == outcome }.count)
            })
    }
}
