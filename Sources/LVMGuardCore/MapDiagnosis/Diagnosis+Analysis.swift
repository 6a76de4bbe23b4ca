extension Diagnosis {
    /// The diagnosis of `host` from its gathered facts: pure, so it is tested on captured output.
    public static func analyze(_ query: Query, host: HostSettings, facts: HostFacts, desired: DesiredState) -> Diagnosis
    {
        let model = HostModel(facts)
        let plan = Planner.plan(host, model: model, desired: desired)
        let graph = model.graph
        guard let map = findMap(query, facts: facts, graph: graph) else {
            return Diagnosis(
                host: host.name, query: query, verdict: .notFound, map: nil,
                wwid: query.wwid ?? query.logLine.flatMap(Query.wwid),
                openCount: nil, holders: [], instances: [], guestVGs: [], why: [], plan: plan)
        }
        let owners = ownersByVGUUID(plan.ownership)
        let lvByDMUUID = Dictionary(
            facts.lvs.map { (DMUUID(vgUUID: $0.vgUUID, lvUUID: $0.uuid), $0) },
            uniquingKeysWith: { first, _ in first })
        var holders: [Holder] = []
        var above: Set<MajorMinor> = [map.majMin]
        var layer = [map.majMin], depth = 0
        while !layer.isEmpty, depth < 16 {
            depth += 1
            layer = layer.flatMap(graph.holders(of:)).filter { above.insert($0).inserted }
            for majMin in layer {
                let dm = graph.dmDevice(majMin)
                let lv = dm?.uuid.flatMap { lvByDMUUID[$0] }
                holders.append(
                    Holder(
                        device: graph.describe(majMin), depth: depth, open: dm?.open ?? 0,
                        lv: lv.map { "\($0.vgName)/\($0.name) (VG \($0.vgUUID), LV \($0.uuid))" },
                        owner: lv.map { owners[$0.vgUUID] ?? "ambiguous" }))
            }
        }
        let instances = Set(facts.libvirtDisks.filter { graph.majMin(ofPath: $0.source).map(above.contains) ?? false })
            .sorted()
        let heldLVs = facts.lvs.filter { lv in graph.majMin(of: lv).map(above.contains) ?? false }
        let guestVGs = Set(heldLVs.filter { owners[$0.vgUUID] != "host" }.map { "\($0.vgName) (\($0.vgUUID))" })
            .sorted()
        let verdict: Verdict = !guestVGs.isEmpty ? .heldByHostLVM : (map.open > 0 ? .heldByOther : .free)
        return Diagnosis(
            host: host.name, query: query, verdict: verdict, map: map.name, wwid: map.multipathWWID,
            openCount: map.open, holders: holders, instances: instances, guestVGs: guestVGs,
            why: guestVGs.isEmpty ? [] : reasons(facts), plan: plan)
    }

    /// The map the query names: by WWID (given, or from the log line), by map name, or by an instance's disk.
    static func findMap(_ query: Query, facts: HostFacts, graph: DeviceGraph) -> HostFacts.DMDevice? {
        let maps = facts.dmDevices.filter { $0.multipathWWID != nil }
        if let wwid = query.wwid ?? query.logLine.flatMap(Query.wwid) {
            return maps.first { $0.multipathWWID == wwid }
        }
        if let name = query.map {
            let bare = name.hasPrefix("/dev/mapper/") ? String(name.dropFirst("/dev/mapper/".count)) : name
            return maps.first { $0.name == bare }
        }
        if let instance = query.instance {
            let disks = facts.libvirtDisks
                .filter { $0.domainUUID.lowercased() == instance.lowercased() || $0.domain == instance }
                .compactMap { graph.majMin(ofPath: $0.source) }
            return maps.first { map in disks.contains { reaches(from: $0, to: map.majMin, facts: facts, graph: graph) }
            }
        }
        return nil
    }

    /// Whether `majMin` is `target` or stacked on it.
    private static func reaches(from majMin: MajorMinor, to target: MajorMinor, facts: HostFacts, graph: DeviceGraph)
        -> Bool
    {
        var seen: Set<MajorMinor> = [target], layer = [target]
        while !layer.isEmpty {
            if layer.contains(majMin) { return true }
            layer = layer.flatMap(graph.holders(of:)).filter { seen.insert($0).inserted }
        }
        return false
    }

    /// "host" or "guest" by VG UUID, as the plan decided; a VG it names neither way is ambiguous.
    private static func ownersByVGUUID(_ ownership: HostPlan.OwnershipSummary?) -> [VGUUID: String] {
        var owners: [VGUUID: String] = [:]
        for vg in ownership?.hostVGs ?? [] { owners[vg.uuid] = "host" }
        for vg in ownership?.guestVGs ?? [] { owners[vg.uuid] = "guest" }
        return owners
    }

    /// Why host LVM could scan and activate a guest's PV: the device settings in force on the host.
    static func reasons(_ facts: HostFacts) -> [String] {
        if facts.setting(.useDevicesFile) == .integer(1) {
            return [
                facts.devicesFile == nil
                    ? "the devices file is on (use_devicesfile = 1) but missing, so LVM sees every device"
                    : "the devices file is on (use_devicesfile = 1) and lists the guest's device"
            ]
        }
        var why: [String] = []
        for key in ["devices/global_filter", "devices/filter"] {
            if let value = facts.settings[key], let filter = try? LVMFilter(parsing: value), !filter.acceptsEverything {
                why.append("\(key) = \(filter) accepts the guest's device")
            } else {
                why.append("\(key) accepts every device (not set, or only accept rules)")
            }
        }
        why.append("so LVM's event autoactivation activated the guest's VG when its PV appeared")
        return why
    }
}
