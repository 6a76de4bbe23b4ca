/// Decision: whether anything is left to change, and what blocks a host whose only remaining problems are
/// ones apply cannot fix (open guest LVs, guests on dead maps that stay active).
enum Convergence {
    /// Whether the planned changes change anything (an open guest LV alone is not a change).
    static func hasChanges(_ changes: HostPlan.Changes) -> Bool {
        changes.configEdit != nil || changes.devicesFileEdit != nil || changes.initramfs?.rebuild == true
            || changes.deactivations.contains { $0.lvs.contains { !$0.open } }
            || changes.deadMaps.contains(where: \.release) || !changes.bootFiles.isEmpty
    }

    /// Blockers for a host with nothing to change but problems that remain.
    static func leftovers(
        _ changes: HostPlan.Changes, openGuestLVs: [String]
    ) -> [HostPlan.Blocker] {
        guard !hasChanges(changes) else { return [] }
        var blockers: [HostPlan.Blocker] = []
        if !openGuestLVs.isEmpty { blockers.append(.openGuestLVsOnly(lvs: openGuestLVs)) }
        return blockers
    }
}
