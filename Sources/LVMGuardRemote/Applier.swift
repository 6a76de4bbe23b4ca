import LVMGuardCore

/// Applies host plans: one ssh execution per host that checks, changes, verifies and returns the facts after.
public struct Applier: Sendable {
    public let ssh: SSH

    public init(ssh: SSH) { self.ssh = ssh }

    /// The whole script for one host: variables and data, remote/apply.sh, then remote/gather-facts.sh.
    public static func script(for request: ApplyRequest, boundary: String) -> String {
        RemoteScripts.gatherFacts(boundary: boundary).prefix { $0 != "\n" } + "\n"
            + request.preamble + RemoteScripts.apply + RemoteScripts.gatherFacts
    }

    /// Applies `plan` to `host` and evaluates `desired`'s checks on the facts gathered afterwards.
    public func apply(_ plan: HostPlan, to host: HostSettings, desired: DesiredState, timestamp: String) async -> HostApplyResult {
        let request: ApplyRequest
        do {
            request = try ApplyRequest(plan: plan, hostVGs: plan.ownership?.hostVGs.map(\.uuid) ?? [],
                                       guestVGs: plan.ownership?.guestVGs.map(\.uuid) ?? [], timestamp: timestamp)
        } catch {
            return HostApplyResult(host: host.name, outcome: .failed, reason: error.message)
        }
        let boundary = RemoteScripts.newBoundary()
        let result: SSH.Result
        do {
            result = try await ssh.run(Self.script(for: request, boundary: boundary), on: host)
        } catch {
            return HostApplyResult(host: host.name, outcome: error.message.hasPrefix("timed out") ? .failed : .unreachable,
                                   reason: error.message)
        }
        let parsed = ApplyStream.parse(result.stdout, boundary: boundary)
        var (outcome, reason) = ApplyStream.outcome(parsed)
        var checks: [CheckEvaluator.Outcome] = []
        if outcome == .ok || outcome == .changed {
            if let sections = parsed.factsAfter, let facts = try? HostFacts(sections: sections) {
                checks = CheckEvaluator.evaluate(desired.checks, host: host, facts: facts, desired: desired)
                if let failed = checks.first(where: { !$0.passed }) {
                    outcome = .failed
                    reason = "check \(failed.check) failed after apply: \(failed.detail)"
                }
            } else {
                outcome = .failed
                reason = "the changes were made, but the facts after apply did not come back to verify them"
            }
        }
        return HostApplyResult(host: host.name, outcome: outcome, steps: parsed.steps, checks: checks, reason: reason)
    }
}
