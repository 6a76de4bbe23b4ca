import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// The dev-links section as find prints it on the CentOS 7 lab host (targets as the links hold them), resolved as
/// `readlink -f` resolved them there.
@Suite("device links: find's relative targets resolved as readlink -f resolves them")
struct DeviceLinksTests {
    static let captured = [
        "/dev/centos/root ../dm-0",
        "/dev/mapper/mpatha ../dm-3",
        "/dev/mapper/centos-root ../dm-0",
        "/dev/disk/by-id/wwn-0x5000c50015ea71ac ../../dm-3",
        "/dev/disk/by-id/lvm-pv-uuid-9oq0n3-Rudv-xcQq-hqsA-Qqdc-eKHd-vIKWkq ../../vdb",
        "/dev/mapper/control /dev/mapper/control",
    ]

    @Test("relative targets from the link's directory; what readlink -f printed on the host")
    func relative() {
        let links = DeviceLinks.resolved(Self.captured)
        #expect(links["/dev/centos/root"] == "/dev/dm-0")
        #expect(links["/dev/mapper/mpatha"] == "/dev/dm-3")
        #expect(links["/dev/disk/by-id/wwn-0x5000c50015ea71ac"] == "/dev/dm-3")
        #expect(links["/dev/disk/by-id/lvm-pv-uuid-9oq0n3-Rudv-xcQq-hqsA-Qqdc-eKHd-vIKWkq"] == "/dev/vdb")
        #expect(links["/dev/mapper/control"] == "/dev/mapper/control", "a device names itself")
    }

    @Test("captures taken with readlink -f keep their absolute targets; chains are followed; a loop stops")
    func absoluteAndChains() {
        #expect(DeviceLinks.resolved(["/dev/mapper/mpatha /dev/dm-3"]) == ["/dev/mapper/mpatha": "/dev/dm-3"])
        let chain = DeviceLinks.resolved(["/dev/cdrom/first ../sr/alias", "/dev/sr/alias ./../sr0", "/dev/x/y ."])
        #expect(chain["/dev/cdrom/first"] == "/dev/sr0")
        #expect(chain["/dev/x/y"] == "/dev/x")
        let loop = DeviceLinks.resolved(["/dev/a/b ../c/d", "/dev/c/d ../a/b"])
        #expect(loop.count == 2 && loop["/dev/a/b"].map { ["/dev/c/d", "/dev/a/b"].contains($0) } == true)
        #expect(DeviceLinks.resolved(["not-a-path x", "/dev/only"]).isEmpty)
    }
}
