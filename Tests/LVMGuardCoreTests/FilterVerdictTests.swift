import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// The filter in force, evaluated as LVM's regex filter does over every name of a device.
@Suite("diagnose --device: LVM's filter rules evaluated on the controller")
struct FilterVerdictTests {
    static func verdict(_ rules: [String], _ names: [String]) throws -> FilterVerdict {
        let filter = LVMFilter(rules: try rules.map { try LVMFilter.Rule(parsing: $0) })
        return FilterVerdict.evaluate(filter, names: names, setting: "devices/filter")
    }

    @Test("the first matching rule decides per name; one accepted name accepts the device; no match accepts")
    func firstMatchPerName() throws {
        let names = ["/dev/disk/by-id/wwn-0x1", "/dev/sdc"]
        #expect(try Self.verdict(["a|^/dev/sdc$|", "r|.*|"], names).outcome == .accepted)
        #expect(try Self.verdict(["r|^/dev/sdc$|", "a|wwn-|"], names).outcome == .accepted)
        #expect(try Self.verdict(["r|wwn-|", "r|sd|"], names).decidedBy == "devices/filter rule r|wwn-| refuses it")
        #expect(try Self.verdict(["r|^/dev/vd|"], names).outcome == .accepted)
        #expect(try Self.verdict(["a|^/dev/sd[a-b]$|", "r|.*|"], names).outcome == .refused)
        #expect(try Self.verdict(["a|^/dev/sd[c-d]$|", "r|.*|"], names).outcome == .accepted)
    }

    @Test("a rule LVM reads otherwise than Swift would is not guessed at")
    func undetermined() throws {
        #expect(try Self.verdict(["a|^/dev/sd\\d$|", "r|.*|"], ["/dev/sdc"]).outcome == .undetermined)
    }
}
