/// Decision: what the plan does about multipath maps with no active path. A dead map that carries the host's
/// storage blocks the host (LVM cannot read it, so no filter can be planned that keeps it); every other dead
/// map is a warning saying whether apply releases its guests.
enum DeadMapReview {
    /// The maps, the findings, and the maps whose guests stay active.
    static func review(_ maps: [HostPlan.DeadMap]) -> (found: PlanFindings, unreleased: [String]) {
        var found = PlanFindings()
        var unreleased: [String] = []
        for map in maps {
            if !map.hostUse.isEmpty {
                found.blockers.append(.deadMapCarriesHostStorage(map: map))
                continue
            }
            if !map.guestLVs.isEmpty, !map.release { unreleased.append(map.label) }
            found.warnings.append(.deadMap(map: map))
        }
        return (found, unreleased)
    }
}
