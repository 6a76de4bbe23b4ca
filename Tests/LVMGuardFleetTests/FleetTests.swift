import Foundation
import Testing
import LVMGuardCore
@testable import LVMGuardTestSupport

/// The loopback fleet (lab/fleet.sh): many hosts on real sshd, each reached at its own address.
@Suite(
    "Loopback fleet: 50 hosts on real sshd, each its own address and lvm.conf",
    .enabled(if: Runnable.fleet, "needs root and sshd for the loopback fleet"))
struct FleetTests {
    @Test("50 hosts start, plain ssh reaches each at its own address, and stop leaves no sshd behind")
    func fiftyHosts() async throws {
        guard getuid() == 0, Prerequisite.tool("sshd") || FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd")
        else {
            Prerequisite.missing("root and sshd for the loopback fleet")
            #expect(Prerequisite.skipAllowed())
            return
        }
        let state = try temporaryDirectory() + "/fleet"
        let script = LabHost.repository + "/lab/fleet.sh"
        let environment = ["LVMGUARD_FLEET_STATE": state]
        let started = try run([script, "start", "50"], environment: environment)
        #expect(started.status == 0, "\(started.stderr)")
        defer {
            _ = try? run([script, "stop"], environment: environment)
            try? FileManager.default.removeItem(atPath: PathText.directory(of: state))
        }

        let inventory = try String(contentsOfFile: state + "/inventory.yaml", encoding: .utf8)
        let port = try #require(
            inventory.split(separator: "\n").first { $0.contains("ansible_port:") }?.split(separator: " ").last)
        let answers = await withTaskGroup(of: (Int, String).self) { group in
            for index in 1...50 {
                group.addTask {
                    let result = try? run([
                        "ssh", "-i", state + "/id_ed25519", "-p", String(port), "-o", "BatchMode=yes",
                        "-o", "UserKnownHostsFile=\(state)/known_hosts", "-o", "ConnectTimeout=20",
                        "root@127.0.0.\(index + 1)",
                        "echo $LVMGUARD_FLEET_HOST $LVM_SYSTEM_DIR; lvmconfig --validate >/dev/null && echo lvm-ok",
                    ])
                    return (index, result?.stdout ?? "")
                }
            }
            var answers: [Int: String] = [:]
            for await (index, output) in group { answers[index] = output }
            return answers
        }
        for index in 1...50 {
            let name = String(format: "fleet-%03d", index)
            #expect(
                answers[index] == "\(name) \(state)/hosts/\(name)/etc/lvm\nlvm-ok\n",
                "host \(name): \(answers[index] ?? "no answer")")
        }

        let stopped = try run([script, "stop"], environment: environment)
        #expect(stopped.status == 0)
        let leftovers = try run(["pgrep", "-f", "sshd -f \(state)/"])
        #expect(leftovers.stdout.isEmpty, "sshd still running: \(leftovers.stdout)")
    }
}
