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
        let plan = await PlanBuilder.build(
            loaded, ssh: try connection.ssh(),
            forks: connection.forks ?? loaded.desired.rollout.forks)
        if let out {
            try PlanFile.write(plan, to: out)
        }
        switch format {
        case .text: print(PlanReport.text(plan, colored: Terminal.colored(noColor: noColor)), terminator: "")
        case .json: print(try JSONOutput.text(plan))
        case .markdown: print(PlanReport.markdown(plan))
        }
        try Interruption.exitIfRequested()
        if plan.hosts.contains(where: { $0.status == .blocked || $0.status == .unreachable }) { throw ExitCode(3) }
        if detailedExitcode, plan.hosts.contains(where: { $0.status == .changes }) { throw ExitCode(2) }
    }
}

/// Gathers facts and plans every host of a loaded run, showing progress. After Ctrl-C, hosts not yet
/// reached are planned as unreachable with that reason.
enum PlanBuilder {
    static func build(_ loaded: LoadedInputs, ssh: SSH, forks: Int) async -> FleetPlan {
        let targets = loaded.selection.targets
        let gatherer = FactsGatherer(ssh: ssh)
        let progress = ProgressLine(phase: "plan", total: targets.count)
        let planned = await Fleet.map(
            targets, forks: forks, stop: Interruption.stop,
            notStarted: { host, why in
                Planner.unreachable(host.name, reason: "not gathered: \(why)")
            }
        ) { host in
            let gathered = await gatherer.gather(host)
            let plan =
                switch gathered.facts {
                case let .success(facts): Planner.plan(host, facts: facts, desired: loaded.desired)
                case let .failure(error): Planner.unusable(host.name, error)
                }
            progress.record(host: host.name, outcome: plan.status.rawValue)
            return plan
        }
        progress.end()
        return FleetPlan(
            playbook: loaded.playbookPath, inventory: loaded.inventoryPath,
            policy: "\(loaded.desired.filter.policy.rawValue) via devices/\(loaded.desired.filter.key.rawValue)",
            hosts: loaded.selection.exempt.map(Planner.exempt) + planned)
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
