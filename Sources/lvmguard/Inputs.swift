import ArgumentParser
import Foundation
import LVMGuardCore
import LVMGuardRemote

/// The two files every command reads: the inventory and the desired state.
struct InputOptions: ParsableArguments {
    @Option(name: [.short, .customLong("inventory")], help: "The inventory file (Ansible YAML or INI).")
    var inventory: String

    @Argument(help: "The desired-state file, e.g. playbooks/compute-guest-lvm.yaml.")
    var playbook: String

    @Option(help: "Limit to hosts matching an Ansible pattern (a:b, a:!b, a:&b, globs, ~regex) or @FILE of host names.")
    var limit: String?

    @Option(help: ArgumentHelp("Evaluate exemption expiry as of this day (YYYY-MM-DD).", visibility: .hidden))
    var today: String?
}

/// Options for commands that reach hosts.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Hosts worked on at once (default: the playbook's rollout.forks).")
    var forks: Int?

    @Option(help: "Extra arguments for every ssh call, e.g. \"-o ProxyJump=bastion\".")
    var sshCommonArgs: String?

    @Option(help: "Seconds one remote execution may take before the host is reported as failed.")
    var timeout: Int = 300

    @Option(help: "Seconds ssh may take to connect.")
    var connectTimeout: Int = 10

    @Flag(
        name: [.short, .long], help: "Log each ssh execution (command line, duration, exit status) to standard error.")
    var verbose = false

    /// The ssh runner. With `sharingConnections` (apply: a gather, then the change), each host gets one
    /// connection in a private socket directory that `SSH.finish` closes and removes.
    func ssh(sharingConnections: Bool = false) throws -> SSH {
        Interruption.install()
        var options = SSH.Options()
        if sharingConnections {
            var template = Array("/tmp/lvmguard-ssh-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else {
                throw ValidationError("cannot create a private directory for ssh sockets")
            }
            options.controlDirectory = String(cString: made)
        }
        options.commandTimeout = .seconds(timeout)
        options.connectTimeout = connectTimeout
        if let sshCommonArgs {
            guard let words = ShellWords.split(sshCommonArgs) else {
                throw ValidationError("--ssh-common-args has unbalanced quotes")
            }
            options.commonArgs = words
        }
        options.logger = Log.setUp(verbose: verbose, label: "lvmguard.ssh")
        let ssh = SSH(options: options)
        Interruption.onAbort { ssh.sweep() }
        return ssh
    }
}

/// Inventory, desired state and target selection, read and checked together.
struct LoadedInputs {
    let inventory: Inventory
    let desired: DesiredState
    let selection: TargetSelection
    /// The two files as the operator named them.
    let inventoryPath: String
    let playbookPath: String

    /// Reads both files; prints every diagnostic; exits 1 when there are errors.
    static func load(_ options: InputOptions) throws -> LoadedInputs {
        try load(inventory: options.inventory, playbook: options.playbook, limit: options.limit, today: options.today)
    }

    /// The same from the values themselves (a saved plan names its files).
    static func load(inventory inventoryPath: String, playbook: String, limit: String?, today: String?) throws
        -> LoadedInputs
    {
        var diagnostics = Diagnostics()
        let files = LocalFiles()
        let day = try Clock.day(today)
        let inventory = InventoryLoader(files: files).load(inventoryPath, diagnostics: &diagnostics)
        var parsed: DesiredStateReader.Result?
        do throws(FileReadError) {
            parsed = DesiredStateReader.parse(
                try files.readText(atPath: playbook), file: playbook, diagnostics: &diagnostics)
        } catch {
            diagnostics.error(
                "cannot read desired-state file: \(error.reason)",
                at: SourceLocation(file: playbook, line: 1, column: 1))
        }
        var selection: TargetSelection?
        if let inventory, let desired = parsed?.state {
            selection = TargetSelection.resolve(desired, in: inventory, today: day, diagnostics: &diagnostics)
        } else if let inventory, let references = parsed?.references {
            _ = TargetSelection.checkReferences(references, in: inventory, today: day, diagnostics: &diagnostics)
        }
        if let limit, let inventory, let resolved = selection {
            selection = try Self.limited(resolved, by: limit, in: inventory, diagnostics: &diagnostics)
        }
        Terminal.printDiagnostics(diagnostics)
        guard let inventory, let desired = parsed?.state, let selection, !diagnostics.hasErrors else {
            throw ExitCode.failure
        }
        return LoadedInputs(
            inventory: inventory, desired: desired, selection: selection, inventoryPath: inventoryPath,
            playbookPath: playbook)
    }

    /// The selection narrowed to `--limit`: a pattern, or @FILE with one host name a line (a retry file).
    static func limited(
        _ selection: TargetSelection, by limit: String, in inventory: Inventory,
        diagnostics: inout Diagnostics
    ) throws -> TargetSelection {
        var pattern = limit
        if limit.hasPrefix("@") {
            let path = String(limit.dropFirst())
            do {
                let text = try LocalFiles().readText(atPath: path)
                pattern = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty && !$0.hasPrefix("#") }.joined(separator: ",")
            } catch {
                throw ValidationError("--limit: cannot read \(path): \(error.reason)")
            }
            guard !pattern.isEmpty else { throw ValidationError("--limit: \(path) names no hosts") }
        }
        if let why = HostPattern.unsupported(pattern) { throw ValidationError("--limit '\(limit)': \(why)") }
        guard let hostPattern = HostPattern(pattern) else {
            throw ValidationError("--limit '\(limit)' selects nothing")
        }
        let match = hostPattern.match(in: inventory)
        for term in match.unmatchedTerms {
            diagnostics.error(
                "--limit term '\(term.text)' matches no group or host in \(inventory.file)", at: nil,
                hint: Suggestion.didYouMean(term.text, in: Array(inventory.groups.keys) + Array(inventory.hosts.keys)))
        }
        let allowed = Set(match.hosts)
        return TargetSelection(
            targets: selection.targets.filter { allowed.contains($0.name) },
            exempt: selection.exempt.filter { allowed.contains($0.host) }, expired: selection.expired)
    }
}
