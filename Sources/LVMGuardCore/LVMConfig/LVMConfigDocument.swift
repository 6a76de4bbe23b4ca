/// An lvm.conf parsed without losing a byte: the original text plus the position of every section and
/// assignment, so edits splice new text into the old and everything else stays as it was.
public struct LVMConfigDocument: Sendable {
    /// A `name { ... }` section.
    public struct Section: Sendable {
        public let name: String
        /// Byte offset of the section name.
        public let start: Int
        /// Byte offset of the closing brace.
        public let closeBrace: Int
        public let line: Int
        public let items: [Item]
    }

    /// A `key = value` assignment.
    public struct Assignment: Sendable {
        public let key: String
        public let value: LVMConfigValue
        /// Byte offset of the key.
        public let start: Int
        /// Byte offsets of the value's text, end exclusive.
        public let valueStart: Int
        public let valueEnd: Int
        /// 1-based line of the key.
        public let line: Int
    }

    public enum Item: Sendable {
        case section(Section)
        case assignment(Assignment)
    }

    /// The file's bytes, exactly as read.
    public let bytes: [UInt8]
    public let items: [Item]

    /// The original text, byte for byte.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Parses `text`; throws `LVMConfigParseError` with line and column when it is not valid LVM config syntax.
    public init(parsing text: String) throws(LVMConfigParseError) {
        let bytes = Array(text.utf8)
        var parser = LVMConfigParser(bytes: bytes)
        self.items = try parser.parseFile()
        self.bytes = bytes
    }

    /// "\r\n" when most lines end that way, "\n" otherwise.
    public var lineEnding: String {
        var crlf = 0, lf = 0
        for index in bytes.indices where bytes[index] == 0x0A {
            if index > 0, bytes[index - 1] == 0x0D { crlf += 1 } else { lf += 1 }
        }
        return crlf > lf ? "\r\n" : "\n"
    }

    /// Every assignment at `path` (`["devices", "global_filter"]`) in file order, across repeated sections,
    /// as LVM merges them.
    public func assignments(at path: [String]) -> [Assignment] {
        guard let key = path.last else { return [] }
        return sections(at: Array(path.dropLast())).flatMap { items(of: $0) }.compactMap {
            if case let .assignment(assignment) = $0, assignment.key == key { return assignment }
            return nil
        }
    }

    /// The assignment LVM uses for `path`: the last one (LVM warns and ignores earlier duplicates).
    public func effectiveAssignment(at path: [String]) -> Assignment? {
        assignments(at: path).last
    }

    /// The sections at `path` in file order (an empty path means the top level, returned as nil).
    func sections(at path: [String]) -> [Section?] {
        var current: [Section?] = [nil]
        for name in path {
            current = current.flatMap { parent in
                items(of: parent).compactMap { item -> Section? in
                    if case let .section(section) = item, section.name == name { return section }
                    return nil
                }
            }
        }
        return current
    }

    func items(of section: Section?) -> [Item] {
        section?.items ?? items
    }
}

/// Why a file is not valid LVM config syntax, and where.
public struct LVMConfigParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String

    public var description: String { "line \(line), column \(column): \(message)" }
}
