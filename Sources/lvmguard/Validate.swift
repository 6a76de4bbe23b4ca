import ArgumentParser
import LVMGuardCore

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

    @OptionGroup var input: InputOptions

    func run() throws {
        let loaded = try LoadedInputs.load(input)
        print(ValidateReport.render(loaded.desired, loaded.inventory, loaded.selection), terminator: "")
    }
}
