import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

@Suite("Host patterns resolve as Ansible resolves them")
struct HostPatternTests {
    static let inventory: Inventory = {
        let (inventory, problems) = loadInventory([
            "inv/hosts.yaml": """
            all:
              hosts:
                bastion:
              children:
                compute:
                  children:
                    az1:
                      hosts:
                        compute-01:
                        compute-02:
                    az2:
                      hosts:
                        compute-1[1:2]:
                cinder-lvm:
                  hosts:
                    compute-02:
                    storage-01:
                staging:
                  hosts:
                    compute-11:
                    storage-01:
            """
        ])
        precondition(inventory != nil, "\(problems)")
        return inventory!
    }()

    @Test(arguments: [
        ("compute", ["compute-01", "compute-02", "compute-11", "compute-12"]),
        ("compute:!cinder-lvm", ["compute-01", "compute-11", "compute-12"]),
        ("compute:&staging", ["compute-11"]),
        ("!cinder-lvm:compute", ["compute-01", "compute-11", "compute-12"]),
        ("compute,storage-01", ["compute-01", "compute-02", "compute-11", "compute-12", "storage-01"]),
        ("compute-1*", ["compute-11", "compute-12"]),
        ("az*", ["compute-01", "compute-02", "compute-11", "compute-12"]),
        ("~compute-0[12]", ["compute-01", "compute-02"]),
        ("all:!compute", ["bastion", "storage-01"]),
        ("*", ["bastion", "compute-01", "compute-02", "compute-11", "compute-12", "storage-01"]),
        ("!compute", ["bastion", "storage-01"]),
        ("compute:!az1:&staging", ["compute-11"]),
        ("ungrouped", ["bastion"]),
    ])
    func resolves(pattern: String, expected: [String]) throws {
        let match = try #require(HostPattern(pattern)).match(in: Self.inventory)
        #expect(match.hosts == expected)
        #expect(match.unmatchedTerms.isEmpty)
    }

    @Test func unmatchedTermsAreReported() throws {
        let match = try #require(HostPattern("compute:!cinder_lvm")).match(in: Self.inventory)
        #expect(match.unmatchedTerms.map(\.text) == ["cinder_lvm"])
    }

    @Test(arguments: [
        ("a*c", "abc", true), ("a?c", "abc", true), ("a[bc]d", "acd", true), ("a[!b]d", "abd", false),
        ("x*", "y", false), ("c-[0-9]", "c-7", true),
    ])
    func globs(pattern: String, name: String, expected: Bool) {
        #expect(Glob.matches(pattern, name) == expected)
    }
}
