/// Decision: what ownership leaves for a person. VGs nothing classifies, declarations and boot references
/// that name several VGs, and `reject-all` on a host with PVs of its own block the host; a declaration that
/// names no VG only warns.
enum OwnershipReview {
    static func review(_ ownership: Ownership, facts: HostFacts, policy: FilterPolicy.Policy) -> PlanFindings {
        var found = PlanFindings()
        found.blockers += ownership.ambiguousVGs.filter { !$0.openLVs.isEmpty }.map(
            HostPlan.Blocker.unexplainedOpenLVs(vg:))
        found.blockers += ownership.ambiguousBootReferences.map(HostPlan.Blocker.ambiguousBootReference(conflict:))
        found.blockers += ownership.ambiguousVGs.filter(\.openLVs.isEmpty).map(HostPlan.Blocker.unclassifiedVG(vg:))
        found.blockers += ownership.inUseGuestVGs.map(HostPlan.Blocker.guestVGInUse(vg:))
        found.blockers += ownership.unclaimedVGs.map(HostPlan.Blocker.unclaimedVG(vg:))
        found.blockers += ownership.foreignVGs.map(HostPlan.Blocker.foreignVG(vg:))
        found.blockers += ownership.duplicatePVs.map { .duplicatePV(uuid: $0.uuid, devices: $0.devices) }
        for name in ownership.ambiguousDeclarations {
            let uuids = facts.vgs.filter { $0.name == name }.map(\.uuid).sorted()
            found.blockers.append(.ambiguousDeclaration(name: name, vgUUIDs: uuids))
        }
        for name in ownership.ambiguousVolumeDeclarations {
            let uuids = facts.vgs.filter { $0.name == name }.map(\.uuid).sorted()
            found.blockers.append(.ambiguousVolumeDeclaration(name: name, vgUUIDs: uuids))
        }
        found.warnings += ownership.missingDeclarations.map(HostPlan.Warning.missingDeclaration(name:))
        found.warnings += ownership.exportedVolumesSeenTwice.map(HostPlan.Warning.exportedVolumeSeenTwice(volume:))
        found.warnings += ownership.missingVolumeDeclarations.map(HostPlan.Warning.missingVolumeDeclaration(name:))
        let hostVGs = Set(ownership.hostVGs.map(\.uuid))
        found.warnings += ownership.bootNamesWithoutUse.filter { !hostVGs.contains($0.vgUUID) }.map {
            HostPlan.Warning.bootNameWithoutUse(reference: $0)
        }
        found.warnings += ownership.staleInstanceDisks.map(HostPlan.Warning.staleInstanceDisk(disk:))
        if policy == .rejectAll, !ownership.hostPVs.isEmpty {
            found.blockers.append(.rejectAllHidesHostPVs(pvs: ownership.hostPVs))
        }
        return found
    }
}
