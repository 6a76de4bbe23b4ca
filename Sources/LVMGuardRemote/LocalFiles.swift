import Foundation
import LVMGuardCore

/// The real file system, for the core's `FileReading`.
public struct LocalFiles: FileReading {
    public init() {}

    public func readText(atPath path: String) throws(FileReadError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FileReadError(path: path, reason: "no such file")
        }
        if isDirectory.boolValue { throw FileReadError(path: path, reason: "is a directory, not a file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileReadError(path: path, reason: "permission denied or unreadable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FileReadError(path: path, reason: "not UTF-8 text")
        }
        return text
    }

    public func directoryEntries(atPath path: String) -> [String]? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return nil
        }
        return (try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted()
    }
}
