/// How apply went on one host: each step, the checks after, and the recap outcome.
public struct HostApplyResult: Sendable, Codable, Hashable {
    public enum Outcome: String, Sendable, Codable, Hashable, CaseIterable {
        case ok, changed, failed, stale, blocked, unreachable, exempt
        /// Not started: an earlier batch failed beyond the rollout's limits.
        case skipped

        /// Counts against max_fail_percentage and max_failures, and goes in the retry file.
        public var isFailure: Bool { [.failed, .stale, .unreachable].contains(self) }
    }

    public struct Step: Sendable, Codable, Hashable {
        /// A `RemoteContract.Step`'s raw value, as the script reported it.
        public let name: String
        public let result: RemoteContract.StepResult
        public let message: String

        /// The step, when the script reported one lvmguard knows.
        public var step: RemoteContract.Step? { RemoteContract.Step(rawValue: name) }
    }

    public let host: String
    public let outcome: Outcome
    public let steps: [Step]
    public let checks: [CheckEvaluator.Outcome]
    /// Why the host failed, was stale, blocked or unreachable.
    public let reason: String?

    /// A host the rollout never started, and why (failure limits, Ctrl-C).
    public static func notStarted(_ host: String, because why: String) -> HostApplyResult {
        HostApplyResult(host: host, outcome: .skipped, reason: "not started: \(why)")
    }

    public init(
        host: String, outcome: Outcome, steps: [Step] = [], checks: [CheckEvaluator.Outcome] = [], reason: String? = nil
    ) {
        self.host = host
        self.outcome = outcome
        self.steps = steps
        self.checks = checks
        self.reason = reason
    }
}

/// Reads the apply script's output: step lines, its exit code, and the facts gathered after.
public enum ApplyStream {
    public struct Parsed: Sendable {
        public let steps: [HostApplyResult.Step]
        /// The apply part's exit code; nil when the run was cut off before it finished.
        public let exitCode: Int?
        /// Sections of the facts gathered after apply, nil when they did not all arrive.
        public let factsAfter: [String: FactSection]?
        /// Set when the run reached its deadline and ended itself.
        public var deadline: RemoteDeadline? = nil
    }

    public static func parse(_ text: String, boundary: String) -> Parsed {
        var steps: [HostApplyResult.Step] = []
        var exitCode: Int?
        let marker = boundary + " "
        var factsStart: Int?
        for (number, line) in text.rawLines().enumerated() {
            if line.hasPrefix(marker) {
                let words = line.dropFirst(marker.count).split(separator: " ", maxSplits: 3)
                if words.first == "step", words.count >= 3 {
                    // A result outside the contract is a failure: never read as success.
                    let result = RemoteContract.StepResult(rawValue: String(words[2])) ?? .failed
                    steps.append(
                        .init(name: String(words[1]), result: result, message: words.count > 3 ? String(words[3]) : ""))
                } else if words.first == "applied", words.count >= 2 {
                    exitCode = Int(words[1])
                } else if words.first == "facts" {
                    factsStart = number
                    break
                }
            }
        }
        let facts = factsStart.flatMap { start in
            try? FactStream.parse(text.rawLines()[start...].joined(separator: "\n"), boundary: boundary)
        }
        return Parsed(
            steps: steps, exitCode: exitCode, factsAfter: facts,
            deadline: RemoteDeadline.find(in: text, boundary: boundary))
    }

    /// The outcome of a host from its parsed run.
    /// The host's outcome and why. `sshStatus` and `sshStderr` tell a script that never started (sudo wants a
    /// password, no `sh`, a login error) from one cut off half-way.
    public static func outcome(_ parsed: Parsed, sshStatus: Int32 = 0, sshStderr: String = "") -> (
        HostApplyResult.Outcome, String?
    ) {
        if let deadline = parsed.deadline {
            return (.failed, deadline.message + "; lvm.conf is the old or the new file, never partial")
        }
        switch parsed.exitCode.map({ RemoteContract.Exit(rawValue: $0) ?? .failed }) {
        case nil where parsed.steps.isEmpty && sshStatus != 0:
            let last = sshStderr.outputLines().last.map { String($0).trimmingWhitespace() } ?? ""
            return (
                .failed,
                "the remote script did not start (ssh exited \(sshStatus)" + (last.isEmpty ? "" : ": \(last)")
                    + "); no step was reported, so nothing was changed"
            )
        case nil:
            // The connection ended, not the script: it may have gone on and finished. Only a new gather knows.
            let last = parsed.steps.last.map { "\($0.name) \($0.result.rawValue)" } ?? "none"
            return (
                .failed,
                "state unknown: the connection was cut off before the run reported its end (last step reported: \(last)); "
                    + "the host may have finished it. lvm.conf is the old or the new file, never partial: "
                    + "run plan to see where the host stands"
            )
        case .stale?:
            return (.stale, parsed.steps.last { $0.result == .stale }?.message)
        case .lockHeld?:
            return (.failed, parsed.steps.last { $0.result == .refused }?.message)
        case .done?:
            return (parsed.steps.contains { $0.result == .changed } ? .changed : .ok, nil)
        case .failed?, .nothingToRollBack?:
            return (.failed, parsed.steps.last { $0.result == .failed }?.message ?? "apply failed")
        }
    }
}
