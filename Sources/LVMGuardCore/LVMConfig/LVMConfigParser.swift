/// The parser behind `LVMConfigDocument`: libdm's grammar over bytes, recording offsets.
///
/// file    := item*
/// item    := name ( '{' item* '}' | '=' value )
/// value   := number | string | word | '[' ( value ','? )* ']'
/// `#` starts a comment to the end of the line, outside strings.
struct LVMConfigParser {
    let bytes: [UInt8]
    var position = 0
    /// Offsets where each line starts, for line numbers by binary search.
    private let lineStarts: [Int]

    init(bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        for index in bytes.indices where bytes[index] == 0x0A { starts.append(index + 1) }
        self.lineStarts = starts
    }

    mutating func parseFile() throws(LVMConfigParseError) -> [LVMConfigDocument.Item] {
        let items = try parseItems(insideSection: false)
        skipTrivia()
        if position < bytes.count { throw error("unexpected '}' with no section open") }
        return items
    }

    private mutating func parseItems(insideSection: Bool) throws(LVMConfigParseError) -> [LVMConfigDocument.Item] {
        var items: [LVMConfigDocument.Item] = []
        while true {
            skipTrivia()
            guard position < bytes.count else {
                if insideSection { throw error("end of file inside a section: a '}' is missing") }
                return items
            }
            if bytes[position] == UInt8(ascii: "}") { return items }
            let start = position
            let line = lineNumber(at: start)
            guard let name = readWord() else { throw error("expected a setting or section name") }
            skipTrivia()
            guard position < bytes.count else { throw error("expected '=' or '{' after '\(name)'") }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                position += 1
                let children = try parseItems(insideSection: true)
                let closeBrace = position
                position += 1
                items.append(
                    .section(.init(name: name, start: start, closeBrace: closeBrace, line: line, items: children)))
            case UInt8(ascii: "="):
                position += 1
                skipTrivia()
                let valueStart = position
                let value = try parseValue()
                items.append(
                    .assignment(
                        .init(
                            key: name, value: value, start: start, valueStart: valueStart, valueEnd: position,
                            line: line)))
            default:
                throw error("expected '=' or '{' after '\(name)'")
            }
        }
    }

    private mutating func parseValue() throws(LVMConfigParseError) -> LVMConfigValue {
        guard position < bytes.count else { throw error("expected a value") }
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: "["):
            position += 1
            var items: [LVMConfigValue] = []
            while true {
                skipTrivia()
                guard position < bytes.count else { throw error("end of file inside a list: a ']' is missing") }
                if bytes[position] == UInt8(ascii: "]") { position += 1; return .list(items) }
                if bytes[position] == UInt8(ascii: "[") { throw error("lists cannot be nested") }
                items.append(try parseValue())
                skipTrivia()
                if position < bytes.count, bytes[position] == UInt8(ascii: ",") { position += 1 }
            }
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return .string(try readString(quote: byte))
        default:
            let start = position
            guard let word = readWord() else { throw error("expected a value") }
            if let integer = Int64(word) { return .integer(integer) }
            if Self.isFloat(word) { return .float(word) }
            if word.first.map({ $0 == "-" || $0 == "+" || ("0"..."9").contains($0) }) == true {
                position = start
                throw error("'\(word)' is not a number")
            }
            return .string(word)
        }
    }

    private static func isFloat(_ word: String) -> Bool {
        var body = Substring(word)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && !(parts[0].isEmpty && parts[1].isEmpty)
            && parts.allSatisfy { $0.allSatisfy { ("0"..."9").contains($0) } }
    }

    /// A quoted string; in double quotes `\"` and `\\` are unescaped, as libdm does.
    private mutating func readString(quote: UInt8) throws(LVMConfigParseError) -> String {
        let open = position
        position += 1
        var content: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            if byte == quote { position += 1; return String(decoding: content, as: UTF8.self) }
            if quote == UInt8(ascii: "\""), byte == UInt8(ascii: "\\"), position + 1 < bytes.count,
                bytes[position + 1] == UInt8(ascii: "\"") || bytes[position + 1] == UInt8(ascii: "\\")
            {
                content.append(bytes[position + 1])
                position += 2
                continue
            }
            if byte == 0x0A { break }
            content.append(byte)
            position += 1
        }
        position = open
        throw error("string is not closed on its line")
    }

    /// A bare word: a name or an unquoted value.
    private mutating func readWord() -> String? {
        let start = position
        while position < bytes.count, !Self.isDelimiter(bytes[position]) { position += 1 }
        return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C: true
        case UInt8(ascii: "#"), UInt8(ascii: "="), UInt8(ascii: "{"), UInt8(ascii: "}"),
            UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(ascii: "'"):
            true
        default: false
        }
    }

    /// Skips white space and comments.
    private mutating func skipTrivia() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C:
                position += 1
            case UInt8(ascii: "#"):
                while position < bytes.count, bytes[position] != 0x0A { position += 1 }
            default:
                return
            }
        }
    }

    /// The 1-based line holding byte `offset`.
    func lineNumber(at offset: Int) -> Int {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low + 1
    }

    private func error(_ message: String) -> LVMConfigParseError {
        let line = lineNumber(at: position)
        let lineStart = lineStarts[line - 1]
        let column =
            String(decoding: bytes[lineStart..<min(position, bytes.count)], as: UTF8.self).unicodeScalars.count + 1
        return LVMConfigParseError(line: line, column: column, message: message)
    }
}
