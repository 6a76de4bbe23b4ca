/// Reads Ansible's YAML inventory format into an `InventoryBuilder`.
///
/// ```yaml
/// all:
///   vars: { ansible_user: cloud }
///   children:
///     compute:
///       hosts:
///         compute-[01:20]:
///         compute-21: { ansible_host: 10.0.0.21 }
/// ```
public enum InventoryYAMLReader {
    static let groupKeys = ["hosts", "children", "vars"]

    public static func read(_ root: YAMLNode, into builder: inout InventoryBuilder, diagnostics: inout Diagnostics) {
        guard let groups = root.mapping("the inventory", diagnostics: &diagnostics) else { return }
        if groups.isEmpty {
            diagnostics.error(
                "the inventory has no groups or hosts", at: root.location,
                hint: "start with 'all:' and list hosts under 'hosts:' or groups under 'children:'")
        }
        for entry in groups {
            readGroup(entry.key, node: entry.value, at: entry.keyLocation, into: &builder, diagnostics: &diagnostics)
        }
    }

    private static func readGroup(
        _ name: String, node: YAMLNode, at location: SourceLocation,
        into builder: inout InventoryBuilder, diagnostics: inout Diagnostics
    ) {
        guard validGroupName(name, at: location, diagnostics: &diagnostics) else { return }
        builder.declareGroup(name, at: location)
        guard let entries = node.mapping("group '\(name)'", allowed: groupKeys, diagnostics: &diagnostics) else {
            return
        }
        for entry in entries {
            switch entry.key {
            case "vars":
                if let variables = variables(entry.value, what: "vars of group '\(name)'", diagnostics: &diagnostics) {
                    builder.setGroupVariables(variables, forGroup: name, at: entry.keyLocation)
                }
            case "hosts":
                guard let hosts = entry.value.mapping("hosts of group '\(name)'", diagnostics: &diagnostics) else {
                    continue
                }
                for host in hosts {
                    guard let names = HostRange.expand(host.key) else {
                        diagnostics.error(
                            "invalid host range in '\(host.key)'", at: host.keyLocation,
                            hint: "write ranges as name[01:20] or name[a:f]")
                        continue
                    }
                    let hostVariables =
                        variables(host.value, what: "vars of host '\(host.key)'", diagnostics: &diagnostics) ?? [:]
                    for hostName in names {
                        builder.addHost(hostName, toGroup: name, variables: hostVariables, at: host.keyLocation)
                    }
                }
            case "children":
                guard let children = entry.value.mapping("children of group '\(name)'", diagnostics: &diagnostics)
                else { continue }
                for child in children {
                    guard validGroupName(child.key, at: child.keyLocation, diagnostics: &diagnostics) else { continue }
                    builder.addChild(child.key, toGroup: name, at: child.keyLocation)
                    readGroup(
                        child.key, node: child.value, at: child.keyLocation, into: &builder, diagnostics: &diagnostics)
                }
            default:
                break  // reported by mapping(allowed:)
            }
        }
    }

    /// Variables from a mapping node (null is none).
    static func variables(_ node: YAMLNode, what: String, diagnostics: inout Diagnostics) -> Variables? {
        guard let entries = node.mapping(what, diagnostics: &diagnostics) else { return nil }
        var result: Variables = [:]
        for entry in entries {
            result[entry.key] = InventoryVariable(
                VariableValue(entry.value), at: entry.value.isNull ? entry.keyLocation : entry.value.location)
        }
        return result
    }

    static func validGroupName(_ name: String, at location: SourceLocation, diagnostics: inout Diagnostics) -> Bool {
        let allowed = name.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
        if name.isEmpty || !allowed {
            diagnostics.error("invalid group name '\(name)'", at: location, hint: "use letters, digits, '_' and '-'")
            return false
        }
        return true
    }
}
