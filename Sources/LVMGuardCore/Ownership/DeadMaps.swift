extension HostPlan {
    /// A multipath map with no active path: what is on it, and what apply does about it. LVM cannot read it
    /// (a read waits for a path that may never return), so what is on it is known from device-mapper only.
    public struct DeadMap: Sendable, Codable, Hashable {
        /// An active LV device on the map, known by its dm UUID (`LVM-<vg uuid><lv uuid>`).
        public struct LVDevice: Sendable, Codable, Hashable {
            public let dmName: String
            public let dmUUID: String
            public let vgUUID: String
            public let lvUUID: String
            public let open: Int
        }

        public let name: String
        public let wwid: String?
        public let queueIfNoPath: Bool
        /// Each path with its state: "sda (8:0) failed".
        public let paths: [String]
        /// The guest LVs on the map, top of the stack first (the order apply removes them in).
        public let guestLVs: [LVDevice]
        /// How the host uses storage on the map; such a map is never touched.
        public let hostUse: [String]
        /// Why apply could not release the map's guest LVs, even if asked to.
        public let blockers: [String]
        /// Apply stops queueing on this map and removes its guest LVs' mappings.
        public let release: Bool

        /// The same map, reported but not released (for a blocked host, which gets no changes).
        var reportOnly: DeadMap {
            DeadMap(name: name, wwid: wwid, queueIfNoPath: queueIfNoPath, paths: paths, guestLVs: guestLVs,
                    hostUse: hostUse, blockers: blockers, release: false)
        }

        /// The guest VGs on the map, by UUID.
        public var guestVGUUIDs: [String] { Array(Set(guestLVs.map(\.vgUUID))).sorted() }
    }
}

/// The maps with no active path, analysed from device-mapper's view only: what is stacked on each (by dm
/// UUID and major:minor) and whether the host uses it.
enum DeadMaps {
    static func analyse(_ facts: HostFacts, graph: DeviceGraph, hostVGUUIDs: Set<String>, release: Bool) -> [HostPlan.DeadMap] {
        let dmByName = Dictionary(facts.dmDevices.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let mountsByDevice = Dictionary(grouping: facts.mounts.compactMap { mount in
            (mount.majMin ?? graph.majMin(ofPath: mount.source)).map { ($0, mount.target) }
        }, by: \.0).mapValues { $0.map(\.1).sorted() }
        let swapDevices = Set(facts.swaps.compactMap(graph.majMin(ofPath:)))
        let libvirtByDevice = Dictionary(grouping: facts.libvirtDisks.compactMap { disk in
            graph.majMin(ofPath: disk.source).map { ($0, disk.use) }
        }, by: \.0).mapValues { $0.map(\.1).sorted() }
        let hostVGKeys = Set(hostVGUUIDs.map { $0.replacingOccurrences(of: "-", with: "") })

        return facts.deadMaps.sorted { $0.name < $1.name }.map { map in
            let device = dmByName[map.name]
            let paths = map.paths.map { path in
                "\(graph.kernelName(of: path.majMin) ?? "path") (\(path.majMin)) \(path.active ? "active" : "failed")"
            }
            var guestLVs: [HostPlan.DeadMap.LVDevice] = []
            var hostUse: [String] = [], blockers: [String] = []
            // Upwards from the map, breadth first; apply removes in the reverse order, tops first.
            var stack: [String] = []
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
            for current in stack.reversed() {
                guard let dm = graph.dmDevice(current), let lv = Self.lvIdentity(dmUUID: dm.uuid) else {
                    blockers.append("it carries \(graph.dmDevice(current).map { LVUse.kind(ofDMUUID: $0.uuid) } ?? "partition") "
                        + "\(graph.describe(current)), which is not an LV")
                    continue
                }
                if hostVGKeys.contains(lv.vg) {
                    hostUse.append("\(graph.describe(current)) is an LV of host VG \(Self.formatted(lv.vg))")
                    continue
                }
                let holdersInStack = graph.holders(of: current).count
                if dm.open > holdersInStack {
                    blockers.append("guest LV \(dm.name) is open (open count \(dm.open)) by something lvmguard cannot see")
                }
                guestLVs.append(.init(dmName: dm.name, dmUUID: dm.uuid, vgUUID: Self.formatted(lv.vg),
                                      lvUUID: Self.formatted(lv.lv), open: dm.open))
            }
            let releasable = hostUse.isEmpty && blockers.isEmpty && !guestLVs.isEmpty
            return HostPlan.DeadMap(name: map.name, wwid: device?.multipathWWID, queueIfNoPath: map.queueIfNoPath,
                                    paths: paths, guestLVs: guestLVs, hostUse: hostUse, blockers: blockers,
                                    release: release && releasable)
        }
    }

    /// The VG and LV UUIDs (32 characters each, no dashes) in an LV's dm UUID; nil for any other dm device.
    static func lvIdentity(dmUUID: String) -> (vg: String, lv: String)? {
        guard dmUUID.hasPrefix("LVM-") else { return nil }
        let body = dmUUID.dropFirst(4)
        guard body.count >= 64 else { return nil }
        return (String(body.prefix(32)), String(body.dropFirst(32).prefix(32)))
    }

    /// An LVM UUID as LVM prints it: 6-4-4-4-4-4-6 characters.
    static func formatted(_ compact: String) -> String {
        guard compact.count == 32 else { return compact }
        var parts: [Substring] = []
        var rest = Substring(compact)
        for length in [6, 4, 4, 4, 4, 4, 6] {
            parts.append(rest.prefix(length))
            rest = rest.dropFirst(length)
        }
        return parts.joined(separator: "-")
    }
}
