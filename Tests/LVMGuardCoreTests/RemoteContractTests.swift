import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardRemote
@testable import LVMGuardTestSupport

/// The Swift side and remote/*.sh agree: what Swift declares once in `RemoteContract`, `GatherSection` and
/// `LVMSetting` is what the scripts read and print, and the binary carries the scripts as they are in remote/.
@Suite("Remote contract: variables, steps, exit codes, sections and settings declared once, found in remote/*.sh")
struct RemoteContractTests {
    static let files = ["apply.sh", "bounds.sh", "common.sh", "gather-facts.sh", "rollback.sh"]

    static func script(_ file: String) throws -> String {
        try String(contentsOfFile: LabHost.repository + "/remote/" + file, encoding: .utf8)
    }

    /// The scripts' lines that are code, not comments.
    static func codeLines(_ files: [String] = files) throws -> [String] {
        try files.flatMap { try script($0).split(separator: "\n").map(String.init) }
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
    }

    static func matches(_ pattern: String, in lines: [String]) throws -> Set<String> {
        let regex = try Regex(pattern)
        return Set(
            lines.flatMap { line in line.matches(of: regex).compactMap { $0.output[1].substring.map(String.init) } })
    }

    @Test(
        "every embedded script is its file in remote/ (the EmbedRemoteScripts build plugin generates them)",
        arguments: files)
    func embedded(file: String) throws {
        let embedded: [String: String] = [
            "apply.sh": RemoteScripts.apply, "bounds.sh": RemoteScripts.bounds, "common.sh": RemoteScripts.common,
            "gather-facts.sh": RemoteScripts.gatherFacts, "rollback.sh": RemoteScripts.rollback,
        ]
        #expect(embedded[file] == (try Self.script(file)))
    }

    @Test("the variables lvmguard sets are the LVMGUARD_ variables the scripts read")
    func variables() throws {
        let read = try Self.matches(#"\$\{?(LVMGUARD_[A-Z0-9_]+)"#, in: try Self.codeLines())
        #expect(read == Set(RemoteContract.Variable.allCases.map(\.rawValue)))
    }

    @Test("every step the scripts report is a RemoteContract.Step with a RemoteContract.StepResult, and back")
    func steps() throws {
        let lines = try Self.codeLines(["apply.sh", "common.sh", "rollback.sh"])
        let names = try Self.matches(#"\bstep ([a-z-]+) [a-z]+\b"#, in: lines)
        let results = try Self.matches(#"\bstep [a-z-]+ ([a-z]+)\b"#, in: lines)
        #expect(names == Set(RemoteContract.Step.allCases.map(\.rawValue)))
        #expect(results == Set(RemoteContract.StepResult.allCases.map(\.rawValue)))
    }

    @Test("every exit code is one the scripts return")
    func exitCodes() throws {
        let returned = try Self.matches(
            #"\breturn ([0-9]+)\b"#, in: try Self.codeLines(["apply.sh", "common.sh", "rollback.sh"]))
        #expect(Set(RemoteContract.Exit.allCases.map { String($0.rawValue) }) == returned)
    }

    @Test("the gather's sections are GatherSection's cases, and its lvmconfig keys LVMSetting's")
    func sections() throws {
        let lines = try Self.codeLines(["gather-facts.sh"])
        let printed = try Self.matches(#"^\s*section ([a-z0-9-]+) "#, in: lines)
        // lvm-conf (text) is only in facts captured before lvm.conf travelled as base64.
        #expect(printed == Set(GatherSection.allCases.filter { $0 != .lvmConfText }.map(\.rawValue)))
        let keys = try Self.matches(#"^keys="([^"]+)""#, in: lines).flatMap {
            $0.split(separator: " ").map(String.init)
        }
        #expect(Set(keys) == Set(LVMSetting.allCases.map(\.path)))
    }

    @Test("the data functions apply reads are RemoteContract.Data's cases, and every case is read")
    func dataFunctions() throws {
        let lines = try Self.codeLines()
        var read = try Self.matches(#"\bdata ([a-z_]+)\b"#, in: lines)
        // lvmguard's two boot files are read by one loop: data "pv_link_$name" for name in rule, dracut.
        if lines.contains(where: { $0.contains(#"data "pv_link_$name""#) }) {
            #expect(lines.contains { $0.contains(#"for file in "rule "#) && $0.contains(#""dracut "#) })
            read.formUnion(["pv_link_rule", "pv_link_dracut"])
        }
        #expect(read == Set(RemoteContract.Data.allCases.map(\.rawValue)))
        // And ApplyRequest sends no other.
        let plan = try ApplyRequestTests.incidentPlan()
        let request = try ApplyRequest(plan: plan, hostVGs: [], guestVGs: [], timestamp: "20261207T190000Z")
        #expect(Set(request.data.map(\.name)).isSubset(of: Set(RemoteContract.Data.allCases.map(\.rawValue))))
    }

    @Test(
        "the fingerprint's lines: Swift and common.sh make the same ones from the same report",
        arguments: ["cloud-guest", "devices-file", "lvm-2.02.180-lvmetad", "nova-lvm", "host-lvm"])
    func fingerprintLines(scenario: String) throws {
        let facts = try Fixture.facts(scenario)
        let fingerprint = HostPlan.Fingerprint(facts)
        // The rows `lvs`/`pvs --noheadings` print for the columns apply asks for (an empty VG UUID prints nothing).
        let lvRows = facts.lvs.map { "  \($0.vgUUID) \($0.uuid) \($0.attr)\n" }.joined()
        let pvRows = facts.pvs.map { "  \($0.uuid) \($0.vgUUID?.description ?? "")\n" }.joined()
        func shell(_ function: String, _ rows: String) throws -> [String] {
            let result = try run(
                ["sh", "-c", ". \"$0\" && \(function)", LabHost.repository + "/remote/common.sh"], stdin: rows)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.split(separator: "\n").map(String.init)
        }
        #expect(!fingerprint.lvStates.isEmpty && !fingerprint.pvMembers.isEmpty)
        #expect(try shell("lv_state_lines", lvRows) == fingerprint.lvStates)
        #expect(try shell("pv_member_lines", pvRows) == fingerprint.pvMembers)
    }

    @Test(
        "an initramfs build may use what a long deadline leaves, less a command bound; never past the deadline",
        arguments: [("", 300), ("1500", 1430), ("400", 330), ("200", 190)])
    func longBound(deadline: String, expected: Int) throws {
        let result = try run([
            "sh", "-c", ". \"$0\" && BOUND=60 RUN_STARTED=$(date +%s) LVMGUARD_DEADLINE=$1 && long_bound",
            LabHost.repository + "/remote/common.sh", deadline,
        ])
        let seconds = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        // The clock may tick once between RUN_STARTED and the reading.
        #expect(seconds.map { expected - 1...expected ~= $0 } == true, "\(result.stdout)\(result.stderr)")
    }
}
