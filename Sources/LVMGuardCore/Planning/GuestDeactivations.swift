/// Decision: which guest VGs to deactivate, by UUID, with the maps, WWIDs and instances they sit on; how each comes
/// down is `GuestStack`'s. An LV held from outside its VG is never deactivated (it is reported, with what is under
/// it); with `deactivate_guest_vgs: false` none is.
enum GuestDeactivations {
    struct Result: Sendable {
        var deactivations: [HostPlan.Deactivation] = []
        /// Guest LVs left active (held from outside their VG, or under one that is), as "vg/lv (uuid)".
        var openLVs: [String] = []
        var found = PlanFindings()
    }

    static func plan(_ ownership: Ownership, model: HostModel, deactivate: Bool) -> Result {
        let (facts, topology) = (model.facts, model.topology)
        var result = Result()
        for guest in ownership.guestVGs {
            let stack = GuestStack(vg: guest.uuid, facts: facts, graph: model.graph)
            guard !stack.order.isEmpty else { continue }
            guard deactivate else {
                result.found.warnings.append(.guestVGKeptActive(name: guest.name, uuid: guest.uuid))
                continue
            }
            var onMaps: [(map: String, wwid: WWID)] = []
            for storage in guest.storage {
                if case let .multipath(map, wwid) = storage { onMaps.append((map, wwid)) }
            }
            onMaps.sort { ($0.map, $0.wwid) < ($1.map, $1.wwid) }
            let (maps, wwids) = (onMaps.map(\.map), onMaps.map(\.wwid))
            let lvs = stack.order.map {
                HostPlan.Deactivation.LV(
                    name: $0.name, uuid: $0.uuid, keep: stack.kept[$0.uuid]?.sentence,
                    withOrigin: stack.withOrigin[$0.uuid])
            }
            for lv in lvs {
                guard let keep = lv.keep else { continue }
                let label = "\(guest.name)/\(lv.name) (\(lv.uuid))"
                result.openLVs.append(label)
                result.found.warnings.append(.openGuestLV(lv: label, keep: keep))
            }
            result.deactivations.append(
                HostPlan.Deactivation(
                    vgName: guest.name, vgUUID: guest.uuid, wholeVG: stack.whole, lvs: lvs,
                    pvs: facts.pvs.filter { $0.vgUUID == guest.uuid }.map(\.name).sorted(),
                    multipathMaps: maps, wwids: wwids,
                    instances: instances(on: maps, wwids: wwids, facts: facts, topology: topology)))
        }
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
