/// Decision (filter regime): the filter the policy asks for, and the lvm.conf edit that sets it; nil when the
/// current filter is already equivalent. A filter lvmguard cannot read, one set outside lvm.conf, or `filter`
/// under lvmetad blocks the host. An accept rule of the current filter that matches no device present now (a
/// logged-out LUN, a removable backup disk) is kept, with a warning: dropping it would hide that disk from
/// LVM when it returns.
enum FilterEdit {
    static func plan(
        facts: HostFacts, host: String, filter: FilterPolicy,
        hostPVs: [Ownership.HostPV]
    ) -> (edit: HostPlan.ConfigEdit?, found: PlanFindings) {
        var found = PlanFindings()
        let accept = FilterNames.accept(hostPVs, facts: facts)
        found.warnings += accept.warnings
        if filter.key == .filter, facts.setting(.useLVMetad) == .integer(1) {
            found.blockers.append(.lvmetadIgnoresFilter)
        }
        do {
            let keyPath = ["devices", filter.key.rawValue]
            let document = try ConfigEditing.parsed(facts)
            let kept =
                filter.policy == .hostPVsOnly
                ? acceptsMatchingNothing(document: document, keyPath: keyPath, facts: facts) : []
            found.warnings += kept.map { HostPlan.Warning.keptAcceptRule(rule: $0.rendered) }
            return (
                try edit(
                    facts: facts, document: document, host: host, keyPath: keyPath,
                    planned: planned(filter, acceptNames: accept.names, kept: kept.map(\.pattern))), found
            )
        } catch {
            found.blockers.append(error)
            return (nil, found)
        }
    }

    /// The filter the policy asks for: `reject-all`, or the host PVs' names, the policy's accept rules and the
    /// current rules kept.
    static func planned(_ filter: FilterPolicy, acceptNames: [String], kept: [String] = []) -> LVMFilter {
        switch filter.policy {
        case .rejectAll: .rejectAll
        case .hostPVsOnly:
            .hostPVsOnly(
                devices: acceptNames + filter.accept.compactMap { if case let .path(path) = $0 { path } else { nil } },
                patterns: filter.accept.compactMap { if case let .regex(pattern) = $0 { pattern } else { nil } } + kept)
        }
    }

    /// The current filter's accept rules that match no device present now, by any of its names; a rule LVM's
    /// and Swift's regexes may read differently is never judged (it is replaced, as before).
    static func acceptsMatchingNothing(document: LVMConfigDocument, keyPath: [String], facts: HostFacts)
        -> [LVMFilter.Rule]
    {
        guard let assignment = document.effectiveAssignment(at: keyPath),
            let current = try? LVMFilter(parsing: assignment.value), !current.acceptsEverything
        else { return [] }
        let names = Set(
            facts.blockDevices.map(\.kname.devicePath) + facts.deviceLinks.keys
                + facts.dmDevices.map { "/dev/mapper/" + $0.name })
        return current.rules.filter { rule in
            guard rule.action == .accept, LVMRegex.problem(rule.pattern) == nil,
                let regex = try? Regex(rule.pattern)
            else { return false }
            return !names.contains { (try? regex.firstMatch(in: $0)) != nil }
        }
    }

    /// The lvm.conf edit for the filter, nil when the current one is already equivalent.
    private static func edit(
        facts: HostFacts, document: LVMConfigDocument, host: String, keyPath: [String],
        planned: LVMFilter
    ) throws(HostPlan.Blocker) -> HostPlan.ConfigEdit? {
        let path = facts.lvmConf.path
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
            !effectiveFilter.isEquivalent(to: current)
        {
            throw .filterSetElsewhere(
                key: key, path: path, effective: effectiveFilter.description, current: current.description)
        }
        guard !current.isEquivalent(to: planned) else { return nil }
        return ConfigEditing.edit(
            facts, host: host, document: document, keyPath: keyPath, to: planned.configValue,
            current: current.description, planned: planned.description)
    }
}
