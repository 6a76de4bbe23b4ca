import LVMGuardCore
@testable import LVMGuardTestSupport

/// Files held in memory, for tests of code that reads the user's files.
struct InMemoryFiles: FileReading {
    let files: [String: String]

    init(_ files: [String: String]) { self.files = files }

    func readText(atPath path: String) throws(FileReadError) -> String {
        guard let text = files[path] else { throw FileReadError(path: path, reason: "no such file") }
        return text
    }

    func directoryEntries(atPath path: String) -> [String]? {
        let prefix = path.hasSuffix("/") ? path : path + "/"
        let names = Set(
            files.keys.filter { $0.hasPrefix(prefix) }.map {
                String($0.dropFirst(prefix.count).split(separator: "/")[0])
            })
        return names.isEmpty ? nil : names.sorted()
    }
}

/// Loads an inventory from in-memory files, returning it and every diagnostic as text.
func loadInventory(_ files: [String: String], path: String = "inv/hosts.yaml") -> (Inventory?, [String]) {
    var diagnostics = Diagnostics()
    let inventory = InventoryLoader(files: InMemoryFiles(files)).load(path, diagnostics: &diagnostics)
    return (inventory, diagnostics.sorted.map(\.description))
}

/// A variable's scalar text for a host, or nil.
func variable(_ inventory: Inventory?, _ host: String, _ name: String) -> String? {
    guard case let .scalar(text)? = inventory?.hosts[host]?.variables[name]?.value else { return nil }
    return text
}
