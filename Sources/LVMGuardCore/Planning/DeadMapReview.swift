/// Decision: what the plan does about multipath maps with no active path. A dead map blocks the host when it
/// carries the host's storage (LVM cannot read it, so no filter can be planned that keeps it), when it carries LVs
/// nothing ties to a guest without reading the map (a host's failover VG looks the same in an outage), and when
/// its guests would stay active (`dead_maps: report`, or a map that cannot be released): apply would fail after
/// changing lvm.conf, so nothing is changed. Every other dead map is a warning.
enum DeadMapReview {
    static func review(_ maps: [HostPlan.DeadMap]) -> PlanFindings {
        var found = PlanFindings()
        for map in maps {
            if !map.hostUse.isEmpty {
                found.blockers.append(.deadMapCarriesHostStorage(map: map))
            } else if !map.unjudgedLVs.isEmpty {
                found.blockers.append(.deadMapWithoutEvidence(map: map))
            } else if !map.guestLVs.isEmpty, !map.release {
                found.blockers.append(.deadMapGuestsStayActive(map: map))
            } else {
                found.warnings.append(.deadMap(map: map))
            }
        }
        return found
    }
}
