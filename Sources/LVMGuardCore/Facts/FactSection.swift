/// One section of the gather script's output: a command's stdout, stderr and exit status.
public struct FactSection: Sendable, Hashable, Codable {
    public let name: String
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public init(name: String, status: Int32, stdout: String, stderr: String) {
        self.name = name
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// The command ran and exited 0.
    public var succeeded: Bool { status == 0 }
}

/// Splits the gather script's output into sections (see remote/gather-facts.sh for the format).
public enum FactStream {
    /// The sections by name; throws when the stream is not a complete facts stream of a known version.
    public static func parse(_ text: String, boundary: String) throws(FactsError) -> [String: FactSection] {
        var sections: [String: FactSection] = [:]
        var current: (name: String, status: Int32)?
        var stdout: [Substring] = []
        var stderr: [Substring] = []
        var inStderr = false
        var noFinalNewline = false
        var sawHeader = false
        var sawEnd = false
        let marker = boundary + " "

        func finish() {
            guard let open = current else { return }
            var output = joined(stdout)
            // By scalar: "\r\n" is one Character, and only the "\n" was added.
            if noFinalNewline, output.unicodeScalars.last == "\n" { output.unicodeScalars.removeLast() }
            sections[open.name] = FactSection(
                name: open.name, status: open.status, stdout: output, stderr: joined(stderr))
            current = nil
        }

        for line in text.rawLines() {
            guard line.hasPrefix(marker) else {
                if current != nil {
                    if inStderr { stderr.append(line) } else { stdout.append(line) }
                }
                continue
            }
            let words = line.dropFirst(marker.count).split(separator: " ")
            switch words.first {
            case "facts":
                guard words.count == 2, words[1] == "1" else {
                    throw FactsError(
                        "the host's facts stream is version \(words.dropFirst().joined(separator: " ")), expected 1")
                }
                sawHeader = true
            case "section":
                finish()
                guard words.count == 3, let status = Int32(words[2]) else {
                    throw FactsError("malformed section header: \(line)")
                }
                current = (String(words[1]), status)
                stdout = []
                stderr = []
                inStderr = false
                noFinalNewline = false
            case "stderr":
                inStderr = true
                // "noeol": the script added a newline the output did not have.
                noFinalNewline = words.count == 3 && words[2] == "noeol"
            case "end":
                finish()
                sawEnd = true
            default:
                throw FactsError("unknown marker in the facts stream: \(line)")
            }
        }
        guard sawHeader else { throw FactsError("no facts came back (the gather script did not start)") }
        guard sawEnd else { throw FactsError("the facts stream ended early (the gather script was cut off)") }
        return sections
    }

    /// Lines back into text, each with its newline (the script's `cat` output ends with one).
    private static func joined(_ lines: [Substring]) -> String {
        lines.isEmpty ? "" : lines.map { $0 + "\n" }.joined()
    }
}

/// Facts that cannot be read; the host is then reported, never planned on a guess.
public struct FactsError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    /// The host answered, but runs something lvmguard does not support (an LVM too old): a person must
    /// look, so the host is blocked, not unreachable.
    public let unsupported: Bool
    public init(_ message: String, unsupported: Bool = false) {
        self.message = message
        self.unsupported = unsupported
    }
    public var description: String { message }
}
