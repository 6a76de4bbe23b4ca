/// What one planning step found besides its result: blockers and warnings, in the order found.
struct PlanFindings: Sendable {
    var blockers: [HostPlan.Blocker] = []
    var warnings: [HostPlan.Warning] = []

    /// These findings followed by `other`'s.
    mutating func append(_ other: PlanFindings) {
        blockers += other.blockers
        warnings += other.warnings
    }
}
