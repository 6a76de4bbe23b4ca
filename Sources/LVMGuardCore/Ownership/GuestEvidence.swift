/// What ties a VG to a guest. "On a multipath map and unused" is not evidence: hosts keep storage of their own
/// on multipath maps and LUNs. Each rule below is evidence; a VG with none of it is never called a guest's.
public struct GuestEvidence: Sendable, Hashable, Codable {
    /// Rule 1, instance disk: one of the VG's PVs is a disk of a libvirt domain on this host (running, paused
    /// or only defined), or is stacked on one (a partition of it). Tied by major:minor, or by the WWID in a
    /// `dm-uuid-mpath-` source path. A defined, shut-off instance holds nothing, but its volume is a guest's.
    public let instances: [String]
    /// Rule 2, another machine's metadata: the creation hosts its LVs record (`lv_host`) that are not this host (an
    /// installer's `localhost` or an empty name never counts). The creation host is guest-written and goes stale (a
    /// renamed host, a LUN zoned to another host before): it supports a guest's claim, and alone decides only where
    /// the host's settings trust it (`lvmguard_trust_creation_host`), on attachable storage; it never makes a VG
    /// the host's.
    public let foreignCreationHosts: [String]
    /// Every creation host its LVs record, this host's included; empty when LVM records none.
    public let creationHosts: [String]
    /// The transports under its present PVs (see `Transport`).
    public let transports: [Transport]
    /// Rule 3, inside a volume: one of its PVs is an LV of a VG declared in `lvmguard_volume_vgs` (cinder's LVM
    /// backend, nova's images_type=lvm), or is stacked on one: that VG's LVs are guests' disks. "vg/lv" each.
    public var volumeLVs: [String] = []
    /// Rule 4, an exported volume: one of its PVs is a device an iSCSI target on this host exports (LIO, tgt: cinder's
    /// LVM backend), or is stacked on one: whoever logged in to the target writes it. `TargetExport.label` each.
    public var exportedBy: [String] = []
    /// The host trusts a foreign creation host alone on attachable storage (`lvmguard_trust_creation_host`).
    public var creationHostTrusted = false

    /// Every present PV is on storage a volume can be attached with.
    public var isOnAttachableStorage: Bool { !transports.isEmpty && transports.allSatisfy(\.isAttachable) }

    /// Rule 1, rule 3 or rule 4; rule 2 alone (on attachable storage) only where the host trusts creation hosts.
    public var isGuest: Bool {
        !instances.isEmpty || !volumeLVs.isEmpty || !exportedBy.isEmpty || creationHostDecides
    }

    /// A foreign creation host on attachable storage is all there is, and the host trusts it.
    public var creationHostDecides: Bool { creationHostTrusted && creationHostAlone }

    /// Another host's name in the metadata on attachable storage is all the evidence there is: a question for a
    /// person unless the host trusts creation hosts.
    public var creationHostAlone: Bool {
        instances.isEmpty && volumeLVs.isEmpty && exportedBy.isEmpty && !foreignCreationHosts.isEmpty
            && isOnAttachableStorage
    }

    /// The devices rules 1, 3 and 4 tie to a guest, with what ties each: `instanceDisks`, `volumeLVDevices`,
    /// `exportedDevices`.
    struct TiedDevices {
        let instances: [MajorMinor: Set<String>]
        let volumeLVs: [MajorMinor: Set<String>]
        let exported: [MajorMinor: Set<String>]
    }

    /// The evidence for each VG of `facts`, by VG UUID, from the devices `devices` ties to guests.
    static func collect(
        _ facts: HostFacts, graph: DeviceGraph, volumeVGs: Set<VGUUID> = [], devices: TiedDevices,
        trustCreationHost: Bool = false
    ) -> [VGUUID: GuestEvidence] {
        let (instanceDevices, volumeDevices, exportedDevices) = (devices.instances, devices.volumeLVs, devices.exported)
        var evidence: [VGUUID: GuestEvidence] = [:]
        for vg in facts.vgs {
            let pvDevices = facts.pvs.filter { $0.vgUUID == vg.uuid }.compactMap { graph.majMin(ofPath: $0.name) }
            let instances = Set(pvDevices.flatMap { instanceDevices[$0] ?? [] }).sorted()
            let creators = Set(
                facts.lvs.filter { $0.vgUUID == vg.uuid && !$0.creationHost.isEmpty }.map(\.creationHost)
            ).sorted()
            let transports = Set(pvDevices.flatMap { graph.transports(under: $0, facts: facts) }).sorted()
            evidence[vg.uuid] = GuestEvidence(
                instances: instances,
                foreignCreationHosts: creators.filter { !Self.isSameHost($0, facts.hostname) && !Self.isNoHost($0) },
                creationHosts: creators, transports: transports,
                volumeLVs: volumeVGs.contains(vg.uuid)
                    ? [] : Set(pvDevices.flatMap { volumeDevices[$0] ?? [] }).sorted(),
                exportedBy: Set(pvDevices.flatMap { exportedDevices[$0] ?? [] }).sorted(),
                creationHostTrusted: trustCreationHost)
        }
        return evidence
    }

    /// Every device that is a libvirt disk or stacked on one, with the domains ("instance-0000002a (UUID),
    /// defined") whose disk it is. A disk whose source may name another device by now ties nothing
    /// (`LibvirtDisk.namesDeviceStably`).
    static func instanceDisks(_ facts: HostFacts, graph: DeviceGraph) -> [MajorMinor: Set<String>] {
        var devices: [MajorMinor: Set<String>] = [:]
        for disk in facts.libvirtDisks where disk.namesDeviceStably {
            var roots = Set([graph.majMin(ofPath: disk.source)].compactMap { $0 })
            if let range = disk.source.range(of: "dm-uuid-mpath-"),
                let wwid = WWID(disk.source[range.upperBound...]), let map = graph.multipathMap(wwid: wwid)
            {
                roots.insert(map)
            }
            let label = "\(disk.domainLabel)" + (disk.state == .defined ? ", defined" : "")
            for root in roots { for device in graph.stack(above: root) { devices[device, default: []].insert(label) } }
        }
        return devices
    }

    /// Every device that is an LV of a volume VG (by VG UUID) or stacked on one, with the LVs ("vg/lv") under it.
    static func volumeLVDevices(_ facts: HostFacts, graph: DeviceGraph, volumeVGs: Set<VGUUID>)
        -> [MajorMinor: Set<String>]
    {
        var devices: [MajorMinor: Set<String>] = [:]
        for lv in facts.lvs where volumeVGs.contains(lv.vgUUID) {
            guard !lv.dmPath.isEmpty, let root = graph.majMin(ofPath: lv.dmPath) else { continue }
            for device in graph.stack(above: root) { devices[device, default: []].insert("\(lv.vgName)/\(lv.name)") }
        }
        return devices
    }

    /// Every device an iSCSI target exports, or this host's own attachment of it over iSCSI (a converged node), or
    /// stacked on either, with the exports ("iSCSI target … LUN 1 (LIO)").
    static func exportedDevices(_ facts: HostFacts, graph: DeviceGraph) -> [MajorMinor: Set<String>] {
        var devices: [MajorMinor: Set<String>] = [:]
        for export in facts.targetExports {
            let attached = TargetExports.attachments(of: export, facts: facts).map(\.devicePath)
            for root in ([export.device] + attached).compactMap(graph.majMin(ofPath:)) {
                for device in graph.stack(above: root) { devices[device, default: []].insert(export.label) }
            }
        }
        return devices
    }

    /// Whether a recorded creation host names no host: an installer's or a provisioning ramdisk's (`localhost`,
    /// `localhost.localdomain`, `(none)`), or nothing.
    static func isNoHost(_ recorded: String) -> Bool {
        let first = recorded.split(separator: ".").first.map { $0.lowercased() } ?? ""
        return ["", "localhost", "localhost4", "localhost6", "(none)"].contains(first)
    }

    /// Whether a recorded creation host names this host: the same first DNS label, any case.
    static func isSameHost(_ recorded: String, _ hostname: String) -> Bool {
        let first: (String) -> Substring = { $0.split(separator: ".").first ?? Substring($0) }
        return first(recorded).lowercased() == first(hostname).lowercased()
    }
}
