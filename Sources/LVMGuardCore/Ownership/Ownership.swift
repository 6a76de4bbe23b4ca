/// Who owns each VG on a host: the host, a guest, or nobody can tell (then a person must say).
///
/// Host-owned: a VG one of whose LVs the host uses (mounted, swap, a libvirt disk, or carrying a dm-crypt,
/// VDO, LV-as-PV or any other device stacked on it), an LV or VG named on the kernel command line, a VG listed
/// in `lvmguard_host_vgs` (by name or UUID), or a PV on a device in the policy's `accept` list.
/// Guest: a VG the host does not use and that `GuestEvidence` ties to a guest (an instance's disk, or
/// another machine's metadata on attachable storage).
/// A question for a person: host use and guest evidence together (`inUseGuestVGs`), a VG made on this host
/// (or by nobody known) on attachable storage that nothing uses or ties to an instance (`unclaimedVGs`), a VG
/// with an open LV that nothing explains, and any other VG (`ambiguousVGs`).
/// Every tie is by identity (dm UUID, major:minor, VG UUID): a guest may reuse the host's VG and LV names.
public struct Ownership: Sendable {
    public struct HostVG: Sendable, Hashable, Codable {
        public let name: String
        public let uuid: VGUUID
        public let reasons: [String]
    }

    public struct GuestVG: Sendable, Hashable, Codable {
        public let name: String
        public let uuid: VGUUID
        public let storage: [DeviceTopology.Storage]
        /// What makes it a guest's.
        public var evidence: GuestEvidence? = nil
        /// PVs present, and PVs its metadata lists: a VG striped over volumes not all attached is partial.
        public var pvsPresent: Int? = nil
        public var pvCount: Int? = nil

        /// "partial: 1 of 2 PVs present" for a VG with PVs missing; nil otherwise.
        public var partial: String? {
            guard let present = pvsPresent, let count = pvCount, present < count else { return nil }
            return "partial: \(present) of \(count) PVs present"
        }
    }

    /// A VG the host uses that also carries guest evidence: a guest's volume the host mounted, or a host VG
    /// whose metadata another machine wrote. Never guessed: a person says whose it is.
    public struct InUseGuestVG: Sendable, Hashable, Codable {
        public let name: String
        public let uuid: VGUUID
        /// How the host uses it.
        public let uses: [String]
        public let evidence: GuestEvidence
    }

    /// A VG on attachable storage that nothing on the host uses and no guest evidence claims, made on this host
    /// or by a host LVM did not record: a host's backup VG on a LUN looks exactly like this.
    public struct UnclaimedVG: Sendable, Hashable, Codable {
        public let name: String
        public let uuid: VGUUID
        public let storage: [DeviceTopology.Storage]
        public let creationHosts: [String]
        /// Other hosts' names among them: alone, not enough (`GuestEvidence.creationHostAlone`).
        public var foreignCreationHosts: [String] = []
    }

    public struct AmbiguousVG: Sendable, Hashable, Codable {
        public let name: String
        public let uuid: VGUUID
        public let pvs: [String]
        /// Open LVs nothing explains; empty when the VG is ambiguous only for lack of any use.
        public var openLVs: [OpenLV] = []
        /// Kernel command line references that name it by name only, with no use behind them.
        public var bootNames: [String] = []
    }

    /// A VG of another host's LVM (a system ID not this host's: HA-LVM's failover VG while the other node holds
    /// it) or shared through lvmlockd, not declared: lvmguard cannot see whether this host takes it over.
    public struct ForeignVG: Sendable, Hashable, Codable {
        public let name: String
        public let uuid: VGUUID
        public let pvs: [String]
        /// The VG's system ID, "" when it has none.
        public let systemID: String
        /// This host's system ID, "" when it sets none, nil when it could not be read.
        public let hostSystemID: String?
        /// lvmlockd's lock type for a shared VG, "" otherwise.
        public let lockType: String
    }

    /// An LV that is open while nothing lvmguard sees explains it.
    public struct OpenLV: Sendable, Hashable, Codable {
        public let name: String
        public let uuid: LVUUID
        public let openCount: Int
    }

    /// A kernel command line reference by name (`rd.lvm.lv=centos/swap`) to a VG the host uses no LV of: a leftover
    /// (the LV was removed since) or a guest's VG of the same name. A name is not ownership.
    public struct BootNameWithoutUse: Sendable, Hashable, Codable {
        public let reference: String
        public let vgName: String
        public let vgUUID: VGUUID
    }

    /// A defined, not running instance whose disk source is a kernel name, which a reboot may have given to another
    /// device: not evidence. `pvs`: the PVs under or over the device the name is now.
    public struct StaleInstanceDisk: Sendable, Hashable, Codable {
        public let disk: HostFacts.LibvirtDisk
        public let pvs: [String]
    }

    /// A kernel command line reference (`rd.lvm.lv=vg0/data`) that names several VGs identity cannot choose between.
    public struct BootReferenceConflict: Sendable, Hashable, Codable {
        public let reference: String
        /// The VGs it could name, sorted.
        public let vgUUIDs: [VGUUID]
    }

    /// A device with the /dev/disk/by-id links that identify it (WWN, serial, dm UUID).
    public struct IdentifiedDevice: Sendable, Hashable, Codable {
        public let path: String
        public let identities: [String]
    }

    /// One PV UUID on several devices, each with what identifies it.
    public struct DuplicatedPV: Sendable, Hashable, Codable {
        public let uuid: PVUUID
        public let devices: [IdentifiedDevice]
    }

    /// A host PV and the names that identify it, for the filter.
    public struct HostPV: Sendable, Hashable, Codable {
        /// The name LVM reports.
        public let name: String
        public let uuid: PVUUID
        /// The kernel name now ("sdb", "dm-3"); it may be another device's after a reboot.
        public let kernelName: KernelName?
        public let isDeviceMapper: Bool
        /// /dev/disk/by-id links that name the device by identity (see `DeviceGraph.identityLinks`).
        public let identityLinks: [String]

        /// The disk has a WWN or serial of its own (a `wwn-`, `scsi-`, `nvme-`, `ata-` or `virtio-` link), which
        /// the devices file can record instead of its kernel name.
        public var hasHardwareIdentity: Bool {
            identityLinks.contains { link in
                DeviceGraph.hardwarePrefixes.contains { link.hasPrefix("/dev/disk/by-id/" + $0) }
            }
        }
    }

    public let hostVGs: [HostVG]
    public let guestVGs: [GuestVG]
    public let ambiguousVGs: [AmbiguousVG]
    /// VGs of another host or shared, not declared: questions for a person.
    public var foreignVGs: [ForeignVG] = []
    public let inUseGuestVGs: [InUseGuestVG]
    /// PV UUIDs LVM found on more than one device (a cloned image): no name or PV UUID link tells them apart.
    public let duplicatePVs: [DuplicatedPV]
    /// PV UUIDs on several devices that are all one volume this host exports and is logged in to itself (a converged
    /// cinder node): the exported LV and its iSCSI attachment. Not a clone: the guest's, on every path.
    public var exportedVolumesSeenTwice: [VolumeSeenTwice] = []

    /// One exported volume's PV on the volume itself and on this host's attachment of it.
    public struct VolumeSeenTwice: Sendable, Hashable, Codable {
        public let uuid: PVUUID
        public let devices: [String]
        /// `TargetExport.label`.
        public let export: String
    }
    public let unclaimedVGs: [UnclaimedVG]
    /// The host's PVs with their identities, sorted by name.
    public let hostPVDevices: [HostPV]
    /// Device paths of the host's own PVs (as LVM names them), sorted.
    public var hostPVs: [String] { hostPVDevices.map(\.name) }
    /// Names in `lvmguard_host_vgs` that match more than one VG.
    public let ambiguousDeclarations: [String]
    /// Names in `lvmguard_host_vgs` that match no VG.
    public let missingDeclarations: [String]
    /// The same for `lvmguard_volume_vgs`.
    public var ambiguousVolumeDeclarations: [String] = []
    public var missingVolumeDeclarations: [String] = []
    /// Kernel command line references that name more than one VG and that identity could not resolve.
    public let ambiguousBootReferences: [BootReferenceConflict]
    /// Kernel command line references by name to a VG the host does not use: not taken as ownership.
    public var bootNamesWithoutUse: [BootNameWithoutUse] = []
    /// Disks of defined instances named by kernel name over a device that carries a PV: not taken as evidence.
    public var staleInstanceDisks: [StaleInstanceDisk] = []
    /// Devices evidence ties to a guest without reading them: instance disks (by a stable identity), devices this
    /// host exports, LVs of declared volume VGs, and everything stacked on them. What is on a dead map is judged
    /// by this alone.
    public var guestTiedDevices: Set<MajorMinor> = []

    /// `volumeVGs`: `lvmguard_volume_vgs`, VGs (by name or UUID) that are the host's and whose LVs are guests' disks.
    /// `trustCreationHost`: `lvmguard_trust_creation_host`, a foreign creation host alone on attachable storage decides.
    /// In three steps: what the host does with each VG and what a person declared (`Claims`), the guest evidence,
    /// then one verdict per VG filed into the lists (`Filing`).
    public init(
        model: HostModel, declaredVGs: [String], accept: [AcceptRule], volumeVGs: [String] = [],
        trustCreationHost: Bool = false
    ) {
        let (facts, graph) = (model.facts, model.graph)
        let claims = Claims(model: model, declaredVGs: declaredVGs, accept: accept, volumeVGs: volumeVGs)
        let exported = GuestEvidence.exportedDevices(facts, graph: graph)
        let instanceDevices = GuestEvidence.instanceDisks(facts, graph: graph)
        let volumeDevices = GuestEvidence.volumeLVDevices(facts, graph: graph, volumeVGs: claims.volumes.uuids)
        let evidence = GuestEvidence.collect(
            facts, graph: graph, volumeVGs: claims.volumes.uuids,
            devices: .init(instances: instanceDevices, volumeLVs: volumeDevices, exported: exported),
            trustCreationHost: trustCreationHost)

        var filing = Filing()
        for pv in facts.pvs where pv.vgUUID == nil && Self.matches(accept, model.topology.aliases(of: pv.name)) {
            filing.hostPVs.insert(pv.name)
        }
        for vg in facts.vgs.sorted(by: { ($0.name, $0.uuid) < ($1.name, $1.uuid) }) {
            let verdict = Self.verdict(
                hostUse: claims.reasons[vg.uuid], declared: claims.declared.contains(vg.uuid),
                evidence: evidence[vg.uuid], unexplainedOpen: claims.use.unexplainedOpen[vg.uuid],
                anotherHostsOrShared: facts.belongsToAnotherHost(vg) || vg.isShared)
            filing.file(verdict, for: vg, model: model, bootNamesWithoutUse: claims.boot.withoutUse)
        }
        hostVGs = filing.hostVGs
        guestVGs = filing.guestVGs
        ambiguousVGs = filing.ambiguousVGs
        foreignVGs = filing.foreign
        inUseGuestVGs = filing.inUse
        unclaimedVGs = filing.unclaimed
        hostPVDevices = Self.identified(hostPVs: filing.hostPVs, facts: facts, graph: graph)
        (duplicatePVs, exportedVolumesSeenTwice) = Self.duplicates(facts, graph: graph, exported: exported)
        guestTiedDevices = Set(instanceDevices.keys).union(volumeDevices.keys).union(exported.keys)
        ambiguousDeclarations = claims.hosts.ambiguous
        missingDeclarations = claims.hosts.missing
        ambiguousVolumeDeclarations = claims.volumes.ambiguous
        missingVolumeDeclarations = claims.volumes.missing
        ambiguousBootReferences = claims.boot.ambiguous
        bootNamesWithoutUse = claims.boot.withoutUse
        staleInstanceDisks = Self.staleInstanceDisks(facts, graph: graph)
    }

    /// What the host does with each VG (its LVs' uses, kernel command line references) and what a person declared
    /// (`lvmguard_host_vgs`, `lvmguard_volume_vgs`, the policy's accept list): the reasons a VG is the host's.
    struct Claims {
        let use: LVUse
        let boot: (reasons: [VGUUID: [String]], ambiguous: [BootReferenceConflict], withoutUse: [BootNameWithoutUse])
        let hosts: (uuids: Set<VGUUID>, missing: [String], ambiguous: [String])
        let volumes: (uuids: Set<VGUUID>, missing: [String], ambiguous: [String])
        /// Per VG: why it is the host's, uses and declarations alike.
        private(set) var reasons: [VGUUID: [String]]
        /// VGs a person's word settles (declared, or with a PV on the accept list): evidence does not outweigh it.
        private(set) var declared: Set<VGUUID>

        init(model: HostModel, declaredVGs: [String], accept: [AcceptRule], volumeVGs: [String]) {
            let facts = model.facts
            use = LVUse(facts: facts, graph: model.graph)
            reasons = use.reasons
            boot = Ownership.bootReferences(facts: facts, graph: model.graph, usedVGs: Set(use.reasons.keys))
            for (uuid, why) in boot.reasons { reasons[uuid, default: []] += why }
            hosts = Ownership.resolve(declaredVGs, in: facts)
            volumes = Ownership.resolve(volumeVGs, in: facts)
            for uuid in hosts.uuids { reasons[uuid, default: []].append("declared in lvmguard_host_vgs") }
            for uuid in volumes.uuids {
                reasons[uuid, default: []].append("declared in lvmguard_volume_vgs: its LVs are guests' disks")
            }
            declared = hosts.uuids.union(volumes.uuids)
            for pv in facts.pvs where Ownership.matches(accept, model.topology.aliases(of: pv.name)) {
                guard let vgUUID = pv.vgUUID else { continue }
                reasons[vgUUID, default: []].append("PV \(pv.name) is in the policy's accept list")
                declared.insert(vgUUID)
            }
        }
    }

    /// The lists the verdicts are filed into, VG by VG.
    struct Filing {
        var hostVGs: [HostVG] = [], guestVGs: [GuestVG] = [], ambiguousVGs: [AmbiguousVG] = []
        var inUse: [InUseGuestVG] = [], unclaimed: [UnclaimedVG] = [], foreign: [ForeignVG] = []
        /// Device paths of the host's PVs (as LVM names them).
        var hostPVs = Set<String>()

        mutating func file(
            _ verdict: Verdict, for vg: HostFacts.VolumeGroup, model: HostModel,
            bootNamesWithoutUse: [BootNameWithoutUse]
        ) {
            let facts = model.facts
            // A missing PV (a volume not attached) has no device: the VG is judged by the PVs present.
            let pvs = facts.pvs.filter { $0.vgUUID == vg.uuid && model.graph.majMin(ofPath: $0.name) != nil }
            let storage = pvs.map { model.topology.storage(of: $0.name) }
            switch verdict {
            case let .host(why):
                hostVGs.append(HostVG(name: vg.name, uuid: vg.uuid, reasons: why))
                // A missing PV has no device to accept: the current filter's rule for it is kept (`FilterEdit`).
                hostPVs.formUnion(facts.pvs.filter { $0.vgUUID == vg.uuid && !$0.isMissing }.map(\.name))
            case let .guest(found):
                guestVGs.append(
                    GuestVG(
                        name: vg.name, uuid: vg.uuid, storage: storage, evidence: found,
                        pvsPresent: pvs.count, pvCount: vg.pvCount ?? pvs.count))
            case let .usedByHostWithGuestEvidence(why, found):
                inUse.append(InUseGuestVG(name: vg.name, uuid: vg.uuid, uses: why, evidence: found))
            case let .unclaimedOnAttachableStorage(found):
                unclaimed.append(
                    UnclaimedVG(
                        name: vg.name, uuid: vg.uuid, storage: storage, creationHosts: found.creationHosts,
                        foreignCreationHosts: found.foreignCreationHosts))
            case let .unexplainedOpenLVs(open):
                ambiguousVGs.append(
                    AmbiguousVG(name: vg.name, uuid: vg.uuid, pvs: pvs.map(\.name).sorted(), openLVs: open))
            case .anotherHostsOrShared:
                foreign.append(
                    ForeignVG(
                        name: vg.name, uuid: vg.uuid,
                        pvs: facts.pvs.filter { $0.vgUUID == vg.uuid }.map(\.name).sorted(), systemID: vg.systemID,
                        hostSystemID: facts.systemID, lockType: vg.lockType))
            case .unclassified:
                ambiguousVGs.append(
                    AmbiguousVG(
                        name: vg.name, uuid: vg.uuid, pvs: pvs.map(\.name).sorted(),
                        bootNames: bootNamesWithoutUse.filter { $0.vgUUID == vg.uuid }.map(\.reference)))
            }
        }
    }

    /// The host's PVs, by name, with their identities, sorted by name.
    static func identified(hostPVs: Set<String>, facts: HostFacts, graph: DeviceGraph) -> [HostPV] {
        hostPVs.sorted().compactMap { name in
            guard let uuid = facts.pvs.first(where: { $0.name == name })?.uuid else { return nil }
            let majMin = graph.majMin(ofPath: name)
            return HostPV(
                name: name, uuid: uuid, kernelName: majMin.flatMap(graph.kernelName(of:)),
                isDeviceMapper: majMin.flatMap(graph.dmDevice) != nil,
                identityLinks: majMin.map(graph.identityLinks(of:)) ?? [])
        }
    }

    /// PV UUIDs on several devices: clones, each device with its identities; and, apart, one exported volume seen on
    /// itself and on this host's attachment of it (every device carries the same export).
    static func duplicates(_ facts: HostFacts, graph: DeviceGraph, exported: [MajorMinor: Set<String>]) -> (
        clones: [DuplicatedPV], seenTwice: [VolumeSeenTwice]
    ) {
        var clones: [DuplicatedPV] = [], seenTwice: [VolumeSeenTwice] = []
        for duplicate in facts.duplicatePVs {
            let labels = duplicate.devices.map { graph.majMin(ofPath: $0).flatMap { exported[$0] } ?? [] }
            if let common = labels.dropFirst().reduce(labels.first ?? [], { $0.intersection($1) }).min() {
                seenTwice.append(.init(uuid: duplicate.uuid, devices: duplicate.devices, export: common))
                continue
            }
            clones.append(
                DuplicatedPV(
                    uuid: duplicate.uuid,
                    devices: duplicate.devices.map { path in
                        IdentifiedDevice(
                            path: path, identities: graph.majMin(ofPath: path).map(graph.identityLinks(of:)) ?? [])
                    }))
        }
        return (clones, seenTwice)
    }

    /// Whose a VG is: the host's, a guest's, or a question for a person (the last four cases). Every list in
    /// `Ownership`, and so every decision of the plan, is this verdict per VG.
    public enum Verdict: Sendable, Hashable {
        /// The host uses it, or a person said it is the host's.
        case host(reasons: [String])
        /// Nothing on the host uses it and evidence ties it to a guest.
        case guest(GuestEvidence)
        /// The host uses it and evidence ties it to a guest: a guest's volume the host mounted, or a host VG whose
        /// metadata another machine wrote.
        case usedByHostWithGuestEvidence(uses: [String], evidence: GuestEvidence)
        /// On attachable storage, unused, made here or by nobody known: a host's backup VG on a LUN looks like this.
        case unclaimedOnAttachableStorage(GuestEvidence)
        /// Open LVs that nothing lvmguard sees explains.
        case unexplainedOpenLVs([OpenLV])
        /// Another host's (its system ID) or shared through lvmlockd, and not declared.
        case anotherHostsOrShared
        /// No use, no evidence, no declaration.
        case unclassified
    }

    /// The verdict for one VG, from what the host does with it (`hostUse`: uses, kernel command line references,
    /// declarations), whether a person declared it, the guest evidence, and its open LVs nothing explains. A person's
    /// word settles a VG; evidence never outweighs it, and never outweighs a use without a person saying so.
    public static func verdict(
        hostUse: [String]?, declared: Bool, evidence: GuestEvidence?, unexplainedOpen: [OpenLV]?,
        anotherHostsOrShared: Bool = false
    ) -> Verdict {
        if let hostUse {
            if let evidence, evidence.isGuest, !declared {
                return .usedByHostWithGuestEvidence(uses: hostUse, evidence: evidence)
            }
            return .host(reasons: hostUse)
        }
        if anotherHostsOrShared { return .anotherHostsOrShared }
        if let unexplainedOpen { return .unexplainedOpenLVs(unexplainedOpen) }
        if let evidence, evidence.isGuest { return .guest(evidence) }
        if let evidence, evidence.isOnAttachableStorage { return .unclaimedOnAttachableStorage(evidence) }
        return .unclassified
    }

    /// Declared VG names or UUIDs resolved against the host's VGs: the UUIDs they name, the names that match no VG, and
    /// the names several VGs carry (which declare nothing until given as a UUID).
    static func resolve(_ names: [String], in facts: HostFacts) -> (
        uuids: Set<VGUUID>, missing: [String], ambiguous: [String]
    ) {
        var uuids = Set<VGUUID>(), missing: [String] = [], ambiguous: [String] = []
        for name in names {
            let matches = facts.vgs.filter { $0.uuid == VGUUID(name) || $0.name == name }
            if matches.isEmpty { missing.append(name) }
            if matches.count > 1 { ambiguous.append(name) } else { uuids.formUnion(matches.map(\.uuid)) }
        }
        return (uuids, missing, ambiguous)
    }

    /// Ties the kernel command line's LVM references to VGs. A device path (`root=/dev/mapper/vg-lv`) is
    /// resolved to the device it is now, by major:minor. A name (`rd.lvm.lv=vg/lv`, `rd.lvm.vg=vg`, or a path
    /// of an LV that is not active) matching several VGs goes to the one the host is seen using, by identity,
    /// when exactly one is; otherwise it is reported as ambiguous.
    static func bootReferences(facts: HostFacts, graph: DeviceGraph, usedVGs: Set<VGUUID>)
        -> (reasons: [VGUUID: [String]], ambiguous: [BootReferenceConflict], withoutUse: [BootNameWithoutUse])
    {
        let references = KernelCommandLine.lvmReferences(facts.cmdline)
        var reasons: [VGUUID: [String]] = [:], ambiguous: [BootReferenceConflict] = []
        var withoutUse: [BootNameWithoutUse] = []
        // By name only: it counts for a VG the host uses; a name alone never makes a VG the host's.
        func resolve(_ reference: String, _ vgUUIDs: [VGUUID], _ why: String) {
            let unique = Array(Set(vgUUIDs)).sorted()
            if unique.count == 1 {
                if usedVGs.contains(unique[0]) {
                    reasons[unique[0], default: []].append(why)
                } else {
                    let name = facts.vgs.first { $0.uuid == unique[0] }?.name ?? ""
                    withoutUse.append(BootNameWithoutUse(reference: reference, vgName: name, vgUUID: unique[0]))
                }
                return
            }
            let used = unique.filter(usedVGs.contains)
            if used.count == 1 {
                reasons[used[0], default: []].append(why + " (the VG of that name the host uses)"); return
            }
            if unique.count > 1 {
                ambiguous.append(BootReferenceConflict(reference: reference, vgUUIDs: unique))
            }
        }
        let byDevice = Dictionary(
            facts.lvs.compactMap { lv in graph.majMin(of: lv).map { ($0, lv) } },
            uniquingKeysWith: { first, _ in first })
        for name in references.lvs.sorted() {
            let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            resolve(
                "rd.lvm.lv=\(name)", facts.lvs.filter { $0.vgName == parts[0] && $0.name == parts[1] }.map(\.vgUUID),
                "LV \(parts[1]) is named on the kernel command line (rd.lvm.lv)")
        }
        for name in references.vgs.sorted() {
            resolve(
                "rd.lvm.vg=\(name)", facts.vgs.filter { $0.name == name }.map(\.uuid),
                "VG is named on the kernel command line (rd.lvm.vg)")
        }
        for path in references.devices {
            if let device = graph.majMin(ofPath: path), let lv = byDevice[device] {
                reasons[lv.vgUUID, default: []].append("LV \(lv.name) is named on the kernel command line (\(path))")
            } else if let (vg, lv) = LVPath.names(path) {
                resolve(
                    path, facts.lvs.filter { $0.vgName == vg && $0.name == lv }.map(\.vgUUID),
                    "LV \(lv) is named on the kernel command line (\(path))")
            }
        }
        return (reasons, ambiguous, withoutUse)
    }

    /// Disks of defined instances whose kernel-name source is now a device with PVs on it or under it.
    static func staleInstanceDisks(_ facts: HostFacts, graph: DeviceGraph) -> [StaleInstanceDisk] {
        facts.libvirtDisks.filter { !$0.namesDeviceStably }.compactMap { disk in
            guard let device = graph.majMin(ofPath: disk.source) else { return nil }
            let related = graph.stack(above: device).union(graph.stack(below: device))
            let pvs = facts.pvs.filter { pv in graph.majMin(ofPath: pv.name).map(related.contains) ?? false }
            return pvs.isEmpty ? nil : StaleInstanceDisk(disk: disk, pvs: pvs.map(\.name).sorted())
        }.sorted { $0.disk < $1.disk }
    }

    private static func matches(_ rules: [AcceptRule], _ names: [String]) -> Bool {
        rules.contains { rule in
            switch rule {
            case let .path(path): return names.contains(path)
            case let .regex(pattern):
                guard let regex = try? Regex(pattern) else { return false }
                return names.contains { (try? regex.firstMatch(in: $0)) != nil }
            }
        }
    }
}

/// VG and LV names from an LV's device path: `/dev/VG/LV` or `/dev/mapper/VG-LV` (a `-` in a name doubled).
enum LVPath {
    static func names(_ path: String) -> (vg: String, lv: String)? {
        if path.hasPrefix("/dev/mapper/") {
            let name = Array(path.dropFirst("/dev/mapper/".count))
            var index = 0
            while index < name.count {
                if name[index] == "-" {
                    if index + 1 < name.count, name[index + 1] == "-" { index += 2; continue }
                    let vg = String(name[..<index]).replacingOccurrences(of: "--", with: "-")
                    let lv = String(name[(index + 1)...]).replacingOccurrences(of: "--", with: "-")
                    return vg.isEmpty || lv.isEmpty ? nil : (vg, lv)
                }
                index += 1
            }
            return nil
        }
        let parts = path.split(separator: "/")
        guard parts.count == 3, parts[0] == "dev", !["disk", "mapper"].contains(parts[1]) else { return nil }
        return (String(parts[1]), String(parts[2]))
    }
}

/// What the kernel command line says about LVM: `rd.lvm.lv=vg/lv`, `rd.lvm.vg=vg`, `root=`, `resume=`.
public enum KernelCommandLine {
    public static func lvmReferences(_ cmdline: String) -> (lvs: Set<String>, vgs: Set<String>, devices: [String]) {
        var lvs = Set<String>(), vgs = Set<String>(), devices: [String] = []
        for word in cmdline.split(separator: " ") {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "rd.lvm.lv": lvs.insert(parts[1])
            case "rd.lvm.vg": vgs.insert(parts[1])
            case "root", "resume", "rd.lvm.root":
                if parts[1].hasPrefix("/dev/") { devices.append(parts[1]) }
            default: break
            }
        }
        return (lvs, vgs, devices)
    }
}
