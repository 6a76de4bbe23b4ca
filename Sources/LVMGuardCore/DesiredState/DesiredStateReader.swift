/// Reads a desired-state file strictly: unknown keys, wrong types and bad values are all reported at once,
/// each at its file:line:column.
public enum DesiredStateReader {
    static let topKeys = [
        "name", "hosts", "exempt", "filter", "deactivate_guest_vgs", "dead_maps", "refresh", "initramfs", "checks",
        "rollout",
    ]
    static let exemptKeys = ["host", "group", "reason", "ticket", "until"]
    static let filterKeys = ["policy", "key", "accept"]
    static let rolloutKeys = ["forks", "serial", "max_fail_percentage", "max_failures"]

    /// What a read gives: the state when the file is valid, and the inventory references it could read
    /// in any case, so they can be checked against the inventory even when other keys are wrong.
    public struct Result: Sendable {
        public let state: DesiredState?
        public let references: InventoryReferences?
    }

    /// The desired state in `text`, or nil with diagnostics.
    public static func read(_ text: String, file: String, diagnostics: inout Diagnostics) -> DesiredState? {
        parse(text, file: file, diagnostics: &diagnostics).state
    }

    /// Reads `text`, returning the state if valid and the readable inventory references either way.
    public static func parse(_ text: String, file: String, diagnostics: inout Diagnostics) -> Result {
        let errorsBefore = diagnostics.all.count
        guard let root = YAMLDocument.parse(text, file: file, diagnostics: &diagnostics) else {
            return Result(state: nil, references: nil)
        }
        if case .sequence = root.kind {
            diagnostics.error(
                "the desired-state file must be one mapping, not a list of plays", at: root.location,
                hint: "remove the leading '- ' and write the keys at the top level")
            return Result(state: nil, references: nil)
        }
        guard let entries = root.mapping("the desired-state file", allowed: topKeys, diagnostics: &diagnostics) else {
            return Result(state: nil, references: nil)
        }
        let fields = Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let start = SourceLocation(file: file, line: 1, column: 1)

        let name = fields["name"].flatMap { $0.value.nonEmptyString("name", diagnostics: &diagnostics) } ?? file
        var hosts: HostPattern?
        var hostsLocation = start
        if let entry = fields["hosts"] {
            hostsLocation = entry.value.location
            if let text = entry.value.nonEmptyString("hosts", diagnostics: &diagnostics) {
                hosts = HostPattern(text)
                if let why = HostPattern.unsupported(text) {
                    diagnostics.error("hosts pattern '\(text)': \(why)", at: entry.value.location)
                    hosts = nil
                } else if hosts == nil {
                    diagnostics.error("hosts pattern '\(text)' selects nothing", at: entry.value.location)
                }
            }
        } else {
            diagnostics.error(
                "missing required key 'hosts'", at: start,
                hint: "name the inventory group or pattern the policy applies to, e.g. 'hosts: compute'")
        }
        let exemptions = fields["exempt"].map { readExemptions($0.value, diagnostics: &diagnostics) } ?? []
        var filter: FilterPolicy?
        if let entry = fields["filter"] {
            filter = readFilter(entry.value, diagnostics: &diagnostics)
        } else {
            diagnostics.error(
                "missing required key 'filter'", at: start, hint: "add 'filter: { policy: host-pvs-only }'")
        }
        let deactivate =
            fields["deactivate_guest_vgs"].flatMap {
                $0.value.boolean("deactivate_guest_vgs", diagnostics: &diagnostics)
            } ?? true
        let deadMaps =
            fields["dead_maps"].flatMap { oneOf(DeadMapPolicy.self, $0.value, "dead_maps", diagnostics: &diagnostics) }
            ?? .report
        let refresh =
            fields["refresh"].flatMap { oneOf(Refresh.self, $0.value, "refresh", diagnostics: &diagnostics) }
            ?? .pvscanCache
        let initramfs =
            fields["initramfs"].flatMap {
                oneOf(InitramfsPolicy.self, $0.value, "initramfs", diagnostics: &diagnostics)
            } ?? .rebuildIfNeeded
        let checks = fields["checks"].map { readChecks($0.value, diagnostics: &diagnostics) } ?? Check.allCases
        let rollout = fields["rollout"].map { readRollout($0.value, diagnostics: &diagnostics) } ?? .default

        let references = InventoryReferences(hosts: hosts, hostsLocation: hostsLocation, exemptions: exemptions)
        guard !diagnostics.all[errorsBefore...].contains(where: { $0.severity == .error }),
            let hosts, let filter
        else { return Result(state: nil, references: references) }
        let state = DesiredState(
            file: file, name: name, hosts: hosts, hostsLocation: hostsLocation, exemptions: exemptions,
            filter: filter, deactivateGuestVGs: deactivate, deadMaps: deadMaps, refresh: refresh, initramfs: initramfs,
            checks: checks, rollout: rollout)
        return Result(state: state, references: references)
    }

    /// A value that must be one of an enum's raw values, with a did-you-mean otherwise.
    static func oneOf<T: RawRepresentable & CaseIterable>(
        _ type: T.Type, _ node: YAMLNode, _ what: String,
        diagnostics: inout Diagnostics
    ) -> T? where T.RawValue == String {
        guard let text = node.string(what, diagnostics: &diagnostics) else { return nil }
        if let value = T(rawValue: text) { return value }
        let allowed = T.allCases.map(\.rawValue)
        diagnostics.error(
            "unknown \(what) '\(text)'", at: node.location,
            hint: Suggestion.didYouMean(text, in: allowed) ?? "expected one of: \(allowed.joined(separator: ", "))")
        return nil
    }

    private static func readExemptions(_ node: YAMLNode, diagnostics: inout Diagnostics) -> [Exemption] {
        guard let items = node.sequence("exempt", diagnostics: &diagnostics) else { return [] }
        var exemptions: [Exemption] = []
        for item in items {
            guard let entries = item.mapping("an exemption", allowed: exemptKeys, diagnostics: &diagnostics) else {
                continue
            }
            let fields = Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            var target: Exemption.Target?
            switch (fields["host"], fields["group"]) {
            case let (host?, nil):
                target = host.value.nonEmptyString("exempt host", diagnostics: &diagnostics).map { .host($0) }
            case let (nil, group?):
                target = group.value.nonEmptyString("exempt group", diagnostics: &diagnostics).map { .group($0) }
            case (_?, let group?):
                diagnostics.error(
                    "an exemption names either a host or a group, not both", at: group.keyLocation,
                    hint: "split it into two exemptions")
            case (nil, nil):
                diagnostics.error("an exemption must name a 'host' or a 'group'", at: item.location)
            }
            var reason: String?
            if let entry = fields["reason"] {
                reason = entry.value.nonEmptyString("reason", diagnostics: &diagnostics)
            } else {
                diagnostics.error(
                    "an exemption must give a 'reason'", at: item.location,
                    hint: "say which LVM backend the node uses, e.g. 'reason: cinder-volume LVM backend'")
            }
            let ticket = fields["ticket"].flatMap { $0.value.nonEmptyString("ticket", diagnostics: &diagnostics) }
            var until: CalendarDate?
            if let entry = fields["until"], let text = entry.value.string("until", diagnostics: &diagnostics) {
                until = CalendarDate(text)
                if until == nil {
                    diagnostics.error(
                        "'\(text)' is not a date", at: entry.value.location,
                        hint: "write the last day the exemption applies as YYYY-MM-DD")
                }
            }
            if let target, let reason {
                exemptions.append(
                    Exemption(target: target, reason: reason, ticket: ticket, until: until, location: item.location))
            }
        }
        return exemptions
    }

    private static func readFilter(_ node: YAMLNode, diagnostics: inout Diagnostics) -> FilterPolicy? {
        guard let entries = node.mapping("filter", allowed: filterKeys, diagnostics: &diagnostics) else { return nil }
        let fields = Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var policy: FilterPolicy.Policy?
        if let entry = fields["policy"] {
            policy = oneOf(FilterPolicy.Policy.self, entry.value, "filter policy", diagnostics: &diagnostics)
        } else {
            diagnostics.error(
                "missing required key 'policy' in filter", at: node.location,
                hint: "use 'policy: host-pvs-only' or 'policy: reject-all'")
        }
        let key =
            fields["key"].flatMap { oneOf(FilterPolicy.Key.self, $0.value, "filter key", diagnostics: &diagnostics) }
            ?? .globalFilter
        var accept: [AcceptRule] = []
        if let entry = fields["accept"], let items = entry.value.sequence("filter accept", diagnostics: &diagnostics) {
            for item in items {
                guard let text = item.nonEmptyString("an accept entry", diagnostics: &diagnostics) else { continue }
                if let rule = acceptRule(text, at: item.location, diagnostics: &diagnostics) { accept.append(rule) }
            }
        }
        guard let policy else { return nil }
        if policy == .rejectAll, !accept.isEmpty, let entry = fields["accept"] {
            diagnostics.error(
                "'accept' has no effect with policy reject-all", at: entry.keyLocation,
                hint: "use policy host-pvs-only to keep devices, or remove 'accept'")
        }
        return FilterPolicy(policy: policy, key: key, accept: accept)
    }

    /// `/dev/...` for an exact path, `/regex/` for a pattern.
    static func acceptRule(_ text: String, at location: SourceLocation, diagnostics: inout Diagnostics) -> AcceptRule? {
        if text.count >= 2, text.hasPrefix("/"), text.hasSuffix("/"), !text.hasPrefix("/dev/") {
            let pattern = String(text.dropFirst().dropLast())
            do {
                _ = try Regex(pattern)
            } catch {
                diagnostics.error("invalid regular expression '\(pattern)' in accept", at: location, hint: "\(error)")
                return nil
            }
            // LVM compiles it with its own engine, which knows less and reads some things differently.
            if let problem = LVMRegex.problem(pattern) {
                diagnostics.error(
                    "LVM cannot use the regular expression '\(pattern)' in accept: \(problem)", at: location)
                return nil
            }
            return .regex(pattern)
        }
        if text.hasPrefix("/dev/"), !text.contains(where: { $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "\n" }) {
            return .path(text)
        }
        diagnostics.error(
            "accept entry '\(text)' is neither a device path nor a /regex/", at: location,
            hint: "write an exact path like /dev/sda2 or a pattern like /^\\/dev\\/nvme0n1p[0-9]+$/")
        return nil
    }

    private static func readChecks(_ node: YAMLNode, diagnostics: inout Diagnostics) -> [Check] {
        guard let items = node.sequence("checks", diagnostics: &diagnostics) else { return [] }
        var checks: [Check] = []
        for item in items {
            guard let check = oneOf(Check.self, item, "check", diagnostics: &diagnostics) else { continue }
            if !checks.contains(check) { checks.append(check) }
        }
        return checks
    }

    private static func readRollout(_ node: YAMLNode, diagnostics: inout Diagnostics) -> Rollout {
        guard let entries = node.mapping("rollout", allowed: rolloutKeys, diagnostics: &diagnostics) else {
            return .default
        }
        let fields = Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let forks =
            fields["forks"].flatMap { $0.value.integer("forks", in: 1...10_000, diagnostics: &diagnostics) }
            ?? Rollout.default.forks
        var serial = Rollout.default.serial
        if let entry = fields["serial"] {
            if case let .sequence(items) = entry.value.kind {
                let sizes = items.compactMap { batchSize($0, diagnostics: &diagnostics) }
                if items.isEmpty {
                    diagnostics.error("serial must list at least one batch size", at: entry.value.location)
                }
                if !sizes.isEmpty { serial = sizes }
            } else if let size = batchSize(entry.value, diagnostics: &diagnostics) {
                serial = [size]
            }
        }
        var maxFailPercentage = Rollout.default.maxFailPercentage
        if let entry = fields["max_fail_percentage"] {
            maxFailPercentage =
                percentage(entry.value, "max_fail_percentage", allowZero: true, diagnostics: &diagnostics)
                ?? maxFailPercentage
        }
        let maxFailures = fields["max_failures"].flatMap {
            $0.value.integer("max_failures", in: 0...1_000_000, diagnostics: &diagnostics)
        }
        return Rollout(forks: forks, serial: serial, maxFailPercentage: maxFailPercentage, maxFailures: maxFailures)
    }

    private static func batchSize(_ node: YAMLNode, diagnostics: inout Diagnostics) -> BatchSize? {
        guard let text = node.scalar else {
            diagnostics.error(
                "a serial batch size must be a number or a percentage, found \(node.shapeName)", at: node.location)
            return nil
        }
        if text.hasSuffix("%") {
            return percentage(node, "a serial percentage", allowZero: false, diagnostics: &diagnostics).map {
                .percent($0)
            }
        }
        return node.integer("a serial batch size", in: 1...1_000_000, diagnostics: &diagnostics).map { .count($0) }
    }

    /// `25%` or `25`, within 0 (or 1) to 100.
    private static func percentage(_ node: YAMLNode, _ what: String, allowZero: Bool, diagnostics: inout Diagnostics)
        -> Int?
    {
        let text = node.scalar ?? ""
        let digits = text.hasSuffix("%") ? String(text.dropLast()) : text
        let lowest = allowZero ? 0 : 1
        guard let value = Int(digits), (lowest...100).contains(value) else {
            diagnostics.error(
                "\(what) must be a percentage from \(lowest) to 100, found \(node.scalar.map { "'\($0)'" } ?? node.shapeName)",
                at: node.location, hint: "write it like 25%")
            return nil
        }
        return value
    }
}
