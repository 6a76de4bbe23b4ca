import Foundation

/// The gather's `libvirt-xml` section: "PATH BASE64" a file, libvirt's status files of running domains
/// (/run/libvirt/qemu) and definitions (/etc/libvirt/qemu, kolla's `nova_libvirt_qemu` docker volume, podman's).
enum LibvirtFiles {
    /// Each file's disks; a file that is not a domain lvmguard can read is skipped.
    static func disks(_ text: String) -> [HostFacts.LibvirtDisk] {
        text.outputLines().flatMap { line -> [HostFacts.LibvirtDisk] in
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard words.count == 2, let data = Data(base64Encoded: words[1]),
                let domain = LibvirtDomainXML.parse(String(decoding: data, as: UTF8.self))
            else { return [] }
            let state: HostFacts.LibvirtDisk.State = words[0].hasPrefix("/run/") ? .running : .defined
            return domain.disks.map {
                HostFacts.LibvirtDisk(
                    domain: domain.name, domainUUID: domain.uuid, target: $0.target, source: $0.source,
                    state: state, origin: words[0])
            }
        }
    }
}
