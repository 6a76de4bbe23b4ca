import ArgumentParser
import Foundation
import LVMGuardCore
import LVMGuardRemote

/// `lvmguard check`: the declared checks, read-only, for monitoring.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Evaluate the playbook's checks on the target hosts, read-only (for monitoring).",
        discussion: """
            Exit codes (every format): 0 every check passed on every host; 1 a check failed or a file is invalid; \
            3 a host was unreachable (and no check failed).

            --format prometheus prints node_exporter's textfile format: lvmguard_check_passed{host,check}, \
            lvmguard_host_reachable{host}, lvmguard_guest_lvs_active{host}, lvmguard_multipath_maps_held{host}, \
            lvmguard_multipath_maps_dead{host} and lvmguard_check_last_run_timestamp_seconds. With --output FILE \
            the file is replaced atomically, as the textfile collector needs.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, prometheus }

    @OptionGroup var input: InputOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Output format: text, json (one versioned document) or prometheus (text exposition format).")
    var format: Format = .text

    @Option(help: "Write the output to this file, atomically (a temporary file beside it, then a rename).")
    var output: String?

    @Flag(help: "No colour, even on a terminal.")
    var noColor = false

    func run() async throws {
        let loaded = try LoadedInputs.load(input)
        let gathered = await FactsGatherer(ssh: try connection.ssh())
            .gather(
                loaded.selection.targets, forks: connection.forks ?? loaded.desired.rollout.forks,
                stop: Interruption.stop,
                finished: ProgressLine.gathering("check", loaded.selection.targets.count))
        let hosts = gathered.map { result -> CheckRun.Host in
            switch result.facts {
            case let .failure(error): .unreachable(result.host.name, reason: error.message)
            case let .success(facts): .checked(result.host, facts: facts, desired: loaded.desired)
            }
        }
        let run = CheckRun(playbook: input.playbook, timestamp: Int(Date().timeIntervalSince1970), hosts: hosts)
        let text: String =
            switch format {
            case .text: Self.text(run, colored: output == nil && Terminal.colored(noColor: noColor))
            case .json: try JSONOutput.text(run) + "\n"
            case .prometheus: CheckReport.prometheus(run)
            }
        if let output {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
        } else {
            print(text, terminator: "")
        }
        try Interruption.exitIfRequested()
        if !run.allPassed { throw ExitCode.failure }
        if run.hosts.contains(where: { !$0.reachable }) { throw ExitCode(3) }
    }

    /// One line per host and check: "host: check: ok: detail".
    static func text(_ run: CheckRun, colored: Bool) -> String {
        run.hosts.map { host in
            guard host.reachable else { return "\(host.host): unreachable: \(host.reason ?? "")\n" }
            return host.checks.map { outcome in
                let mark =
                    outcome.passed
                    ? (colored ? "\u{1B}[32mok\u{1B}[0m" : "ok") : (colored ? "\u{1B}[31mFAILED\u{1B}[0m" : "FAILED")
                return "\(host.host): \(outcome.check): \(mark): \(outcome.detail)\n"
            }.joined()
        }.joined()
    }
}
