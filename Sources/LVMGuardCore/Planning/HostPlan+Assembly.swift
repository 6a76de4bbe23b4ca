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
            lvStates: facts.lvs.map(Self.stateLine).sorted(), pvMembers: facts.pvs.map(Self.memberLine).sorted(),
            devicesFileName: devicesFileName, bootID: facts.bootID)
    }

    /// An LV's fingerprint line: its VG and LV UUIDs and lv_attr's fifth letter, as LVM prints them.
    static func stateLine(_ lv: HostFacts.LogicalVolume) -> String {
        let attr = Array(lv.attr)
        return "\(lv.vgUUID) \(lv.uuid) \(attr.count > 4 ? String(attr[4]) : "?")"
    }

    /// A PV's fingerprint line: its UUID and its VG's, `-` for none.
    static func memberLine(_ pv: HostFacts.PhysicalVolume) -> String {
        "\(pv.uuid) \(pv.vgUUID?.description ?? "-")"
    }
}
