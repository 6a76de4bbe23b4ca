/// LVM's own regular-expression grammar (libdm's engine, which compiles every filter entry), checked on the
/// controller so that a pattern LVM would refuse, or read differently from Swift's `Regex`, never reaches a host.
///
/// The grammar: alternatives `a|b`; concatenation; the postfix operators `*`, `+`, `?` (repeatable); groups
/// `( )`; character classes `[...]` and `[^...]` with ranges; `.`, `^`, `$`; a backslash makes the next
/// character literal (`\n`, `\r`, `\t` excepted). There is no `{m,n}`, no `\d`-style class, no `(?...)`.
/// Where a group or an alternative is empty, LVM fails; where the expression stops parsing early (a stray
/// `)`), LVM silently ignores the rest. Both are refused here.
public enum LVMRegex {
    /// Why LVM cannot use `pattern` as its author meant, nil when it can.
    public static func problem(_ pattern: String) -> String? {
        if pattern.contains("\"") { return "a double quote cannot be written inside an lvm.conf string" }
        if let meaning = swiftOnly(pattern) { return meaning }
        var parser = Parser(Array(pattern.utf8))
        do {
            try parser.advance()
            try parser.alternatives()
            guard parser.token == .end else {
                return "LVM stops reading it at offset \(parser.tokenStart) and ignores the rest ('\(parser.rest)'): "
                    + "check the parentheses"
            }
            return nil
        } catch {
            return error.message
        }
    }

    /// Swift `Regex` syntax that LVM reads as something else.
    private static func swiftOnly(_ pattern: String) -> String? {
        let bytes = Array(pattern.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                let next = Character(Unicode.Scalar(bytes[index + 1]))
                if "dDwWsSbB".contains(next) {
                    return
                        "LVM has no \\\(next) class: it matches the letter '\(next)'; write a class such as [0-9] or [a-z]"
                }
                index += 2
                continue
            }
            if byte == UInt8(ascii: "{") {
                return "LVM has no {m,n} repetition: braces match themselves; repeat the item or use + and *"
            }
            if byte == UInt8(ascii: "("), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "?") {
                return "LVM has no (?...) groups (non-capturing, lookaround, flags)"
            }
            index += 1
        }
        return nil
    }

    struct Problem: Error { let message: String }

    enum Token: Equatable { case characters, open, close, star, plus, question, bar, end }

    /// Recursive descent over the pattern's bytes, as libdm's parser reads them.
    struct Parser {
        let bytes: [UInt8]
        var cursor = 0
        var token = Token.end
        var tokenStart = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var rest: String { String(decoding: bytes[tokenStart...], as: UTF8.self) }

        /// Reads the next token.
        mutating func advance() throws(Problem) {
            tokenStart = cursor
            guard cursor < bytes.count else { token = .end; return }
            let byte = bytes[cursor]
            cursor += 1
            switch byte {
            case UInt8(ascii: "("): token = .open
            case UInt8(ascii: ")"): token = .close
            case UInt8(ascii: "*"): token = .star
            case UInt8(ascii: "+"): token = .plus
            case UInt8(ascii: "?"): token = .question
            case UInt8(ascii: "|"): token = .bar
            case UInt8(ascii: "\\"):
                guard cursor < bytes.count else {
                    throw Problem(message: "a backslash at the end of the expression quotes nothing")
                }
                cursor += 1
                token = .characters
            case UInt8(ascii: "["):
                if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "^") { cursor += 1 }
                while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "]") {
                    cursor += bytes[cursor] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard cursor < bytes.count else {
                    throw Problem(message: "a character class '[' is not closed with ']'")
                }
                cursor += 1
                token = .characters
            default:
                token = .characters
            }
        }

        /// `item (| alternatives)?`: each side of a `|` must match something.
        mutating func alternatives() throws(Problem) {
            guard try sequence() else { throw Problem(message: "an alternative (or the whole expression) is empty") }
            if token == .bar {
                try advance()
                try alternatives()
            }
        }

        /// One or more repeated items; false when there is none here.
        mutating func sequence() throws(Problem) -> Bool {
            guard try repeated() else { return false }
            while token != .bar, token != .close, token != .end {
                guard try repeated() else { break }
            }
            return true
        }

        /// An item and its postfix operators.
        mutating func repeated() throws(Problem) -> Bool {
            switch token {
            case .characters:
                try advance()
            case .open:
                try advance()
                try alternatives()
                guard token == .close else { throw Problem(message: "a '(' is not closed with ')'") }
                try advance()
            default:
                return false
            }
            while token == .star || token == .plus || token == .question { try advance() }
            return true
        }
    }
}
