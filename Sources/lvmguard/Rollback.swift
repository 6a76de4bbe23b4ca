import ArgumentParser
import Foundation
import LVMGuardCore
import LVMGuardRemote

/// `lvmguard rollback`: put back the lvm.conf the last apply replaced.
struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore, on the target hosts, the lvm.conf (and devices file) the last apply replaced.",
        discussion: """
            Reads the host's journal (lvmguard.journal beside lvm.conf), validates the backup with the host's \
            lvmconfig, swaps it in atomically (keeping what it replaces) and runs pvscan --cache. Guest VGs are \
            not reactivated. One ssh execution per host; asks unless --yes.

            Exit codes: 0 restored or nothing to restore; 1 a host failed; 3 a host was unreachable.
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    @Flag(help: "No colour, even on a terminal.")
    var noColor = false

    func run() async throws {
        let loaded = try LoadedInputs.load(input)
        let hosts = loaded.selection.targets
        guard try yes || Terminal.confirm("Roll back lvm.conf on \(hosts.count) host\(hosts.count == 1 ? "" : "s")?", action: "roll back") else {
            print("Not rolled back.")
            return
        }
        let applier = Applier(ssh: try connection.ssh())
        let timestamp = Apply.timestamp()
        let progress = ProgressLine(phase: "rollback", total: hosts.count)
        let results = await Fleet.map(hosts, forks: connection.forks ?? loaded.desired.rollout.forks, stop: Interruption.stop,
                                      notStarted: { .notStarted($0.name, because: $1) }) { host in
            let result = await applier.rollback(host, timestamp: timestamp)
            progress.record(host: host.name, outcome: result.outcome.rawValue)
            return result
        }
        progress.end()
        print(ApplyReport.text(results.sorted { $0.host < $1.host }, colored: Terminal.colored(noColor: noColor)), terminator: "")
        try Interruption.exitIfRequested()
        let outcomes = Set(results.map(\.outcome))
        if outcomes.contains(.failed) { throw ExitCode.failure }
        if outcomes.contains(.unreachable) { throw ExitCode(3) }
    }
}
