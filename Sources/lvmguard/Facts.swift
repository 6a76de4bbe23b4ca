import ArgumentParser
import Foundation
import LVMGuardCore
import LVMGuardRemote

/// `lvmguard facts`: gather and print what lvmguard knows of each target host.
struct Facts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Gather facts from the target hosts (one read-only ssh execution each) and print them as JSON.",
        discussion: "Exit codes: 0 every host answered; 1 a file is invalid or a host could not be read."
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Also write each host's raw gather output to DIR/HOST.facts (for fixtures and bug reports).")
    var saveRaw: String?

    func run() async throws {
        let loaded = try LoadedInputs.load(input)
        let gatherer = FactsGatherer(ssh: try connection.ssh())
        let gathered = await gatherer.gather(
            loaded.selection.targets, forks: connection.forks ?? loaded.desired.rollout.forks, stop: Interruption.stop,
            finished: ProgressLine.gathering("facts", loaded.selection.targets.count))
        var output: [String: HostFactsOutput] = [:]
        var failed = false
        for result in gathered {
            if let saveRaw {
                try FileManager.default.createDirectory(atPath: saveRaw, withIntermediateDirectories: true)
                // The boundary is replaced by a fixed one so captures diff cleanly.
                let text = result.raw.replacingOccurrences(of: result.boundary, with: "@@lvmguard@@")
                try text.write(toFile: "\(saveRaw)/\(result.host.name).facts", atomically: true, encoding: .utf8)
            }
            switch result.facts {
            case let .success(facts): output[result.host.name] = HostFactsOutput(facts: facts, error: nil)
            case let .failure(error):
                output[result.host.name] = HostFactsOutput(facts: nil, error: error.message)
                failed = true
            }
        }
        print(try JSONOutput.text(output))
        try Interruption.exitIfRequested()
        if failed { throw ExitCode.failure }
    }

    struct HostFactsOutput: Encodable {
        let facts: HostFacts?
        let error: String?
    }
}
