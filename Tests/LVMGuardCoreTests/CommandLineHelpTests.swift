import Foundation
import Testing

@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// What a new user meets first: the help of each command.
@Suite("Command line: the help says what the docs say")
struct CommandLineHelpTests {
    static func help(_ arguments: [String]) throws -> String? {
        let binary = DocsTests.repository + "/.build/debug/lvmguard"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            Prerequisite.missing("\(binary) (swift build)")
            return nil
        }
        let result = try run([binary] + arguments + ["--help"])
        #expect(result.status == 0, "lvmguard \(arguments.joined(separator: " ")) --help exited \(result.status)")
        return result.stdout
    }

    @Test("the top-level help lists every exit code the reference lists")
    func exitCodes() throws {
        guard let top = try Self.help([]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let reference = try String(contentsOfFile: DocsTests.repository + "/docs/reference.md", encoding: .utf8)
        let codes = reference.matches(of: #/\n\| (\d+) \| /#).map { String($0.output.1) }
        #expect(codes.contains("4") && codes.contains("130"), "the reference's exit code table was not found")
        for code in codes {
            #expect(top.contains("\n  \(code) "), "lvmguard --help does not list exit code \(code)")
        }
    }

    @Test("every command that prints for people has --no-color; only apply offers --no-connection-reuse")
    func options() throws {
        for command in ["plan", "apply", "rollback", "check", "diagnose"] {
            guard let text = try Self.help([command]) else {
                #expect(Prerequisite.skipAllowed())
                return
            }
            #expect(text.contains("--no-color"), "lvmguard \(command) --help has no --no-color")
            #expect(
                text.contains("--no-connection-reuse") == (command == "apply"),
                "lvmguard \(command) --help and --no-connection-reuse")
        }
    }
}
