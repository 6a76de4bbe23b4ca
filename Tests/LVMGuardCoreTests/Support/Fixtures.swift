import Foundation
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// Real gather output captured on the lab VMs (see Fixtures/README.md).
enum Fixture {
    static let directory = #filePath.components(separatedBy: "/Support/")[0] + "/Fixtures/facts"

    static func sections(_ scenario: String) throws -> [String: FactSection] {
        let text = try String(contentsOfFile: "\(directory)/\(scenario).facts", encoding: .utf8)
        return try FactStream.parse(text, boundary: "@@lvmguard@@")
    }

    /// Facts of a scenario, optionally with sections changed first.
    static func facts(_ scenario: String, _ change: (inout [String: FactSection]) -> Void = { _ in }) throws
        -> HostFacts
    {
        var sections = try sections(scenario)
        change(&sections)
        return try HostFacts(sections: sections)
    }

    /// Facts of a scenario with sections edited: (section, text to replace or nil to append, new text). An edit
    /// that finds nothing to replace is a mistake in the test, not a fact.
    static func facts(_ scenario: String, edits: [(section: String, old: String?, new: String)]) throws -> HostFacts {
        try facts(scenario) { sections in
            for edit in edits {
                let section =
                    sections[edit.section] ?? FactSection(name: edit.section, status: 0, stdout: "", stderr: "")
                let stdout =
                    edit.old.map { section.stdout.replacingOccurrences(of: $0, with: edit.new) }
                    ?? section.stdout + edit.new
                precondition(
                    edit.old == nil || stdout != section.stdout, "edit of \(edit.section) found no '\(edit.old!)'")
                sections[edit.section] = section.with(stdout: stdout, status: 0)
            }
        }
    }

    /// A host named after the scenario, with optional lvmguard variables (`variables`: YAML lines, "key: value" each).
    static func host(_ name: String, hostVGs: [String] = [], variables: [String] = []) -> HostSettings {
        var yaml = "all:\n  hosts:\n    \(name):\n"
        if !hostVGs.isEmpty { yaml += "      lvmguard_host_vgs: [\(hostVGs.joined(separator: ", "))]\n" }
        for line in variables { yaml += "      \(line)\n" }
        let (inventory, _) = loadInventory(["inv/hosts.yaml": yaml])
        var diagnostics = Diagnostics()
        return HostSettings(inventory!.hosts[name]!, diagnostics: &diagnostics)!
    }

    static func desired(_ extra: String = "", policy: String = "host-pvs-only") -> DesiredState {
        var diagnostics = Diagnostics()
        let state = DesiredStateReader.read(
            "hosts: all\nfilter:\n  policy: \(policy)\n\(extra)", file: "pb.yaml", diagnostics: &diagnostics)
        precondition(state != nil, "\(diagnostics.all)")
        return state!
    }
}

extension FactSection {
    func with(stdout: String? = nil, status: Int32? = nil, stderr: String? = nil) -> FactSection {
        FactSection(
            name: name, status: status ?? self.status, stdout: stdout ?? self.stdout, stderr: stderr ?? self.stderr)
    }
}

extension HostPlan {
    /// The blockers as cases, for matching.
    var blockerKinds: [Blocker] { blockers.map(\.kind) }
    /// The warnings as cases, for matching.
    var warningKinds: [Warning] { warnings.map(\.kind) }
}
