/// Edits of the host's lvm.conf as the plan shows them: the parsed file, the new text and its diff.
enum ConfigEditing {
    /// The host's lvm.conf (or `text`, a planned version of it), parsed; a file that does not parse is never
    /// overwritten.
    static func parsed(_ facts: HostFacts, text: String? = nil) throws(HostPlan.Blocker) -> LVMConfigDocument {
        do {
            return try LVMConfigDocument(parsing: text ?? facts.lvmConf.text)
        } catch {
            throw .configUnparseable(path: facts.lvmConf.path, error: "\(error)")
        }
    }

    /// The edit that sets one scalar key, nil when it already has that value.
    static func setting(
        _ setting: LVMSetting, to value: LVMConfigValue, facts: HostFacts,
        host: String
    ) throws(HostPlan.Blocker) -> HostPlan.ConfigEdit? {
        let document = try parsed(facts)
        let current = document.effectiveAssignment(at: setting.keyPath)?.value
        guard current != value else { return nil }
        return edit(
            facts, host: host, document: document, keyPath: setting.keyPath, to: value,
            current: current?.rendered ?? "unset", planned: value.rendered)
    }

    /// The edit that sets `keyPath` to `value`, with its diff; `current` and `planned` as the plan shows them.
    static func edit(
        _ facts: HostFacts, host: String, document: LVMConfigDocument, keyPath: [String],
        to value: LVMConfigValue, current: String, planned: String
    ) -> HostPlan.ConfigEdit {
        let path = facts.lvmConf.path
        let text = document.setting(keyPath, to: value)
        let diff = UnifiedDiff.diff(
            from: facts.lvmConf.text, to: text, oldLabel: "\(host):\(path) (current)",
            newLabel: "\(host):\(path) (planned)")
        return HostPlan.ConfigEdit(
            path: path, key: keyPath.joined(separator: "/"), current: current, planned: planned,
            plannedText: text, diff: diff, isLatin1: facts.lvmConf.isLatin1)
    }
}
