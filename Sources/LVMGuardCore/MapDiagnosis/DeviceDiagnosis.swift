/// `lvmguard diagnose --device`: why host LVM refuses (or sees) one device, for the day-two question "pvcreate
/// says excluded by a filter". Read-only, from one gather: the device's names, what it is (a PV of which VG, an
/// instance's disk), the rule in force that decides, and, for a disk nobody declared, the declaration that
/// lets the next apply accept it.
public struct DeviceDiagnosis: Sendable, Codable {
    public enum Verdict: String, Sendable, Codable {
        /// The filter or devices file refuses it and nothing says it is a guest's: declare it to use it.
        case refusedUndeclared = "refused-undeclared"
        /// Declared (`lvmguard_accept` or `filter.accept`) but the filter in force predates it: run apply.
        case declaredNotApplied = "declared-not-applied"
        /// Host LVM sees it.
        case accepted
        /// An instance's disk, or a PV of a guest's VG: refused on purpose; never declare it.
        case guestDevice = "guest-device"
        /// A rule lvmguard cannot evaluate decides: read the filter by hand.
        case undetermined
        /// No device on the host has that name.
        case notFound = "not-found"
    }

    public var format = "lvmguard-device-diagnosis"
    public var version = 1
    public let host: String
    /// The device as the SRE named it.
    public let device: String
    public let verdict: Verdict
    /// Every name LVM knows the device by (kernel name, /dev/mapper, /dev/disk links), sorted.
    public let names: [String]
    /// How the device reaches the host: "local", "iscsi", ... (the disks at the bottom of its stack).
    public let storage: [Transport]
    /// The VG the device is a PV of, with whose it is: "nova (UUID), a host VG".
    public let pvOf: String?
    /// The libvirt domains whose disk it is, or is stacked on or under.
    public let instances: [HostFacts.LibvirtDisk]
    /// The setting and rule in force that decides whether host LVM sees it.
    public let decidedBy: String?
    /// For a device to declare: the stable name to put in `lvmguard_accept`.
    public let declareAs: String?
}

extension DeviceDiagnosis {
    /// The diagnosis of `device` on `host` from its gathered facts and the plan made from them: pure.
    public static func analyze(_ device: String, host: HostSettings, facts: HostFacts, desired: DesiredState)
        -> DeviceDiagnosis
    {
        let model = HostModel(facts)
        let plan = Planner.plan(host, model: model, desired: desired)
        let graph = model.graph
        guard let majMin = graph.majMin(ofPath: device) else {
            return DeviceDiagnosis(
                host: host.name, device: device, verdict: .notFound, names: [], storage: [], pvOf: nil,
                instances: [], decidedBy: nil, declareAs: nil)
        }
        let names = Self.names(of: majMin, graph: graph)
        let pv = facts.pvs.first { graph.majMin(ofPath: $0.name) == majMin }
        let guestVGUUIDs = Set(plan.ownership?.guestVGs.map(\.uuid) ?? [])
        let hostVGUUIDs = Set(plan.ownership?.hostVGs.map(\.uuid) ?? [])
        let pvOf = pv.map { pv in
            let whose =
                pv.vgUUID.map(guestVGUUIDs.contains) == true
                ? "a guest's VG"
                : pv.vgUUID.map(hostVGUUIDs.contains) == true ? "a host VG" : "a VG lvmguard did not place"
            guard let vgUUID = pv.vgUUID else { return "no VG (an orphan PV)" }
            return "\(pv.vgName) (\(vgUUID)), \(whose)"
        }
        // An instance's disk is the device or under it (a partition, a guest LV inside it), or on top of it with
        // nothing of the host's between (a path of the instance's multipath map). A host VG's PV under an
        // instance's disk LV (nova's images_type=lvm) stays the host's.
        let isHostPV = pv?.vgUUID.map { !guestVGUUIDs.contains($0) } ?? false
        let under = graph.stack(below: majMin)
        let related = isHostPV ? under : graph.stack(above: majMin).union(under)
        let instances = Set(
            facts.libvirtDisks.filter { disk in graph.majMin(ofPath: disk.source).map(related.contains) ?? false }
        ).sorted()
        let filter = FilterVerdict.inForce(names: names, pvUUID: pv?.uuid, facts: facts)
        let verdict: Verdict
        if !instances.isEmpty || pv?.vgUUID.map(guestVGUUIDs.contains) == true {
            verdict = .guestDevice
        } else {
            switch filter.outcome {
            case .accepted: verdict = .accepted
            case .undetermined: verdict = .undetermined
            case .refused:
                let rules = desired.filter.accept + host.accept
                verdict = declared(names, by: rules) ? .declaredNotApplied : .refusedUndeclared
            }
        }
        return DeviceDiagnosis(
            host: host.name, device: device, verdict: verdict, names: names,
            storage: graph.transports(under: majMin, facts: facts).sorted(), pvOf: pvOf, instances: instances,
            decidedBy: filter.decidedBy,
            declareAs: verdict == .refusedUndeclared ? stableName(names, kernelName: graph.kernelName(of: majMin)) : nil
        )
    }

    /// The device's kernel name, its /dev/mapper name, and every gathered link that resolves to it.
    static func names(of majMin: MajorMinor, graph: DeviceGraph) -> [String] {
        guard let kernel = graph.kernelName(of: majMin) else { return [] }
        var names = Set(graph.topology.aliases(of: kernel.devicePath))
        if let dm = graph.dmDevice(majMin) { names.insert("/dev/mapper/" + dm.name) }
        return names.sorted()
    }

    /// Whether the host's `lvmguard_accept` or the playbook's `filter.accept` names the device.
    static func declared(_ names: [String], by rules: [AcceptRule]) -> Bool {
        rules.contains { rule in
            switch rule {
            case let .path(path): names.contains(path)
            case let .regex(pattern): names.contains { FilterVerdict.matches(pattern, $0) == true }
            }
        }
    }

    /// The name that stays the device's across reboots and rescans: its hardware identity (WWN first), then a
    /// dm UUID; the kernel name only when it has none (with a warning in the rendering).
    static func stableName(_ names: [String], kernelName: KernelName?) -> String? {
        let order = ["wwn-", "nvme-eui.", "nvme-uuid.", "scsi-", "nvme-nvme.", "ata-", "virtio-", "dm-uuid-"]
        for prefix in order {
            if let name = names.first(where: { $0.hasPrefix("/dev/disk/by-id/" + prefix) }) { return name }
        }
        return kernelName?.devicePath
    }
}
