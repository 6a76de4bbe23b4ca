/// Decision: whether the initramfs must be rebuilt, because the lvm.conf copy inside it has other device
/// settings than the planned lvm.conf. Policy `check` only reports it; `ignore` never looks.
enum InitramfsDecision {
    static func decide(
        facts: HostFacts, plannedText: String,
        policy: InitramfsPolicy
    ) -> (action: HostPlan.InitramfsAction?, found: PlanFindings) {
        var found = PlanFindings()
        guard policy != .ignore, facts.initramfs.tool != .none, let image = facts.initramfs.image,
            let copy = facts.initramfs.lvmConf, !OwnedSettings.agree(plannedText, copy)
        else { return (nil, found) }
        if policy == .check { found.warnings.append(.initramfsLeftAsIs(image: image)) }
        return (
            HostPlan.InitramfsAction(tool: facts.initramfs.tool, image: image, rebuild: policy == .rebuildIfNeeded),
            found
        )
    }
}
