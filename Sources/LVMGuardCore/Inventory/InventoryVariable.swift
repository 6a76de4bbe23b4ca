/// The value of an inventory variable, as written (scalars stay text until a reader knows the type).
public indirect enum VariableValue: Sendable, Hashable {
    case null
    case scalar(String)
    case list([VariableValue])
    case map([String: VariableValue])

    /// The value built from a located YAML node.
    public init(_ node: YAMLNode) {
        switch node.kind {
        case .null: self = .null
        case let .scalar(text): self = .scalar(text)
        case let .sequence(items): self = .list(items.map(VariableValue.init))
        case let .mapping(entries):
            var map: [String: VariableValue] = [:]
            for entry in entries { map[entry.key] = VariableValue(entry.value) }
            self = .map(map)
        }
    }
}

/// An inventory variable with the place that set it, so a bad value can be reported where it was written.
public struct InventoryVariable: Sendable, Hashable {
    public let value: VariableValue
    public let location: SourceLocation

    public init(_ value: VariableValue, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// Variables by name.
public typealias Variables = [String: InventoryVariable]
