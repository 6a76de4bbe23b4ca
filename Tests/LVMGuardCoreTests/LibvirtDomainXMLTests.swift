import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

@Suite("libvirt's XML read in Swift: definitions, status files, nova's metadata")
struct LibvirtDomainXMLTests {
    @Test("a status file: the domain inside domstatus, disks with sources, a backing store's source ignored")
    func statusFile() {
        let xml = """
            <!-- WARNING: THIS IS AN AUTO-GENERATED FILE. -->
            <domstatus state='paused' reason='user' pid='4242'>
              <monitor path='/var/lib/libvirt/qemu/domain-1-instance-0000002a/monitor.sock' type='unix'/>
              <domain type='kvm' id='1'>
                <name>instance-0000002a</name>
                <uuid>0f3c6d52-8a4e-4b7e-9b1d-2e6a5c7d8f90</uuid>
                <metadata><nova:instance xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1">
                  <nova:name>web &amp; db</nova:name></nova:instance></metadata>
                <devices>
                  <disk type='file' device='disk'>
                    <source file='/var/lib/nova/instances/0f3c/disk' index='2'/>
                    <backingStore type='file' index='3'><source file='/var/lib/nova/instances/_base/abc'/></backingStore>
                    <target dev='vda' bus='virtio'/>
                  </disk>
                  <disk type="block" device="disk">
                    <source dev="/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ac"/>
                    <target dev="vdb" bus="virtio"/>
                  </disk>
                  <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>
                </devices>
              </domain>
            </domstatus>
            """
        let domain = LibvirtDomainXML.parse(xml)
        #expect(domain?.name == "instance-0000002a" && domain?.uuid == "0f3c6d52-8a4e-4b7e-9b1d-2e6a5c7d8f90")
        #expect(domain?.novaName == "web & db")
        #expect(domain?.disks.map(\.target) == ["vda", "vdb"])
        #expect(
            domain?.disks.map(\.source) == [
                "/var/lib/nova/instances/0f3c/disk", "/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ac",
            ])
    }

    @Test("not a domain, or cut off before its UUID: nothing")
    func notADomain() {
        #expect(LibvirtDomainXML.parse("<network><name>default</name><uuid>x</uuid></network>") == nil)
        #expect(LibvirtDomainXML.parse("<domain type='kvm'><name>a</name>") == nil)
    }
}
