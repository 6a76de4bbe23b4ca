import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// cinder's and nova's own word on their volume VGs, read from their configuration (on the host, or kolla's copies)
/// and compared with `lvmguard_volume_vgs`, on the nova-lvm lab host's captured gather.
@Suite("OpenStack's configuration against lvmguard_volume_vgs")
struct VolumeVGConfigTests {
    /// nova.conf as nova-compute with images_type = lvm keeps it (trimmed to the sections that matter).
    static let novaConf = """
        [DEFAULT]
        compute_driver = libvirt.LibvirtDriver
        # images_volume_group = not-this-one

        [libvirt]
        virt_type = kvm
        images_type = lvm
        images_volume_group = nova
        """
    /// kolla-ansible's cinder.conf for an LVM backend (enabled_backends names the section).
    static let kollaCinderConf = """
        [DEFAULT]
        enabled_backends = lvm-1
        volume_name_template = volume-%s

        [lvm-1]
        volume_group = cinder-volumes
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
        volume_backend_name = lvm-1
        target_helper = lioadm
        target_protocol = iscsi
        """

    static func facts(_ files: [(String, String)]) throws -> HostFacts {
        let text = files.map { "\($0.0) \(Data($0.1.utf8).base64EncodedString())\n" }.joined()
        return try Fixture.facts("nova-lvm-applied") { sections in
            sections[.openstackConf] = FactSection(name: "openstack-conf", status: 0, stdout: text, stderr: "")
        }
    }

    static func warnings(_ facts: HostFacts, declared: [String]) -> [HostPlan.Warning] {
        VolumeVGConfigReview.review(facts: facts, declared: declared).warnings
    }

    @Test("nova's images_volume_group and kolla's cinder backend are read with their file and line")
    func configuredVGs() throws {
        let facts = try Self.facts([
            ("/etc/nova/nova.conf", Self.novaConf), ("/etc/kolla/cinder-volume/cinder.conf", Self.kollaCinderConf),
        ])
        #expect(
            facts.configuredVolumeVGs == [
                .init(
                    name: "nova", service: "nova", file: "/etc/nova/nova.conf", line: 8,
                    option: "[libvirt] images_volume_group"),
                .init(
                    name: "cinder-volumes", service: "cinder", file: "/etc/kolla/cinder-volume/cinder.conf", line: 6,
                    option: "[lvm-1] volume_group"),
            ])
    }

    @Test("a configured VG present here and not declared warns with file:line; declared, nothing to say")
    func undeclared() throws {
        let facts = try Self.facts([("/etc/kolla/nova-compute/nova.conf", Self.novaConf)])
        let warnings = Self.warnings(facts, declared: [])
        #expect(warnings.count == 1)
        let message = try #require(warnings.first).message
        #expect(
            message.hasPrefix("/etc/kolla/nova-compute/nova.conf:8: nova's [libvirt] images_volume_group = nova"),
            "\(message)")
        #expect(Self.warnings(facts, declared: ["nova"]).isEmpty)
        // Declared by UUID counts the same.
        let uuid = try #require(facts.vgs.first { $0.name == "nova" }?.uuid)
        #expect(Self.warnings(facts, declared: [uuid.rawValue]).isEmpty)
        // cinder's VG is not on this host: nothing to declare here.
        let cinderOnly = try Self.facts([("/etc/cinder/cinder.conf", Self.kollaCinderConf)])
        #expect(Self.warnings(cinderOnly, declared: []).isEmpty)
    }

    @Test("a declared VG the configuration does not name warns; no configuration found, no word either way")
    func declaredNotConfigured() throws {
        let cinderOnly = try Self.facts([("/etc/cinder/cinder.conf", Self.kollaCinderConf)])
        #expect(
            Self.warnings(cinderOnly, declared: ["nova"]) == [
                .declaredVolumeVGNotConfigured(name: "nova", files: ["/etc/cinder/cinder.conf"])
            ])
        #expect(Self.warnings(try Fixture.facts("nova-lvm-applied"), declared: ["nova"]).isEmpty)
    }

    @Test(
        "an LVM backend with no volume_group uses cinder's default; a non-LVM backend and images_type = rbd name none")
    func defaultsAndOtherBackends() throws {
        let conf = """
            [DEFAULT]
            enabled_backends = lvm, ceph
            [lvm]
            volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
            [ceph]
            volume_driver = cinder.volume.drivers.rbd.RBDDriver
            volume_group = not-a-vg
            """
        let vgs = OpenStackConfig.cinder(.init(conf), file: "c")
        #expect(vgs.map(\.name) == ["cinder-volumes"] && vgs.first?.line == 4)
        #expect(
            OpenStackConfig.nova(.init(Self.novaConf.replacingOccurrences(of: "= lvm", with: "= rbd")), file: "n")
                .isEmpty)
    }
}
