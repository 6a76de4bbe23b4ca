extension HostPlan {
    /// A blocker or warning with the sentence rendered for it: tests, JSON consumers and monitoring match `kind`,
    /// people read `message`.
    public struct Finding<Kind: Sendable & Codable & Hashable>: Sendable, Codable, Hashable {
        public let kind: Kind
        public let message: String
    }
}

extension HostPlan.Finding where Kind == HostPlan.Blocker {
    init(_ kind: HostPlan.Blocker, host: String) { self.init(kind: kind, message: kind.message(host: host)) }
}

extension HostPlan.Finding where Kind == HostPlan.Warning {
    init(_ kind: HostPlan.Warning) { self.init(kind: kind, message: kind.message) }
}

extension HostPlan.Blocker: Error {}
