extension HostPlan {
    /// A multipath map with no active path: what is on it, and what apply does about it. LVM cannot read it
    /// (a read waits for a path that may never return), so what is on it is known from device-mapper only.
    public struct DeadMap: Sendable, Codable, Hashable {
        /// An active LV device on the map, known by its dm UUID (`LVM-<vg uuid><lv uuid>`).
        public struct LVDevice: Sendable, Codable, Hashable {
            public let dmName: String
            public let dmUUID: DMUUID
            public let vgUUID: VGUUID
            public let lvUUID: LVUUID
            public let open: Int
        }

        public let name: String
        public let wwid: WWID?
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
        /// LVs on the map of a VG that is not the host's and that nothing ties to a guest without reading the map
        /// (an instance's disk by WWID, a volume this host exports, a declared volume VG): a host's backup or
        /// failover VG on a LUN looks the same in an outage. Never released; the host is blocked.
        public var unjudgedLVs: [LVDevice] = []

        /// The same map, reported but not released (for a blocked host, which gets no changes).
        var reportOnly: DeadMap {
            DeadMap(
                name: name, wwid: wwid, queueIfNoPath: queueIfNoPath, paths: paths, guestLVs: guestLVs,
                hostUse: hostUse, blockers: blockers, release: false, unjudgedLVs: unjudgedLVs)
        }

        /// The VGs of `unjudgedLVs`, by UUID.
        public var unjudgedVGUUIDs: [VGUUID] { Array(Set(unjudgedLVs.map(\.vgUUID))).sorted() }

        /// The guest VGs on the map, by UUID.
        public var guestVGUUIDs: [VGUUID] { Array(Set(guestLVs.map(\.vgUUID))).sorted() }
    }
}
