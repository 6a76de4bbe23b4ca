import ArgumentParser
import Foundation
import LVMGuardCore
import LVMGuardRemote
import Synchronization

/// `lvmguard apply`: exactly the plan, atomically, idempotently, verified.
struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Apply the plan: lock, check fingerprints, validate and try the new lvm.conf, swap it in, deactivate guest LVs, refresh, verify.",
        discussion: """
            Without --plan it plans first (one read-only ssh execution per host), shows the plan and asks \
            'Apply to N hosts? [yes/NO]' unless --yes. With --plan FILE it applies a saved plan exactly; a host \
            that changed since is refused as stale and left untouched while the others proceed. Each host is \
            changed by one ssh execution.

            Exit codes: 0 every host ok or changed; 1 a host failed or was stale, or a file is invalid; \
            3 hosts were blocked or unreachable (and none failed); 130 interrupted (Ctrl-C or SIGTERM: no host was started \
            after it, running ones finished).
            """
    )

    @Option(
        name: [.short, .customLong("inventory")],
        help: "The inventory file (default with --plan: the one the plan names).")
    var inventory: String?

    @Argument(help: "The desired-state file (default with --plan: the one the plan names).")
    var playbook: String?

    @Option(help: "Apply this saved plan (from 'plan --out') instead of planning now.")
    var plan: String?

    @Option(
        help:
            "Limit to hosts matching an Ansible pattern (a:b, a:!b, a:&b, globs, ~regex) or @FILE of host names (a retry file); with --plan, the rest of the saved plan is left alone."
    )
    var limit: String?

    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    @Option(help: "Where to list the hosts that failed, for a rerun with --limit @FILE.")
    var retryFile: String = "lvmguard.retry"

    @Flag(help: "No colour, even on a terminal.")
    var noColor = false

    @Flag(help: "Do not share one ssh connection per host between the gather and the change.")
    var noConnectionReuse = false

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(
        help:
            "Output format: text, or json (the run as one versioned document on standard output; the plan and progress go to standard error)."
    )
    var format: Format = .text

    @Option(help: ArgumentHelp("Evaluate exemption expiry as of this day (YYYY-MM-DD).", visibility: .hidden))
    var today: String?

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let colored = format == .text && Terminal.colored(noColor: noColor)
        var saved: FleetPlan?
        if let plan {
            do {
                saved = try PlanFile.read(plan)
            } catch {
                throw ValidationError(error.description)
            }
        }
        guard let inventory = inventory ?? saved?.inventory, let playbook = playbook ?? saved?.playbook else {
            throw ValidationError("name an inventory and a playbook, or a saved plan with --plan")
        }
        let loaded = try LoadedInputs.load(inventory: inventory, playbook: playbook, limit: limit, today: today)
        let ssh = try connection.ssh(sharingConnections: !noConnectionReuse)
        let run: Rollout
        do {
            run = try await applyAll(saved: saved, loaded: loaded, ssh: ssh, colored: colored)
        } catch {
            await ssh.finish(loaded.selection.targets)
            throw error
        }
        await ssh.finish(loaded.selection.targets)
        switch format {
        case .text:
            print("")
            print(ApplyReport.text(run.results.sorted { $0.host < $1.host }, colored: colored), terminator: "")
        case .json:
            print(
                try JSONOutput.text(
                    ApplyRun(
                        playbook: loaded.playbookPath, inventory: loaded.inventoryPath, stopped: run.stopped,
                        results: run.results)))
        }
        try writeRetryFile(run.results)
        try Interruption.exitIfRequested()
        let outcomes = Set(run.results.map(\.outcome))
        if outcomes.contains(.failed) || outcomes.contains(.stale) || outcomes.contains(.skipped) {
            throw ExitCode.failure
        }
        if outcomes.contains(.blocked) || outcomes.contains(.unreachable) { throw ExitCode(3) }
    }

    typealias Rollout = RolloutEngine.Run

    /// The plan, batch headers and prompts: standard output for text, standard error when standard
    /// output carries JSON.
    private func say(_ text: String) { Self.say(text, text: format == .text) }

    private static func say(_ message: String, text: Bool) {
        if text {
            print(message, terminator: "")
        } else {
            Terminal.writeError(message)
        }
    }

    /// Plans (unless a saved plan is given), shows the plan, confirms, and rolls the changes out.
    private func applyAll(saved: FleetPlan?, loaded: LoadedInputs, ssh: SSH, colored: Bool) async throws -> Rollout {
        let forks = connection.forks ?? loaded.desired.rollout.forks
        var current = if let saved { saved } else { await PlanBuilder.build(loaded, ssh: ssh, forks: forks) }
        if saved != nil, limit != nil {
            let selected = Set(loaded.selection.targets.map(\.name) + loaded.selection.exempt.map(\.host))
            current = current.limited(to: selected)
        }
        say(PlanReport.text(current, colored: colored))

        let (decided, toApply) = RolloutEngine.partition(
            current, targets: loaded.selection.targets,
            notTargetBecause: "not a target of \(loaded.playbookPath) in \(loaded.inventoryPath) any more")
        var run = Rollout(results: decided)
        if let why = Interruption.stop.why {
            say("\nNothing applied: \(why) while planning.\n")
            run.results += toApply.map { .notStarted($0.0.host, because: why) }
            run.stopped = why
        } else if !toApply.isEmpty {
            try confirm(count: toApply.count)
            let engine = RolloutEngine(rollout: loaded.desired.rollout, forks: forks, stop: Interruption.stop)
            let applier = Applier(ssh: ssh), desired = loaded.desired, timestamp = Self.timestamp()
            let rolled = await engine.run(toApply, events: events()) { plan, host in
                await applier.apply(plan, to: host, desired: desired, timestamp: timestamp)
            }
            run.results += rolled.results
            run.stopped = rolled.stopped
        } else {
            say("\nNothing to apply.\n")
        }
        return run
    }

    /// The rollout's progress on standard error, one progress line per batch; batch headers and the stop where
    /// the plan is shown.
    private func events() -> RolloutEngine.Events {
        let lines = Mutex<[String: ProgressLine]>([:])
        let text = format == .text
        var events = RolloutEngine.Events()
        events.batchStarted = { phase, hosts in Self.say("\n\(phase): \(hosts.joined(separator: ", "))\n", text: text) }
        events.hostDone = { phase, total, host, outcome in
            lines.withLock { lines in
                if lines[phase] == nil { lines[phase] = ProgressLine(phase: phase, total: total) }
                return lines[phase]
            }?.record(host: host, outcome: outcome)
        }
        events.batchEnded = { phase in lines.withLock { $0[phase] }?.end() }
        events.stopping = { next, why in Self.say("stopping before batch \(next): \(why)\n", text: text) }
        return events
    }

    /// Lists the failed hosts (failed, stale, unreachable), one a line, for `--limit @FILE`; removes an old
    /// list when none failed. Hosts never started are not in it: a plain rerun picks them up.
    private func writeRetryFile(_ results: [HostApplyResult]) throws {
        let retry = results.filter(\.outcome.isFailure).map(\.host).sorted()
        if retry.isEmpty {
            try? FileManager.default.removeItem(atPath: retryFile)
            return
        }
        try (retry.joined(separator: "\n") + "\n").write(toFile: retryFile, atomically: true, encoding: .utf8)
        say("Retry the \(retry.count) failed host\(retry.count == 1 ? "" : "s") with: --limit @\(retryFile)\n")
    }

    /// Asks on the terminal unless --yes.
    private func confirm(count: Int) throws {
        guard try yes || Terminal.confirm("\nApply to \(count) host\(count == 1 ? "" : "s")?", action: "apply") else {
            say("Not applied.\n")
            throw ExitCode.success
        }
    }

    /// UTC, compact: the suffix of backup files.
    static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: Date())
    }
}
