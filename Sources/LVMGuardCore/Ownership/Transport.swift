/// How a disk reaches the host. The transports os-brick attaches volumes over are attachable; a disk on any
/// other bus (SATA, SAS, PCIe NVMe, virtio) is local, and so is a multipath map over local paths (dual-ported
/// SAS or NVMe under dm-multipath).
public enum Transport: String, Sendable, Codable, Hashable, Comparable {
    case iscsi
    case fc
    case nvmeFabrics = "nvme-fabrics"
    case rbd
    case nbd
    case local

    public var isAttachable: Bool { self != .local }

    public static func < (a: Transport, b: Transport) -> Bool { a.rawValue < b.rawValue }

    /// The transport of one disk, from its kernel name, its sysfs path and the host's NVMe controllers: iSCSI
    /// (`/session` in the path), FC (`/rport-`), NVMe over fabrics (under `nvme-fabrics`, or a namespace whose
    /// controllers use tcp, rdma or fc), rbd and nbd (network block devices).
    static func of(disk kernelName: KernelName, facts: HostFacts) -> Transport {
        if kernelName.hasPrefix("rbd") { return .rbd }
        if kernelName.hasPrefix("nbd") { return .nbd }
        guard let sysfs = facts.sysfsPaths[kernelName] else { return .local }
        if sysfs.contains("/session") { return .iscsi }
        if sysfs.contains("/rport-") { return .fc }
        if sysfs.contains("/nvme-fabrics/") { return .nvmeFabrics }
        guard kernelName.hasPrefix("nvme") else { return .local }
        // /sys/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1 (native multipath) or .../nvme/nvme0/nvme0n1.
        let parts = sysfs.split(separator: "/").map(String.init)
        let controllers: [HostFacts.NVMeController] =
            if let subsystem = parts.first(where: { $0.hasPrefix("nvme-subsys") && $0 != "nvme-subsystem" }) {
                facts.nvmeControllers.values.filter { $0.subsystem == subsystem }
            } else {
                parts.dropLast().compactMap { facts.nvmeControllers[$0] }
            }
        return controllers.contains { !["pcie", "loop"].contains($0.transport) } ? .nvmeFabrics : .local
    }
}

extension DeviceGraph {
    /// The transports of the disks at the bottom of a device's stack: for a multipath map, its paths.
    func transports(under majMin: MajorMinor, facts: HostFacts) -> Set<Transport> {
        Set(
            bottoms(of: majMin).map { bottom in
                kernelName(of: bottom).map { Transport.of(disk: $0, facts: facts) } ?? .local
            })
    }
}
