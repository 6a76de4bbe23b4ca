/// Where a device path leads: which block device it is and what storage lies under it.
public struct DeviceTopology: Sendable {
    /// The storage under a device, as far as ownership is concerned.
    public indirect enum Storage: Sendable, Hashable, Codable {
        /// Inside an LV of the host ("vg/lv"), itself on `under`: a guest's disk that is a volume LV.
        case insideLV(lv: String, under: Storage)
        /// A dm-multipath map (or a partition of one).
        case multipath(map: String, wwid: WWID)
        /// A disk (or what is at the bottom of a partition, md or other device) and how it reaches the host, one
        /// decision: `Transport.of(disk:facts:)` (an iSCSI or FC path without multipath, an NVMe/TCP namespace, a
        /// local disk).
        case disk(device: String, transport: Transport)
        /// The path resolves to no block device the host listed.
        case unknown
    }

    private let byKernelName: [KernelName: HostFacts.BlockDevice]
    private let dmByMajMin: [MajorMinor: HostFacts.DMDevice]
    private let facts: HostFacts

    public init(_ facts: HostFacts) {
        HostModel.builds?.built(Self.self)
        self.facts = facts
        byKernelName = Dictionary(facts.blockDevices.map { ($0.kname, $0) }, uniquingKeysWith: { first, _ in first })
        dmByMajMin = Dictionary(facts.dmDevices.map { ($0.majMin, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The kernel name ("dm-0", "sdb", "vda2") a path resolves to, following /dev links.
    public func kernelName(of path: String) -> KernelName? {
        guard let name = KernelName(devicePath: facts.deviceLinks[path] ?? path) else { return nil }
        return byKernelName[name] != nil ? name : nil
    }

    /// Every path in the facts that resolves to the same device as `path` (itself included), sorted.
    public func aliases(of path: String) -> [String] {
        guard let name = kernelName(of: path) else { return [path] }
        var names = Set([path, name.devicePath])
        for (link, target) in facts.deviceLinks where target == name.devicePath { names.insert(link) }
        return names.sorted()
    }

    /// The storage under `path`: walks up partitions and dm layers to a multipath map or a disk.
    public func storage(of path: String) -> Storage {
        guard let name = kernelName(of: path), let device = byKernelName[name] else { return .unknown }
        if let dm = dmByMajMin[device.majMin], dm.uuid?.isLVM == true, let parent = device.parent,
            let lv = facts.lvs.first(where: { DMUUID(vgUUID: $0.vgUUID, lvUUID: $0.uuid) == dm.uuid })
        {
            return .insideLV(lv: "\(lv.vgName)/\(lv.name)", under: storage(of: parent.devicePath))
        }
        return storage(from: device)
    }

    /// The storage under a device that is no LV: partitions and dm layers up to a multipath map or a disk.
    private func storage(from start: HostFacts.BlockDevice) -> Storage {
        var device = start
        var seen = Set<KernelName>()
        while seen.insert(device.kname).inserted {
            if device.type == "mpath", let dm = dmByMajMin[device.majMin], let wwid = dm.multipathWWID {
                return .multipath(map: dm.name, wwid: wwid)
            }
            if let dm = dmByMajMin[device.majMin], let wwid = dm.uuid?.partitionedMapWWID {
                return .multipath(map: dm.name, wwid: wwid)
            }
            guard let parent = device.parent.flatMap({ byKernelName[$0] }) else { break }
            device = parent
        }
        return .disk(device: device.kname.devicePath, transport: Transport.of(disk: device.kname, facts: facts))
    }
}
