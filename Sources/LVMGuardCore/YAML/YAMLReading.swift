/// Typed reads of located YAML nodes. Each read that fails records an error at the node and returns nil,
/// so a reader can go on and report every problem in a file at once.
public extension YAMLNode {
    /// The entries of a mapping, checking every key is one of `allowed` (with a did-you-mean otherwise).
    /// `.null` reads as an empty mapping.
    func mapping(_ what: String, allowed: [String]? = nil, diagnostics: inout Diagnostics) -> [YAMLEntry]? {
        switch kind {
        case .null:
            return []
        case let .mapping(entries):
            if let allowed {
                for entry in entries where !allowed.contains(entry.key) {
                    diagnostics.error(
                        "unknown key '\(entry.key)' in \(what)", at: entry.keyLocation,
                        hint: Suggestion.didYouMean(entry.key, in: allowed)
                            ?? "expected one of: \(allowed.joined(separator: ", "))")
                }
            }
            return entries
        default:
            diagnostics.error("\(what) must be a mapping, found \(shapeName)", at: location)
            return nil
        }
    }

    /// The items of a list; `.null` reads as an empty list.
    func sequence(_ what: String, diagnostics: inout Diagnostics) -> [YAMLNode]? {
        switch kind {
        case .null: return []
        case let .sequence(items): return items
        default:
            diagnostics.error("\(what) must be a list, found \(shapeName)", at: location)
            return nil
        }
    }

    /// A scalar as text.
    func string(_ what: String, diagnostics: inout Diagnostics) -> String? {
        guard let scalar else {
            diagnostics.error("\(what) must be a string, found \(shapeName)", at: location)
            return nil
        }
        return scalar
    }

    /// A non-empty scalar as text.
    func nonEmptyString(_ what: String, diagnostics: inout Diagnostics) -> String? {
        guard let text = string(what, diagnostics: &diagnostics) else { return nil }
        if text.trimmingWhitespace().isEmpty {
            diagnostics.error("\(what) must not be empty", at: location)
            return nil
        }
        return text
    }

    /// A whole number within `range`.
    func integer(_ what: String, in range: ClosedRange<Int>, diagnostics: inout Diagnostics) -> Int? {
        guard let text = scalar, let value = Int(text) else {
            diagnostics.error(
                "\(what) must be a whole number, found \(scalar.map { "'\($0)'" } ?? shapeName)", at: location)
            return nil
        }
        guard range.contains(value) else {
            diagnostics.error(
                "\(what) must be between \(range.lowerBound) and \(range.upperBound), found \(value)", at: location)
            return nil
        }
        return value
    }

    /// A boolean in the spellings YAML 1.1 and Ansible accept (true/false, yes/no, on/off).
    func boolean(_ what: String, diagnostics: inout Diagnostics) -> Bool? {
        if let text = scalar, let value = YAMLBoolean.parse(text) { return value }
        diagnostics.error("\(what) must be true or false, found \(scalar.map { "'\($0)'" } ?? shapeName)", at: location)
        return nil
    }
}

/// The boolean spellings of YAML 1.1 and Ansible.
public enum YAMLBoolean {
    public static func parse(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on", "y", "1": true
        case "false", "no", "off", "n", "0": false
        default: nil
        }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs, CR and LF.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
