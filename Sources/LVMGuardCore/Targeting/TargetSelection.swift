/// Which hosts a desired state reaches, which of them are exempt and why, and which exemptions expired.
public struct TargetSelection: Sendable {
    /// A host the policy will not touch, with the reason a person gave.
    public struct ExemptHost: Sendable, Hashable {
        public let host: String
        public let reason: String
        public let ticket: String?
        public let until: CalendarDate?
        /// Where the exemption was declared: the playbook entry or the inventory variable.
        public let source: String
    }

    /// An exemption past its `until` date, and the hosts it would have covered.
    public struct ExpiredExemption: Sendable, Hashable {
        public let exemption: Exemption
        public let hosts: [String]
    }

    /// Hosts the policy applies to, sorted by name.
    public let targets: [HostSettings]
    /// Hosts the pattern selects that are exempt, sorted by name.
    public let exempt: [ExemptHost]
    public let expired: [ExpiredExemption]

    public init(targets: [HostSettings], exempt: [ExemptHost], expired: [ExpiredExemption]) {
        self.targets = targets
        self.exempt = exempt
        self.expired = expired
    }

    /// Resolves `desired` against `inventory` on `today`. Reports pattern terms and exemptions that name
    /// nothing in the inventory, and bad host variables, all at once.
    public static func resolve(
        _ desired: DesiredState, in inventory: Inventory, today: CalendarDate,
        diagnostics: inout Diagnostics
    ) -> TargetSelection? {
        let errorsBefore = diagnostics.all.count
        let (selected, exemptByPlaybook, expired) = checkReferences(
            desired.references, in: inventory, today: today, diagnostics: &diagnostics)
        var exemptByHost = exemptByPlaybook
        var targets: [HostSettings] = []
        for name in selected {
            guard let host = inventory.hosts[name], let settings = HostSettings(host, diagnostics: &diagnostics) else {
                continue
            }
            if exemptByHost[name] == nil, let reason = settings.exemptReason {
                let at = host.variables["lvmguard_exempt"].map { " at \($0.location)" } ?? ""
                exemptByHost[name] = ExemptHost(
                    host: name, reason: reason, ticket: nil, until: nil, source: "lvmguard_exempt\(at)")
            }
            if exemptByHost[name] == nil { targets.append(settings) }
        }
        guard !diagnostics.all[errorsBefore...].contains(where: { $0.severity == .error }) else { return nil }
        return TargetSelection(
            targets: targets, exempt: exemptByHost.values.sorted { $0.host < $1.host }, expired: expired)
    }

    /// Checks that the pattern and exemptions name things the inventory has, and works out which hosts
    /// the pattern selects, which of those active exemptions cover, and which exemptions expired.
    /// Usable on a file with other errors, so every problem is reported at once.
    public static func checkReferences(
        _ references: InventoryReferences, in inventory: Inventory, today: CalendarDate,
        diagnostics: inout Diagnostics
    )
        -> (selected: [String], exempt: [String: ExemptHost], expired: [ExpiredExemption])
    {
        let names = Array(inventory.groups.keys) + Array(inventory.hosts.keys)
        var selected: [String] = []
        if let pattern = references.hosts {
            let match = pattern.match(in: inventory)
            for term in match.unmatchedTerms {
                diagnostics.error(
                    "hosts pattern term '\(term.text)' matches no group or host in \(inventory.file)",
                    at: references.hostsLocation, hint: Suggestion.didYouMean(term.text, in: names))
            }
            if match.hosts.isEmpty, match.unmatchedTerms.isEmpty {
                diagnostics.error(
                    "hosts pattern '\(pattern.source)' selects no hosts in \(inventory.file)",
                    at: references.hostsLocation)
            }
            selected = match.hosts
        }
        var exemptByHost: [String: ExemptHost] = [:]
        var expired: [ExpiredExemption] = []
        for exemption in references.exemptions {
            let covered: Set<String>
            switch exemption.target {
            case let .host(name):
                guard inventory.hosts[name] != nil else {
                    diagnostics.error(
                        "exempt host '\(name)' is not in \(inventory.file)", at: exemption.location,
                        hint: Suggestion.didYouMean(name, in: inventory.hosts.keys))
                    continue
                }
                covered = [name]
            case let .group(name):
                guard inventory.groups[name] != nil else {
                    diagnostics.error(
                        "exempt group '\(name)' is not in \(inventory.file)", at: exemption.location,
                        hint: Suggestion.didYouMean(name, in: inventory.groups.keys))
                    continue
                }
                covered = inventory.hosts(inGroup: name)
            }
            let coveredTargets = covered.intersection(selected).sorted()
            guard exemption.isActive(on: today) else {
                expired.append(ExpiredExemption(exemption: exemption, hosts: coveredTargets))
                diagnostics.warning(
                    "exemption for \(exemption.target) expired on \(exemption.until.map(String.init(describing:)) ?? "?"); "
                        + (coveredTargets.isEmpty
                            ? "it covers no targeted host" : "\(coveredTargets.count) host(s) are no longer exempt"),
                    at: exemption.location, hint: "renew 'until' or remove the exemption")
                continue
            }
            for host in coveredTargets where exemptByHost[host] == nil {
                exemptByHost[host] = ExemptHost(
                    host: host, reason: exemption.reason, ticket: exemption.ticket,
                    until: exemption.until, source: "\(exemption.target) at \(exemption.location)")
            }
        }
        return (selected, exemptByHost, expired)
    }
}
