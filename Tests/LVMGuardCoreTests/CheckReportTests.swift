import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

@Suite("check for monitoring: JSON and Prometheus' text format, read back by Prometheus' own parser")
struct CheckReportTests {
    /// The dead-map host checked from its captured facts, an unreachable host, and a name that needs escaping.
    static func run() throws -> CheckRun {
        let facts = try Fixture.facts("dead-map")
        let desired = Fixture.desired()
        return CheckRun(
            playbook: "pb.yaml", timestamp: 1_795_000_000,
            hosts: [
                .checked(Fixture.host("lab-deadmap"), facts: facts, desired: desired),
                .unreachable("compute-02", reason: "Connection refused"),
                CheckRun.Host(
                    host: #"odd"name\x"#, reachable: true, reason: nil,
                    checks: [.init(check: "filter-effective", passed: true, detail: "")],
                    guestLVsActive: 0, multipathMapsHeld: 0, multipathMapsDead: 0),
            ])
    }

    @Test("the counts and outcomes of a host in trouble")
    func counts() throws {
        let host = try #require(try Self.run().hosts.first { $0.host == "lab-deadmap" })
        #expect(host.guestLVsActive == 2 && host.multipathMapsHeld == 1 && host.multipathMapsDead == 1)
        #expect(host.checks.first { $0.check == "no-guest-vgs-active" }?.passed == false)
    }

    @Test("prometheus output parses with prometheus-client and says what the run found")
    func prometheus() throws {
        guard let python = PrometheusParser.python else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let text = CheckReport.prometheus(try Self.run())
        let samples = try PrometheusParser.samples(text, python: python)
        #expect(samples[#"gauge lvmguard_multipath_maps_dead{host="lab-deadmap"}"#] == 1, "\(samples)")
        #expect(samples[#"gauge lvmguard_check_passed{check="no-multipath-held",host="lab-deadmap"}"#] == 0)
        #expect(samples[#"gauge lvmguard_host_reachable{host="compute-02"}"#] == 0)
        #expect(
            samples[#"gauge lvmguard_guest_lvs_active{host="compute-02"}"#] == nil, "no counts for a host not checked")
        #expect(
            samples[#"gauge lvmguard_check_passed{check="filter-effective",host="odd"name\x"}"#] == 1,
            "escaped and read back")
        #expect(samples["gauge lvmguard_check_last_run_timestamp_seconds{}"] == 1_795_000_000)
    }

    @Test("JSON: one versioned document that decodes back to the same run")
    func json() throws {
        let run = try Self.run()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let decoded = try JSONDecoder().decode(CheckRun.self, from: try encoder.encode(run))
        #expect(decoded == run && decoded.format == "lvmguard-check" && decoded.version == 1)
        #expect(decoded.hosts.map(\.host) == ["compute-02", "lab-deadmap", #"odd"name\x"#])
    }
}
