import ArgumentParser
import Foundation

@main
struct LVMGuard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lvmguard",
        abstract: "Keep a compute host's LVM off the guest volumes attached to it.",
        discussion: """
            lvmguard enforces a desired state on a fleet of OpenStack compute nodes: the host's LVM \
            sees only the host's own PVs, guest VGs found on SAN/multipath volumes are deactivated, \
            and no multipath map is held open by host LVM.

            Exit codes:
              0   success; nothing to do
              1   error: invalid files, a failed check, a host failed or was stale, or a rollout stopped
              2   changes pending (plan --detailed-exitcode)
              3   some hosts are blocked (need a person) or unreachable
              4   diagnose: host LVM holds the multipath map (the incident)
              5   diagnose --device: host LVM refuses the device and nobody declared it (lvmguard_accept)
              64  bad command-line usage
              130 interrupted (Ctrl-C, SIGTERM): running hosts finished, no new host was started
            """,
        subcommands: [
            Validate.self, Plan.self, Apply.self, Rollback.self, CheckCommand.self, Facts.self, Diagnose.self,
        ]
    )

    static func main() async {
        // An ssh that exits early (a refused host key) closes the pipe its script is written to: that is a
        // result for that host, never a reason for lvmguard to die.
        signal(SIGPIPE, SIG_IGN)
        await main(nil)
    }
}
