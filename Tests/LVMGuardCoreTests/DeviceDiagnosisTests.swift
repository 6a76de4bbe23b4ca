import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// `diagnose --device` on the nova-lvm lab host after apply (captured): its filter accepts nova's PV alone, so the
/// blank day-two disk is refused only because nobody declared it, and the instance's disk is a guest's.
@Suite("diagnose --device: why host LVM refuses a device, from real gather output")
struct DeviceDiagnosisTests {
    static let dayTwoDisk = "/dev/disk/by-id/wwn-0x5000c50015ea71b0"
    static let host = Fixture.host("v-nova", variables: ["lvmguard_volume_vgs: [nova]"])

    static func diagnose(_ device: String, host: HostSettings = host, desired: DesiredState = Fixture.desired())
        throws -> DeviceDiagnosis
    {
        DeviceDiagnosis.analyze(device, host: host, facts: try Fixture.facts("nova-lvm-applied"), desired: desired)
    }

    @Test("the day-two disk: refused by the rule that rejects the rest, nobody declared it, declare it by its WWN")
    func undeclaredDisk() throws {
        let diagnosis = try Self.diagnose(Self.dayTwoDisk)
        #expect(diagnosis.verdict == .refusedUndeclared)
        #expect(diagnosis.decidedBy == "devices/global_filter rule r|.*| refuses it", "\(diagnosis)")
        #expect(diagnosis.declareAs == Self.dayTwoDisk)
        #expect(diagnosis.names.contains(Self.dayTwoDisk) && diagnosis.names.contains("/dev/sda"), "\(diagnosis.names)")
        #expect(diagnosis.storage == [.local] && diagnosis.pvOf == nil && diagnosis.instances.isEmpty)
        // Asked by its kernel name, the answer is the same disk and the same stable name to declare.
        let byKernelName = try Self.diagnose("/dev/sda")
        #expect(byKernelName.verdict == .refusedUndeclared && byKernelName.declareAs == Self.dayTwoDisk)
        let text = DeviceDiagnosisReport.text(diagnosis)
        #expect(text.contains("lvmguard_accept: [\"\(Self.dayTwoDisk)\"]"), "\(text)")
    }

    @Test("declared in lvmguard_accept but not applied yet: the answer is to apply, not to declare again")
    func declaredNotApplied() throws {
        let declared = Fixture.host(
            "v-nova", variables: ["lvmguard_volume_vgs: [nova]", "lvmguard_accept: [\(Self.dayTwoDisk)]"])
        #expect(try Self.diagnose("/dev/sda", host: declared).verdict == .declaredNotApplied)
        let byPattern = Fixture.host("v-nova", variables: ["lvmguard_accept: ['/wwn-0x5000c50015ea71b0$/']"])
        #expect(try Self.diagnose("/dev/sda", host: byPattern).verdict == .declaredNotApplied)
    }

    @Test("nova's PV is accepted by its PV UUID link, and it is a host VG's")
    func hostPV() throws {
        let diagnosis = try Self.diagnose("/dev/vdb")
        #expect(diagnosis.verdict == .accepted, "\(diagnosis)")
        #expect(
            diagnosis.decidedBy?.hasPrefix("devices/global_filter rule a|^/dev/disk/by-id/lvm-pv-uuid-") == true,
            "\(diagnosis.decidedBy ?? "")")
        #expect(
            diagnosis.pvOf?.hasPrefix("nova (") == true && diagnosis.pvOf?.hasSuffix("), a host VG") == true,
            "\(diagnosis.pvOf ?? "")")
    }

    @Test("the instance's disk LV is a guest's device: refused on purpose, never to be declared")
    func instanceDisk() throws {
        let diagnosis = try Self.diagnose("/dev/nova/9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d_disk")
        #expect(diagnosis.verdict == .guestDevice, "\(diagnosis)")
        #expect(diagnosis.instances.map(\.domain) == ["instance-0000002b"])
        #expect(diagnosis.declareAs == nil)
        #expect(DeviceDiagnosisReport.text(diagnosis).contains("never declare a guest's disk"))
    }

    @Test("a name no device has is not found; the JSON document says its format and version")
    func notFoundAndJSON() throws {
        #expect(try Self.diagnose("/dev/sdz").verdict == .notFound)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(try Self.diagnose(Self.dayTwoDisk)))
        let document = try #require(json as? [String: Any])
        #expect(document["format"] as? String == "lvmguard-device-diagnosis" && document["version"] as? Int == 1)
        #expect(document["verdict"] as? String == "refused-undeclared")
    }
}
