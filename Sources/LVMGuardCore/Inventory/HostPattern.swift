/// Ansible's host patterns: `compute`, `compute-0*`, `~compute-\d+`, `a:b` (union), `a:&b` (intersection),
/// `a:!b` (exclusion), `a,b`, `all`/`*`. Like Ansible, plain terms are applied first, then `&`, then `!`.
public struct HostPattern: Sendable, Hashable {
    /// One term of a pattern.
    public struct Term: Sendable, Hashable {
        public enum Operation: Sendable, Hashable { case union, intersection, exclusion }
        public let operation: Operation
        public let text: String
    }

    public let source: String
    public let terms: [Term]

    /// Parses a pattern; nil when it has no terms.
    public init?(_ source: String) {
        self.source = source
        var terms: [Term] = []
        for raw in Self.split(source) {
            let word = raw.trimmingWhitespace()
            guard !word.isEmpty else { continue }
            if word.hasPrefix("!") {
                terms.append(Term(operation: .exclusion, text: String(word.dropFirst())))
            } else if word.hasPrefix("&") {
                terms.append(Term(operation: .intersection, text: String(word.dropFirst())))
            } else {
                terms.append(Term(operation: .union, text: word))
            }
        }
        guard !terms.isEmpty else { return nil }
        // Ansible's order: unions, then intersections, then exclusions; only modifiers means "all" first.
        let unions = terms.filter { $0.operation == .union }
        self.terms =
            (unions.isEmpty ? [Term(operation: .union, text: "all")] : unions)
            + terms.filter { $0.operation == .intersection }
            + terms.filter { $0.operation == .exclusion }
    }

    /// Why lvmguard refuses `source` though Ansible reads it, or nil. Ansible reads a term ending in `[N]`,
    /// `[N:M]` or `[N-M]` (not a `~regex`) as a subscript: hosts of the group by their inventory order
    /// (`compute[0:9]`, and also `compute0[1-3]`). lvmguard does not keep that order, so it refuses such a
    /// pattern instead of reading it as a glob and selecting other hosts than Ansible would.
    public static func unsupported(_ source: String) -> String? {
        for raw in split(source) {
            var word = raw.trimmingWhitespace()
            if word.hasPrefix("!") || word.hasPrefix("&") { word.removeFirst() }
            guard !word.hasPrefix("~"), word.contains(subscriptSuffix) else { continue }
            return
                "'\(word)' is an Ansible subscript (hosts of a group by inventory order), which lvmguard does not support: "
                + "use a glob (compute0*) or a regex (~compute0[1-3])"
        }
        return nil
    }

    /// Ansible's PATTERN_WITH_SUBSCRIPT: something, then `[-N]`, `[N]`, `[N:M]`, `[N:]` or `[N-M]`, at the end.
    nonisolated(unsafe) static let subscriptSuffix = #/^.+\[(?:-?[0-9]+|[0-9]+[:-][0-9]*)\]$/#

    /// The result of matching a pattern against an inventory.
    public struct Match: Sendable {
        public let hosts: [String]
        /// Terms that matched no group and no host (likely typos).
        public let unmatchedTerms: [Term]
    }

    /// The hosts the pattern selects, sorted by name.
    public func match(in inventory: Inventory) -> Match {
        var selected = Set<String>()
        var unmatched: [Term] = []
        for term in terms {
            let hosts = Self.hosts(matching: term.text, in: inventory)
            if hosts.isEmpty, !Self.isWildcard(term.text), inventory.groups[term.text] == nil { unmatched.append(term) }
            switch term.operation {
            case .union: selected.formUnion(hosts)
            case .intersection: selected.formIntersection(hosts)
            case .exclusion: selected.subtract(hosts)
            }
        }
        return Match(hosts: selected.sorted(), unmatchedTerms: unmatched)
    }

    /// Hosts for one term: every host of each matching group, and hosts matching by name
    /// when no group matched or the term is a glob or regex (Ansible's rule).
    static func hosts(matching term: String, in inventory: Inventory) -> Set<String> {
        if term == "all" || term == "*" { return Set(inventory.hosts.keys) }
        var result = Set<String>()
        let matchingGroups = inventory.groups.keys.filter { matches(term, $0) }
        for group in matchingGroups { result.formUnion(inventory.hosts(inGroup: group)) }
        if matchingGroups.isEmpty || isWildcard(term) {
            result.formUnion(inventory.hosts.keys.filter { matches(term, $0) })
        }
        return result
    }

    static func isWildcard(_ term: String) -> Bool {
        term.hasPrefix("~") || term.contains { "*?[".contains($0) }
    }

    static func matches(_ term: String, _ name: String) -> Bool {
        if term.hasPrefix("~") {
            guard let regex = try? Regex(String(term.dropFirst())) else { return false }
            return (try? regex.prefixMatch(in: name)) != nil
        }
        if isWildcard(term) { return Glob.matches(term, name) }
        return term == name
    }

    /// Splits on commas when there are any, otherwise on colons outside brackets (so ranges survive).
    static func split(_ source: String) -> [String] {
        if source.contains(",") { return source.split(separator: ",").map(String.init) }
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in source {
            switch character {
            case "[": depth += 1; current.append(character)
            case "]": depth -= 1; current.append(character)
            case ":" where depth == 0: parts.append(current); current = ""
            default: current.append(character)
            }
        }
        parts.append(current)
        return parts
    }
}

/// Shell-style globs over names: `*`, `?`, `[abc]`, `[a-z]`, `[!a]`.
public enum Glob {
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        matches(Array(pattern), 0, Array(name), 0)
    }

    private static func matches(_ pattern: [Character], _ p: Int, _ name: [Character], _ n: Int) -> Bool {
        var p = p, n = n
        var starPattern = -1, starName = -1
        while n < name.count {
            if p < pattern.count, pattern[p] == "*" {
                starPattern = p; starName = n; p += 1
                continue
            }
            if p < pattern.count, let (matched, next) = single(pattern, p, name[n]), matched {
                p = next; n += 1
                continue
            }
            if starPattern >= 0 {
                p = starPattern + 1; starName += 1; n = starName
                continue
            }
            return false
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// Whether the pattern element at `p` matches `character`, and where the next element starts.
    private static func single(_ pattern: [Character], _ p: Int, _ character: Character) -> (Bool, Int)? {
        switch pattern[p] {
        case "?": return (true, p + 1)
        case "[":
            var i = p + 1
            var negate = false
            if i < pattern.count, pattern[i] == "!" || pattern[i] == "^" { negate = true; i += 1 }
            var matched = false
            var first = true
            while i < pattern.count, pattern[i] != "]" || first {
                first = false
                if i + 2 < pattern.count, pattern[i + 1] == "-", pattern[i + 2] != "]" {
                    if pattern[i] <= character && character <= pattern[i + 2] { matched = true }
                    i += 3
                } else {
                    if pattern[i] == character { matched = true }
                    i += 1
                }
            }
            guard i < pattern.count else { return (pattern[p] == character, p + 1) }
            return (matched != negate, i + 1)
        default:
            return (pattern[p] == character, p + 1)
        }
    }
}
