import LVMGuardCore

/// Gathers facts from hosts: one ssh execution per host, at most `forks` at once.
public struct FactsGatherer: Sendable {
    /// What came back from one host.
    public struct Gathered: Sendable {
        public let host: HostSettings
        /// The raw output of the gather script, kept for `--save-raw` and fixtures.
        public let raw: String
        public let boundary: String
        public let facts: Result<HostFacts, FactsError>
    }

    public let ssh: SSH

    public init(ssh: SSH) { self.ssh = ssh }

    /// Facts of one host; a host that cannot be reached or read comes back as a failure, never thrown.
    public func gather(_ host: HostSettings) async -> Gathered {
        let boundary = RemoteScripts.newBoundary()
        do {
            let result = try await ssh.run(RemoteScripts.gatherFacts(boundary: boundary), on: host)
            let facts: Result<HostFacts, FactsError>
            do {
                let sections = try FactStream.parse(result.stdout, boundary: boundary)
                facts = .success(try HostFacts(sections: sections))
            } catch {
                let detail = result.status != 0 ? " (exit \(result.status): \(result.stderr.outputLines().last ?? ""))" : ""
                facts = .failure(FactsError(error.message + detail))
            }
            return Gathered(host: host, raw: result.stdout, boundary: boundary, facts: facts)
        } catch {
            return Gathered(host: host, raw: "", boundary: boundary, facts: .failure(FactsError(error.message)))
        }
    }

    /// Facts of every host, at most `forks` at a time; results in the order of `hosts`.
    public func gather(_ hosts: [HostSettings], forks: Int) async -> [Gathered] {
        await Fleet.map(hosts, forks: forks) { await gather($0) }
    }
}

/// Bounded fan-out: a sliding window of `forks` tasks, one in as one finishes.
public enum Fleet {
    public static func map<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], forks: Int, _ body: @escaping @Sendable (Input) async -> Output
    ) async -> [Output] {
        await withTaskGroup(of: (Int, Output).self) { group in
            var results = [Output?](repeating: nil, count: inputs.count)
            var next = 0
            func startNext() {
                guard next < inputs.count else { return }
                let index = next
                let input = inputs[index]
                group.addTask { (index, await body(input)) }
                next += 1
            }
            for _ in 0..<max(1, forks) { startNext() }
            while let (index, output) = await group.next() {
                results[index] = output
                startNext()
            }
            return results.compactMap { $0 }
        }
    }
}
