/// Decision: whether a setting the plan must change is assigned in a file LVM reads beside lvm.conf (lvmlocal.conf,
/// lvm_<tag>.conf), which wins over lvm.conf. Changing lvm.conf there would never take effect and the host would never
/// converge, so such a host is blocked naming the file and line of each assignment. A file that cannot be read or
/// parsed blocks too: what it sets is unknown.
enum SettingOverrides {
    /// Blockers for the settings `changes` edits in lvm.conf, or that `found` says are set outside it. The vaguer
    /// "set outside lvm.conf" blocker is replaced when the file and line are known.
    static func review(facts: HostFacts, changes: HostPlan.Changes, found: PlanFindings) -> PlanFindings {
        var keys = Set(changes.configEdit.map { [$0.key] + $0.alsoSets.map(\.key) } ?? [])
        for case let .filterSetElsewhere(key, _, _, _) in found.blockers { keys.insert(key) }
        let overrides = assignments(of: keys, in: facts.besideLVMConf ?? [])
        guard !overrides.isEmpty else { return found }
        var reviewed = found
        reviewed.blockers.removeAll {
            if case let .filterSetElsewhere(key, _, _, _) = $0 { keys.contains(key) } else { false }
        }
        reviewed.blockers += overrides
        return reviewed
    }

    /// Each assignment of one of `keys` ("devices/global_filter") in `files`, by file and line.
    static func assignments(of keys: Set<String>, in files: [HostFacts.BesideFile]) -> [HostPlan.Blocker] {
        guard !keys.isEmpty else { return [] }
        var found: [HostPlan.Blocker] = []
        for file in files {
            guard let text = file.text else {
                found.append(.configUnparseable(path: file.path, error: "larger than 1 MiB, not read"))
                continue
            }
            let document: LVMConfigDocument
            do {
                document = try LVMConfigDocument(parsing: text)
            } catch {
                found.append(.configUnparseable(path: file.path, error: "\(error)"))
                continue
            }
            for key in keys.sorted() {
                for assignment in document.assignments(at: key.split(separator: "/").map(String.init)) {
                    let value = String(
                        decoding: document.bytes[assignment.valueStart..<assignment.valueEnd], as: UTF8.self)
                    found.append(.settingOverridden(key: key, path: file.path, line: assignment.line, value: value))
                }
            }
        }
        return found
    }
}
