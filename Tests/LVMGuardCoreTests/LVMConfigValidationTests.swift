import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

@Suite("lvm.conf edits are accepted by the real lvmconfig")
struct LVMConfigValidationTests {
    /// Writes `text` as lvm.conf in a temp dir and asks the real lvmconfig about it.
    static func lvmconfig(_ text: String, _ arguments: [String]) throws -> CommandResult {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try text.write(toFile: directory + "/lvm.conf", atomically: true, encoding: .utf8)
        return try run(["lvmconfig"] + arguments, environment: ["LVM_SYSTEM_DIR": directory])
    }

    static var inputs: [(String, String)] {
        var cases = syntaxCases.filter { $0.0 != "numbers and escapes" && $0.0 != "nested profile-like section" }
        for name in ["debian-lvm.conf", "default-withcomments.conf"] {
            if let text = Prerequisite.input(name) { cases.append((name, text)) }
        }
        return cases
    }

    @Test(
        "every edited file validates and lvmconfig reads the intended filter",
        arguments: [
            LVMFilter.hostPVsOnly(
                devices: ["/dev/vda2", "/dev/disk/by-id/wwn-0x5000c500.1-part1"], patterns: ["^/dev/nvme0n1p[0-9]+$"]),
            LVMFilter.rejectAll,
        ])
    func editsValidate(filter: LVMFilter) throws {
        guard Prerequisite.tool("lvmconfig") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let inputs = Self.inputs
        #expect(inputs.count >= 12)
        for (name, text) in inputs {
            for key in ["global_filter", "filter"] {
                let edited = try LVMConfigDocument(parsing: text).setting(["devices", key], to: filter.configValue)
                let validation = try Self.lvmconfig(edited, ["--validate"])
                #expect(validation.status == 0, "\(name): \(validation.stderr)")
                // The edit leaves one assignment of its key (other keys' duplicates in the input are not ours).
                let duplicateWarning = "WARNING: Ignoring duplicate config value: \(key)"
                #expect(
                    !validation.stderr.split(separator: "\n").contains { $0.hasSuffix(duplicateWarning) },
                    "\(name): \(validation.stderr)")
                let value = try Self.lvmconfig(edited, ["devices/\(key)"])
                #expect(value.status == 0, "\(name): \(value.stderr)")
                // lvmconfig prints `key=[...]` in its own compact form: config syntax, read back with our parser.
                let printed = try LVMConfigDocument(parsing: value.stdout).effectiveAssignment(at: [key])
                let readBack = try LVMFilter(parsing: try #require(printed?.value))
                #expect(readBack == filter, "\(name) \(key): lvmconfig read \(value.stdout)")
            }
        }
    }
}
