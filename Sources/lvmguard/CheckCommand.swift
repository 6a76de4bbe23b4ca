import ArgumentParser
import Foundation
import LVMGuardCore
import LVMGuardRemote

/// `lvmguard check`: the declared checks, read-only, for monitoring.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Evaluate the playbook's checks on the target hosts, read-only (for monitoring).",
        discussion: "Exit codes: 0 every check passed on every host; 1 a check failed or a file is invalid; 3 a host was unreachable."
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "No colour, even on a terminal.")
    var noColor = false

    func run() async throws {
        let loaded = try LoadedInputs.load(input)
        let gathered = await FactsGatherer(ssh: try connection.ssh())
            .gather(loaded.selection.targets, forks: connection.forks ?? loaded.desired.rollout.forks, stop: Interruption.stop,
                    finished: ProgressLine.gathering("check", loaded.selection.targets.count))
        let colored = Terminal.colored(noColor: noColor)
        var failed = false, unreachable = false
        for result in gathered.sorted(by: { $0.host.name < $1.host.name }) {
            switch result.facts {
            case let .failure(error):
                print("\(result.host.name): unreachable: \(error.message)")
                unreachable = true
            case let .success(facts):
                for outcome in CheckEvaluator.evaluate(loaded.desired.checks, host: result.host, facts: facts, desired: loaded.desired) {
                    let mark = outcome.passed ? (colored ? "\u{1B}[32mok\u{1B}[0m" : "ok") : (colored ? "\u{1B}[31mFAILED\u{1B}[0m" : "FAILED")
                    print("\(result.host.name): \(outcome.check): \(mark): \(outcome.detail)")
                    failed = failed || !outcome.passed
                }
            }
        }
        try Interruption.exitIfRequested()
        if failed { throw ExitCode.failure }
        if unreachable { throw ExitCode(3) }
    }
}
