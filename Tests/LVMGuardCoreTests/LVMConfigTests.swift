import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// Small files that exercise the edges of the syntax, each named for what it shows.
let syntaxCases: [(String, String)] = [
    ("unset", "devices {\n\tdir = \"/dev\"\n\tscan = [ \"/dev\" ]\n}\n"),
    ("set", "devices {\n\tdir = \"/dev\"\n\tglobal_filter = [ \"a|.*|\" ]\n}\n"),
    ("commented out", "devices {\n\t# global_filter = [ \"a|.*|\" ]\n\tdir = \"/dev\"\n}\n"),
    (
        "set twice",
        "devices {\n\tglobal_filter = [ \"a|one|\" ]\n\tdir = \"/dev\"\n\tglobal_filter = [\n\t\t\"a|two|\",\n\t\t\"r|.*|\"\n\t]\n}\n"
    ),
    (
        "set in two devices sections",
        "devices {\n\tglobal_filter = [ \"a|one|\" ]\n}\nlog {\n\tverbose = 0\n}\ndevices {\n\tglobal_filter = \"a|two|\"\n}\n"
    ),
    (
        "nested profile-like section",
        "activation {\n\tudev_sync = 1\n}\nlocal {\n\tdevices {\n\t\tglobal_filter = [ \"r|nested|\" ]\n\t}\n}\n"
    ),
    ("crlf", "devices {\r\n\tdir = \"/dev\"\r\n\tglobal_filter = [ \"a|.*|\" ]\r\n}\r\n"),
    ("crlf unset", "# comment\r\ndevices {\r\n    dir = \"/dev\"\r\n}\r\n"),
    ("tabs and spaces", "devices\t{\n  \t dir=\"/dev\"\t# trailing comment\n\t\tfilter=[\"a/x/\" \"r/.*/\"]\n}\n"),
    ("one line", "devices { dir = \"/dev\" global_filter = [ \"a|.*|\" ] }\n"),
    ("no devices section", "log {\n\tverbose = 0\n}\n"),
    ("empty", ""),
    ("no final newline", "devices {\n\tdir = \"/dev\"\n}"),
    (
        "numbers and escapes",
        "global {\n\tumask = 077\n\tratio = 1.5\n\tneg = -3\n\tfmt = \"a\\\"b\\\\c\"\n\tsingle = 'x y'\n}\n"
    ),
]

@Suite("lvm.conf: lossless parsing and edits that touch only the key")
struct LVMConfigTests {
    static let path = ["devices", "global_filter"]
    static let planned = LVMFilter.hostPVsOnly(devices: ["/dev/vda2", "/dev/sda1"])

    @Test("parse then render gives back the file byte for byte", arguments: syntaxCases)
    func roundTrip(name: String, text: String) throws {
        let document = try LVMConfigDocument(parsing: text)
        #expect(document.text == text)
        #expect(Array(document.text.utf8) == Array(text.utf8))
    }

    @Test(
        "real files round-trip: Debian's packaged lvm.conf and lvmconfig's full commented default",
        arguments: ["debian-lvm.conf", "default-withcomments.conf"])
    func realFilesRoundTrip(name: String) throws {
        guard let text = Prerequisite.input(name) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let document = try LVMConfigDocument(parsing: text)
        #expect(document.text == text)
        #expect(text.split(separator: "\n").count > 2000)
    }

    @Test("the effective value is the last active assignment, as LVM reads it")
    func effectiveValue() throws {
        let twice = try LVMConfigDocument(parsing: syntaxCases[3].1)
        #expect(twice.assignments(at: Self.path).count == 2)
        #expect(twice.effectiveAssignment(at: Self.path)?.value.strings == ["a|two|", "r|.*|"])
        let sections = try LVMConfigDocument(parsing: syntaxCases[4].1)
        #expect(sections.effectiveAssignment(at: Self.path)?.value.strings == ["a|two|"])
        let nested = try LVMConfigDocument(parsing: syntaxCases[5].1)
        #expect(nested.effectiveAssignment(at: Self.path) == nil)
        #expect(nested.effectiveAssignment(at: ["local", "devices", "global_filter"])?.value.strings == ["r|nested|"])
        let commented = try LVMConfigDocument(parsing: syntaxCases[2].1)
        #expect(commented.effectiveAssignment(at: Self.path) == nil)
        let values = try LVMConfigDocument(parsing: syntaxCases[13].1)
        #expect(values.effectiveAssignment(at: ["global", "umask"])?.value == .integer(77))
        #expect(values.effectiveAssignment(at: ["global", "ratio"])?.value == .float("1.5"))
        #expect(values.effectiveAssignment(at: ["global", "neg"])?.value == .integer(-3))
        #expect(values.effectiveAssignment(at: ["global", "fmt"])?.value == .string("a\"b\\c"))
        #expect(values.effectiveAssignment(at: ["global", "single"])?.value == .string("x y"))
    }

    @Test("setting replaces the value in place and changes no other line")
    func replaceInPlace() throws {
        let text = syntaxCases[1].1
        let edited = try LVMConfigDocument(parsing: text).setting(Self.path, to: Self.planned.configValue)
        #expect(
            edited
                == "devices {\n\tdir = \"/dev\"\n\tglobal_filter = [ \"a|^/dev/sda1$|\", \"a|^/dev/vda2$|\", \"r|.*|\" ]\n}\n"
        )
    }

    @Test("setting a key set twice replaces the effective one and comments out the other")
    func setTwice() throws {
        let edited = try LVMConfigDocument(parsing: syntaxCases[3].1).setting(
            Self.path, to: LVMFilter.rejectAll.configValue)
        #expect(
            edited
                == "devices {\n\t# global_filter = [ \"a|one|\" ]\n\tdir = \"/dev\"\n\tglobal_filter = [ \"r|.*|\" ]\n}\n"
        )
        let reparsed = try LVMConfigDocument(parsing: edited)
        #expect(reparsed.assignments(at: Self.path).count == 1)
    }

    @Test("setting a commented-out key adds an active line and keeps the comment")
    func commentedOut() throws {
        let edited = try LVMConfigDocument(parsing: syntaxCases[2].1).setting(
            Self.path, to: LVMFilter.rejectAll.configValue)
        #expect(
            edited
                == "devices {\n\t# global_filter = [ \"a|.*|\" ]\n\tdir = \"/dev\"\n\tglobal_filter = [ \"r|.*|\" ]\n}\n"
        )
    }

    @Test("setting leaves a nested profile-like section alone and edits the top-level devices")
    func nested() throws {
        let edited = try LVMConfigDocument(parsing: syntaxCases[5].1).setting(
            Self.path, to: LVMFilter.rejectAll.configValue)
        #expect(edited == syntaxCases[5].1 + "devices {\n\tglobal_filter = [ \"r|.*|\" ]\n}\n")
    }

    @Test("CRLF files get CRLF lines; one-line sections stay one line")
    func lineEndings() throws {
        let crlf = try LVMConfigDocument(parsing: syntaxCases[7].1).setting(
            Self.path, to: LVMFilter.rejectAll.configValue)
        #expect(crlf == "# comment\r\ndevices {\r\n    dir = \"/dev\"\r\n    global_filter = [ \"r|.*|\" ]\r\n}\r\n")
        let oneLine = try LVMConfigDocument(parsing: "devices { dir = \"/dev\" }\n").setting(
            Self.path, to: LVMFilter.rejectAll.configValue)
        #expect(oneLine == "devices { dir = \"/dev\" global_filter = [ \"r|.*|\" ] }\n")
        let noNewline = try LVMConfigDocument(parsing: "log { verbose = 0 }").setting(
            Self.path, to: LVMFilter.rejectAll.configValue)
        #expect(noNewline == "log { verbose = 0 }\ndevices {\n\tglobal_filter = [ \"r|.*|\" ]\n}\n")
    }

    @Test("removing deletes every active assignment and nothing else")
    func remove() throws {
        let edited = try LVMConfigDocument(parsing: syntaxCases[3].1).removing(Self.path)
        #expect(edited == "devices {\n\tdir = \"/dev\"\n}\n")
        let oneLine = try LVMConfigDocument(parsing: syntaxCases[9].1).removing(Self.path)
        #expect(oneLine == "devices { dir = \"/dev\"  }\n")
    }

    @Test("on Debian's lvm.conf the new line lands after LVM's own comment block for the key")
    func debianInsertion() throws {
        guard let text = Prerequisite.input("debian-lvm.conf") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let edited = try LVMConfigDocument(parsing: text).setting(Self.path, to: Self.planned.configValue)
        let diff = UnifiedDiff.diff(from: text, to: edited, oldLabel: "a", newLabel: "b")
        let changed = diff.split(separator: "\n").filter {
            ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---")
        }
        #expect(changed == ["+\tglobal_filter = [ \"a|^/dev/sda1$|\", \"a|^/dev/vda2$|\", \"r|.*|\" ]"])
        #expect(diff.contains("\t# global_filter = [ \"a|.*|\" ]\n+\tglobal_filter"))
    }

    @Test(
        "files that are not LVM config syntax are rejected with line and column",
        arguments: [
            ("devices {\n\tdir = \"/dev\n}\n", "line 2, column 8: string is not closed on its line"),
            ("devices {\n\tdir = \"/dev\"\n", "line 3, column 1: end of file inside a section: a '}' is missing"),
            ("devices {\n\tdir \"/dev\"\n}\n", "line 2, column 6: expected '=' or '{' after 'dir'"),
            ("devices {\n\tfilter = [ \"a|x|\"\n}\n", "line 3, column 1: expected a value"),
            ("}\n", "line 1, column 1: unexpected '}' with no section open"),
            ("devices {\n\tscan = 12abc\n}\n", "line 2, column 9: '12abc' is not a number"),
            ("devices {\n\tfilter = [ [ \"a\" ] ]\n}\n", "line 2, column 13: lists cannot be nested"),
        ])
    func parseErrors(text: String, expected: String) {
        #expect(throws: LVMConfigParseError.self) { try LVMConfigDocument(parsing: text) }
        do {
            _ = try LVMConfigDocument(parsing: text)
        } catch {
            #expect(error.description == expected)
        }
    }
}
