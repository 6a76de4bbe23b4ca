/// Reads Ansible's INI inventory format (kolla-ansible's `multinode` files) into an `InventoryBuilder`.
///
/// ```ini
/// compute-01 ansible_host=10.0.0.11
/// [compute]
/// compute-[02:20]
/// [compute:vars]
/// ansible_user=cloud
/// [openstack:children]
/// compute
/// ```
public enum InventoryINIReader {
    private enum Section {
        case hosts(String)
        case vars(String)
        case children(String)
    }

    public static func read(
        _ text: String, file: String, into builder: inout InventoryBuilder, diagnostics: inout Diagnostics
    ) {
        var section = Section.hosts("ungrouped")
        for (index, rawLine) in text.rawLines().enumerated() {
            let lineNumber = index + 1
            let line = String(rawLine).trimmingWhitespace()
            let indent = rawLine.prefix { $0 == " " || $0 == "\t" }.count
            let at = SourceLocation(file: file, line: lineNumber, column: indent + 1)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    diagnostics.error("section header is missing its closing ']'", at: at)
                    continue
                }
                let header = String(line.dropFirst().dropLast())
                let parts = header.split(separator: ":", maxSplits: 1).map(String.init)
                guard let name = parts.first,
                    InventoryYAMLReader.validGroupName(name, at: at, diagnostics: &diagnostics)
                else { continue }
                builder.declareGroup(name, at: at)
                switch parts.count == 2 ? parts[1] : nil {
                case nil: section = .hosts(name)
                case "vars": section = .vars(name)
                case "children": section = .children(name)
                case let other?:
                    diagnostics.error(
                        "unknown section kind ':\(other)'", at: at,
                        hint: Suggestion.didYouMean(other, in: ["vars", "children"])
                            ?? "use [group], [group:vars] or [group:children]")
                }
                continue
            }
            switch section {
            case let .hosts(group):
                readHostLine(line, group: group, at: at, into: &builder, diagnostics: &diagnostics)
            case let .vars(group):
                guard let equals = line.firstIndex(of: "=") else {
                    diagnostics.error("expected 'name=value' in [\(group):vars]", at: at)
                    continue
                }
                let key = String(line[..<equals]).trimmingWhitespace()
                let value = unquote(String(line[line.index(after: equals)...]).trimmingWhitespace())
                builder.setGroupVariables([key: InventoryVariable(.scalar(value), at: at)], forGroup: group, at: at)
            case let .children(group):
                guard InventoryYAMLReader.validGroupName(line, at: at, diagnostics: &diagnostics) else { continue }
                builder.addChild(line, toGroup: group, at: at)
            }
        }
    }

    private static func readHostLine(
        _ line: String, group: String, at: SourceLocation,
        into builder: inout InventoryBuilder, diagnostics: inout Diagnostics
    ) {
        guard let words = ShellWords.split(line), let first = words.first else {
            diagnostics.error("unbalanced quotes", at: at)
            return
        }
        var variables: Variables = [:]
        for word in words.dropFirst() {
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex else {
                diagnostics.error("expected 'name=value' after the host name, found '\(word)'", at: at)
                continue
            }
            variables[String(word[..<equals])] = InventoryVariable(
                .scalar(String(word[word.index(after: equals)...])), at: at)
        }
        var hostPattern = first
        // `host:2222` is Ansible's short form for ansible_port.
        if first.filter({ $0 == ":" }).count == 1, let colon = first.firstIndex(of: ":"),
            let port = Int(first[first.index(after: colon)...])
        {
            hostPattern = String(first[..<colon])
            variables["ansible_port"] = InventoryVariable(.scalar(String(port)), at: at)
        }
        guard let names = HostRange.expand(hostPattern) else {
            diagnostics.error(
                "invalid host range in '\(hostPattern)'", at: at, hint: "write ranges as name[01:20] or name[a:f]")
            return
        }
        for name in names { builder.addHost(name, toGroup: group, variables: variables, at: at) }
    }

    private static func unquote(_ text: String) -> String {
        if text.count >= 2, let first = text.first, first == text.last, first == "\"" || first == "'" {
            return String(text.dropFirst().dropLast())
        }
        return text
    }
}

/// Splits a line into words the way a POSIX shell would for quoting (no expansion).
public enum ShellWords {
    /// The words of `line`, or nil when its quotes do not balance.
    public static func split(_ line: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
                current.append(character); escaped = false; continue
            }
            if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\" && open == "\"" {
                    escaped = true
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case "\\": escaped = true; inWord = true
            case "\"", "'": quote = character; inWord = true
            case " ", "\t":
                if inWord { words.append(current); current = ""; inWord = false }
            case "#" where !inWord:
                return quote == nil ? words : nil
            default:
                current.append(character); inWord = true
            }
        }
        if quote != nil { return nil }
        if inWord { words.append(current) }
        return words
    }
}
