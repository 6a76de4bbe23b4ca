/// `lvmguard diagnose`: the incident report's troubleshooting as one read-only look at one host. Given what
/// the SRE has in hand (os-brick's log line, a WWID, a map name or an instance), it finds the multipath map,
/// says who holds it open up the whole stack (host LVM's LVs of which VG, by UUID; the instance's disk), why
/// host LVM could activate a guest VG there, and the plan that fixes it.
public struct Diagnosis: Sendable, Codable {
    /// What the SRE gave; any one is enough.
    public struct Query: Sendable, Codable, Hashable {
        public var logLine: String?
        public var wwid: WWID?
        public var map: String?
        /// An instance's UUID (nova's, which is the libvirt domain's) or its libvirt domain name.
        public var instance: String?

        public init(logLine: String? = nil, wwid: WWID? = nil, map: String? = nil, instance: String? = nil) {
            (self.logLine, self.wwid, self.map, self.instance) = (logLine, wwid, map, instance)
        }

        /// The WWID in os-brick's `multipath -f /dev/disk/by-id/dm-uuid-mpath-<wwid>` (or any dm-uuid-mpath- name).
        public static func wwid(inLogLine line: String) -> WWID? {
            guard let range = line.range(of: "dm-uuid-mpath-") else { return nil }
            let wwid = line[range.upperBound...].prefix {
                $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "."
            }
            return WWID(wwid)
        }
    }

    public enum Verdict: String, Sendable, Codable {
        /// Host LVM has LVs active on the map: `multipath -f` fails with "map in use" until they are deactivated.
        case heldByHostLVM = "held-by-host-lvm"
        /// Open, but not by host LVM (the instance, or something else named in the holders).
        case heldByOther = "held-by-other"
        /// Nothing holds the map: `multipath -f` can succeed.
        case free
        /// No multipath map matches the query.
        case notFound = "not-found"
    }

    /// One device on top of the map, found by major:minor, with what it is.
    public struct Holder: Sendable, Codable, Hashable {
        public let device: String
        /// How deep above the map: 1 sits on it directly.
        public let depth: Int
        public let open: Int
        /// The LV it is, by its dm UUID: "guestvg/data (VG uuid, LV uuid)".
        public let lv: String?
        /// Whose the LV's VG is: host, guest or ambiguous; nil for a device that is no LV.
        public let owner: String?
    }

    public var format = "lvmguard-diagnosis"
    public var version = 1
    public let host: String
    public let query: Query
    public let verdict: Verdict
    public let map: String?
    public let wwid: WWID?
    /// The map's own open count (`dmsetup info`): each device or process holding it counts.
    public let openCount: Int?
    public let holders: [Holder]
    /// The disks of libvirt domains (nova instances, by name and UUID) that are the map or a device on it.
    public let instances: [HostFacts.LibvirtDisk]
    /// Guest VGs host LVM activated on the map, by name and UUID.
    public let guestVGs: [String]
    /// Why host LVM could see and activate them: the filter and devices-file settings in force.
    public let why: [String]
    /// The plan that fixes the host, as `plan` would make it.
    public let plan: HostPlan
}
