/// A YAML node with the place it was written: what the file readers walk.
public struct YAMLNode: Sendable {
    /// The shape of a node. Scalars keep their text; typing happens where a key's meaning is known.
    public enum Kind: Sendable {
        case null
        case scalar(String)
        case sequence([YAMLNode])
        case mapping([YAMLEntry])
    }

    public let kind: Kind
    public let location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// A word for the node's shape, for messages like "expected a mapping, found a list".
    public var shapeName: String {
        switch kind {
        case .null: "nothing"
        case .scalar: "a scalar"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }

    public var isNull: Bool {
        if case .null = kind { return true }
        return false
    }

    /// The text of a scalar node, nil for any other shape.
    public var scalar: String? {
        if case let .scalar(text) = kind { return text }
        return nil
    }
}

/// One `key: value` pair of a YAML mapping.
public struct YAMLEntry: Sendable {
    public let key: String
    public let keyLocation: SourceLocation
    public let value: YAMLNode

    public init(key: String, keyLocation: SourceLocation, value: YAMLNode) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}
