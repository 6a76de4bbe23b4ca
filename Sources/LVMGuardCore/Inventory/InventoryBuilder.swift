/// Collects groups, hosts and variables as the inventory files are read, then resolves them.
///
/// Variable precedence follows Ansible's documented order, lowest first:
/// inventory group vars (by group depth, then name) < `group_vars/all` < other `group_vars/*`
/// (by depth, then name) < inventory host vars < `host_vars/*`. Merges replace whole values.
public struct InventoryBuilder: Sendable {
    struct GroupEntry: Sendable {
        var hosts: Set<String> = []
        var children: Set<String> = []
        var inlineVariables: Variables = [:]
        var fileVariables: Variables = [:]
        var location: SourceLocation?
    }

    struct HostEntry: Sendable {
        var inlineVariables: Variables = [:]
        var fileVariables: Variables = [:]
        var location: SourceLocation
    }

    let file: String
    private(set) var groups: [String: GroupEntry] = ["all": GroupEntry(), "ungrouped": GroupEntry()]
    private(set) var hosts: [String: HostEntry] = [:]

    public init(file: String) { self.file = file }

    public var groupNames: Set<String> { Set(groups.keys) }
    public var hostNames: Set<String> { Set(hosts.keys) }

    /// Declares a group (again); the first declaration's location is kept.
    public mutating func declareGroup(_ name: String, at location: SourceLocation) {
        if groups[name] == nil { groups[name] = GroupEntry() }
        if groups[name]?.location == nil, name != "all" { groups[name]?.location = location }
    }

    /// Lists `host` in `group` with inline variables; later inline variables override earlier ones.
    public mutating func addHost(
        _ host: String, toGroup group: String, variables: Variables, at location: SourceLocation
    ) {
        if groups[group] == nil { groups[group] = GroupEntry(location: location) }
        groups[group]?.hosts.insert(host)
        if hosts[host] == nil { hosts[host] = HostEntry(location: location) }
        hosts[host]?.inlineVariables.merge(variables) { _, new in new }
    }

    public mutating func addChild(_ child: String, toGroup group: String, at location: SourceLocation) {
        declareGroup(group, at: location)
        declareGroup(child, at: location)
        groups[group]?.children.insert(child)
    }

    public mutating func setGroupVariables(_ variables: Variables, forGroup group: String, at location: SourceLocation)
    {
        declareGroup(group, at: location)
        groups[group]?.inlineVariables.merge(variables) { _, new in new }
    }

    /// Variables from `group_vars/<group>`.
    public mutating func setGroupFileVariables(_ variables: Variables, forGroup group: String) {
        groups[group]?.fileVariables.merge(variables) { _, new in new }
    }

    /// Variables from `host_vars/<host>`.
    public mutating func setHostFileVariables(_ variables: Variables, forHost host: String) {
        hosts[host]?.fileVariables.merge(variables) { _, new in new }
    }

    /// Resolves group membership and variables. Reports cycles among child groups.
    public func build(diagnostics: inout Diagnostics) -> Inventory {
        var groups = self.groups
        // Every group without a parent is a child of `all`, as in Ansible.
        let childNames = Set(groups.filter { $0.key != "all" }.flatMap(\.value.children))
        for name in groups.keys where name != "all" && !childNames.contains(name) {
            groups["all"]?.children.insert(name)
        }
        // Hosts in no group but `all`/`ungrouped` belong to `ungrouped`.
        let grouped = Set(groups.filter { $0.key != "all" && $0.key != "ungrouped" }.flatMap(\.value.hosts))
        for host in hosts.keys where !grouped.contains(host) {
            groups["ungrouped"]?.hosts.insert(host)
        }
        let depths = Self.depths(of: groups, diagnostics: &diagnostics)

        var parentsOfHost: [String: Set<String>] = [:]
        for (groupName, group) in groups {
            for host in group.hosts { parentsOfHost[host, default: []].insert(groupName) }
        }
        var parentsOfGroup: [String: Set<String>] = [:]
        for (groupName, group) in groups {
            for child in group.children { parentsOfGroup[child, default: []].insert(groupName) }
        }

        var resolvedHosts: [String: Inventory.Host] = [:]
        for (name, host) in hosts {
            var memberOf = Set<String>()
            var stack = Array(parentsOfHost[name] ?? [])
            while let group = stack.popLast() {
                guard memberOf.insert(group).inserted else { continue }
                stack.append(contentsOf: parentsOfGroup[group] ?? [])
            }
            memberOf.insert("all")
            let ordered = memberOf.sorted { (depths[$0] ?? 0, $0) < (depths[$1] ?? 0, $1) }
            var variables: Variables = [:]
            for group in ordered { variables.merge(groups[group]?.inlineVariables ?? [:]) { _, new in new } }
            variables.merge(groups["all"]?.fileVariables ?? [:]) { _, new in new }
            for group in ordered where group != "all" {
                variables.merge(groups[group]?.fileVariables ?? [:]) { _, new in new }
            }
            variables.merge(host.inlineVariables) { _, new in new }
            variables.merge(host.fileVariables) { _, new in new }
            resolvedHosts[name] = Inventory.Host(
                name: name, groups: memberOf, variables: variables, location: host.location)
        }
        var resolvedGroups: [String: Inventory.Group] = [:]
        for (name, entry) in groups {
            resolvedGroups[name] = Inventory.Group(
                name: name, hosts: entry.hosts, children: entry.children, location: entry.location)
        }
        return Inventory(file: file, groups: resolvedGroups, hosts: resolvedHosts)
    }

    /// Each group's depth below `all` (the longest path, as Ansible counts it); reports cycles.
    private static func depths(of groups: [String: GroupEntry], diagnostics: inout Diagnostics) -> [String: Int] {
        var depths: [String: Int] = [:]
        var reportedCycle = Set<String>()
        func visit(_ name: String, depth: Int, path: [String]) {
            if let index = path.firstIndex(of: name) {
                let cycle = path[index...] + [name]
                if reportedCycle.insert(name).inserted {
                    diagnostics.error(
                        "group '\(name)' is its own descendant: \(cycle.joined(separator: " -> "))",
                        at: groups[name]?.location, hint: "remove one of the children: entries")
                }
                return
            }
            guard depth > (depths[name] ?? -1) else { return }
            depths[name] = depth
            for child in (groups[name]?.children ?? []).sorted() {
                visit(child, depth: depth + 1, path: path + [name])
            }
        }
        visit("all", depth: 0, path: [])
        // A cycle with no way in from `all` is still a cycle.
        for name in groups.keys.sorted() where depths[name] == nil {
            visit(name, depth: 1, path: [])
        }
        return depths
    }
}
