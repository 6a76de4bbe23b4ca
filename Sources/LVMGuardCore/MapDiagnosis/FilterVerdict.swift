/// Whether host LVM, with the device settings in force on the host now, lets a device through, and the rule
/// that decides it: the devices file (when `use_devicesfile = 1`), then `global_filter`, then `filter`.
///
/// LVM's regex filter looks at every name of a device (kernel name and every /dev link): the first rule that
/// matches a name decides for that name; the device is accepted when one of its names is accepted, refused
/// when none is and one is rejected, and accepted when no rule matches any name.
public struct FilterVerdict: Sendable, Codable, Hashable {
    public enum Outcome: String, Sendable, Codable, Hashable {
        case accepted
        case refused
        /// A rule lvmguard cannot evaluate on the controller (LVM would read it otherwise, or it did not parse).
        case undetermined
    }

    public let outcome: Outcome
    /// The setting and rule that decided, as an SRE reads it in lvm.conf.
    public let decidedBy: String

    public init(_ outcome: Outcome, decidedBy: String) {
        self.outcome = outcome
        self.decidedBy = decidedBy
    }

    /// The verdict for a device known by `names` (and its PV UUID, if it is a PV) on a host with `facts`.
    public static func inForce(names: [String], pvUUID: PVUUID?, facts: HostFacts) -> FilterVerdict {
        if facts.setting(.useDevicesFile) == .integer(1) {
            let verdict = devicesFile(names: names, pvUUID, facts)
            if verdict.outcome != .accepted { return verdict }
        }
        var accepted: FilterVerdict?
        for key in ["devices/global_filter", "devices/filter"] {
            guard let value = facts.settings[key] else { continue }
            guard let filter = try? LVMFilter(parsing: value) else {
                return FilterVerdict(.undetermined, decidedBy: "\(key) does not parse")
            }
            let verdict = evaluate(filter, names: names, setting: key)
            if verdict.outcome != .accepted { return verdict }
            accepted = accepted ?? verdict
        }
        return accepted ?? FilterVerdict(.accepted, decidedBy: "no filter is set")
    }

    /// With the devices file on: refused unless it lists the device by name or PV UUID; a missing file lets
    /// LVM see every device.
    static func devicesFile(names: [String], _ pvUUID: PVUUID?, _ facts: HostFacts) -> FilterVerdict {
        guard let text = facts.devicesFile else {
            return FilterVerdict(.accepted, decidedBy: "use_devicesfile = 1 but the devices file is missing")
        }
        let listed = DevicesFile.entries(text).first { entry in
            names.contains(entry.deviceName) || (pvUUID != nil && entry.pvid == pvUUID)
        }
        if let entry = listed {
            return FilterVerdict(.accepted, decidedBy: "the devices file lists it (DEVNAME=\(entry.deviceName))")
        }
        return FilterVerdict(.refused, decidedBy: "use_devicesfile = 1 and the devices file does not list it")
    }

    /// One filter over every name of the device, as LVM's regex filter does.
    static func evaluate(_ filter: LVMFilter, names: [String], setting: String) -> FilterVerdict {
        var rejectedBy: LVMFilter.Rule?
        for name in names {
            for rule in filter.rules {
                guard let match = matches(rule.pattern, name) else {
                    return FilterVerdict(
                        .undetermined, decidedBy: "\(setting) rule \(rule.rendered) cannot be evaluated by lvmguard")
                }
                guard match else { continue }
                if rule.action == .accept {
                    return FilterVerdict(.accepted, decidedBy: "\(setting) rule \(rule.rendered) accepts \(name)")
                }
                rejectedBy = rejectedBy ?? rule
                break
            }
        }
        if let rule = rejectedBy {
            return FilterVerdict(.refused, decidedBy: "\(setting) rule \(rule.rendered) refuses it")
        }
        return FilterVerdict(.accepted, decidedBy: "no rule of \(setting) matches any of its names")
    }

    /// Whether an LVM pattern matches a device name anywhere in it (LVM's regexes are unanchored unless they
    /// say otherwise); nil for a pattern whose meaning in LVM's grammar lvmguard cannot vouch for.
    static func matches(_ pattern: String, _ name: String) -> Bool? {
        if LVMFilter.matchAllPatterns.contains(pattern) { return name.hasPrefix("/") }
        guard LVMRegex.problem(pattern) == nil, let regex = try? Regex(pattern) else { return nil }
        return name.contains(regex)
    }
}
