import Foundation
import Testing
import LVMGuardCore
@testable import LVMGuardTestSupport

/// plan and apply across the loopback fleet: many real sshd hosts, some of them broken on purpose.
@Suite(
    "Fleet: 50 hosts in parallel, broken hosts reported with ssh's reason, rollout limits", .serialized,
    .enabled(if: Runnable.fleet, "needs root and sshd for the loopback fleet"))
struct FleetApplyTests {
    /// A running loopback fleet in a private state directory.
    struct LoopbackFleet {
        let state: String
        let port: String
        let vars: String

        static func start(_ count: Int) throws -> LoopbackFleet? {
            guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else {
                Prerequisite.missing("root and sshd for the loopback fleet")
                return nil
            }
            let state = try temporaryDirectory() + "/fleet"
            let started = try run(
                [LabHost.repository + "/lab/fleet.sh", "start", String(count)],
                environment: ["LVMGUARD_FLEET_STATE": state])
            guard started.status == 0 else {
                Issue.record("lab/fleet.sh failed: \(started.stderr)")
                return nil
            }
            let inventory = try String(contentsOfFile: state + "/inventory.yaml", encoding: .utf8)
            let lines = inventory.split(separator: "\n")
            let port = String(lines.first { $0.contains("ansible_port:") }?.split(separator: " ").last ?? "")
            let vars = lines.drop { !$0.hasPrefix("  vars:") }.prefix { !$0.hasPrefix("  children:") }.joined(
                separator: "\n")
            return LoopbackFleet(state: state, port: port, vars: vars)
        }

        func stop() {
            _ = try? run([LabHost.repository + "/lab/fleet.sh", "stop"], environment: ["LVMGUARD_FLEET_STATE": state])
            try? FileManager.default.removeItem(atPath: PathText.directory(of: state))
        }

        func lvmConf(_ host: String) -> String { "\(state)/hosts/\(host)/etc/lvm/lvm.conf" }

        /// Processes a host's remote runs started and left running ("pid command").
        func leftRunning(_ host: String) -> [String] {
            processesLeft(lvmSystemDir: "\(state)/hosts/\(host)/etc/lvm")
        }

        func inventory(_ count: Int, extra: [String] = []) throws -> String {
            var text = "all:\n\(vars)\n  children:\n    compute:\n      hosts:\n"
            for index in 1...count {
                text += String(format: "        fleet-%03d: { ansible_host: 127.0.0.%d }\n", index, index + 1)
            }
            for line in extra { text += "        \(line)\n" }
            let path = state + "/test-inventory.yaml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// sshd's log lines, per log file (one per sshd).
        func logLines() throws -> [String: [Substring]] {
            let logs = try FileManager.default.contentsOfDirectory(atPath: state).filter {
                $0.hasPrefix("sshd-") && $0.hasSuffix(".log")
            }
            // sshd -e ends its lines with "\r\n", one Character in Swift: split on any newline.
            return try Dictionary(
                uniqueKeysWithValues: logs.map {
                    (
                        $0,
                        try String(contentsOfFile: state + "/" + $0, encoding: .utf8).split(whereSeparator: \.isNewline)
                    )
                })
        }

        /// Connections accepted on a host's address and the sessions run on them, in the given log lines.
        func connectionsAndSessions(_ address: String, in log: [Substring]) -> (Int, Int) {
            var ports = Set<Substring>()
            for line in log where line.contains("Connection from ") && line.contains(" on \(address) port ") {
                let words = line.split(separator: " ")
                if let index = words.firstIndex(of: "port") { ports.insert(words[index + 1]) }
            }
            let sessions = log.filter { line in
                line.contains("Starting session: command") && ports.contains { line.contains("port \($0) ") }
            }.count
            return (ports.count, sessions)
        }
    }

    static let playbook = LabHost.repository + "/playbooks/lab.yaml"

    @Test(
        "50 hosts planned and applied in parallel; refused, blackholed, wrong-key and hanging hosts end unreachable with ssh's reason"
    )
    func fiftyHosts() throws {
        guard let fleet = try LoopbackFleet.start(52) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { fleet.stop() }
        // fleet-051's remote command hangs: its lvm.conf is a FIFO nobody writes.
        _ = try run(["sh", "-c", "rm -f \"$1\" && mkfifo \"$1\"", "sh", fleet.lvmConf("fleet-051")])
        // fleet-052's key in known_hosts is someone else's.
        let wrongKeys = fleet.state + "/wrong_known_hosts"
        _ = try run([
            "sh", "-c",
            "ssh-keygen -q -t ed25519 -N '' -f \"$1/other\" && echo \"[127.0.0.53]:$2 $(cut -d' ' -f1,2 \"$1/other.pub\")\" > \"$3\"",
            "sh", fleet.state, fleet.port, wrongKeys,
        ])
        // 127.0.0.250 drops every packet: connect times out.
        let blackhole = try run(["iptables", "-I", "INPUT", "-d", "127.0.0.250", "-p", "tcp", "-j", "DROP"])
        #expect(blackhole.status == 0, "iptables: \(blackhole.stderr)")
        defer { _ = try? run(["iptables", "-D", "INPUT", "-d", "127.0.0.250", "-p", "tcp", "-j", "DROP"]) }
        let inventory = try fleet.inventory(
            50,
            extra: [
                "fleet-051: { ansible_host: 127.0.0.52 }",
                "fleet-052: { ansible_host: 127.0.0.53, ansible_ssh_common_args: \"-o UserKnownHostsFile=\(wrongKeys)\" }",
                "refused: { ansible_host: 127.0.0.251 }",
                "blackholed: { ansible_host: 127.0.0.250 }",
            ])
        // Healthy hosts must not time out under 25-way load on 2 cores; the hanging one must.
        let timing = ["--forks", "25", "--timeout", "45", "--connect-timeout", "3"]

        let plan = try LabHost.lvmguard(["plan", "-i", inventory, Self.playbook] + timing)
        #expect(plan.status == 3, "unreachable hosts give exit 3")
        #expect(
            plan.stdout.contains("Recap: 54 hosts: 50 to change, 0 in-sync, 0 exempt, 0 blocked, 4 unreachable"),
            "\(plan.stdout.suffix(600))")
        let reasons: [(String, String)] = [
            ("refused", "Connection refused"), ("blackholed", "Connection timed out"),
            ("fleet-052", "Host key verification failed"), ("fleet-051", "timed out after 45 s"),
        ]
        for (host, reason) in reasons {
            #expect(plan.stdout.contains("\(host): unreachable"), "\(host)")
            let section = plan.stdout.components(separatedBy: "\(host): unreachable")[1].prefix(300)
            #expect(section.contains(reason), "\(host): \(section)")
        }
        // The hanging host's run ended itself at its deadline, said what it was stuck on, and left nothing behind.
        #expect(plan.stdout.contains("while running: section lvm-conf"), "\(plan.stdout.suffix(1500))")
        #expect(fleet.leftRunning("fleet-051").isEmpty, "\(fleet.leftRunning("fleet-051"))")

        let logBefore = try fleet.logLines()
        let apply = try LabHost.lvmguard(
            ["apply", "-i", inventory, Self.playbook, "--yes", "--retry-file", fleet.state + "/retry"] + timing)
        #expect(apply.status == 3, "\(apply.stderr.suffix(2000))")
        #expect(
            apply.stdout.contains("Recap: 54 hosts: ok=0 changed=50 failed=0 stale=0 blocked=0 unreachable=4"),
            "\(apply.stdout.suffix(600))")
        for index in 1...50 {
            let text = try String(contentsOfFile: fleet.lvmConf(String(format: "fleet-%03d", index)), encoding: .utf8)
            #expect(text.contains("\tglobal_filter = [ \"r|.*|\" ]\n"))
        }
        #expect(
            try String(contentsOfFile: fleet.state + "/retry", encoding: .utf8)
                == "blackholed\nfleet-051\nfleet-052\nrefused\n")
        // apply without a saved plan: one connection per host, two executions on it (gather, then change).
        // Only what the apply run logged: each file's lines after those it had before.
        let applyLog = try fleet.logLines().flatMap { file, lines in lines.dropFirst(logBefore[file]?.count ?? 0) }
        let (connections, sessions) = fleet.connectionsAndSessions("127.0.0.2", in: applyLog)
        #expect((connections, sessions) == (1, 2), "apply: one connection to the host, two executions on it")
        #expect(sharedConnectionsEnd(), "no shared ssh connection outlives the run")
    }

    @Test(
        "serial batches: failures in batch 1 stop the rollout; later batches never start; the retry file lists the failed hosts"
    )
    func serialStops() throws {
        guard let fleet = try LoopbackFleet.start(6) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { fleet.stop() }
        let inventory = try fleet.inventory(6)
        let playbook = fleet.state + "/serial.yaml"
        try
            "hosts: compute\nfilter: { policy: host-pvs-only }\nrollout: { forks: 2, serial: 2, max_fail_percentage: 0 }\n"
            .write(toFile: playbook, atomically: true, encoding: .utf8)
        let planFile = fleet.state + "/plan.json"
        #expect(try LabHost.lvmguard(["plan", "-i", inventory, playbook, "--out", planFile]).status == 0)
        // Batch 1's hosts change after the plan: both will be refused as stale.
        for host in ["fleet-001", "fleet-002"] {
            _ = try run(["sh", "-c", "echo '# edited' >> \"$1\"", "sh", fleet.lvmConf(host)])
        }
        let untouched = try String(contentsOfFile: fleet.lvmConf("fleet-003"), encoding: .utf8)
        let apply = try LabHost.lvmguard([
            "apply", "--plan", planFile, "-i", inventory, playbook, "--yes", "--retry-file", fleet.state + "/retry",
        ])
        #expect(apply.status == 1)
        #expect(
            apply.stdout.contains("stopping before batch 2: 2 of 2 hosts in the batch failed"),
            "\(apply.stdout.suffix(800))")
        #expect(!apply.stdout.contains("batch 2/3:"), "batch 2 never starts")
        #expect(apply.stdout.contains("stale=2") && apply.stdout.contains("skipped=4"))
        for host in ["fleet-003", "fleet-004", "fleet-005", "fleet-006"] {
            #expect(try String(contentsOfFile: fleet.lvmConf(host), encoding: .utf8) == untouched, "\(host) untouched")
        }
        #expect(try String(contentsOfFile: fleet.state + "/retry", encoding: .utf8) == "fleet-001\nfleet-002\n")

        // The retry file works as --limit @FILE: a fresh plan on just those hosts.
        let retry = try LabHost.lvmguard(["plan", "-i", inventory, playbook, "--limit", "@" + fleet.state + "/retry"])
        #expect(retry.stdout.contains("Recap: 2 hosts:"), "\(retry.stdout.suffix(300))")
    }

    @Test(
        "Ctrl-C during apply: running hosts finish, no host is started after it, exit 130, no ssh or socket directory left"
    )
    func interrupted() throws {
        guard let fleet = try LoopbackFleet.start(6) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { fleet.stop() }
        let inventory = try fleet.inventory(6)
        let planFile = fleet.state + "/plan.json"
        #expect(try LabHost.lvmguard(["plan", "-i", inventory, Self.playbook, "--out", planFile]).status == 0)
        // The two hosts started first hang in their apply run (lvm.conf is now a FIFO nobody writes) until
        // their 6-second timeout; Ctrl-C comes while they run.
        for host in ["fleet-001", "fleet-002"] {
            _ = try run(["sh", "-c", "rm -f \"$1\" && mkfifo \"$1\"", "sh", fleet.lvmConf(host)])
        }
        let untouched = try String(contentsOfFile: fleet.lvmConf("fleet-003"), encoding: .utf8)
        let socketsBefore = Set(
            try FileManager.default.contentsOfDirectory(atPath: "/tmp").filter { $0.hasPrefix("lvmguard-ssh-") })
        let started = Date()
        let child = try Child.spawn(
            [
                LabHost.repository + "/.build/debug/lvmguard", "apply", "--plan", planFile, "--yes",
                "--forks", "2", "--timeout", "6", "--retry-file", fleet.state + "/retry",
            ], environment: ["NO_COLOR": "1"])
        Thread.sleep(forTimeInterval: 2)
        child.signal(SIGINT)
        let apply = child.wait()
        let elapsed = Date().timeIntervalSince(started)
        #expect(apply.status == 130, "\(apply.stderr.suffix(800))")
        // Their remote runs end themselves at the deadline, 1 s under the 6 s timeout.
        #expect(
            elapsed >= 5, "the running hosts were waited for (deadline 5 s, timeout 6 s), not abandoned: \(elapsed) s")
        #expect(apply.stderr.contains("Ctrl-C: starting no more hosts; waiting for the running ones to finish"))
        #expect(
            apply.stdout.contains("fleet-001: failed: timed out after 6 s")
                && apply.stdout.contains("fleet-002: failed: timed out after 6 s"),
            "\(apply.stdout.suffix(800))")
        for host in ["fleet-003", "fleet-004", "fleet-005", "fleet-006"] {
            #expect(apply.stdout.contains("\(host): skipped: not started: interrupted (Ctrl-C)"), "\(host)")
            #expect(try String(contentsOfFile: fleet.lvmConf(host), encoding: .utf8) == untouched, "\(host) untouched")
        }
        #expect(apply.stdout.contains("failed=2") && apply.stdout.contains("skipped=4"))
        #expect(try String(contentsOfFile: fleet.state + "/retry", encoding: .utf8) == "fleet-001\nfleet-002\n")
        for host in ["fleet-001", "fleet-002"] {
            #expect(apply.stdout.contains("while running: fingerprint: sha256sum"), "\(apply.stdout.suffix(800))")
            #expect(
                fleet.leftRunning(host).isEmpty, "the remote run ended with the timeout: \(fleet.leftRunning(host))")
        }
        #expect(sharedConnectionsEnd(), "no shared ssh connection outlives the run")
        let socketsAfter = Set(
            try FileManager.default.contentsOfDirectory(atPath: "/tmp").filter { $0.hasPrefix("lvmguard-ssh-") })
        #expect(socketsAfter.subtracting(socketsBefore).isEmpty, "the socket directory is removed")
    }

    @Test("apply --format json is one versioned document on stdout; progress lines and --verbose logs go to stderr")
    func jsonAndLogs() throws {
        guard let fleet = try LoopbackFleet.start(3) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { fleet.stop() }
        let inventory = try fleet.inventory(3)
        let apply = try LabHost.lvmguard([
            "apply", "-i", inventory, Self.playbook, "--yes", "--format", "json", "--verbose",
            "--retry-file", fleet.state + "/retry",
        ])
        #expect(apply.status == 0, "\(apply.stderr.suffix(800))")
        let run = try JSONDecoder().decode(ApplyRun.self, from: Data(apply.stdout.utf8))
        #expect(run.format == "lvmguard-apply" && run.version == ApplyRun.currentVersion)
        #expect(run.hosts.map(\.host) == ["fleet-001", "fleet-002", "fleet-003"])
        #expect(run.hosts.allSatisfy { $0.outcome == .changed && $0.checks.allSatisfy(\.passed) && !$0.steps.isEmpty })
        #expect(
            run.recap["changed"] == 3 && run.recap["failed"] == 0
                && run.recap.count == HostApplyResult.Outcome.allCases.count)
        #expect(run.stopped == nil)
        // Not a terminal: one plain line per finished host, per phase.
        for host in ["fleet-001", "fleet-002", "fleet-003"] {
            #expect(
                apply.stderr.contains("] \(host): changes\n") && apply.stderr.contains("] \(host): changed\n"),
                "\(host)")
            // --verbose: each execution's start (with the exact command), exit status and duration, twice per host.
            let starts = apply.stderr.components(separatedBy: "lvmguard.ssh: start host=\(host) ").count - 1
            let exits = apply.stderr.components(separatedBy: "lvmguard.ssh: exit host=\(host) status=0 ").count - 1
            #expect((starts, exits) == (2, 2), "\(host): \(apply.stderr.prefix(1500))")
        }
        #expect(apply.stderr.contains("[plan 3/3]") && apply.stderr.contains("[apply 3/3]"))
        #expect(apply.stderr.contains("command=timeout --kill-after=5 300 ssh -o BatchMode=yes"))
        // The plan for review went to stderr too, so stdout parsed as JSON above.
        #expect(apply.stderr.contains("Recap: 3 hosts: 3 to change"))
    }
}

/// Whether every shared ssh connection of a run (its master, "lvmguard-ssh-" in its socket path) has ended, waiting up
/// to 5 s: a master exits once its last session closed.
func sharedConnectionsEnd() -> Bool {
    for _ in 0..<50 {
        if (try? run(["pgrep", "-f", "lvmguard-ssh-"]).stdout.isEmpty) == true { return true }
        Thread.sleep(forTimeInterval: 0.1)
    }
    return false
}
