/// A desired-state file: which hosts, which filter, which exemptions, how to roll out.
public struct DesiredState: Sendable {
    public let file: String
    public let name: String
    /// The inventory pattern the policy applies to.
    public let hosts: HostPattern
    public let hostsLocation: SourceLocation
    public let exemptions: [Exemption]
    public let filter: FilterPolicy
    public let deactivateGuestVGs: Bool
    public let deadMaps: DeadMapPolicy
    public let refresh: Refresh
    public let initramfs: InitramfsPolicy
    public let checks: [Check]
    public let rollout: Rollout
}

/// The parts of a desired-state file that name inventory hosts and groups.
public struct InventoryReferences: Sendable {
    /// The `hosts:` pattern, nil when it was missing or unreadable.
    public let hosts: HostPattern?
    public let hostsLocation: SourceLocation
    public let exemptions: [Exemption]
}

extension DesiredState {
    public var references: InventoryReferences {
        InventoryReferences(hosts: hosts, hostsLocation: hostsLocation, exemptions: exemptions)
    }
}

/// A node or group that uses LVM itself and is reported, never touched.
public struct Exemption: Sendable, Hashable {
    public enum Target: Sendable, Hashable, CustomStringConvertible {
        case host(String)
        case group(String)

        public var description: String {
            switch self {
            case let .host(name): "host \(name)"
            case let .group(name): "group \(name)"
            }
        }
    }

    public let target: Target
    public let reason: String
    public let ticket: String?
    /// The last day the exemption applies; nil for no end.
    public let until: CalendarDate?
    public let location: SourceLocation

    /// Whether the exemption still applies on `today`.
    public func isActive(on today: CalendarDate) -> Bool {
        guard let until else { return true }
        return today <= until
    }
}

/// How the filter is decided and where it is written.
public struct FilterPolicy: Sendable, Hashable {
    public enum Policy: String, Sendable, Hashable, CaseIterable {
        /// Accept only the host's own PVs, reject everything else.
        case hostPVsOnly = "host-pvs-only"
        /// Reject every device: the incident's literal fix, for hosts with no LVM of their own.
        case rejectAll = "reject-all"
    }

    public enum Key: String, Sendable, Hashable, CaseIterable {
        case globalFilter = "global_filter"
        case filter
    }

    public let policy: Policy
    public let key: Key
    /// Extra host-owned devices.
    public let accept: [AcceptRule]
}

/// A device the host owns: an exact path or a regular expression.
public enum AcceptRule: Sendable, Hashable {
    case path(String)
    case regex(String)
}

/// How LVM's view of devices is refreshed after the filter changes.
/// What apply does about guest LVs on a multipath map with no active path, which LVM cannot deactivate.
public enum DeadMapPolicy: String, Sendable, Hashable, CaseIterable {
    /// Report them and fail the host's apply; nothing is done to the map.
    case report
    /// Stop queueing on that map alone, remove the guest LVs' mappings and check its open count reached 0.
    case release
}

public enum Refresh: String, Sendable, Hashable, CaseIterable {
    case pvscanCache = "pvscan-cache"
    case none
}

/// What to do about the copy of lvm.conf inside the initramfs.
public enum InitramfsPolicy: String, Sendable, Hashable, CaseIterable {
    case rebuildIfNeeded = "rebuild-if-needed"
    case check
    case ignore
}

/// A verification run after apply and by `lvmguard check`.
public enum Check: String, Sendable, Hashable, CaseIterable {
    case noGuestVGsActive = "no-guest-vgs-active"
    case noMultipathHeld = "no-multipath-held"
    case filterEffective = "filter-effective"
    case initramfsCurrent = "initramfs-current"
}

/// How apply moves through the fleet.
public struct Rollout: Sendable, Hashable {
    /// Hosts worked on at once.
    public let forks: Int
    /// Batch sizes, Ansible's `serial`; the last size repeats until every host is done.
    public let serial: [BatchSize]
    /// A batch whose failed share exceeds this percentage stops the rollout.
    public let maxFailPercentage: Int
    /// Failures across all batches that stop the rollout; nil for no such limit.
    public let maxFailures: Int?

    public static let `default` = Rollout(forks: 20, serial: [.percent(100)], maxFailPercentage: 0, maxFailures: nil)
}

/// One batch size: a count of hosts or a share of the fleet.
public enum BatchSize: Sendable, Hashable, CustomStringConvertible {
    case count(Int)
    case percent(Int)

    public var description: String {
        switch self {
        case let .count(count): String(count)
        case let .percent(percent): "\(percent)%"
        }
    }
}

/// A day in the proleptic Gregorian calendar, as written `YYYY-MM-DD`.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A valid date, or nil.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
