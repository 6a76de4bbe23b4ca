/// A saved plan: every host's plan with what it relied on, for review and for `apply --plan`.
public struct FleetPlan: Sendable, Codable, Hashable {
    /// Bumped when the format changes incompatibly; apply refuses other versions. Version 2: blockers and
    /// warnings are typed findings (`kind` and `message`) instead of sentences. Version 3: each host's `bootFiles`
    /// (lvmguard's PV link rule and dracut drop-in). Version 4: LVM UUIDs are typed (PVIDs to remove spelled as LVM
    /// prints them), and findings a version-3 reader does not know (names without use, stale instance disks).
    public static let currentVersion = 5

    public let format: String
    public let version: Int
    public let playbook: String
    public let inventory: String
    public let policy: String
    public let hosts: [HostPlan]

    public init(playbook: String, inventory: String, policy: String, hosts: [HostPlan]) {
        self.format = "lvmguard-plan"
        self.version = Self.currentVersion
        self.playbook = playbook
        self.inventory = inventory
        self.policy = policy
        self.hosts = hosts.sorted { $0.host < $1.host }
    }

    /// The same plan for only the named hosts (`apply --plan FILE --limit PATTERN`).
    public func limited(to names: Set<String>) -> FleetPlan {
        FleetPlan(
            playbook: playbook, inventory: inventory, policy: policy, hosts: hosts.filter { names.contains($0.host) })
    }

    /// Hosts per status, every status present (zero when none).
    public var recap: [(HostPlan.Status, Int)] {
        HostPlan.Status.allCases.map { status in (status, hosts.filter { $0.status == status }.count) }
    }
}
