/// Unified diffs of two texts, line by line, for review: deterministic, 3 lines of context by default.
public enum UnifiedDiff {
    /// ANSI colours for terminals; off unless asked for.
    public struct Style: Sendable {
        public let colored: Bool
        public static let plain = Style(colored: false)
        public static let colored = Style(colored: true)
    }

    /// The diff from `old` to `new`, or "" when they are equal. Labels go on the `---`/`+++` lines,
    /// e.g. "compute-01:/etc/lvm/lvm.conf (current)".
    public static func diff(
        from old: String, to new: String, oldLabel: String, newLabel: String,
        context: Int = 3, style: Style = .plain
    ) -> String {
        guard old != new else { return "" }
        let a = lines(old), b = lines(new)
        let edits = shortestEdit(a.lines, b.lines)
        var out: [String] = []
        let (red, green, cyan, bold, reset) =
            style.colored ? ("\u{1B}[31m", "\u{1B}[32m", "\u{1B}[36m", "\u{1B}[1m", "\u{1B}[0m") : ("", "", "", "", "")
        out.append("\(bold)--- \(oldLabel)\(reset)")
        out.append("\(bold)+++ \(newLabel)\(reset)")
        for hunk in hunks(edits, context: context) {
            let oldStart = hunk.first.map { $0.oldIndex } ?? 0
            let newStart = hunk.first.map { $0.newIndex } ?? 0
            let oldCount = hunk.filter { $0.kind != .insert }.count
            let newCount = hunk.filter { $0.kind != .delete }.count
            out.append("\(cyan)@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\(reset)")
            for edit in hunk {
                switch edit.kind {
                case .equal:
                    out.append(" " + a.lines[edit.oldIndex])
                case .delete:
                    out.append("\(red)-\(a.lines[edit.oldIndex])\(reset)")
                    if edit.oldIndex == a.lines.count - 1, !a.endsWithNewline {
                        out.append("\\ No newline at end of file")
                    }
                case .insert:
                    out.append("\(green)+\(b.lines[edit.newIndex])\(reset)")
                    if edit.newIndex == b.lines.count - 1, !b.endsWithNewline {
                        out.append("\\ No newline at end of file")
                    }
                }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    private static func range(_ start: Int, _ count: Int) -> String {
        // Unified diff numbers lines from 1; an empty range names the line before it.
        count == 1 ? "\(start + 1)" : "\(count == 0 ? start : start + 1),\(count)"
    }

    private static func lines(_ text: String) -> (lines: [Substring], endsWithNewline: Bool) {
        // Split on the newline byte: far cheaper than splitting on Characters, and the same for UTF-8.
        var lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { Substring($0) }
        let endsWithNewline = text.hasSuffix("\n")
        if endsWithNewline || text.isEmpty { lines.removeLast() }
        return (lines, endsWithNewline || text.isEmpty)
    }

    struct Edit {
        enum Kind { case equal, delete, insert }
        let kind: Kind
        let oldIndex: Int
        let newIndex: Int
    }

    /// Groups edits into hunks with `context` equal lines around each change; changes separated by
    /// at most 2 * context equal lines share a hunk.
    private static func hunks(_ edits: [Edit], context: Int) -> [ArraySlice<Edit>] {
        var groups: [(first: Int, last: Int)] = []
        for index in edits.indices where edits[index].kind != .equal {
            if let last = groups.last, index - last.last - 1 <= 2 * context {
                groups[groups.count - 1].last = index
            } else {
                groups.append((index, index))
            }
        }
        return groups.map { edits[max(0, $0.first - context)...min(edits.count - 1, $0.last + context)] }
    }

    /// The shortest edit script from `a` to `b`. Common leading and trailing lines are matched first
    /// (an lvm.conf edit changes a few lines in thousands), then Myers' algorithm runs on the rest.
    static func shortestEdit(_ a: [Substring], _ b: [Substring]) -> [Edit] {
        func same(_ x: Substring, _ y: Substring) -> Bool { x.utf8.elementsEqual(y.utf8) }
        var prefix = 0
        while prefix < a.count, prefix < b.count, same(a[prefix], b[prefix]) { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix,
            same(a[a.count - 1 - suffix], b[b.count - 1 - suffix])
        { suffix += 1 }
        let middle = myers(Array(a[prefix..<(a.count - suffix)]), Array(b[prefix..<(b.count - suffix)]))
        var edits = (0..<prefix).map { Edit(kind: .equal, oldIndex: $0, newIndex: $0) }
        edits += middle.map { Edit(kind: $0.kind, oldIndex: $0.oldIndex + prefix, newIndex: $0.newIndex + prefix) }
        edits += (0..<suffix).map {
            Edit(kind: .equal, oldIndex: a.count - suffix + $0, newIndex: b.count - suffix + $0)
        }
        return edits
    }

    /// Myers' O(ND) shortest edit script, as a list of equal/delete/insert steps in order.
    private static func myers(_ a: [Substring], _ b: [Substring]) -> [Edit] {
        let n = a.count, m = b.count
        let max = n + m
        var v = [Int](repeating: 0, count: 2 * max + 2)
        var trace: [[Int]] = []
        var found = false
        for d in 0...max {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x = (k == -d || (k != d && v[max + k - 1] < v[max + k + 1])) ? v[max + k + 1] : v[max + k - 1] + 1
                var y = x - k
                while x < n, y < m, a[x].utf8.elementsEqual(b[y].utf8) { x += 1; y += 1 }
                v[max + k] = x
                if x >= n, y >= m { found = true; break }
            }
            if found { break }
        }
        // Walk back through the trace to recover the path.
        var edits: [Edit] = []
        var x = n, y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let v = trace[d]
            let k = x - y
            let previousK = (k == -d || (k != d && v[max + k - 1] < v[max + k + 1])) ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : v[max + previousK]
            let previousY = previousX - previousK
            while x > previousX, y > previousY {
                x -= 1; y -= 1
                edits.append(Edit(kind: .equal, oldIndex: x, newIndex: y))
            }
            if d > 0 {
                if x == previousX {
                    edits.append(Edit(kind: .insert, oldIndex: x, newIndex: previousY))
                } else {
                    edits.append(Edit(kind: .delete, oldIndex: previousX, newIndex: y))
                }
            }
            x = previousX; y = previousY
        }
        return edits.reversed()
    }
}
