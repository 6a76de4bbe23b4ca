/// Decision: how one guest VG's active LVs come down, read from device-mapper's graph. LVM's own stacking is the VG,
/// not a use: thin LVs hold their pool, snapshots the origin's `-real`, RAID LVs their images, a cache LV its pool,
/// each device opened once per VG device on top of it. A device opened more often than that is held from outside
/// the VG; its LV and everything under it stay active. When nothing is held, the whole VG is deactivated by UUID
/// (LVM orders its own stack); otherwise LV by LV, top of the stack first, and a classic snapshot goes with its origin.
struct GuestStack: Sendable {
    /// Why an LV stays active.
    enum Keep: Sendable, Hashable {
        /// Its device, or a hidden sub-LV under it, is open this many times more than its VG's devices explain.
        case held(opens: Int)
        /// It is under an LV that is held (a pool under a held thin LV, an origin under a held snapshot).
        case under(lv: String)

        var sentence: String {
            switch self {
            case let .held(opens): "open \(opens) time\(opens == 1 ? "" : "s") more than its VG's own LVs explain"
            case let .under(lv): "under \(lv), which is left active"
            }
        }
    }

    /// The VG's active LVs, top of the stack first (a thin LV before its pool), then by name.
    let order: [HostFacts.LogicalVolume]
    let kept: [LVUUID: Keep]
    /// Classic snapshots, with the origin whose deactivation takes them.
    let withOrigin: [LVUUID: String]
    /// Nothing of the VG is held from outside: `vgchange -an` by UUID takes all of it.
    var whole: Bool { kept.isEmpty }

    init(vg: VGUUID, facts: HostFacts, graph: DeviceGraph) {
        let active = facts.lvs.filter { $0.vgUUID == vg && $0.isActive }
        let devices = facts.dmDevices.filter { $0.uuid?.isLVM(ofVG: vg) == true }
        let inVG = Set(devices.map(\.majMin))
        let ownerOf = Dictionary(
            devices.compactMap { device in device.uuid?.lvIdentity.map { (device.majMin, $0.lv) } },
            uniquingKeysWith: { first, _ in first })
        let devicesOf = Dictionary(grouping: devices, by: { ownerOf[$0.majMin] }).compactMapKeys { $0 }
            .mapValues { Set($0.map(\.majMin)) }
        func below(_ lv: LVUUID) -> Set<MajorMinor> {
            (devicesOf[lv] ?? []).reduce(into: Set()) { $0.formUnion(graph.stack(below: $1)) }.intersection(inVG)
        }

        // Held: opened more often than the VG's own devices on top of it explain.
        var kept: [LVUUID: Keep] = [:]
        for device in devices {
            let opens = graph.opensFromOutsideVG(device.majMin)
            guard opens > 0, let owner = ownerOf[device.majMin] else { continue }
            if active.contains(where: { $0.uuid == owner }) {
                kept[owner] = .held(opens: opens)
            } else {
                // A hidden sub-LV: every visible LV over it stays (its pool, its RAID LV, its cached LV).
                for lv in active where below(lv.uuid).contains(device.majMin) { kept[lv.uuid] = .held(opens: opens) }
            }
        }
        // Under a held LV: what its devices stack on, LV by LV.
        for lv in active {
            guard case .held = kept[lv.uuid] else { continue }
            let under = below(lv.uuid)
            for other in active where other.uuid != lv.uuid && kept[other.uuid] == nil {
                if !(devicesOf[other.uuid] ?? []).isDisjoint(with: under) {
                    kept[other.uuid] = .under(lv: "\(lv.vgName)/\(lv.name)")
                }
            }
        }
        self.kept = kept

        // A classic snapshot ('s') stacks on its origin's `-real` device, which the origin ('o') owns.
        var withOrigin: [LVUUID: String] = [:]
        for snapshot in active where snapshot.attr.first == "s" {
            let under = below(snapshot.uuid)
            if let origin = active.first(where: {
                $0.attr.first == "o" && !(devicesOf[$0.uuid] ?? []).isDisjoint(with: under)
            }) {
                withOrigin[snapshot.uuid] = origin.name
            }
        }
        self.withOrigin = withOrigin

        // Depth: 0 for a device no VG device sits on, else one more than the deepest VG device on top of it.
        var depth: [MajorMinor: Int] = [:]
        func depthOf(_ device: MajorMinor, _ visiting: Set<MajorMinor> = []) -> Int {
            if let known = depth[device] { return known }
            let above = graph.holders(of: device).filter { inVG.contains($0) && !visiting.contains($0) }
            let value = above.map { depthOf($0, visiting.union([device])) + 1 }.max() ?? 0
            depth[device] = value
            return value
        }
        let levels = Dictionary(
            active.map { lv in (lv.uuid, (devicesOf[lv.uuid] ?? []).map { depthOf($0) }.max() ?? 0) },
            uniquingKeysWith: { first, _ in first })
        order = active.sorted { (levels[$0.uuid] ?? 0, $0.name) < (levels[$1.uuid] ?? 0, $1.name) }
    }
}

extension Dictionary {
    /// The entries whose key `transform` maps to a value, under that key (the first of any two that collide).
    fileprivate func compactMapKeys<NewKey: Hashable>(_ transform: (Key) -> NewKey?) -> [NewKey: Value] {
        Dictionary<NewKey, Value>(
            compactMap { entry in transform(entry.key).map { ($0, entry.value) } },
            uniquingKeysWith: { first, _ in first })
    }
}
