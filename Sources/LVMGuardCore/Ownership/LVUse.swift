/// What the host does with each active LV, found by identity: the LV's device by its dm UUID, then every
/// mount, swap area, libvirt disk, iSCSI export and dm holder tied to that device (or to a device stacked on it) by
/// major:minor. A guest's LV named like the host's cannot borrow the host's mounts this way.
struct LVUse {
    /// One use of an LV: what the host does with it, directly or through devices stacked on it.
    struct Use: Sendable, Hashable {
        /// A device on the way up from the LV: its kind ("dm-crypt device", "partition") and how `DeviceGraph`
        /// describes it.
        struct Layer: Sendable, Hashable {
            let kind: String, device: String
        }

        enum Kind: Sendable, Hashable {
            case mounted(at: String)
            case swap
            /// A libvirt domain's disk (`LibvirtDisk.use`).
            case instanceDisk(String)
            /// Exported by an iSCSI target (`TargetExport.label`).
            case exported(by: String)
            /// A PV of another VG.
            case physicalVolume(name: String, vgName: String, vgUUID: VGUUID?)
            /// A device stacked on the LV, with no use of its own found.
            case carries
        }

        let lv: String
        /// The devices between the LV and the use, bottom first; for `carries`, the last is the device carried.
        let through: [Layer]
        let kind: Kind

        /// "LV data is mounted at /srv", "LV data carries dm-crypt device luks-1 (dm-5) is in use as swap".
        var sentence: String {
            let path = (["LV \(lv)"] + through.map { "carries \($0.kind) \($0.device)" }).joined(separator: " ")
            return switch kind {
            case let .mounted(target): "\(path) is mounted at \(target)"
            case .swap: "\(path) is in use as swap"
            case let .instanceDisk(disk): "\(path) is \(disk)"
            case let .exported(export): "\(path) is exported by \(export)"
            case let .physicalVolume(name, vgName, vgUUID):
                "\(path) is PV \(name) of VG \(vgName) (\(vgUUID?.description ?? ""))"
            case .carries: path
            }
        }

        /// Whether `other` says more about the same device: a layer this use only carries, used further up.
        func isLessPrecise(than other: Use) -> Bool {
            kind == .carries && other != self && other.lv == lv && other.through.starts(with: through)
        }
    }

    /// Per VG UUID: how the host uses it, each use at its most precise.
    private(set) var uses: [VGUUID: [Use]] = [:]
    /// Per VG UUID: why the host uses it, as sentences ("LV data is mounted at /srv").
    var reasons: [VGUUID: [String]] { uses.mapValues { $0.map(\.sentence) } }
    /// Per VG UUID: its LVs that are open while nothing lvmguard can see explains it.
    private(set) var unexplainedOpen: [VGUUID: [Ownership.OpenLV]] = [:]

    init(facts: HostFacts, graph: DeviceGraph) {
        /// Values grouped by the device (major:minor) each one's path resolves to; unresolved ones dropped.
        func byDevice<Item, Value>(
            _ items: [Item], device: (Item) -> MajorMinor?, _ value: (Item) -> Value
        ) -> [MajorMinor: [Value]] {
            Dictionary(grouping: items.compactMap { item in device(item).map { ($0, value(item)) } }, by: \.0)
                .mapValues { $0.map(\.1) }
        }
        let mountsByDevice = byDevice(facts.mounts, device: { $0.majMin ?? graph.majMin(ofPath: $0.source) }, \.target)
            .mapValues { $0.sorted() }
        let swapDevices = Set(facts.swaps.compactMap(graph.majMin(ofPath:)))
        let libvirtByDevice = byDevice(facts.libvirtDisks, device: { graph.majMin(ofPath: $0.source) }, \.use)
            .mapValues { $0.sorted() }
        let pvsByDevice = byDevice(facts.pvs, device: { graph.majMin(ofPath: $0.name) }) { $0 }
        let exportsByDevice = byDevice(facts.targetExports, device: { graph.majMin(ofPath: $0.device) }, \.label)
            .mapValues { $0.sorted() }

        for lv in facts.lvs {
            guard let device = graph.majMin(of: lv) else { continue }
            var found: [Use] = []
            // Upwards through the stack: the LV, then what is built on it. Devices of the LV's own VG (thin
            // pools, snapshots, cache) are part of the LV; anything else on top is the host using it.
            var queue: [(MajorMinor, [Use.Layer])] = [(device, [])]
            var seen: Set<MajorMinor> = [device]
            while !queue.isEmpty {
                let (current, through) = queue.removeFirst()
                func use(_ kind: Use.Kind) { found.append(Use(lv: lv.name, through: through, kind: kind)) }
                for target in mountsByDevice[current] ?? [] { use(.mounted(at: target)) }
                if swapDevices.contains(current) { use(.swap) }
                for disk in libvirtByDevice[current] ?? [] { use(.instanceDisk(disk)) }
                for export in exportsByDevice[current] ?? [] { use(.exported(by: export)) }
                if current != device {
                    for pv in pvsByDevice[current] ?? [] where pv.vgUUID != lv.vgUUID {
                        use(.physicalVolume(name: pv.name, vgName: pv.vgName, vgUUID: pv.vgUUID))
                    }
                }
                for holder in graph.holders(of: current) where seen.insert(holder).inserted {
                    let dm = graph.dmDevice(holder)
                    if let dm, dm.uuid?.isLVM(ofVG: lv.vgUUID) == true {
                        queue.append((holder, through))
                        continue
                    }
                    let kind = dm.map { $0.uuid?.kind ?? "dm device" } ?? "partition"
                    let next = through + [Use.Layer(kind: kind, device: graph.describe(holder))]
                    found.append(Use(lv: lv.name, through: next, kind: .carries))
                    queue.append((holder, next))
                }
            }
            // A stacked device is reported once at its most precise: "carries X" is dropped when "carries X is ..."
            // (or "carries X carries Y") follows.
            let precise = found.filter { use in !found.contains { use.isLessPrecise(than: $0) } }
            if !precise.isEmpty {
                uses[lv.vgUUID, default: []] += precise
            } else if case let opens = graph.opensFromOutsideVG(device), opens > 0 {
                unexplainedOpen[lv.vgUUID, default: []].append(.init(name: lv.name, uuid: lv.uuid, openCount: opens))
            }
        }
        // LVM's hidden layers (a pool's _tdata and -tpool, a RAID image, an origin's -real): not an LV's own device, and what
        // holds one from outside its VG holds the VG all the same.
        let lvDevices = Set(facts.lvs.compactMap(graph.majMin(of:)))
        for device in facts.dmDevices where !lvDevices.contains(device.majMin) {
            guard let identity = device.uuid?.lvIdentity else { continue }
            let opens = graph.opensFromOutsideVG(device.majMin)
            guard opens > 0, uses[identity.vg] == nil else { continue }
            unexplainedOpen[identity.vg, default: []].append(
                .init(name: "[\(device.name)]", uuid: identity.lv, openCount: opens))
        }
    }
}
