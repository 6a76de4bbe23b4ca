import Yams

/// Parses YAML text into located nodes, turning libyaml's errors into diagnostics.
public enum YAMLDocument {
    /// The root node of `text`, or nil with diagnostics when it is not valid YAML.
    /// An empty document is a `.null` root at 1:1.
    public static func parse(_ text: String, file: String, diagnostics: inout Diagnostics) -> YAMLNode? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            diagnostics.append(diagnostic(for: error, file: file))
            return nil
        } catch {
            diagnostics.error("cannot parse YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
            return nil
        }
        guard let root else {
            return YAMLNode(.null, at: SourceLocation(file: file, line: 1, column: 1))
        }
        return convert(root, file: file, diagnostics: &diagnostics)
    }

    private static func location(_ mark: Mark?, file: String) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    private static func convert(_ node: Node, file: String, diagnostics: inout Diagnostics) -> YAMLNode {
        let here = location(node.mark, file: file)
        switch node {
        case let .scalar(scalar):
            if scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                return YAMLNode(.null, at: here)
            }
            return YAMLNode(.scalar(scalar.string), at: here)
        case let .sequence(sequence):
            return YAMLNode(.sequence(sequence.map { convert($0, file: file, diagnostics: &diagnostics) }), at: here)
        case let .mapping(mapping):
            var entries: [YAMLEntry] = []
            for (key, value) in mapping {
                let keyLocation = location(key.mark, file: file)
                guard case let .scalar(keyScalar) = key else {
                    diagnostics.error(
                        "mapping keys must be plain names, found a \(key.sequence != nil ? "list" : "mapping")",
                        at: keyLocation)
                    continue
                }
                entries.append(
                    YAMLEntry(
                        key: keyScalar.string,
                        keyLocation: keyLocation,
                        value: convert(value, file: file, diagnostics: &diagnostics)))
            }
            return YAMLNode(.mapping(entries), at: here)
        case .alias:
            diagnostics.error("YAML aliases are not supported here; write the value out", at: here)
            return YAMLNode(.null, at: here)
        }
    }

    /// One diagnostic for a libyaml error, at the mark libyaml gives.
    static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        switch error {
        case let .scanner(context, problem, mark, _),
            let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return Diagnostic(.error, at: location(mark, file: file), message)
        case let .duplicatedKeysInMapping(duplicates, context):
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return Diagnostic(
                .error, at: location(context.mark, file: file),
                "duplicate key \(names) in one mapping", hint: "keep one of them")
        case let .reader(problem, offset, _, _):
            return Diagnostic(
                .error, at: SourceLocation(file: file, line: 1, column: 1),
                "unreadable YAML: \(problem)" + (offset.map { " at byte \($0)" } ?? ""))
        default:
            return Diagnostic(.error, at: SourceLocation(file: file, line: 1, column: 1), "invalid YAML: \(error)")
        }
    }
}
