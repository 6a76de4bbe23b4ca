/// The lvm.conf settings lvmguard owns, read from one copy of the file: what decides which devices LVM uses.
///
/// Two copies agree when these agree, whatever else differs. dracut on RHEL 7 rewrites `locking_type` and
/// `use_lvmetad` in the initramfs copy, and every tool may reformat or drop comments: none of that matters
/// for which devices the early boot scans, so none of it makes a copy stale.
public struct OwnedSettings: Sendable, Hashable, CustomStringConvertible {
    /// The filter under each key; a missing key is LVM's default, accept everything.
    public let globalFilter: LVMFilter
    public let filter: LVMFilter
    /// `devices/use_devicesfile`, nil when not set (LVM's default then applies).
    public let useDevicesFile: Int64?
    public let devicesFile: String?

    /// Reads the owned settings; nil when the text is not LVM config syntax or a filter cannot be understood.
    public init?(text: String) {
        guard let document = try? LVMConfigDocument(parsing: text) else { return nil }
        func readFilter(_ key: String) -> LVMFilter? {
            guard let value = document.effectiveAssignment(at: ["devices", key])?.value else { return .acceptAll }
            return try? LVMFilter(parsing: value)
        }
        guard let global = readFilter("global_filter"), let plain = readFilter("filter") else { return nil }
        globalFilter = global
        filter = plain
        if case let .integer(value)? = document.effectiveAssignment(at: ["devices", "use_devicesfile"])?.value {
            useDevicesFile = value
        } else {
            useDevicesFile = nil
        }
        devicesFile = document.effectiveAssignment(at: ["devices", "devicesfile"])?.value.strings?.first
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.globalFilter.isEquivalent(to: rhs.globalFilter) && lhs.filter.isEquivalent(to: rhs.filter)
            && lhs.useDevicesFile == rhs.useDevicesFile && lhs.devicesFile == rhs.devicesFile
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(useDevicesFile)
        hasher.combine(devicesFile)
    }

    public var description: String {
        var parts = ["global_filter = \(globalFilter)", "filter = \(filter)"]
        if let useDevicesFile { parts.append("use_devicesfile = \(useDevicesFile)") }
        if let devicesFile { parts.append("devicesfile = \"\(devicesFile)\"") }
        return parts.joined(separator: ", ")
    }

    /// True when `copy` (an initramfs's lvm.conf) makes LVM pick the same devices as `text`.
    /// A copy lvmguard cannot read counts as different: it must be rebuilt, never trusted.
    public static func agree(_ text: String, _ copy: String) -> Bool {
        guard let wanted = OwnedSettings(text: text), let found = OwnedSettings(text: copy) else { return text == copy }
        return wanted == found
    }
}
