/// Decides, per host, what must change for the desired state to hold. Pure: facts in, plan out.
///
/// Each decision lives in a file of its own and returns typed findings: `OwnershipReview`, `RegimeChoice`,
/// `FilterEdit` or `DevicesFileEdit`, `ScanLVsDecision`, `SettingOverrides`, `GuestDeactivations`, `DeadMapReview`, `InitramfsDecision`, `PVLinkRuleDecision`, and
/// `VolumeVGConfigReview`, and `Convergence` for what is left when nothing else is. This type only puts them together.
public enum Planner {
    /// The plan for a reachable, non-exempt host.
    public static func plan(_ host: HostSettings, facts: HostFacts, desired: DesiredState) -> HostPlan {
        plan(host, model: HostModel(facts), desired: desired)
    }

    /// The plan for a reachable, non-exempt host, read from its model (built once, by the caller).
    public static func plan(_ host: HostSettings, model: HostModel, desired: DesiredState) -> HostPlan {
        let facts = model.facts
        // The host's own accept list (`lvmguard_accept`) adds to the playbook's.
        let filterPolicy = FilterPolicy(
            policy: desired.filter.policy, key: desired.filter.key, accept: desired.filter.accept + host.accept)
        let ownership = Ownership(
            model: model, declaredVGs: host.hostVGs, accept: filterPolicy.accept, volumeVGs: host.volumeVGs,
            trustCreationHost: host.trustCreationHost)
        var found = OwnershipReview.review(ownership, facts: facts, policy: desired.filter.policy)
        found.append(VolumeVGConfigReview.review(facts: facts, declared: host.volumeVGs))
        let choice = RegimeChoice.choose(facts: facts, hostPVs: ownership.hostPVDevices, policy: desired.filter.policy)
        var changes = HostPlan.Changes()
        switch choice.regime {
        case .filter:
            let filter = FilterEdit.plan(
                facts: facts, host: host.name, filter: filterPolicy, hostPVs: ownership.hostPVDevices)
            changes.configEdit = filter.edit
            found.append(filter.found)
        case .devicesFile:
            let devices = DevicesFileEdit.plan(
                facts: facts, host: host.name, ownership: ownership, migrates: choice.migrates)
            (changes.devicesFileEdit, changes.configEdit) = (devices.edit, devices.configEdit)
            found.append(devices.found)
        }
        do {
            changes.configEdit = try ScanLVsDecision.plan(
                facts: facts, host: host.name, hostPVs: ownership.hostPVDevices, graph: model.graph,
                base: changes.configEdit)
        } catch {
            found.blockers.append(error)
        }
        found = SettingOverrides.review(facts: facts, changes: changes, found: found)
        let guests = GuestDeactivations.plan(ownership, model: model, deactivate: desired.deactivateGuestVGs)
        changes.deactivations = guests.deactivations
        found.append(guests.found)
        // Declared names never match a UUID; a declared UUID counts even when its VG is out of LVM's sight.
        changes.deadMaps = DeadMaps.analyse(
            facts, graph: model.graph,
            hostVGUUIDs: Set(ownership.hostVGs.map(\.uuid) + host.hostVGs.compactMap(VGUUID.init)),
            guestTied: ownership.guestTiedDevices,
            release: desired.deadMaps == .release)
        found.append(DeadMapReview.review(changes.deadMaps))
        let initramfs = InitramfsDecision.decide(
            facts: facts, plannedText: changes.configEdit?.plannedText ?? facts.lvmConf.text,
            policy: desired.initramfs)
        changes.initramfs = initramfs.action
        found.append(initramfs.found)
        changes.bootFiles = PVLinkRuleDecision.decide(
            facts: facts, plannedText: changes.configEdit?.plannedText ?? facts.lvmConf.text)
        found.blockers += Convergence.leftovers(
            changes, openGuestLVs: guests.openLVs)
        changes.refreshCache =
            desired.refresh == .pvscanCache && (changes.configEdit != nil || changes.devicesFileEdit != nil)
        return HostPlan(
            host: host.name, facts: facts, ownership: ownership, regime: choice.regime, changes: changes, found: found)
    }

    /// The plan for an exempt host: reported, never touched.
    public static func exempt(_ exempt: TargetSelection.ExemptHost) -> HostPlan {
        HostPlan(
            host: exempt.host, status: .exempt, blockers: [],
            exemption: .init(
                reason: exempt.reason, ticket: exempt.ticket, until: exempt.until?.description, source: exempt.source),
            regime: nil, lvmVersion: nil, ownership: nil, configEdit: nil, devicesFileEdit: nil, deactivations: [],
            refreshCache: false, initramfs: nil, warnings: [], fingerprint: nil)
    }

    /// The plan for a host whose facts could not be had.
    public static func unreachable(_ host: String, reason: String) -> HostPlan {
        withoutFacts(host, .unreachable, .unreachable(message: reason))
    }

    /// The plan for a host whose facts could not be used: blocked when the host runs something lvmguard does
    /// not support (it answered; a person must look), unreachable otherwise.
    public static func unusable(_ host: String, _ error: FactsError) -> HostPlan {
        error.unsupported
            ? withoutFacts(host, .blocked, .unsupported(message: error.message))
            : withoutFacts(host, .unreachable, .unreachable(message: error.message))
    }

    /// A plan with a status and its reason and nothing else: no facts, so nothing to change.
    private static func withoutFacts(_ host: String, _ status: HostPlan.Status, _ reason: HostPlan.Blocker) -> HostPlan
    {
        HostPlan(
            host: host, status: status, blockers: [.init(reason, host: host)], exemption: nil, regime: nil,
            lvmVersion: nil, ownership: nil, configEdit: nil, devicesFileEdit: nil, deactivations: [],
            refreshCache: false, initramfs: nil, warnings: [], fingerprint: nil)
    }
}
