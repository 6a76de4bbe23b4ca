/// Decision (filter regime): the filter the policy asks for, and the lvm.conf edit that sets it; nil when the
/// current filter is already equivalent. A filter lvmguard cannot read, one set outside lvm.conf, or `filter`
/// under lvmetad blocks the host.
enum FilterEdit {
    static func plan(facts: HostFacts, host: String, filter: FilterPolicy,
                     hostPVs: [Ownership.HostPV]) -> (edit: HostPlan.ConfigEdit?, found: PlanFindings) {
        var found = PlanFindings()
        let accept = FilterNames.accept(hostPVs, facts: facts)
        found.warnings += accept.warnings
        if filter.key == .filter, facts.setting(.useLVMetad) == .integer(1) {
            found.blockers.append(.lvmetadIgnoresFilter)
        }
        do {
            return (try edit(facts: facts, host: host, keyPath: ["devices", filter.key.rawValue],
                             planned: planned(filter, acceptNames: accept.names)), found)
        } catch {
            found.blockers.append(error)
            return (nil, found)
        }
    }

    /// The filter the policy asks for: `reject-all`, or the host PVs' names and the policy's accept rules.
    static func planned(_ filter: FilterPolicy, acceptNames: [String]) -> LVMFilter {
        switch filter.policy {
        case .rejectAll: .rejectAll
        case .hostPVsOnly:
            .hostPVsOnly(devices: acceptNames + filter.accept.compactMap { if case let .path(path) = $0 { path } else { nil } },
                         patterns: filter.accept.compactMap { if case let .regex(pattern) = $0 { pattern } else { nil } })
        }
    }

    /// The lvm.conf edit for the filter, nil when the current one is already equivalent.
    private static func edit(facts: HostFacts, host: String, keyPath: [String],
                             planned: LVMFilter) throws(HostPlan.Blocker) -> HostPlan.ConfigEdit? {
        let path = facts.lvmConf.path
        let document = try ConfigEditing.parsed(facts)
        let key = keyPath.joined(separator: "/")
        var current = LVMFilter.acceptAll
        if let assignment = document.effectiveAssignment(at: keyPath) {
            do {
                current = try LVMFilter(parsing: assignment.value)
            } catch {
                throw .filterNotUnderstood(key: key, path: path, line: assignment.line, error: "\(error)")
            }
        }
        // lvmconfig merges lvmlocal.conf, profiles and tags: a value set there wins over lvm.conf.
        if let effective = facts.settings[key], let effectiveFilter = try? LVMFilter(parsing: effective),
           !effectiveFilter.isEquivalent(to: current) {
            throw .filterSetElsewhere(key: key, path: path, effective: effectiveFilter.description, current: current.description)
        }
        guard !current.isEquivalent(to: planned) else { return nil }
        return ConfigEditing.edit(facts, host: host, document: document, keyPath: keyPath, to: planned.configValue,
                                  current: current.description, planned: planned.description)
    }
}
