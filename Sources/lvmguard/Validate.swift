import ArgumentParser
import Foundation
import LVMGuardCore
import LVMGuardRemote

/// `lvmguard validate`: read both files strictly, offline, and show whom the policy reaches.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check an inventory and a desired-state file offline and list the hosts they reach.",
        discussion: """
            Reads the inventory (Ansible YAML or INI, with group_vars/ and host_vars/ beside it) and \
            the desired-state file, reports every problem with file:line:column, then lists the target \
            hosts and the exempt ones with their reasons. Nothing is contacted.

            Exit codes: 0 both files are valid; 1 a problem was found.
            """
    )

    @Option(name: [.short, .customLong("inventory")], help: "The inventory file (Ansible YAML or INI).")
    var inventory: String

    @Argument(help: "The desired-state file, e.g. playbooks/compute-guest-lvm.yaml.")
    var playbook: String

    @Option(help: ArgumentHelp("Evaluate exemption expiry as of this day (YYYY-MM-DD).", visibility: .hidden))
    var today: String?

    func run() throws {
        var diagnostics = Diagnostics()
        let files = LocalFiles()
        let day = try Clock.day(today)
        let inventory = InventoryLoader(files: files).load(self.inventory, diagnostics: &diagnostics)
        var parsed: DesiredStateReader.Result?
        do throws(FileReadError) {
            parsed = DesiredStateReader.parse(try files.readText(atPath: playbook), file: playbook, diagnostics: &diagnostics)
        } catch {
            diagnostics.error("cannot read desired-state file: \(error.reason)", at: SourceLocation(file: playbook, line: 1, column: 1))
        }
        let desired = parsed?.state
        var selection: TargetSelection?
        if let inventory, let desired {
            selection = TargetSelection.resolve(desired, in: inventory, today: day, diagnostics: &diagnostics)
        } else if let inventory, let references = parsed?.references {
            _ = TargetSelection.checkReferences(references, in: inventory, today: day, diagnostics: &diagnostics)
        }
        Terminal.printDiagnostics(diagnostics)
        guard let inventory, let desired, let selection, !diagnostics.hasErrors else {
            throw ExitCode.failure
        }
        print(ValidateReport.render(desired, inventory, selection), terminator: "")
    }
}
