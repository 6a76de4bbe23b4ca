/// The maps with no active path, analysed from device-mapper's view only: what is stacked on each (by dm
/// UUID and major:minor) and whether the host uses it. An LV there is a guest's only when `guestTied` (devices
/// evidence ties to a guest without reading them: `Ownership.guestTiedDevices`) holds it.
enum DeadMaps {
    static func analyse(
        _ facts: HostFacts, graph: DeviceGraph, hostVGUUIDs: Set<VGUUID>, guestTied: Set<MajorMinor>, release: Bool
    ) -> [HostPlan.DeadMap] {
        let dmByName = Dictionary(facts.dmDevices.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let mountsByDevice = Dictionary(
            grouping: facts.mounts.compactMap { mount in
                (mount.majMin ?? graph.majMin(ofPath: mount.source)).map { ($0, mount.target) }
            }, by: \.0
        ).mapValues { $0.map(\.1).sorted() }
        let swapDevices = Set(facts.swaps.compactMap(graph.majMin(ofPath:)))
        // A defined, shut-off instance holds nothing; a running one's qemu has the map open.
        let libvirtByDevice = Dictionary(
            grouping: facts.libvirtDisks.filter { $0.state == .running }.compactMap { disk in
                graph.majMin(ofPath: disk.source).map { ($0, disk.use) }
            }, by: \.0
        ).mapValues { $0.map(\.1).sorted() }

        return facts.deadMaps.sorted { $0.name < $1.name }.map { map in
            let device = dmByName[map.name]
            let paths = map.paths.map { path in
                "\(path.majMin.flatMap(graph.kernelName(of:))?.rawValue ?? "path") (\(path.majMin?.description ?? "unknown")) "
                    + (path.active ? "active" : "failed")
            }
            var guestLVs: [HostPlan.DeadMap.LVDevice] = [], unjudged: [HostPlan.DeadMap.LVDevice] = []
            var hostUse: [String] = [], blockers: [String] = []
            // Upwards from the map, breadth first; apply removes in the reverse order, tops first.
            var stack: [MajorMinor] = []
            var queue = device.map { graph.holders(of: $0.majMin) } ?? []
            var seen = Set(queue)
            while !queue.isEmpty {
                let current = queue.removeFirst()
                stack.append(current)
                let described = graph.describe(current)
                for target in mountsByDevice[current] ?? [] { hostUse.append("\(described) is mounted at \(target)") }
                if swapDevices.contains(current) { hostUse.append("\(described) is in use as swap") }
                for disk in libvirtByDevice[current] ?? [] { blockers.append("\(described) is \(disk)") }
                for holder in graph.holders(of: current) where seen.insert(holder).inserted { queue.append(holder) }
            }
            for disk in device.flatMap({ libvirtByDevice[$0.majMin] }) ?? [] { blockers.append("the map is \(disk)") }
            // Someone lvmguard cannot name has it open (an instance's qemu in a container, a process with the
            // device open): failing its queued I/O would fail theirs.
            if let device, device.open > graph.holders(of: device.majMin).count {
                blockers.append(
                    "the map is open \(device.open) times but lvmguard names \(graph.holders(of: device.majMin).count) "
                        + "holders: something it cannot see has it open")
            }
            for current in stack.reversed() {
                guard let dm = graph.dmDevice(current), let uuid = dm.uuid, let lv = uuid.lvIdentity else {
                    blockers.append(
                        "it carries \(graph.dmDevice(current).map { $0.uuid?.kind ?? "dm device" } ?? "partition") "
                            + "\(graph.describe(current)), which is not an LV")
                    continue
                }
                if hostVGUUIDs.contains(lv.vg) {
                    hostUse.append("\(graph.describe(current)) is an LV of host VG \(lv.vg)")
                    continue
                }
                let holdersInStack = graph.holders(of: current).count
                if dm.open > holdersInStack {
                    blockers.append(
                        "guest LV \(dm.name) is open (open count \(dm.open)) by something lvmguard cannot see")
                }
                let found = HostPlan.DeadMap.LVDevice(
                    dmName: dm.name, dmUUID: uuid, vgUUID: lv.vg, lvUUID: lv.lv, open: dm.open)
                if guestTied.contains(current) { guestLVs.append(found) } else { unjudged.append(found) }
            }
            let releasable = hostUse.isEmpty && blockers.isEmpty && unjudged.isEmpty && !guestLVs.isEmpty
            return HostPlan.DeadMap(
                name: map.name, wwid: device?.multipathWWID, queueIfNoPath: map.queueIfNoPath,
                paths: paths, guestLVs: guestLVs, hostUse: hostUse, blockers: blockers,
                release: release && releasable, unjudgedLVs: unjudged)
        }
    }
}
