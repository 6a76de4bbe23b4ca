/// One problem found in a file the user wrote, with where it is and what to do about it.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// How bad the problem is.
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
        case note
    }

    public let severity: Severity
    /// Where the problem is; nil only for problems with no file (a file that cannot be read has its path).
    public let location: SourceLocation?
    /// What is wrong, in one sentence.
    public let message: String
    /// What to do about it, when there is something specific to say.
    public let hint: String?

    public init(_ severity: Severity, at location: SourceLocation?, _ message: String, hint: String? = nil) {
        self.severity = severity
        self.location = location
        self.message = message
        self.hint = hint
    }

    /// `file:line:col: error: message (hint)`, the form compilers print.
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += "\(severity.rawValue): \(message)"
        if let hint { text += "; \(hint)" }
        return text
    }
}

/// Collects every problem in a run, so the user sees all of them at once and not only the first.
public struct Diagnostics: Sendable {
    public private(set) var all: [Diagnostic] = []

    public init() {}

    /// Whether any collected problem is an error.
    public var hasErrors: Bool { all.contains { $0.severity == .error } }

    /// The problems sorted by file, line and column, file-less ones first.
    public var sorted: [Diagnostic] {
        all.enumerated().sorted { lhs, rhs in
            switch (lhs.element.location, rhs.element.location) {
            case let (l?, r?): return l == r ? lhs.offset < rhs.offset : l < r
            case (nil, _?): return true
            case (_?, nil): return false
            case (nil, nil): return lhs.offset < rhs.offset
            }
        }.map(\.element)
    }

    public mutating func append(_ diagnostic: Diagnostic) { all.append(diagnostic) }

    public mutating func append(contentsOf other: Diagnostics) { all.append(contentsOf: other.all) }

    public mutating func error(_ message: String, at location: SourceLocation?, hint: String? = nil) {
        all.append(Diagnostic(.error, at: location, message, hint: hint))
    }

    public mutating func warning(_ message: String, at location: SourceLocation?, hint: String? = nil) {
        all.append(Diagnostic(.warning, at: location, message, hint: hint))
    }
}
