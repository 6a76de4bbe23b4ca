import Foundation
import Testing

/// A running lab host (lab/start.sh), reached through lab/ssh.sh.
struct LabHost {
    static var repository: String { #filePath.components(separatedBy: "/Tests/")[0] }
    static var state: String { ProcessInfo.processInfo.environment["LVMGUARD_LAB_STATE"] ?? "/var/tmp/lvmguard-lab" }

    let name: String

    /// Why host `host` under lab state `state` had its starting state forced, or nil (see PrivateLab.startForced).
    static func startForced(state: String, host: String) -> String? {
        FileManager.default.contents(atPath: "\(state)/hosts/\(host)/forced").map {
            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// Why this shared host's starting state was forced, or nil when boot made it.
    var startForced: String? { Self.startForced(state: Self.state, host: name) }

    /// Whether any shared lab host runs (its qemu's pid file is there).
    static var anyRunning: Bool {
        let hosts = state + "/hosts"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: hosts)) ?? []
        return names.contains { FileManager.default.fileExists(atPath: "\(hosts)/\($0)/qemu.pid") }
    }

    /// The first running host of `scenario`, or nil with a printed reason.
    static func running(_ scenario: String) -> LabHost? {
        let hosts = state + "/hosts"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: hosts))?.sorted() ?? []
        for name in names {
            let written = FileManager.default.contents(atPath: "\(hosts)/\(name)/scenario").map {
                String(decoding: $0, as: UTF8.self)
            }
            if written?.trimmingCharacters(in: .whitespacesAndNewlines) == scenario,
                FileManager.default.fileExists(atPath: "\(hosts)/\(name)/qemu.pid")
            {
                return LabHost(name: name)
            }
        }
        Prerequisite.missing(
            "a running lab host of scenario '\(scenario)' under \(state) (scripts/test.sh starts them)")
        return nil
    }

    /// Runs a shell command on the host; stdout and stderr come back separately.
    func run(_ command: String) throws -> CommandResult {
        try LVMGuardTestSupport.run(
            [Self.repository + "/lab/ssh.sh", name, command], environment: ["LVMGUARD_LAB_STATE": Self.state])
    }

    /// `dmsetup info` Open count of a dm device.
    func openCount(_ device: String) throws -> Int? {
        Int(
            try run("dmsetup info -c --noheadings -o open \(device)").stdout.trimmingCharacters(
                in: .whitespacesAndNewlines))
    }

    /// Tries `multipath -f`; returns its exit status and everything it printed.
    func flushMultipath(_ map: String) throws -> (status: Int32, output: String) {
        let result = try run("multipath -f \(map)")
        return (result.status, result.stdout + result.stderr)
    }
}

extension LabHost {
    /// ssh logins the host's sshd has accepted since boot. lab/ssh.sh reuses one connection per host, so the count
    /// is read through it once it is open (the `true` before opens it if it is not): reading is not a login.
    func acceptedLogins() throws -> Int {
        _ = try run("true")
        return Int(
            try run("journalctl -u ssh --no-pager -o cat | grep -c 'Accepted publickey'").stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// What plan must not change: lvm.conf's checksum and every LV's activation, by UUID.
    func lvmState() throws -> String {
        try run(
            "sha256sum /etc/lvm/lvm.conf; lvs --noheadings -o vg_uuid,lv_uuid,lv_active --config 'devices { global_filter = [ \"a|.*|\" ] }' | sort"
        ).stdout
    }

    /// The lab inventory lab/start.sh wrote.
    static var inventory: String { state + "/inventory.yaml" }

    /// A copy of the lab inventory without the lab's shared ssh connection (ControlMaster, ControlPath,
    /// ControlPersist): lvmguard then opens its own, one per host and run. Written beside it; the caller removes it.
    static func inventoryWithoutSharing(state: String = state) throws -> String {
        let text = try String(contentsOfFile: state + "/inventory.yaml", encoding: .utf8)
        let stripped = text.replacing(#/ -o Control(Master|Path|Persist)=\S+/#, with: "")
        #expect(stripped != text && !stripped.contains("Control"), "the lab inventory shares connections")
        let path = state + "/inventory-own-connections-\(getpid()).yaml"
        try stripped.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs the lvmguard binary built by `swift build`.
    static func lvmguard(_ arguments: [String]) throws -> CommandResult {
        try LVMGuardTestSupport.run([repository + "/.build/debug/lvmguard"] + arguments, environment: ["NO_COLOR": "1"])
    }
}
