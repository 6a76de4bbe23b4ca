/// What the host does with each active LV, found by identity: the LV's device by its dm UUID, then every
/// mount, swap area, libvirt disk, iSCSI export and dm holder tied to that device (or to a device stacked on it) by
/// major:minor. A guest's LV named like the host's cannot borrow the host's mounts this way.
struct LVUse {
    /// Per VG UUID: why the host uses it ("LV data is mounted at /srv").
    private(set) var reasons: [VGUUID: [String]] = [:]
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
            var found: [String] = []
            // Upwards through the stack: the LV, then what is built on it. Devices of the LV's own VG (thin
            // pools, snapshots, cache) are part of the LV; anything else on top is the host using it.
            var queue = [(device, "LV \(lv.name)")]
            var seen: Set<MajorMinor> = [device]
            while !queue.isEmpty {
                let (current, path) = queue.removeFirst()
                for target in mountsByDevice[current] ?? [] { found.append("\(path) is mounted at \(target)") }
                if swapDevices.contains(current) { found.append("\(path) is in use as swap") }
                for disk in libvirtByDevice[current] ?? [] { found.append("\(path) is \(disk)") }
                for export in exportsByDevice[current] ?? [] { found.append("\(path) is exported by \(export)") }
                if current != device {
                    for pv in pvsByDevice[current] ?? [] where pv.vgUUID != lv.vgUUID {
                        found.append("\(path) is PV \(pv.name) of VG \(pv.vgName) (\(pv.vgUUID?.description ?? ""))")
                    }
                }
                for holder in graph.holders(of: current) where seen.insert(holder).inserted {
                    let dm = graph.dmDevice(holder)
                    if let dm, dm.uuid?.isLVM(ofVG: lv.vgUUID) == true {
                        queue.append((holder, path))
                        continue
                    }
                    let kind = dm.map { $0.uuid?.kind ?? "dm device" } ?? "partition"
                    let next = "\(path) carries \(kind) \(graph.describe(holder))"
                    found.append(next)
                    queue.append((holder, next))
                }
            }
            // A stacked device is reported once at its most precise: drop "carries X" when "carries X is ..." follows.
            let precise = found.filter { line in !found.contains { $0 != line && $0.hasPrefix(line + " ") } }
            if !precise.isEmpty {
                reasons[lv.vgUUID, default: []] += precise
            } else if graph.opensFromOutsideVG(device) > 0 {
                unexplainedOpen[lv.vgUUID, default: []].append(
                    .init(name: lv.name, uuid: lv.uuid, openCount: graph.opensFromOutsideVG(device)))
            }
        }
        // LVM's hidden layers (a pool's _tdata and -tpool, a RAID image, an origin's -real): not an LV's own device, and what
        // holds one from outside its VG holds the VG all the same.
        let lvDevices = Set(facts.lvs.compactMap(graph.majMin(of:)))
        for device in facts.dmDevices where !lvDevices.contains(device.majMin) {
            guard let identity = device.uuid?.lvIdentity else { continue }
            let opens = graph.opensFromOutsideVG(device.majMin)
            guard opens > 0, reasons[identity.vg] == nil else { continue }
            unexplainedOpen[identity.vg, default: []].append(
                .init(name: "[\(device.name)]", uuid: identity.lv, openCount: opens))
        }
    }
}
