import LVMGuardCore
import LVMGuardRemote
@testable import LVMGuardTestSupport

/// The real files under a root directory, with paths relative to it (as a user in the repo names them).
struct InMemoryFilesFromDisk: FileReading {
    let root: String

    func readText(atPath path: String) throws(FileReadError) -> String {
        do {
            return try LocalFiles().readText(atPath: PathText.join(root, path))
        } catch {
            throw FileReadError(path: path, reason: error.reason)
        }
    }

    func directoryEntries(atPath path: String) -> [String]? {
        LocalFiles().directoryEntries(atPath: PathText.join(root, path))
    }
}
