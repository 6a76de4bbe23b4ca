extension HostPlan {
    /// What the decisions plan to change on a host, before status decides whether any of it is applied.
    struct Changes: Sendable {
        var configEdit: ConfigEdit?
        var devicesFileEdit: DevicesFileEdit?
        var deactivations: [Deactivation] = []
        var deadMaps: [DeadMap] = []
        var refreshCache = false
        var initramfs: InitramfsAction?
        var bootFiles: [BootFile] = []
    }

    /// The plan for a host from its decisions: blocked when anything blocks it (and then without any change: a
    /// person decides first), `changes` when something changes, `in-sync` otherwise.
    init(host: String, facts: HostFacts, ownership: Ownership, regime: Regime, changes: Changes, found: PlanFindings) {
        let status: Status = !found.blockers.isEmpty ? .blocked : (Convergence.hasChanges(changes) ? .changes : .inSync)
        let isBlocked = status == .blocked
        self.init(
            host: host, status: status, blockers: found.blockers.map { Finding($0, host: host) }, exemption: nil,
            regime: regime, lvmVersion: facts.lvmVersion?.description,
            ownership: .init(hostVGs: ownership.hostVGs, guestVGs: ownership.guestVGs, hostPVs: ownership.hostPVs),
            configEdit: isBlocked ? nil : changes.configEdit,
            devicesFileEdit: isBlocked ? nil : changes.devicesFileEdit,
            deactivations: isBlocked ? [] : changes.deactivations, refreshCache: !isBlocked && changes.refreshCache,
            initramfs: isBlocked ? nil : changes.initramfs, warnings: found.warnings.map(Finding.init),
            fingerprint: Fingerprint(facts),
            deadMaps: isBlocked ? changes.deadMaps.map(\.reportOnly) : changes.deadMaps,
            bootFiles: isBlocked ? [] : changes.bootFiles
        )
    }
}

extension HostPlan.Fingerprint {
    /// What a plan made from `facts` relies on.
    init(_ facts: HostFacts) {
        let devicesFileName: String? =
            if case let .string(name)? = facts.setting(.devicesFile), !name.isEmpty { name } else { nil }
        self.init(
            lvmConfSHA256: facts.lvmConf.sha256, devicesFile: facts.devicesFile,
            lvStates: facts.lvs.map { "\($0.vgUUID) \($0.uuid) \($0.isActive ? "active" : "inactive")" }.sorted(),
            devicesFileName: devicesFileName, bootID: facts.bootID)
    }
}
