import ArgumentParser
import Foundation
import LVMGuardCore
import LVMGuardRemote

/// `lvmguard apply`: exactly the plan, atomically, idempotently, verified.
struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the plan: lock, check fingerprints, validate and try the new lvm.conf, swap it in, deactivate guest LVs, refresh, verify.",
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

    @Option(name: [.short, .customLong("inventory")], help: "The inventory file (default with --plan: the one the plan names).")
    var inventory: String?

    @Argument(help: "The desired-state file (default with --plan: the one the plan names).")
    var playbook: String?

    @Option(help: "Apply this saved plan (from 'plan --out') instead of planning now.")
    var plan: String?

    @Option(help: "Limit to hosts matching an Ansible pattern (a:b, a:!b, a:&b, globs, ~regex) or @FILE of host names (a retry file); with --plan, the rest of the saved plan is left alone.")
    var limit: String?

    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    @Option(help: "Where to list the hosts that failed, for a rerun with --limit @FILE.")
    var retryFile: String = "lvmguard.retry"

    @Flag(help: "No colour, even on a terminal.")
    var noColor = false

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Output format: text, or json (the run as one versioned document on standard output; the plan and progress go to standard error).")
    var format: Format = .text

    @Option(help: ArgumentHelp("Evaluate exemption expiry as of this day (YYYY-MM-DD).", visibility: .hidden))
    var today: String?

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let colored = format == .text && Terminal.colored(noColor: noColor)
        let saved = try plan.map(PlanFile.read)
        guard let inventory = inventory ?? saved?.inventory, let playbook = playbook ?? saved?.playbook else {
            throw ValidationError("name an inventory and a playbook, or a saved plan with --plan")
        }
        let input = try InputOptions.parse(["-i", inventory, playbook] + (today.map { ["--today", $0] } ?? [])
                                           + (limit.map { ["--limit", $0] } ?? []))
        let loaded = try LoadedInputs.load(input)
        let ssh = try connection.ssh(sharingConnections: true)
        let run: Rollout
        do {
            run = try await applyAll(saved: saved, input: input, loaded: loaded, ssh: ssh, colored: colored)
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
            print(try JSONOutput.text(ApplyRun(playbook: input.playbook, inventory: input.inventory, stopped: run.stopped, results: run.results)))
        }
        try writeRetryFile(run.results)
        try Interruption.exitIfRequested()
        let outcomes = Set(run.results.map(\.outcome))
        if outcomes.contains(.failed) || outcomes.contains(.stale) || outcomes.contains(.skipped) { throw ExitCode.failure }
        if outcomes.contains(.blocked) || outcomes.contains(.unreachable) { throw ExitCode(3) }
    }

    /// Every host's result, and why the rollout stopped early if it did.
    struct Rollout {
        var results: [HostApplyResult] = []
        var stopped: String?
    }

    /// The plan, batch headers and prompts: standard output for text, standard error when standard
    /// output carries JSON.
    private func say(_ text: String) {
        if format == .text {
            print(text, terminator: "")
        } else {
            Terminal.writeError(text)
        }
    }

    /// Plans (unless a saved plan is given), shows the plan, confirms, and rolls the changes out.
    private func applyAll(saved: FleetPlan?, input: InputOptions, loaded: LoadedInputs, ssh: SSH, colored: Bool) async throws -> Rollout {
        let forks = connection.forks ?? loaded.desired.rollout.forks
        var current = if let saved { saved } else { await PlanBuilder.build(loaded, input: input, ssh: ssh, forks: forks) }
        if saved != nil, limit != nil {
            let selected = Set(loaded.selection.targets.map(\.name) + loaded.selection.exempt.map(\.host))
            current = current.limited(to: selected)
        }
        say(PlanReport.text(current, colored: colored))

        let targets = Dictionary(uniqueKeysWithValues: loaded.selection.targets.map { ($0.name, $0) })
        var toApply: [(HostPlan, HostSettings)] = []
        var run = Rollout()
        for host in current.hosts {
            switch host.status {
            case .changes:
                if let settings = targets[host.host] {
                    toApply.append((host, settings))
                } else {
                    run.results.append(HostApplyResult(host: host.host, outcome: .failed, reason: "not a target of \(input.playbook) in \(input.inventory) any more"))
                }
            case .inSync: run.results.append(HostApplyResult(host: host.host, outcome: .ok))
            case .exempt: run.results.append(HostApplyResult(host: host.host, outcome: .exempt, reason: host.reasons.first))
            case .blocked: run.results.append(HostApplyResult(host: host.host, outcome: .blocked, reason: host.reasons.first))
            case .unreachable: run.results.append(HostApplyResult(host: host.host, outcome: .unreachable, reason: host.reasons.first))
            }
        }
        if let why = Interruption.stop.why {
            say("\nNothing applied: \(why) while planning.\n")
            run.results += toApply.map { .notStarted($0.0.host, because: why) }
            run.stopped = why
        } else if !toApply.isEmpty {
            try confirm(count: toApply.count)
            let rolled = await rollOut(toApply, desired: loaded.desired, applier: Applier(ssh: ssh), forks: forks)
            run.results += rolled.results
            run.stopped = rolled.stopped
        } else {
            say("\nNothing to apply.\n")
        }
        return run
    }

    /// Applies batch by batch (the playbook's `serial`), each batch `forks` at a time, and stops before the
    /// next batch when failures pass `max_fail_percentage` in a batch or `max_failures` in all. After
    /// Ctrl-C no host is started; those running finish.
    private func rollOut(_ hosts: [(HostPlan, HostSettings)], desired: DesiredState, applier: Applier, forks: Int) async -> Rollout {
        let batches = RolloutBatches.split(hosts, serial: desired.rollout.serial)
        let timestamp = Self.timestamp()
        var run = Rollout()
        var failures = 0
        for (index, batch) in batches.enumerated() {
            if let stop = run.stopped ?? Interruption.stop.why {
                run.stopped = stop
                run.results += batch.map { .notStarted($0.0.host, because: stop) }
                continue
            }
            let phase = batches.count > 1 ? "apply batch \(index + 1)/\(batches.count)" : "apply"
            if batches.count > 1 { say("\n\(phase): \(batch.map(\.0.host).joined(separator: ", "))\n") }
            let progress = ProgressLine(phase: phase, total: batch.count)
            let done = await Fleet.map(batch, forks: forks, stop: Interruption.stop,
                                       notStarted: { .notStarted($0.0.host, because: $1) }) { plan, host in
                let result = await applier.apply(plan, to: host, desired: desired, timestamp: timestamp)
                progress.record(host: host.name, outcome: result.outcome.rawValue)
                return result
            }
            progress.end()
            run.results += done
            let batchFailures = done.filter(\.outcome.isFailure).count
            failures += batchFailures
            if index + 1 < batches.count,
               let limit = RolloutBatches.shouldStop(batchSize: batch.count, batchFailures: batchFailures, totalFailures: failures, rollout: desired.rollout) {
                run.stopped = limit
                say("stopping before batch \(index + 2): \(limit)\n")
            }
        }
        if run.stopped == nil, let why = Interruption.stop.why { run.stopped = why }
        return run
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

extension PlanFile {
    /// Reads a saved plan, refusing other formats and versions.
    static func read(_ path: String) throws -> FleetPlan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read the plan \(path)")
        }
        let plan: FleetPlan
        do {
            plan = try JSONDecoder().decode(FleetPlan.self, from: data)
        } catch {
            throw ValidationError("\(path) is not an lvmguard plan: \(error)")
        }
        guard plan.format == "lvmguard-plan", plan.version == FleetPlan.currentVersion else {
            throw ValidationError("\(path) is a plan of format \(plan.format) version \(plan.version); this lvmguard reads version \(FleetPlan.currentVersion)")
        }
        return plan
    }
}
