/// Edits that touch only the key they own and return the new text; every other byte stays.
public extension LVMConfigDocument {
    /// The text with `path` (`["devices", "global_filter"]`) set to `value`.
    ///
    /// The effective assignment is replaced in place. Earlier active assignments of the same key, which LVM
    /// ignores with a warning, are commented out so one value remains. With no assignment, one is added
    /// after LVM's own comment block for the key if the section has it, else at the end of the section;
    /// with no section, the section is appended to the file.
    func setting(_ path: [String], to value: LVMConfigValue) -> String {
        precondition(path.count >= 2, "a key path names a section and a key")
        let existing = assignments(at: path)
        var splices: [Splice] = []
        if let effective = existing.last {
            splices.append(
                Splice(
                    at: effective.valueStart, removing: effective.valueEnd - effective.valueStart,
                    inserting: value.rendered))
            for duplicate in existing.dropLast() { splices += disabling(duplicate) }
        } else {
            splices.append(insertion(of: path, value: value))
        }
        return applying(splices)
    }

    /// The text with every active assignment of `path` removed (whole lines when they stand alone).
    func removing(_ path: [String]) -> String {
        applying(assignments(at: path).map { removal(of: $0) })
    }

    // MARK: - Splices

    /// Replace `length` bytes at `offset` with `text`.
    internal struct Splice {
        let offset: Int
        let length: Int
        let text: String

        init(at offset: Int, removing length: Int, inserting text: String) {
            self.offset = offset
            self.length = length
            self.text = text
        }
    }

    internal func applying(_ splices: [Splice]) -> String {
        var result = bytes
        for splice in splices.sorted(by: { $0.offset > $1.offset }) {
            result.replaceSubrange(splice.offset..<(splice.offset + splice.length), with: Array(splice.text.utf8))
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Comments out an assignment standing alone on its lines; removes one sharing a line.
    private func disabling(_ assignment: Assignment) -> [Splice] {
        guard standsAlone(assignment) else { return [removal(of: assignment)] }
        var splices: [Splice] = []
        var lineStart = self.lineStart(of: assignment.start)
        while lineStart < assignment.valueEnd {
            var first = lineStart
            while first < bytes.count, bytes[first] == 0x20 || bytes[first] == 0x09 { first += 1 }
            if first < bytes.count, bytes[first] != 0x0A, bytes[first] != 0x0D {
                splices.append(Splice(at: first, removing: 0, inserting: "# "))
            }
            lineStart = lineEnd(of: lineStart) + 1
        }
        return splices
    }

    private func removal(of assignment: Assignment) -> Splice {
        if standsAlone(assignment) {
            let start = lineStart(of: assignment.start)
            let end = min(lineEnd(of: assignment.valueEnd) + 1, bytes.count)
            return Splice(at: start, removing: end - start, inserting: "")
        }
        return Splice(at: assignment.start, removing: assignment.valueEnd - assignment.start, inserting: "")
    }

    private func insertion(of path: [String], value: LVMConfigValue) -> Splice {
        let key = path[path.count - 1]
        let eol = lineEnding
        let sections = self.sections(at: Array(path.dropLast())).compactMap { $0 }
        // After LVM's own documentation of the key: "# Configuration option devices/global_filter." ...
        let marker = "Configuration option \(path.joined(separator: "/"))."
        for section in sections {
            if let (offset, indent) = endOfCommentBlock(containing: marker, from: section.start, to: section.closeBrace)
            {
                return Splice(at: offset, removing: 0, inserting: "\(indent)\(key) = \(value.rendered)\(eol)")
            }
        }
        if let section = sections.last {
            let braceLine = lineStart(of: section.closeBrace)
            let beforeBrace = bytes[braceLine..<section.closeBrace]
            if beforeBrace.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                let indent = firstItemIndent(of: section) ?? String(decoding: beforeBrace, as: UTF8.self) + "\t"
                return Splice(at: braceLine, removing: 0, inserting: "\(indent)\(key) = \(value.rendered)\(eol)")
            }
            return Splice(at: section.closeBrace, removing: 0, inserting: "\(key) = \(value.rendered) ")
        }
        var text = bytes.isEmpty || bytes.last == 0x0A ? "" : eol
        for (depth, name) in path.dropLast().enumerated() {
            text += String(repeating: "\t", count: depth) + "\(name) {" + eol
        }
        text += String(repeating: "\t", count: path.count - 1) + "\(key) = \(value.rendered)" + eol
        for depth in (0..<(path.count - 1)).reversed() {
            text += String(repeating: "\t", count: depth) + "}" + eol
        }
        return Splice(at: bytes.count, removing: 0, inserting: text)
    }

    /// The offset just after the comment block holding `marker` between `from` and `to`, and its indent.
    private func endOfCommentBlock(containing marker: String, from: Int, to: Int) -> (Int, String)? {
        let needle = Array(marker.utf8)
        var line = lineStart(of: from)
        var inBlock = false
        var indent = ""
        while line < to {
            let end = lineEnd(of: line)
            var first = line
            while first < end, bytes[first] == 0x20 || bytes[first] == 0x09 { first += 1 }
            let isComment = first < end && bytes[first] == UInt8(ascii: "#")
            if inBlock {
                if !isComment { return (line, indent) }
            } else if isComment, bytes[first..<end].firstRange(of: needle) != nil {
                inBlock = true
                indent = String(decoding: bytes[line..<first], as: UTF8.self)
            }
            line = end + 1
        }
        return nil
    }

    private func firstItemIndent(of section: Section) -> String? {
        guard let first = section.items.first else { return nil }
        let start: Int
        switch first {
        case let .assignment(assignment): start = assignment.start
        case let .section(child): start = child.start
        }
        let lineStart = lineStart(of: start)
        let prefix = bytes[lineStart..<start]
        return prefix.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) ? String(decoding: prefix, as: UTF8.self) : nil
    }

    /// Whether nothing but white space precedes the assignment on its first line and nothing but
    /// white space or a comment follows it on its last.
    private func standsAlone(_ assignment: Assignment) -> Bool {
        let before = bytes[lineStart(of: assignment.start)..<assignment.start]
        guard before.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { return false }
        var index = assignment.valueEnd
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0D { index += 1 }
        return index == bytes.count || bytes[index] == 0x0A || bytes[index] == UInt8(ascii: "#")
    }

    private func lineStart(of offset: Int) -> Int {
        var index = min(offset, bytes.count)
        while index > 0, bytes[index - 1] != 0x0A { index -= 1 }
        return index
    }

    /// The offset of the newline ending the line at `offset` (or the end of the file).
    private func lineEnd(of offset: Int) -> Int {
        var index = offset
        while index < bytes.count, bytes[index] != 0x0A { index += 1 }
        return index
    }
}
