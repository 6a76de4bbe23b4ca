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
        let devices = VGDevices(vg: vg, facts: facts, graph: graph)
        kept = Self.kept(active, devices)
        withOrigin = Self.snapshotOrigins(active, devices)
        order = Self.topFirst(active, devices)
    }

    /// The device-mapper devices of one VG (its LVs' and their hidden layers'), by the LV whose UUID they carry.
    private struct VGDevices {
        let graph: DeviceGraph
        let all: [HostFacts.DMDevice]
        let inVG: Set<MajorMinor>
        private(set) var owner: [MajorMinor: LVUUID] = [:]
        private(set) var of: [LVUUID: Set<MajorMinor>] = [:]

        init(vg: VGUUID, facts: HostFacts, graph: DeviceGraph) {
            self.graph = graph
            all = facts.dmDevices.filter { $0.uuid?.isLVM(ofVG: vg) == true }
            inVG = Set(all.map(\.majMin))
            for device in all {
                guard let lv = device.uuid?.lvIdentity?.lv else { continue }
                owner[device.majMin] = lv
                of[lv, default: []].insert(device.majMin)
            }
        }

        /// The VG's devices an LV's devices stack on, its own included.
        func below(_ lv: LVUUID) -> Set<MajorMinor> {
            (of[lv] ?? []).reduce(into: Set()) { $0.formUnion(graph.stack(below: $1)) }.intersection(inVG)
        }

        func overlaps(_ lv: LVUUID, _ devices: Set<MajorMinor>) -> Bool { !(of[lv] ?? []).isDisjoint(with: devices) }
    }

    /// Held: opened more often than the VG's own devices on top explain (a hidden layer: every visible LV over it);
    /// then, for each held LV, the LVs its devices stack on.
    private static func kept(_ active: [HostFacts.LogicalVolume], _ devices: VGDevices) -> [LVUUID: Keep] {
        var kept: [LVUUID: Keep] = [:]
        for device in devices.all {
            let opens = devices.graph.opensFromOutsideVG(device.majMin)
            guard opens > 0, let owner = devices.owner[device.majMin] else { continue }
            if active.contains(where: { $0.uuid == owner }) {
                kept[owner] = .held(opens: opens)
            } else {
                for lv in active where devices.below(lv.uuid).contains(device.majMin) {
                    kept[lv.uuid] = .held(opens: opens)
                }
            }
        }
        for lv in active {
            guard case .held = kept[lv.uuid] else { continue }
            let under = devices.below(lv.uuid)
            for other in active where kept[other.uuid] == nil && devices.overlaps(other.uuid, under) {
                kept[other.uuid] = .under(lv: "\(lv.vgName)/\(lv.name)")
            }
        }
        return kept
    }

    /// Each classic snapshot ('s') with its origin ('o'): the snapshot stacks on the `-real` device the origin owns.
    private static func snapshotOrigins(_ active: [HostFacts.LogicalVolume], _ devices: VGDevices) -> [LVUUID: String] {
        var origins: [LVUUID: String] = [:]
        for snapshot in active where snapshot.attr.first == "s" {
            let under = devices.below(snapshot.uuid)
            if let origin = active.first(where: { $0.attr.first == "o" && devices.overlaps($0.uuid, under) }) {
                origins[snapshot.uuid] = origin.name
            }
        }
        return origins
    }

    /// The LVs by depth, then name: a device's depth is 0 when no VG device sits on it, else one more than the
    /// deepest VG device on top; an LV's is its deepest device's (a pool's `-tpool` under its thin LVs).
    private static func topFirst(_ active: [HostFacts.LogicalVolume], _ devices: VGDevices) -> [HostFacts.LogicalVolume]
    {
        var depth: [MajorMinor: Int] = [:]
        func depthOf(_ device: MajorMinor, _ visiting: Set<MajorMinor> = []) -> Int {
            if let known = depth[device] { return known }
            let above = devices.graph.holders(of: device).filter {
                devices.inVG.contains($0) && !visiting.contains($0)
            }
            let value = above.map { depthOf($0, visiting.union([device])) + 1 }.max() ?? 0
            depth[device] = value
            return value
        }
        let level = { (lv: HostFacts.LogicalVolume) in (devices.of[lv.uuid] ?? []).map { depthOf($0) }.max() ?? 0 }
        return active.map { ($0, level($0)) }.sorted { ($0.1, $0.0.name) < ($1.1, $1.0.name) }.map(\.0)
    }
}
