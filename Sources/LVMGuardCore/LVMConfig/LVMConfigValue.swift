/// A value in LVM's config syntax.
public indirect enum LVMConfigValue: Sendable, Hashable, Codable {
    case integer(Int64)
    /// A float, with its text as written.
    case float(String)
    /// A string, unescaped as libdm reads it (`\"` is `"`, `\\` is `\`, other backslashes stay).
    case string(String)
    case list([LVMConfigValue])

    /// The value in LVM's syntax: `[ "a|x|", "r|.*|" ]`, `"text"`, `1`.
    public var rendered: String {
        switch self {
        case let .integer(value): String(value)
        case let .float(text): text
        case let .string(text): Self.quote(text)
        case let .list(items): items.isEmpty ? "[ ]" : "[ " + items.map(\.rendered).joined(separator: ", ") + " ]"
        }
    }

    /// A double-quoted config string, escaping what libdm unescapes.
    public static func quote(_ text: String) -> String {
        var result = "\""
        for character in text {
            if character == "\\" || character == "\"" { result.append("\\") }
            result.append(character)
        }
        return result + "\""
    }

    /// The strings of a list, or of a single string (LVM reads a lone string as a one-item list);
    /// nil when any item is not a string.
    public var strings: [String]? {
        switch self {
        case let .string(text): return [text]
        case let .list(items):
            var strings: [String] = []
            for item in items {
                guard case let .string(text) = item else { return nil }
                strings.append(text)
            }
            return strings
        default: return nil
        }
    }
}
