/// Decision: which guest VGs to deactivate, LV by LV and by UUID, with the maps, WWIDs and instances they sit
/// on. An open guest LV is never deactivated (it is reported); with `deactivate_guest_vgs: false` none is.
enum GuestDeactivations {
    struct Result: Sendable {
        var deactivations: [HostPlan.Deactivation] = []
        /// Open guest LVs, as "vg/lv (uuid)".
        var openLVs: [String] = []
        var found = PlanFindings()
    }

    static func plan(_ ownership: Ownership, facts: HostFacts, topology: DeviceTopology, deactivate: Bool) -> Result {
        var result = Result()
        for guest in ownership.guestVGs {
            let active = facts.lvs.filter { $0.vgUUID == guest.uuid && $0.isActive }
            guard !active.isEmpty else { continue }
            guard deactivate else {
                result.found.warnings.append(.guestVGKeptActive(name: guest.name, uuid: guest.uuid))
                continue
            }
            var maps: [String] = [], wwids: [WWID] = []
            for storage in guest.storage {
                if case let .multipath(map, wwid) = storage { maps.append(map); wwids.append(wwid) }
            }
            let lvs = active.sorted { $0.name < $1.name }.map {
                HostPlan.Deactivation.LV(name: $0.name, uuid: $0.uuid, open: $0.isOpen)
            }
            result.openLVs += lvs.filter(\.open).map { "\(guest.name)/\($0.name) (\($0.uuid))" }
            result.deactivations.append(
                HostPlan.Deactivation(
                    vgName: guest.name, vgUUID: guest.uuid, lvs: lvs,
                    pvs: facts.pvs.filter { $0.vgUUID == guest.uuid }.map(\.name).sorted(),
                    multipathMaps: maps.sorted(), wwids: wwids.sorted(),
                    instances: instances(on: maps, wwids: wwids, facts: facts, topology: topology)))
        }
        result.found.warnings += result.openLVs.map(HostPlan.Warning.openGuestLV(lv:))
        return result
    }

    /// The libvirt domains whose disks are the maps, by kernel name or by the WWID in the disk's path; sorted.
    private static func instances(
        on maps: [String], wwids: [WWID], facts: HostFacts,
        topology: DeviceTopology
    ) -> [String] {
        let mapDevices = Set(maps.compactMap { topology.kernelName(of: "/dev/mapper/" + $0) })
        let instances = facts.libvirtDisks.filter { disk in
            topology.kernelName(of: disk.source).map(mapDevices.contains) == true
                || wwids.contains { disk.source.contains($0.rawValue) }
        }.map(\.domainLabel)
        return Array(Set(instances)).sorted()
    }
}
