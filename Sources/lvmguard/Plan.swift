import ArgumentParser
import Foundation
import LVMGuardCore
import LVMGuardRemote

/// `lvmguard plan`: gather facts, decide per host, show the exact changes. Touches nothing.
struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show, per host, the lvm.conf diff, the guest VGs to deactivate and the commands apply would run.",
        discussion: """
            One read-only ssh execution per host. Nothing on the hosts is changed.

            Exit codes: 0 planned (with --detailed-exitcode: nothing to do); 1 invalid files or an internal error;
            2 changes pending (--detailed-exitcode only); 3 some hosts are blocked (need a person) or unreachable.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    @OptionGroup var input: InputOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Output format: text, json or markdown.")
    var format: Format = .text

    @Option(help: "Save the plan as JSON for 'apply --plan' (with every host's fact fingerprints).")
    var out: String?

    @Flag(help: "Exit 0 when nothing is to be done and 2 when changes are pending (Terraform's convention).")
    var detailedExitcode = false

    @Flag(help: "No colour, even on a terminal.")
    var noColor = false

    func run() async throws {
        let loaded = try LoadedInputs.load(input)
        let plan = await PlanBuilder.build(loaded, input: input, ssh: try connection.ssh(),
                                           forks: connection.forks ?? loaded.desired.rollout.forks)
        if let out {
            try PlanFile.write(plan, to: out)
        }
        switch format {
        case .text: print(PlanReport.text(plan, colored: Terminal.colored(noColor: noColor)), terminator: "")
        case .json: print(try PlanFile.encode(plan))
        case .markdown: print(PlanReport.markdown(plan))
        }
        if plan.hosts.contains(where: { $0.status == .blocked || $0.status == .unreachable }) { throw ExitCode(3) }
        if detailedExitcode, plan.hosts.contains(where: { $0.status == .changes }) { throw ExitCode(2) }
    }
}

/// Gathers facts and plans every host of a loaded run.
enum PlanBuilder {
    static func build(_ loaded: LoadedInputs, input: InputOptions, ssh: SSH, forks: Int) async -> FleetPlan {
        let gathered = await FactsGatherer(ssh: ssh).gather(loaded.selection.targets, forks: forks)
        var hosts: [HostPlan] = loaded.selection.exempt.map(Planner.exempt)
        for result in gathered {
            switch result.facts {
            case let .success(facts): hosts.append(Planner.plan(result.host, facts: facts, desired: loaded.desired))
            case let .failure(error): hosts.append(Planner.unreachable(result.host.name, reason: error.message))
            }
        }
        return FleetPlan(playbook: input.playbook, inventory: input.inventory,
                         policy: "\(loaded.desired.filter.policy.rawValue) via devices/\(loaded.desired.filter.key.rawValue)",
                         hosts: hosts)
    }
}

/// Saved plans: versioned JSON, keys sorted so two plans diff cleanly.
enum PlanFile {
    static func encode(_ plan: FleetPlan) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(plan), as: UTF8.self)
    }

    /// Writes atomically: a temp file beside the target, then a rename.
    static func write(_ plan: FleetPlan, to path: String) throws {
        try (try encode(plan) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}
