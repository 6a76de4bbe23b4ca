import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

@Suite("Filter model: LVM's rule syntax, equivalence, the host-pvs-only filter")
struct LVMFilterTests {
    @Test(
        "rules parse with any delimiter LVM allows",
        arguments: [
            ("a|^/dev/sda2$|", LVMFilter.Rule(.accept, "^/dev/sda2$")),
            ("r/.*/", LVMFilter.Rule(.reject, ".*")),
            ("a(^/dev/vd.*)", LVMFilter.Rule(.accept, "^/dev/vd.*")),
            ("a[^/dev/sd[ab]]", LVMFilter.Rule(.accept, "^/dev/sd[ab]")),
            ("r{loop}", LVMFilter.Rule(.reject, "loop")),
            ("a#x|y#", LVMFilter.Rule(.accept, "x|y")),
            ("a|in|side|", LVMFilter.Rule(.accept, "in|side")),
        ])
    func parseRule(text: String, expected: LVMFilter.Rule) throws {
        #expect(try LVMFilter.Rule(parsing: text) == expected)
    }

    @Test(
        "rules LVM would refuse are refused",
        arguments: [
            ("x|.*|", "cannot understand filter rule x|.*|: a rule must begin with 'a' (accept) or 'r' (reject)"),
            ("a", "cannot understand filter rule a: the rule has no delimiter after 'a'"),
            ("a|.*", "cannot understand filter rule a|.*: the rule must end with the delimiter '|'"),
            ("a(.*(", "cannot understand filter rule a(.*(: the rule must end with the delimiter ')'"),
        ])
    func badRule(text: String, expected: String) {
        #expect(throws: LVMFilterError.self) { try LVMFilter.Rule(parsing: text) }
        do { _ = try LVMFilter.Rule(parsing: text) } catch { #expect(error.description == expected) }
    }

    @Test("filters equal after normalising delimiters are equivalent; order matters")
    func equivalence() throws {
        let a = try LVMFilter(parsing: .list([.string("a|^/dev/sda2$|"), .string("r|.*|")]))
        let b = try LVMFilter(parsing: .list([.string("a/^/dev/sda2$/"), .string("r(.*)")]))
        let reordered = try LVMFilter(parsing: .list([.string("r|.*|"), .string("a|^/dev/sda2$|")]))
        #expect(a.isEquivalent(to: b))
        #expect(!a.isEquivalent(to: reordered))
        #expect(try LVMFilter(parsing: .string("r|.*|")).isEquivalent(to: .rejectAll))
        #expect(throws: LVMFilterError.self) { try LVMFilter(parsing: .list([.integer(1)])) }
    }

    @Test("canonical rendering uses | unless the pattern holds one")
    func rendering() {
        let filter = LVMFilter(rules: [.init(.accept, "x|y"), .init(.reject, ".*")])
        #expect(filter.description == "[ \"a/x|y/\", \"r|.*|\" ]")
    }

    @Test("host-pvs-only: anchored, escaped, sorted accepts, then reject everything")
    func hostPVsOnly() {
        let filter = LVMFilter.hostPVsOnly(
            devices: ["/dev/vda2", "/dev/disk/by-path/pci-0000:00:05.0-part1", "/dev/md127", "/dev/vda2"],
            patterns: ["^/dev/nvme0n1p[0-9]+$"])
        #expect(
            filter.description
                == #"[ "a|^/dev/disk/by-path/pci-0000:00:05\\.0-part1$|", "a|^/dev/md127$|", "a|^/dev/vda2$|", "a|^/dev/nvme0n1p[0-9]+$|", "r|.*|" ]"#
        )
        #expect(LVMFilter.hostPVsOnly(devices: [String]()) == .rejectAll)
    }

    @Test("escaped paths match only themselves under a real regex engine")
    func escaping() throws {
        let path = "/dev/disk/by-id/dm-name-a.b+c(1)"
        let regex = try Regex("^" + LVMFilter.escape(path) + "$")
        #expect(path.wholeMatch(of: regex) != nil)
        #expect("/dev/disk/by-id/dm-name-aXb+c(1)".wholeMatch(of: regex) == nil)
    }
}
