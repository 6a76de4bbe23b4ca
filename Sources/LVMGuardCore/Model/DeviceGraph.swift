/// The host's block devices by identity: major:minor numbers and device-mapper UUIDs, never names.
///
/// Names lie (kernel names move at reboot, a guest's VG/LV can be named like the host's, and `lv_dm_path` is
/// built from names even for an LV that is not active), so every use of a device (a mount, swap, a holder
/// on top of it) is tied to it by major:minor, and an LV to its device by its dm UUID
/// (`LVM-<vg uuid><lv uuid>`, dashes removed).
public struct DeviceGraph: Sendable {
    private let facts: HostFacts
    /// Where each device path leads; built with the graph.
    let topology: DeviceTopology
    private let kernelNameByMajMin: [MajorMinor: KernelName]
    private let majMinByKernelName: [KernelName: MajorMinor]
    private let dmByMajMin: [MajorMinor: HostFacts.DMDevice]
    private let dmByUUID: [DMUUID: HostFacts.DMDevice]
    /// Device to the devices directly on top of it (dm devices built on it, partitions of it, md arrays).
    private let holders: [MajorMinor: [MajorMinor]]
    /// Device to the devices directly under it: the inverse of `holders`.
    private let lowers: [MajorMinor: [MajorMinor]]

    public init(_ facts: HostFacts) {
        HostModel.builds?.built(Self.self)
        self.facts = facts
        topology = DeviceTopology(facts)
        kernelNameByMajMin = Dictionary(
            facts.blockDevices.map { ($0.majMin, $0.kname) }, uniquingKeysWith: { first, _ in first })
        majMinByKernelName = Dictionary(
            facts.blockDevices.map { ($0.kname, $0.majMin) }, uniquingKeysWith: { first, _ in first })
        dmByMajMin = Dictionary(facts.dmDevices.map { ($0.majMin, $0) }, uniquingKeysWith: { first, _ in first })
        dmByUUID = Dictionary(
            facts.dmDevices.compactMap { device in device.uuid.map { ($0, device) } },
            uniquingKeysWith: { first, _ in first })
        var holders: [MajorMinor: Set<MajorMinor>] = [:]
        let dmMajMinByName = Dictionary(
            facts.dmDevices.map { ($0.name, $0.majMin) }, uniquingKeysWith: { first, _ in first })
        for (name, dependencies) in facts.dmDependencies {
            guard let holder = dmMajMinByName[name] else { continue }
            for dependency in dependencies { holders[dependency, default: []].insert(holder) }
        }
        for device in facts.blockDevices where device.type == "part" {
            if let name = device.parent, let parent = majMinByKernelName[name] {
                holders[parent, default: []].insert(device.majMin)
            }
        }
        // The kernel's own list counts what dm does not know of: md arrays, bcache, ...
        for (device, above) in facts.holders {
            guard let lower = majMinByKernelName[device] else { continue }
            for holder in above {
                if let upper = majMinByKernelName[holder] { holders[lower, default: []].insert(upper) }
            }
        }
        self.holders = holders.mapValues { $0.sorted() }
        var lowers: [MajorMinor: Set<MajorMinor>] = [:]
        for (lower, above) in self.holders { for upper in above { lowers[upper, default: []].insert(lower) } }
        self.lowers = lowers.mapValues { $0.sorted() }
    }

    /// The major:minor of an LV's active device, found by its dm UUID; nil when the LV is not active.
    public func majMin(of lv: HostFacts.LogicalVolume) -> MajorMinor? {
        dmByUUID[DMUUID(vgUUID: lv.vgUUID, lvUUID: lv.uuid)]?.majMin
    }

    /// The major:minor a device path resolves to now (following /dev links), nil when it resolves to none.
    public func majMin(ofPath path: String) -> MajorMinor? {
        topology.kernelName(of: path).flatMap { majMinByKernelName[$0] }
    }

    /// The kernel name ("sdb", "dm-3") of a device.
    public func kernelName(of majMin: MajorMinor) -> KernelName? { kernelNameByMajMin[majMin] }

    /// The dm device with this major:minor, if it is one.
    public func dmDevice(_ majMin: MajorMinor) -> HostFacts.DMDevice? { dmByMajMin[majMin] }

    /// The devices directly on top of a device: dm devices built on it, its partitions, md arrays, sorted.
    public func holders(of majMin: MajorMinor) -> [MajorMinor] { holders[majMin] ?? [] }

    /// How many opens of an LVM device its own VG does not explain: its open count less the devices of the same VG
    /// stacked on it (a thin LV on its pool, a snapshot on the origin's `-real`, a RAID LV on its images: each opens
    /// what it sits on once). 0 for a device that is not LVM's.
    public func opensFromOutsideVG(_ majMin: MajorMinor) -> Int {
        guard let device = dmDevice(majMin), let vg = device.uuid?.lvIdentity?.vg else { return 0 }
        let stacked = holders(of: majMin).filter { dmDevice($0)?.uuid?.isLVM(ofVG: vg) == true }.count
        return max(0, device.open - stacked)
    }

    /// The devices directly under a device: a map's paths, a partition's disk, a dm device's tables, sorted.
    public func lowers(of majMin: MajorMinor) -> [MajorMinor] { lowers[majMin] ?? [] }

    /// A device and everything stacked on it, at any depth.
    public func stack(above majMin: MajorMinor) -> Set<MajorMinor> {
        var seen: Set<MajorMinor> = [majMin]
        var queue = [majMin]
        while let current = queue.popLast() {
            for holder in holders(of: current) where seen.insert(holder).inserted { queue.append(holder) }
        }
        return seen
    }

    /// A device and everything it is stacked on, at any depth.
    public func stack(below majMin: MajorMinor) -> Set<MajorMinor> {
        var seen: Set<MajorMinor> = [majMin]
        var queue = [majMin]
        while let current = queue.popLast() {
            for lower in lowers(of: current) where seen.insert(lower).inserted { queue.append(lower) }
        }
        return seen
    }

    /// The disks at the bottom of a device's stack (itself when nothing is under it).
    public func bottoms(of majMin: MajorMinor) -> Set<MajorMinor> {
        var seen: Set<MajorMinor> = [majMin], bottoms = Set<MajorMinor>()
        var queue = [majMin]
        while let current = queue.popLast() {
            let under = lowers(of: current)
            if under.isEmpty { bottoms.insert(current) }
            for lower in under where seen.insert(lower).inserted { queue.append(lower) }
        }
        return bottoms
    }

    /// The major:minor of the multipath map with this WWID, if the host has one.
    public func multipathMap(wwid: WWID) -> MajorMinor? { dmByUUID[DMUUID(multipath: wwid)]?.majMin }

    /// A human name for a device: its dm name or kernel name, with the major:minor that identifies it.
    public func describe(_ majMin: MajorMinor) -> String {
        let name =
            dmByMajMin[majMin].map { "/dev/mapper/" + $0.name } ?? kernelNameByMajMin[majMin].map(\.devicePath)
            ?? "device"
        return "\(name) (\(majMin))"
    }

    /// Device links that name a device by what it is, not where it was found: the PV UUID LVM's udev rule
    /// links (`lvm-pv-uuid-`), a dm UUID (`dm-uuid-`), a WWN/WWID or serial (`wwn-`, `scsi-`, `nvme-`, ...),
    /// an md UUID. Kernel names, by-path (the slot), dm-name and label links are not identities.
    public func identityLinks(of majMin: MajorMinor) -> [String] {
        facts.deviceLinks.compactMap { link, target -> String? in
            guard link.hasPrefix("/dev/disk/by-id/"), self.majMin(ofPath: target) == majMin else { return nil }
            let name = link.dropFirst("/dev/disk/by-id/".count)
            return Self.identityPrefixes.contains { name.hasPrefix($0) } ? link : nil
        }.sorted()
    }

    /// Links named after the hardware: a WWN, a SCSI/ATA/NVMe/virtio serial.
    static let hardwarePrefixes = ["wwn-", "scsi-", "nvme-eui.", "nvme-uuid.", "nvme-nvme.", "ata-", "virtio-"]
    static let identityPrefixes = ["lvm-pv-uuid-", "dm-uuid-", "md-uuid-"] + hardwarePrefixes
}
