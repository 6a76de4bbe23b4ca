/// A resolved inventory: every host with its groups and its variables after Ansible's precedence.
public struct Inventory: Sendable {
    /// A group: the hosts listed in it directly and its child groups.
    public struct Group: Sendable {
        public let name: String
        public let hosts: Set<String>
        public let children: Set<String>
        /// Where the group was first written, nil for the implicit `all` and `ungrouped`.
        public let location: SourceLocation?
    }

    /// A host, its groups (direct and inherited, `all` included) and its resolved variables.
    public struct Host: Sendable {
        public let name: String
        public let groups: Set<String>
        public let variables: Variables
        /// Where the host was first listed.
        public let location: SourceLocation
    }

    /// The file the inventory was read from.
    public let file: String
    public let groups: [String: Group]
    public let hosts: [String: Host]

    public init(file: String, groups: [String: Group], hosts: [String: Host]) {
        self.file = file
        self.groups = groups
        self.hosts = hosts
    }

    /// Host names in sorted order.
    public var hostNames: [String] { hosts.keys.sorted() }

    /// Every host in `group` or any group below it.
    public func hosts(inGroup group: String) -> Set<String> {
        var result = Set<String>()
        var seen = Set<String>()
        var stack = [group]
        while let name = stack.popLast() {
            guard seen.insert(name).inserted, let group = groups[name] else { continue }
            result.formUnion(group.hosts)
            stack.append(contentsOf: group.children)
        }
        return result
    }
}
