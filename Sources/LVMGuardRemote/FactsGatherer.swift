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
            if let deadline = RemoteDeadline.find(in: result.stdout, boundary: boundary) {
                return Gathered(
                    host: host, raw: result.stdout, boundary: boundary, facts: .failure(FactsError(deadline.message)))
            }
            do {
                let sections = try FactStream.parse(result.stdout, boundary: boundary)
                facts = .success(try HostFacts(sections: sections))
            } catch {
                let detail =
                    result.status != 0 ? " (exit \(result.status): \(result.stderr.outputLines().last ?? ""))" : ""
                facts = .failure(FactsError(error.message + detail))
            }
            return Gathered(host: host, raw: result.stdout, boundary: boundary, facts: facts)
        } catch {
            return Gathered(host: host, raw: "", boundary: boundary, facts: .failure(FactsError(error.message)))
        }
    }

    /// Facts of every host, at most `forks` at a time; results in the order of `hosts`. `finished` hears of
    /// each host as it ends. After `stop`, hosts not yet started come back as failures that say so.
    public func gather(
        _ hosts: [HostSettings], forks: Int, stop: StopRequest,
        finished: @escaping @Sendable (Gathered) -> Void
    ) async -> [Gathered] {
        await Fleet.map(
            hosts, forks: forks, stop: stop,
            notStarted: { host, why in
                Gathered(host: host, raw: "", boundary: "", facts: .failure(FactsError("not gathered: \(why)")))
            }
        ) { host in
            let gathered = await gather(host)
            finished(gathered)
            return gathered
        }
    }
}
