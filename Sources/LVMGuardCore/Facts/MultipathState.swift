extension HostFacts {
    /// A dm-multipath map as device-mapper reports it, read without I/O to the map or its paths.
    public struct MultipathMap: Sendable, Codable, Hashable {
        public struct Path: Sendable, Codable, Hashable {
            /// The path device; nil when the status printed something else there (the path still counts, by its
            /// state: a map is never called dead for a word lvmguard could not read).
            public let majMin: MajorMinor?
            /// Device-mapper's path state: `A` active, `F` failed.
            public let active: Bool
        }

        public let name: String
        public let paths: [Path]
        /// The table asks to queue I/O while no path is left (`queue_if_no_path`, set by `no_path_retry queue`
        /// or a retry count): a read of a dead map then waits instead of failing.
        public let queueIfNoPath: Bool

        /// No active path: any read of the map, or of anything stacked on it, waits (or fails) until one returns.
        public var isDead: Bool { !paths.contains { $0.active } }
    }
}

/// Reads `dmsetup status --target multipath` and `dmsetup table --target multipath`.
enum MultipathState {
    /// The maps of a status text, with the queueing flag from the table text (same map names).
    static func maps(status: String, table: String) -> [HostFacts.MultipathMap] {
        let queueing = Set(
            table.outputLines().compactMap { line -> String? in
                guard let (name, words) = targetWords(line), let count = words.first.flatMap({ Int($0) }) else {
                    return nil
                }
                return words.dropFirst().prefix(count).contains("queue_if_no_path") ? name : nil
            })
        return status.outputLines().compactMap { line in
            guard let (name, words) = targetWords(line) else { return nil }
            return HostFacts.MultipathMap(name: name, paths: paths(words), queueIfNoPath: queueing.contains(name))
        }
    }

    /// "mpatha: 0 1048576 multipath 2 0 0 ..." as the map name and the words after the target type.
    private static func targetWords(_ line: Substring) -> (String, [Substring])? {
        let words = line.split(separator: " ")
        guard let first = words.first, first.hasSuffix(":"), let target = words.firstIndex(of: "multipath") else {
            return nil
        }
        return (String(first.dropLast()), Array(words[(target + 1)...]))
    }

    /// The paths of a status: `<#features> <features> <#handler args> <args> <#groups> <next group>`, then per
    /// group `<state> <#args> <args> <#paths> <#selector args>`, then per path `<major:minor> <A|F> <fail count>
    /// <selector args>`. A status cut short yields the paths read so far.
    private static func paths(_ words: [Substring]) -> [HostFacts.MultipathMap.Path] {
        var index = 0
        func number() -> Int? {
            guard index < words.count, let value = Int(words[index]) else { return nil }
            index += 1
            return value
        }
        guard let features = number() else { return [] }
        index += features
        guard let handlerArgs = number() else { return [] }
        index += handlerArgs
        guard let groups = number(), number() != nil else { return [] }
        var paths: [HostFacts.MultipathMap.Path] = []
        for _ in 0..<groups {
            index += 1  // group state
            guard let groupArgs = number() else { break }
            index += groupArgs
            guard let count = number(), let selectorArgs = number() else { break }
            for _ in 0..<count where index + 1 < words.count {
                paths.append(.init(majMin: MajorMinor(words[index]), active: words[index + 1] == "A"))
                index += 3 + selectorArgs
            }
        }
        return paths
    }
}
