/// Decision: whether OpenStack's own configuration and the host's `lvmguard_volume_vgs` agree. A VG that cinder or nova
/// keeps volumes in, present on the host but not declared, warns: its LVs are guests' disks, and without the declaration
/// a guest's VG inside one of them is told only by other evidence. A declared VG that the configuration found does not
/// name warns too. Both are warnings: the declaration is the host's word; the configuration may live elsewhere.
enum VolumeVGConfigReview {
    static func review(facts: HostFacts, declared: [String]) -> PlanFindings {
        var found = PlanFindings()
        let configured = facts.configuredVolumeVGs
        guard !configured.isEmpty else { return found }
        let present = Set(facts.vgs.map(\.name))
        func isDeclared(_ name: String) -> Bool {
            let uuids = facts.vgs.filter { $0.name == name }.map(\.uuid)
            return declared.contains { $0 == name || VGUUID($0).map(uuids.contains) == true }
        }
        for vg in configured where present.contains(vg.name) && !isDeclared(vg.name) {
            found.warnings.append(.volumeVGNotDeclared(vg: vg))
        }
        let configuredNames = Set(configured.map(\.name))
        for entry in declared {
            let name = facts.vgs.first { $0.uuid == VGUUID(entry) }?.name ?? entry
            if !configuredNames.contains(name) {
                found.warnings.append(
                    .declaredVolumeVGNotConfigured(name: entry, files: Array(Set(configured.map(\.file))).sorted()))
            }
        }
        return found
    }
}
