/// Decision (LVM 2.03): whether LVM looks inside LVs for PVs. With `scan_lvs = 1` (some hosts set it, old
/// configuration files carry it) a guest's VG inside a volume LV (cinder's LVM backend, nova's images_type=lvm) is one
/// filter away from the host: any command run with a filter of its own finds and may activate it. The plan sets
/// `scan_lvs = 0` in lvm.conf, on top of the filter or devices-file edit, unless a host PV is itself an LV (a VG
/// stacked on an LV of the host needs LVM to keep scanning LVs; the filter or the devices file alone keeps the volume
/// LVs out, as they do anyway). Only a value lvm.conf itself sets is changed: one set beside it is left alone.
enum ScanLVsDecision {
    /// `base` (the edit the other decisions planned, nil for none) with `scan_lvs = 0` added; `base` unchanged when
    /// scanning stays.
    static func plan(
        facts: HostFacts, host: String, hostPVs: [Ownership.HostPV], graph: DeviceGraph, base: HostPlan.ConfigEdit?
    ) throws(HostPlan.Blocker) -> HostPlan.ConfigEdit? {
        let setting = LVMSetting.scanLVs
        guard facts.setting(setting) == .integer(1), !hostPVs.contains(where: { isLV($0.name, graph: graph) }),
            SettingOverrides.assignments(of: [setting.path], in: facts.besideLVMConf ?? []).isEmpty
        else { return base }
        let document = try ConfigEditing.parsed(facts, text: base?.plannedText)
        guard document.effectiveAssignment(at: setting.keyPath)?.value == .integer(1) else { return base }
        // The diff runs from the host's lvm.conf to the text with every planned change.
        let scan = ConfigEditing.edit(
            facts, host: host, document: document, keyPath: setting.keyPath, to: .integer(0), current: "1",
            planned: "0")
        guard let base else { return scan }
        var edit = HostPlan.ConfigEdit(
            path: base.path, key: base.key, current: base.current, planned: base.planned, plannedText: scan.plannedText,
            diff: scan.diff, isLatin1: base.isLatin1)
        edit.alsoSets = base.alsoSets + [.init(key: scan.key, current: scan.current, planned: scan.planned)]
        return edit
    }

    /// Whether the device LVM names `path` is an LV (its dm UUID is LVM's).
    static func isLV(_ path: String, graph: DeviceGraph) -> Bool {
        graph.majMin(ofPath: path).flatMap(graph.dmDevice)?.uuid?.isLVM ?? false
    }
}
