import ArgumentParser
import LVMGuardCore
import LVMGuardRemote

/// The two files every command reads: the inventory and the desired state.
struct InputOptions: ParsableArguments {
    @Option(name: [.short, .customLong("inventory")], help: "The inventory file (Ansible YAML or INI).")
    var inventory: String

    @Argument(help: "The desired-state file, e.g. playbooks/compute-guest-lvm.yaml.")
    var playbook: String

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

    func ssh() throws -> SSH {
        var options = SSH.Options()
        options.commandTimeout = .seconds(timeout)
        options.connectTimeout = connectTimeout
        if let sshCommonArgs {
            guard let words = ShellWords.split(sshCommonArgs) else { throw ValidationError("--ssh-common-args has unbalanced quotes") }
            options.commonArgs = words
        }
        return SSH(options: options)
    }
}

/// Inventory, desired state and target selection, read and checked together.
struct LoadedInputs {
    let inventory: Inventory
    let desired: DesiredState
    let selection: TargetSelection

    /// Reads both files; prints every diagnostic; exits 1 when there are errors.
    static func load(_ options: InputOptions) throws -> LoadedInputs {
        var diagnostics = Diagnostics()
        let files = LocalFiles()
        let day = try Clock.day(options.today)
        let inventory = InventoryLoader(files: files).load(options.inventory, diagnostics: &diagnostics)
        var parsed: DesiredStateReader.Result?
        do throws(FileReadError) {
            parsed = DesiredStateReader.parse(try files.readText(atPath: options.playbook), file: options.playbook, diagnostics: &diagnostics)
        } catch {
            diagnostics.error("cannot read desired-state file: \(error.reason)", at: SourceLocation(file: options.playbook, line: 1, column: 1))
        }
        var selection: TargetSelection?
        if let inventory, let desired = parsed?.state {
            selection = TargetSelection.resolve(desired, in: inventory, today: day, diagnostics: &diagnostics)
        } else if let inventory, let references = parsed?.references {
            _ = TargetSelection.checkReferences(references, in: inventory, today: day, diagnostics: &diagnostics)
        }
        Terminal.printDiagnostics(diagnostics)
        guard let inventory, let desired = parsed?.state, let selection, !diagnostics.hasErrors else {
            throw ExitCode.failure
        }
        return LoadedInputs(inventory: inventory, desired: desired, selection: selection)
    }
}
