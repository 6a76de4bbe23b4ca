import Foundation
import Testing

@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// The docs kept honest where it is cheap: what they cite exists, what the reader accepts is documented, and the
/// command line says what the docs say. (The quick start itself runs against the lab in `PlanLabTests.quickStart`.)
@Suite("Docs: README.md and docs/ cite real tests and document every key")
struct DocsTests {
    static let repository = #filePath.components(separatedBy: "/Tests/")[0]

    /// README.md and every docs/*.md, by path relative to the repository.
    static func documents() throws -> [(path: String, text: String)] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: repository + "/docs")
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        return try (["README.md"] + docs).map {
            ($0, try String(contentsOfFile: repository + "/" + $0, encoding: .utf8))
        }
    }

    /// Every test suite (a struct or enum whose name ends in "Tests") with the functions declared in its body and
    /// extensions, read from the test sources: a top-level declaration starts a new owner.
    static func testSuites() throws -> [String: Set<String>] {
        let directory = repository + "/Tests"
        var suites: [String: Set<String>] = [:]
        let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") && !file.contains("/Fixtures/") {
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            var owner: String?
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if let name = firstMatch(
                    #"^(?:@[A-Za-z]+(?:\(.*\))? )*(?:struct|enum|final class|extension) ([A-Za-z0-9_]+)"#, in: line)
                {
                    owner = name
                    suites[name, default: []].formUnion([])
                } else if let owner, let function = firstMatch(#"^\s+(?:static )?func ([A-Za-z0-9_]+)"#, in: line) {
                    suites[owner, default: []].insert(function)
                }
            }
        }
        return suites
    }

    static func firstMatch(_ pattern: String, in line: Substring) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return nil }
        let text = String(line)
        guard let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }

    /// Every `SuiteTests` or `SuiteTests.member` (a trailing `*` is a prefix) a document cites in backticks.
    static func citations(in text: String) -> [(suite: String, member: String?)] {
        let regex = try! NSRegularExpression(
            pattern: #"(?<![/A-Za-z0-9])([A-Z][A-Za-z0-9]*Tests)(?:\.([a-zA-Z0-9_]+\*?))?"#)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { match in
            let suite = String(text[Range(match.range(at: 1), in: text)!])
            let member = Range(match.range(at: 2), in: text).map { String(text[$0]) }
            return (suite, member)
        }
    }

    @Test("every test a document cites exists, suite and function")
    func citedTestsExist() throws {
        let suites = try Self.testSuites()
        var cited = 0
        for (path, text) in try Self.documents() {
            for (suite, member) in Self.citations(in: text) {
                cited += 1
                guard let functions = suites[suite] else {
                    Issue.record("\(path) cites \(suite), which is no test suite in Tests/")
                    continue
                }
                guard let member else { continue }
                let found =
                    member.hasSuffix("*")
                    ? functions.contains { $0.hasPrefix(member.dropLast()) } : functions.contains(member)
                #expect(found, "\(path) cites \(suite).\(member), which \(suite) does not declare")
            }
        }
        #expect(cited > 50, "the docs cite \(cited) tests; they are the docs' evidence")
    }

    @Test("the citation reader finds a wrong name: the check above can fail")
    func citationReaderFindsWrongNames() throws {
        let suites = try Self.testSuites()
        let wrong = Self.citations(in: "proved by `IdentityLabTests.sameNamez` and `NoSuchTests`")
        #expect(wrong.count == 2)
        #expect(suites["IdentityLabTests"]?.contains("sameNames") == true)
        #expect(suites["IdentityLabTests"]?.contains("sameNamez") == false)
        #expect(suites["NoSuchTests"] == nil)
    }

    /// docs/reference.md's desired-state example: the fenced yaml block under "## Desired state".
    static func desiredStateExample() throws -> String {
        let reference = try String(contentsOfFile: repository + "/docs/reference.md", encoding: .utf8)
        let section = try #require(reference.components(separatedBy: "## Desired state").dropFirst().first)
        return try #require(section.components(separatedBy: "```").dropFirst().first)
    }

    @Test("every key and value the desired-state reader accepts is in the reference's example")
    func desiredStateKeysDocumented() throws {
        let example = try Self.desiredStateExample()
        let keys =
            DesiredStateReader.topKeys + DesiredStateReader.exemptKeys + DesiredStateReader.filterKeys
            + DesiredStateReader.rolloutKeys
        for key in keys {
            #expect(
                example.range(of: #"(^|[\s{,-])\#(key):"#, options: .regularExpression) != nil,
                "docs/reference.md's desired-state example does not show the key '\(key)'")
        }
        let values =
            FilterPolicy.Policy.allCases.map(\.rawValue) + FilterPolicy.Key.allCases.map(\.rawValue)
            + DeadMapPolicy.allCases.map(\.rawValue) + Refresh.allCases.map(\.rawValue)
            + InitramfsPolicy.allCases.map(\.rawValue) + Check.allCases.map(\.rawValue)
        for value in values {
            #expect(example.contains(value), "docs/reference.md's desired-state example does not name '\(value)'")
        }
    }

    @Test("every inventory variable lvmguard reads is in the reference")
    func inventoryVariablesDocumented() throws {
        let reference = try String(contentsOfFile: Self.repository + "/docs/reference.md", encoding: .utf8)
        let sources = try String(
            contentsOfFile: Self.repository + "/Sources/LVMGuardCore/Inventory/HostSettings.swift", encoding: .utf8)
        let read = Set(
            sources.matches(of: /"((?:ansible|lvmguard)_[a-z_]+)"/).map { String($0.output.1) })
        #expect(read.contains("lvmguard_host_vgs"), "the reader of host settings was not found")
        for variable in read.sorted() {
            #expect(reference.contains("`\(variable)`"), "docs/reference.md does not document `\(variable)`")
        }
    }

    @Test("the reference names each JSON document's current version")
    func documentVersions() throws {
        let reference = try String(contentsOfFile: Self.repository + "/docs/reference.md", encoding: .utf8)
        for (format, version) in [
            ("lvmguard-plan", FleetPlan.currentVersion), ("lvmguard-apply", ApplyRun.currentVersion),
            ("lvmguard-check", CheckRun.currentVersion),
        ] {
            #expect(
                reference.contains("`\(format)`, \(version) |"), "docs/reference.md gives \(format) another version")
        }
    }

    @Test("every relative link in the docs reaches a file")
    func linksResolve() throws {
        for (path, text) in try Self.documents() {
            let base = (path as NSString).deletingLastPathComponent
            for match in text.matches(of: /\]\(([^)#:\s]+)(#[^)]*)?\)/) {
                let target = (base.isEmpty ? "" : base + "/") + String(match.output.1)
                #expect(
                    FileManager.default.fileExists(atPath: Self.repository + "/" + target),
                    "\(path) links to \(target), which does not exist")
            }
        }
    }

    @Test("every versioned document the guide quotes is at its current version")
    func guideVersions() throws {
        let guide = try String(contentsOfFile: Self.repository + "/docs/guide.md", encoding: .utf8)
        let quoted = guide.matches(of: /"format": "(lvmguard-[a-z]+)", "version": (\d+)/)
        #expect(!quoted.isEmpty, "the guide quotes the plan's format")
        let current = [
            "lvmguard-plan": FleetPlan.currentVersion, "lvmguard-apply": ApplyRun.currentVersion,
            "lvmguard-check": CheckRun.currentVersion,
        ]
        for match in quoted {
            let (format, version) = (String(match.output.1), Int(match.output.2))
            #expect(current[format] != nil && version == current[format], "docs/guide.md quotes \(format) \(version!)")
        }
    }

    @Test("every captured fixture is described in the fixtures README, and every lab scenario in docs/lab.md")
    func fixturesAndScenariosDescribed() throws {
        let fixtures = Self.repository + "/Tests/LVMGuardCoreTests/Fixtures"
        let readme = try String(contentsOfFile: fixtures + "/README.md", encoding: .utf8)
        for file in try FileManager.default.contentsOfDirectory(atPath: fixtures + "/facts") {
            #expect(readme.contains("facts/\(file)"), "Fixtures/README.md does not describe facts/\(file)")
        }
        let lab = try String(contentsOfFile: Self.repository + "/docs/lab.md", encoding: .utf8)
        let scenarios = try FileManager.default.contentsOfDirectory(atPath: Self.repository + "/lab/scenarios")
            .filter { $0.hasSuffix(".sh") && $0 != "common.sh" }
        #expect(scenarios.count > 10)
        for scenario in scenarios {
            let name = String(scenario.dropLast(3))
            #expect(lab.contains("| `\(name)` |"), "docs/lab.md's scenario table has no row for \(name)")
        }
    }
}
