import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

@Suite("accept patterns are checked against LVM's own regex grammar at plan time")
struct LVMRegexTests {
    @Test(
        "patterns LVM compiles as meant",
        arguments: [
            "^/dev/nvme0n1p[0-9]+$", "^/dev/disk/by-id/wwn-0x5000c5[0-9a-f]+$", "^/dev/(sd|vd)[a-z]$",
            "^/dev/md[0-9]*$",
            "a|b|c", "(ab)+c?", "[^/]+\\.img$", "x**", "\\(literal\\)", "[]a]",
        ])
    func accepted(pattern: String) {
        #expect(LVMRegex.problem(pattern) == nil)
    }

    @Test(
        "patterns LVM refuses, or reads otherwise than Swift's Regex",
        arguments: [
            ("^/dev/sd[a-z]\\d$", "no \\d class"),
            ("^/dev/nvme[0-9]{1,2}n1$", "no {m,n} repetition"),
            ("^/dev/(?:sd|vd)a$", "no (?...) groups"),
            ("^/dev/sda)$", "ignores the rest (')$')"),
            ("^/dev/(sda|)$", "is empty"),
            ("|^/dev/sda$", "is empty"),
            ("^/dev/sd[ab$", "not closed with ']'"),
            ("^/dev/(sda$", "not closed with ')'"),
            ("*sda", "is empty"),
            ("sda\\", "quotes nothing"),
            ("^/dev/\"x\"$", "double quote"),
        ])
    func refused(pattern: String, why: String) {
        let problem = LVMRegex.problem(pattern)
        #expect(problem?.contains(why) == true, "\(pattern): \(problem ?? "accepted")")
    }

    @Test("the playbook names the pattern and its line; Swift's Regex alone would have let it through")
    func atPlanTime() throws {
        let pattern = "^/dev/nvme[0-9]{1,2}n1$"
        _ = try Regex(pattern)
        var diagnostics = Diagnostics()
        let state = DesiredStateReader.read(
            "hosts: all\nfilter:\n  policy: host-pvs-only\n  accept: [\"/\(pattern)/\"]\n",
            file: "pb.yaml", diagnostics: &diagnostics)
        #expect(state == nil)
        let message = diagnostics.all.map { "\($0)" }.joined(separator: "\n")
        #expect(
            message.contains("pb.yaml:4:") && message.contains("LVM cannot use the regular expression"), "\(message)")
    }
}
