/// The device links a host has, each resolved to the device it names, from the `dev-links` section.
///
/// A line is `PATH TARGET`: a block device names itself, a symlink names its target as the link holds it (find's
/// `%l`, usually relative: `../dm-3`, `../../sdb`) or already resolved (captures taken with `readlink -f`). A relative
/// target is resolved against the link's directory, and a target that is itself a link is followed, so every value is
/// what `readlink -f` prints, without a process per link on the host.
enum DeviceLinks {
    /// Links followed before a chain is taken as a loop and left where it stands.
    static let maximumChain = 8

    static func resolved(_ lines: [String]) -> [String: String] {
        let direct = Dictionary(
            lines.compactMap { line -> (String, String)? in
                let words = line.split(separator: " ", maxSplits: 1).map(String.init)
                guard words.count == 2, words[0].hasPrefix("/") else { return nil }
                return (words[0], absolute(words[1], from: words[0]))
            }, uniquingKeysWith: { $1 })
        return direct.mapValues { target in
            var current = target
            for _ in 0..<maximumChain {
                guard let next = direct[current], next != current else { break }
                current = next
            }
            return current
        }
    }

    /// `target` as an absolute, normalised path: relative to the directory holding `link`.
    static func absolute(_ target: String, from link: String) -> String {
        let directory = link.split(separator: "/", omittingEmptySubsequences: true).dropLast().map(String.init)
        var parts = target.hasPrefix("/") ? [] : directory
        for part in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(String(part))
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
