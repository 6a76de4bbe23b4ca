import Foundation
import LVMGuardCore

/// Applies host plans: one ssh execution per host that checks, changes, verifies and returns the facts after.
public struct Applier: Sendable {
    public let ssh: SSH

    public init(ssh: SSH) { self.ssh = ssh }

    /// The whole script for one host: variables and data, remote/bounds.sh, remote/common.sh, remote/apply.sh, then
    /// remote/gather-facts.sh for the facts after.
    public static func script(for request: ApplyRequest, boundary: String) -> String {
        "\(RemoteContract.Variable.boundary.rawValue)=\(boundary)\n" + request.preamble + faultPause
            + RemoteScripts.fixedPaths + RemoteScripts.bounds
            + RemoteScripts.common
            + RemoteScripts.apply + RemoteScripts.gatherFacts
    }

    /// The lab's fault injection, from lvmguard's own environment: a known `RemoteContract.FaultPoint` or nothing.
    static var faultPause: String {
        let variable = RemoteContract.Variable.faultPause.rawValue
        guard let name = ProcessInfo.processInfo.environment[variable],
            let point = RemoteContract.FaultPoint(rawValue: name)
        else { return "" }
        return "\(variable)=\(point.rawValue)\n"
    }

    /// The rollback script: remote/bounds.sh, remote/common.sh, remote/rollback.sh, then remote/gather-facts.sh.
    /// A preview changes nothing and reports what the rollback would restore.
    public static func rollbackScript(timestamp: String, boundary: String, preview: Bool = false, force: Bool = false)
        -> String
    {
        precondition(ApplyRequest.Token.timestamp.matches(timestamp), "timestamps are generated")
        typealias Variable = RemoteContract.Variable
        return "\(Variable.boundary.rawValue)=\(boundary)\n\(Variable.timestamp.rawValue)='\(timestamp)'\n"
            + "\(Variable.rollbackPreview.rawValue)=\(preview ? 1 : 0)\n"
            + "\(Variable.rollbackForce.rawValue)=\(force ? 1 : 0)\n"
            + RemoteScripts.fixedPaths + RemoteScripts.bounds + RemoteScripts.common + RemoteScripts.rollback
            + RemoteScripts.gatherFacts
    }

    /// Runs the script `make` builds for a fresh boundary and parses its output; an ssh failure becomes the
    /// host's result: timed out is failed (the host was reached), a connection lost after the script reported a step
    /// is a run of unknown end, anything else unreachable.
    private func execute(on host: HostSettings, _ make: (String) -> String) async -> Execution {
        let boundary = RemoteScripts.newBoundary()
        do {
            let result = try await ssh.run(make(boundary), on: host)
            return .ran(
                ApplyStream.parse(result.stdout, boundary: boundary), status: result.status, stderr: result.stderr)
        } catch {
            // The connection dropped after the script started: what it reported so far decides (state unknown).
            let parsed = ApplyStream.parse(error.stdout, boundary: boundary)
            if error.kind == .unreachable, !parsed.steps.isEmpty {
                return .ran(parsed, status: 255, stderr: error.message)
            }
            return .unreachable(
                HostApplyResult(
                    host: host.name, outcome: error.kind == .timedOut ? .failed : .unreachable,
                    reason: error.message))
        }
    }

    private enum Execution {
        case ran(ApplyStream.Parsed, status: Int32, stderr: String)
        case unreachable(HostApplyResult)
    }

    /// Restores the lvm.conf the last apply replaced on `host` (and the devices file and initramfs with it); with
    /// `preview`, changes nothing and reports what it would restore ("would" steps and the lvm.conf diff).
    public func rollback(_ host: HostSettings, timestamp: String, preview: Bool = false, force: Bool = false) async
        -> HostApplyResult
    {
        let (parsed, status, stderr): (ApplyStream.Parsed, Int32, String)
        let script = { Self.rollbackScript(timestamp: timestamp, boundary: $0, preview: preview, force: force) }
        switch await execute(on: host, script) {
        case let .ran(output, exit, errors): (parsed, status, stderr) = (output, exit, errors)
        case let .unreachable(result): return result
        }
        if parsed.exitCode == RemoteContract.Exit.nothingToRollBack.rawValue {
            return HostApplyResult(host: host.name, outcome: .ok, steps: parsed.steps, reason: "nothing to roll back")
        }
        let (outcome, reason) = ApplyStream.outcome(parsed, sshStatus: status, sshStderr: stderr)
        return HostApplyResult(host: host.name, outcome: outcome, steps: parsed.steps, reason: reason)
    }

    /// Applies `plan` to `host` and evaluates `desired`'s checks on the facts gathered afterwards.
    public func apply(_ plan: HostPlan, to host: HostSettings, desired: DesiredState, timestamp: String) async
        -> HostApplyResult
    {
        let request: ApplyRequest
        do {
            request = try ApplyRequest(
                plan: plan, hostVGs: plan.ownership?.hostVGs.map(\.uuid) ?? [],
                guestVGs: plan.ownership?.guestVGs.map(\.uuid) ?? [], timestamp: timestamp)
        } catch {
            return HostApplyResult(host: host.name, outcome: .failed, reason: error.message)
        }
        let (parsed, status, stderr): (ApplyStream.Parsed, Int32, String)
        switch await execute(on: host, { Self.script(for: request, boundary: $0) }) {
        case let .ran(output, exit, errors): (parsed, status, stderr) = (output, exit, errors)
        case let .unreachable(result): return result
        }
        var (outcome, reason) = ApplyStream.outcome(parsed, sshStatus: status, sshStderr: stderr)
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
