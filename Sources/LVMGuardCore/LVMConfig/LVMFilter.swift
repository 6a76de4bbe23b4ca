/// An LVM device filter: ordered accept/reject rules, as in `[ "a|^/dev/sda2$|", "r|.*|" ]`.
/// A device is accepted if any of its names matches an accept rule before a reject rule.
public struct LVMFilter: Sendable, Hashable, CustomStringConvertible {
    /// One rule. Equality ignores the delimiter it was written with, as LVM does.
    public struct Rule: Sendable, Hashable {
        public enum Action: String, Sendable, Hashable {
            case accept = "a"
            case reject = "r"
        }

        public let action: Action
        /// The regular expression between the delimiters.
        public let pattern: String

        public init(_ action: Action, _ pattern: String) {
            self.action = action
            self.pattern = pattern
        }

        /// Parses one rule the way LVM's `_extract_pattern` does: `a` or `r`, an opening delimiter
        /// (`(`, `[`, `{` close with their pair; any other character closes with itself), the pattern,
        /// and the closing delimiter as the last character.
        public init(parsing text: String) throws(LVMFilterError) {
            var characters = Substring(text)
            guard let first = characters.popFirst(), let action = Action(rawValue: String(first)) else {
                throw LVMFilterError(rule: text, reason: "a rule must begin with 'a' (accept) or 'r' (reject)")
            }
            guard let open = characters.popFirst() else {
                throw LVMFilterError(rule: text, reason: "the rule has no delimiter after '\(first)'")
            }
            let close: Character =
                switch open {
                case "(": ")"
                case "[": "]"
                case "{": "}"
                default: open
                }
            guard let last = characters.popLast(), last == close else {
                throw LVMFilterError(rule: text, reason: "the rule must end with the delimiter '\(close)'")
            }
            self.init(action, String(characters))
        }

        /// The rule with `|` as delimiter, or another one when the pattern holds a `|`.
        public var rendered: String {
            let delimiter = ["|", "/", "#", "@", "!", "%", ",", ";", "~"].first { !pattern.contains($0) } ?? "|"
            return "\(action.rawValue)\(delimiter)\(pattern)\(delimiter)"
        }
    }

    public let rules: [Rule]

    public init(rules: [Rule]) { self.rules = rules }

    /// Parses a filter value from lvm.conf: a list of strings, or one string.
    public init(parsing value: LVMConfigValue) throws(LVMFilterError) {
        guard let strings = value.strings else {
            throw LVMFilterError(rule: value.rendered, reason: "a filter must be a list of strings")
        }
        var rules: [Rule] = []
        for string in strings { rules.append(try Rule(parsing: string)) }
        self.rules = rules
    }

    /// The filter as an lvm.conf value, every rule in its canonical form.
    public var configValue: LVMConfigValue { .list(rules.map { .string($0.rendered) }) }

    /// The filter as it would be written in lvm.conf.
    public var description: String { configValue.rendered }

    /// Same rules in the same order, whatever delimiters they were written with. Two filters that
    /// accept every device are equivalent however they say it (`a|.*|`, 2.02's default `a|.*/|`, ...).
    public func isEquivalent(to other: LVMFilter) -> Bool {
        rules == other.rules || (acceptsEverything && other.acceptsEverything)
    }

    /// True when no device can be rejected: every rule accepts and one of them matches any device path.
    /// LVM 2.03's built-in default is `[ "a|.*|" ]`, LVM 2.02's is `[ "a|.*/|" ]`: both mean "not set".
    public var acceptsEverything: Bool {
        rules.isEmpty
            || (rules.allSatisfy { $0.action == .accept }
                && rules.contains { Self.matchAllPatterns.contains($0.pattern) })
    }

    /// Patterns that match every device path ("/dev/..."), as LVM's defaults and common configs write them.
    static let matchAllPatterns: Set<String> = [".*", ".*/", "/", "^/", ".*/.*", "^.*$", "^/dev/", "^/dev/.*", "^.*"]

    /// LVM's default when no filter is set: every device accepted.
    public static let acceptAll = LVMFilter(rules: [Rule(.accept, ".*")])

    /// The incident's literal fix: no device is seen by host LVM.
    public static let rejectAll = LVMFilter(rules: [Rule(.reject, ".*")])

    /// Accepts exactly the given device paths (anchored and escaped) and patterns, then rejects everything.
    /// Paths come first, sorted, then patterns, sorted, so the same inputs give the same filter on every host.
    public static func hostPVsOnly(devices: some Sequence<String>, patterns: some Sequence<String> = [String]())
        -> LVMFilter
    {
        let exact = Set(devices).sorted().map { Rule(.accept, "^" + escape($0) + "$") }
        let extra = Set(patterns).sorted().map { Rule(.accept, $0) }
        return LVMFilter(rules: exact + extra + [Rule(.reject, ".*")])
    }

    /// A literal string as an LVM regular expression.
    public static func escape(_ literal: String) -> String {
        var result = ""
        for character in literal {
            if "\\.[]()*+?|^${}".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }
}

/// A filter lvmguard cannot understand; the host then needs a person, never an overwrite.
public struct LVMFilterError: Error, Sendable, Hashable, CustomStringConvertible {
    public let rule: String
    public let reason: String

    public var description: String { "cannot understand filter rule \(rule): \(reason)" }
}
