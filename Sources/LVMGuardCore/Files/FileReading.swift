/// Read access to the files the user names: the one piece of I/O the core needs, behind a protocol
/// so tests can hand it files in memory.
public protocol FileReading: Sendable {
    /// The file's text, or a `FileReadError` saying why not.
    func readText(atPath path: String) throws(FileReadError) -> String
    /// The entries of a directory, nil when `path` is not a directory.
    func directoryEntries(atPath path: String) -> [String]?
}

/// Why a file could not be read, in words a person can act on.
public struct FileReadError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// Joins and splits slash-separated paths without touching the disk.
public enum PathText {
    public static func join(_ base: String, _ name: String) -> String {
        if base.isEmpty || name.hasPrefix("/") { return name }
        return base.hasSuffix("/") ? base + name : base + "/" + name
    }

    /// The directory part of a path ("" for a bare file name).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
