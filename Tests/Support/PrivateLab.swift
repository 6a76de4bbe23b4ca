import Foundation
import Testing
import LVMGuardCore

/// A lab of its own for tests that change hosts, so they never disturb the read-only lab tests.
struct PrivateLab {
    let state: String
    let names: [String]
    let started = Date()

    /// Prints how far into the test a step ends ("[lab +42s] NAME: STEP"), for the CI log: where a VM test's time goes.
    func mark(_ step: String) {
        print("[lab +\(Int(Date().timeIntervalSince(started)))s] \(names.joined(separator: ",")): \(step)")
        // Into the log now: stdout is a pipe under scripts/test.sh, and a suite killed at its time limit must have
        // printed its last step.
        fflush(nil)
    }

    static func start(_ specs: [String]) throws -> PrivateLab? {
        guard getuid() == 0, FileManager.default.fileExists(atPath: "/usr/bin/qemu-system-x86_64") else {
            Prerequisite.missing("root and qemu to start lab VMs")
            return nil
        }
        let state = try temporaryDirectory()
        let result = try run([LabHost.repository + "/lab/start.sh"] + specs, environment: ["LVMGUARD_LAB_STATE": state])
        guard result.status == 0 else {
            _ = try? run([LabHost.repository + "/lab/stop.sh"], environment: ["LVMGUARD_LAB_STATE": state])
            Issue.record("lab/start.sh failed: \(result.stderr.suffix(2000))")
            return nil
        }
        return PrivateLab(state: state, names: specs.map { String($0.split(separator: ":")[0]) })
    }

    func stop() {
        _ = try? run([LabHost.repository + "/lab/stop.sh"], environment: ["LVMGUARD_LAB_STATE": state])
        try? FileManager.default.removeItem(atPath: state)
    }

    var inventory: String { state + "/inventory.yaml" }

    /// Writes `yaml` as `host`'s host_vars beside the inventory, as Ansible reads them (replacing what was there).
    func hostVars(_ host: String, _ yaml: String) throws {
        try FileManager.default.createDirectory(atPath: state + "/host_vars", withIntermediateDirectories: true)
        try yaml.write(toFile: state + "/host_vars/\(host).yaml", atomically: true, encoding: .utf8)
    }

    func ssh(_ host: String, _ command: String) throws -> CommandResult {
        try run([LabHost.repository + "/lab/ssh.sh", host, command], environment: ["LVMGUARD_LAB_STATE": state])
    }

    /// Runs `script` on the host with POSIX sh, sent on its stdin (the remote scripts' functions, for instance).
    func script(_ host: String, _ script: String) throws -> CommandResult {
        try run(
            [LabHost.repository + "/lab/ssh.sh", host, "sh -s"], environment: ["LVMGUARD_LAB_STATE": state],
            stdin: script)
    }

    func text(_ host: String, _ command: String) throws -> String {
        try ssh(host, command).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits, up to 60 s, until no lvmguard run holds its lock on `host` (what a killed controller's run was doing
    /// there has ended); records an issue if one still does.
    func waitForRunsToEnd(_ host: String) throws {
        let free = try ssh(
            host,
            "i=0; for lock in /run/lock/lvmguard-*.lock; do [ -e \"$lock\" ] || continue; "
                + "until flock -n \"$lock\" true; do i=$((i + 1)); [ $i -le 600 ] || exit 1; sleep 0.1; done; done")
        #expect(free.status == 0, "an lvmguard run still holds its lock on \(host) after 60 s")
    }

    /// A clean power cycle (lab/reboot.sh); one that failed, or had to be forced into a power cut, is recorded with
    /// what the script said.
    func reboot(_ host: String) throws -> CommandResult {
        let result = try run([LabHost.repository + "/lab/reboot.sh", host], environment: ["LVMGUARD_LAB_STATE": state])
        if result.status != 0 { Issue.record("lab/reboot.sh \(host): \(result.stderr.suffix(1000))") }
        return result
    }

    /// Why the host's starting state had to be forced (lab/lib.sh's wait_for_scenario: udev events replayed, or VGs
    /// activated by hand), or nil when boot made it: a test that claims what boot did expects nil.
    func startForced(_ host: String) -> String? {
        LabHost.startForced(state: state, host: host)
    }

    func lvmguard(_ arguments: [String]) throws -> CommandResult {
        try LabHost.lvmguard(arguments.map { $0 == "INVENTORY" ? inventory : $0 })
    }

    /// Runs lvmguard with `arguments` (an apply) told to wait at fault point `point` on `host`, cuts the host's power
    /// there (lab/power-cut.sh: qemu killed, no shutdown) and powers it on again. The run must report the state as
    /// unknown, never as changed or as nothing done.
    func cutPower(_ host: String, at point: RemoteContract.FaultPoint, _ arguments: [String]) throws {
        let apply = try Child.spawn(
            [LabHost.repository + "/.build/debug/lvmguard"]
                + arguments.map { $0 == "INVENTORY" ? inventory : $0 },
            environment: ["NO_COLOR": "1", RemoteContract.Variable.faultPause.rawValue: point.rawValue])
        let reached = try ssh(
            host,
            "i=0; until [ -e /run/lvmguard-fault-\(point.rawValue) ]; do i=$((i + 1)); "
                + "[ $i -le 1200 ] || exit 1; sleep 0.1; done")
        #expect(reached.status == 0, "apply reached \(point.rawValue)")
        let cut = try run([LabHost.repository + "/lab/power-cut.sh", host], environment: ["LVMGUARD_LAB_STATE": state])
        #expect(cut.status == 0, "\(cut.stderr.suffix(1500))")
        let outcome = apply.wait()
        #expect(outcome.status != 0 && outcome.stdout.contains("state unknown"), "\(outcome.stdout.suffix(1500))")
    }
}
