import ArgumentParser
import Foundation
import LVMGuardCore
import LVMGuardRemote

/// `lvmguard rollback`: show what the latest apply in force replaced, then put it back (a stack).
struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Undo, on the target hosts, the latest apply still in force: its lvm.conf (and devices file) and initramfs.",
        discussion: """
            Rollback is a stack: each run undoes the latest apply whose backup no rollback has restored yet, so a \
            second run undoes the apply before it. It restores only what that apply left: if lvm.conf changed since \
            (its sha256 is in the journal), it shows what the restore would change and stops for that host, unless \
            --force. First a read-only pass shows, per host, what would be restored: the lvm.conf diff, the devices \
            file, and the initramfs the apply rebuilt (rebuilt again from the restored lvm.conf). Then, unless \
            --dry-run, it asks (unless --yes) and, on each host, validates the backup with the host's lvmconfig, swaps \
            it in atomically (keeping what it replaces), rebuilds that initramfs and runs pvscan --cache. Guest VGs \
            are not reactivated.

            Exit codes: 0 restored or nothing to restore; 1 a host failed; 3 a host was unreachable.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var input: InputOptions
    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    @Flag(help: "Only show what would be restored; change nothing.")
    var dryRun = false

    @Flag(help: "Restore even where lvm.conf changed since the apply being undone (that change is then lost).")
    var force = false

    @Option(
        help:
            "Output format: text, or json (the run as one versioned document on standard output, as apply's; the preview goes to standard error)."
    )
    var format: Format = .text

    @Flag(help: "No colour, even on a terminal.")
    var noColor = false

    func run() async throws {
        let loaded = try LoadedInputs.load(input)
        let hosts = loaded.selection.targets
        let applier = Applier(ssh: try connection.ssh())
        let timestamp = Apply.timestamp()
        let forks = connection.forks ?? loaded.desired.rollout.forks

        let preview = await Self.each(hosts, forks: forks, phase: "rollback preview") {
            await applier.rollback($0, timestamp: timestamp, preview: true, force: force)
        }
        let previewText = ApplyReport.rollbackPreview(preview)
        if format == .json && dryRun {
            print(try JSONOutput.text(Self.document(input, preview)))
        } else if format == .json {
            Terminal.writeError(previewText)
        } else {
            print(previewText, terminator: "")
        }
        try Interruption.exitIfRequested()
        if dryRun {
            try Self.exit(preview)
            return
        }
        let restoring = hosts.filter { host in
            preview.contains { $0.host == host.name && $0.steps.contains { $0.result == .would } }
        }
        guard !restoring.isEmpty else {
            if format == .json { print(try JSONOutput.text(Self.document(input, preview))) }
            try Self.exit(preview)
            return
        }
        let question = "Roll back \(restoring.count) host\(restoring.count == 1 ? "" : "s") as shown?"
        guard try yes || Terminal.confirm(question, action: "roll back") else {
            print("Not rolled back.")
            return
        }
        let results =
            await Self.each(restoring, forks: forks, phase: "rollback") {
                await applier.rollback($0, timestamp: timestamp, force: force)
            }
            + preview.filter { result in !restoring.contains { $0.name == result.host } }
        if format == .json {
            print(try JSONOutput.text(Self.document(input, results)))
        } else {
            print(
                ApplyReport.text(results.sorted { $0.host < $1.host }, colored: Terminal.colored(noColor: noColor)),
                terminator: "")
        }
        try Interruption.exitIfRequested()
        try Self.exit(results)
    }

    /// Runs `body` on every host through the fleet window, with the progress line; sorted by host.
    static func each(
        _ hosts: [HostSettings], forks: Int, phase: String,
        _ body: @escaping @Sendable (HostSettings) async -> HostApplyResult
    ) async -> [HostApplyResult] {
        let progress = ProgressLine(phase: phase, total: hosts.count)
        let results = await Fleet.map(
            hosts, forks: forks, stop: Interruption.stop, notStarted: { .notStarted($0.name, because: $1) }
        ) { host in
            let result = await body(host)
            progress.record(host: host.name, outcome: result.outcome.rawValue)
            return result
        }
        progress.end()
        return results.sorted { $0.host < $1.host }
    }

    static func document(_ input: InputOptions, _ results: [HostApplyResult]) -> ApplyRun {
        ApplyRun(
            playbook: input.playbook, inventory: input.inventory, stopped: nil, results: results,
            format: "lvmguard-rollback")
    }

    static func exit(_ results: [HostApplyResult]) throws {
        let outcomes = Set(results.map(\.outcome))
        if outcomes.contains(.failed) { throw ExitCode.failure }
        if outcomes.contains(.unreachable) { throw ExitCode(3) }
    }
}
