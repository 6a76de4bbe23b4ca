/// A block device an iSCSI target on this host exports: cinder's LVM backend makes each volume LV a LUN, through LIO
/// (the kernel's target, configured in configfs) or tgt (a daemon, cinder's `tgtadm` helper). The target holds the
/// device open, and whatever is inside it is the disk of whoever logged in: a guest's.
public struct TargetExport: Sendable, Hashable, Codable {
    public enum Server: String, Sendable, Codable { case lio = "LIO", tgt }
    public let server: Server
    /// The target's name (an IQN); nil for a LIO backstore no LUN uses.
    public let target: String?
    public let lun: Int?
    /// The exported device as the target names it (`/dev/cinder-volumes/volume-…`).
    public let device: String

    /// "iSCSI target iqn.…:volume-… LUN 1 (tgt)", or "LIO backstore iblock_0/volume-… (no LUN)".
    public var label: String {
        guard let target else { return "\(server.rawValue) backstore \(device) (no LUN)" }
        return "iSCSI target \(target)" + (lun.map { " LUN \($0)" } ?? "") + " (\(server.rawValue))"
    }
}

/// The gather's `lio-exports` and `tgt-exports` sections.
enum TargetExports {
    /// LIO's configfs: "backstore DIR ENABLED DEVICE" per block backstore, "lun LUN-DIR BACKSTORE-DIR" per LUN linked
    /// to one (LUN-DIR: /sys/kernel/config/target/FABRIC/TARGET/tpgt_N/lun/lun_M). A backstore with LUNs gives one
    /// export per LUN; one with none, a single export without a target when it is enabled (LIO holds it open).
    static func lio(_ text: String) -> [TargetExport] {
        var devices: [String: (enabled: Bool, device: String)] = [:]
        var luns: [(directory: String, backstore: String)] = []
        for line in text.outputLines() {
            let words = line.split(separator: " ", maxSplits: 3).map(String.init)
            if words.count == 4, words[0] == "backstore", !words[3].isEmpty {
                devices[words[1]] = (words[2] == "1", words[3])
            } else if words.count == 3, words[0] == "lun" {
                luns.append((words[1], words[2]))
            }
        }
        var exports: [TargetExport] = []
        for lun in luns {
            guard let backstore = devices[lun.backstore] else { continue }
            let parts = lun.directory.split(separator: "/").map(String.init)
            guard let tpg = parts.firstIndex(where: { $0.hasPrefix("tpgt_") }), tpg > 0, let last = parts.last,
                last.hasPrefix("lun_")
            else { continue }
            exports.append(
                .init(server: .lio, target: parts[tpg - 1], lun: Int(last.dropFirst(4)), device: backstore.device))
        }
        let linked = Set(luns.map(\.backstore))
        for (directory, backstore) in devices where backstore.enabled && !linked.contains(directory) {
            exports.append(.init(server: .lio, target: nil, lun: nil, device: backstore.device))
        }
        return exports.sorted { $0.label < $1.label }
    }

    /// `tgtadm --lld iscsi --mode target --op show`: "Target N: NAME", then per LUN "LUN: M" ... "Backing store path:
    /// PATH" (None for the controller LUN 0).
    static func tgt(_ text: String) -> [TargetExport] {
        var exports: [TargetExport] = []
        var target: String?, lun: Int?
        for line in text.outputLines() {
            let trimmed = String(line).trimmingWhitespace()
            if line.hasPrefix("Target "), let colon = trimmed.firstIndex(of: ":") {
                target = String(trimmed[trimmed.index(after: colon)...]).trimmingWhitespace()
                lun = nil
            } else if trimmed.hasPrefix("LUN: ") {
                lun = Int(String(trimmed.dropFirst(5)).trimmingWhitespace())
            } else if trimmed.hasPrefix("Backing store path: "), let target {
                let path = String(trimmed.dropFirst("Backing store path: ".count))
                if path.hasPrefix("/") { exports.append(.init(server: .tgt, target: target, lun: lun, device: path)) }
            }
        }
        return exports
    }

    /// The gather's `iscsi-sessions` section: "SESSION TARGET" per line, as session name to target name.
    static func sessions(_ text: String) -> [String: String] {
        var sessions: [String: String] = [:]
        for line in text.outputLines() {
            let words = line.split(separator: " ")
            if words.count == 2 { sessions[String(words[0])] = String(words[1]) }
        }
        return sessions
    }

    /// The disks through which this host is logged in to `export` itself (a converged node attaching its own volume):
    /// kernel names of disks whose sysfs path runs through an iSCSI session to the export's target, at its LUN
    /// (`.../session1/target3:0:0/3:0:0:LUN/block/sdb`).
    static func attachments(of export: TargetExport, facts: HostFacts) -> [KernelName] {
        guard let target = export.target, let lun = export.lun else { return [] }
        return facts.sysfsPaths.compactMap { name, path -> KernelName? in
            let parts = path.split(separator: "/").map(String.init)
            guard let session = parts.first(where: { $0.hasPrefix("session") }), facts.iscsiSessions[session] == target,
                let block = parts.lastIndex(of: "block"), block > 0,
                let address = parts[block - 1].split(separator: ":").last, Int(address) == lun
            else { return nil }
            return name
        }.sorted()
    }
}
