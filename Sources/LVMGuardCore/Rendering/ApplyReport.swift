/// `lvmguard apply` output: each host's steps and checks, then a recap like Ansible's.
public enum ApplyReport {
    public static func text(_ results: [HostApplyResult], colored: Bool) -> String {
        let (red, green, yellow, reset) = colored ? ("\u{1B}[31m", "\u{1B}[32m", "\u{1B}[33m", "\u{1B}[0m") : ("", "", "", "")
        var out: [String] = []
        for result in results {
            let color = switch result.outcome {
            case .ok, .exempt: green
            case .changed: yellow
            case .failed, .stale, .blocked, .unreachable, .skipped: red
            }
            out.append("\(result.host): \(color)\(result.outcome.rawValue)\(reset)" + (result.reason.map { ": \($0)" } ?? ""))
            for step in result.steps { out.append("  \(step.name): \(step.result): \(step.message)") }
            for check in result.checks { out.append("  check \(check.check): \(check.passed ? "ok" : "FAILED"): \(check.detail)") }
        }
        out.append("")
        out.append(recapLine(results))
        return out.joined(separator: "\n") + "\n"
    }

    /// "Recap: 3 hosts: ok=1 changed=1 failed=0 stale=0 blocked=1 unreachable=0 exempt=0".
    public static func recapLine(_ results: [HostApplyResult]) -> String {
        "Recap: \(results.count) host\(results.count == 1 ? "" : "s"): "
            + HostApplyResult.Outcome.allCases.map { outcome in "\(outcome.rawValue)=\(results.filter { $0.outcome == outcome }.count)" }
                .joined(separator: " ")
    }
}
