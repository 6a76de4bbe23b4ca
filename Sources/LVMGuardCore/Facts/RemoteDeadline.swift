/// The report of a remote run that reached its deadline (remote/bounds.sh): the controller's `--timeout`
/// less a margin, after which the run ends every process it started and says what was running.
public struct RemoteDeadline: Sendable, Hashable {
    /// The controller's `--timeout`, in seconds.
    public let seconds: Int
    /// The command (or step) that was running when the deadline passed.
    public let running: String

    /// The deadline line ("<boundary> deadline SECONDS WHAT") in a run's output, if the run reached it.
    public static func find(in output: String, boundary: String) -> RemoteDeadline? {
        let marker = boundary + " deadline "
        guard let line = output.rawLines().last(where: { $0.hasPrefix(marker) }) else { return nil }
        let words = line.dropFirst(marker.count).split(separator: " ", maxSplits: 1)
        return RemoteDeadline(
            seconds: words.first.flatMap { Int($0) } ?? 0, running: words.count > 1 ? String(words[1]) : "")
    }

    /// What the host's report says.
    public var message: String {
        "timed out after \(seconds) s while running: \(running) (the remote run ended itself and every process it started)"
    }

    /// The deadline the remote run gets for a controller timeout: a margin under it, so its report arrives first.
    public static func remoteSeconds(forTimeout seconds: Int) -> Int {
        max(1, seconds - min(5, max(1, seconds / 5)))
    }
}
