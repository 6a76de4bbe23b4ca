import ArgumentParser
import Foundation
import LVMGuardCore
import LVMGuardRemote
import Logging
import Synchronization

/// The live progress of a fleet phase on standard error: one line redrawn in place on a terminal,
/// otherwise a plain line per finished host (for CI logs). Standard output stays the report's.
final class ProgressLine: Sendable {
    private let tally: Mutex<ProgressTally>
    private let live: Bool

    init(phase: String, total: Int) {
        tally = Mutex(ProgressTally(phase: phase, total: total))
        live = isatty(STDERR_FILENO) == 1
    }

    /// One host finished with `outcome`.
    func record(host: String, outcome: String) {
        let text = tally.withLock { tally in
            tally.record(outcome)
            guard live else { return tally.hostLine(host, outcome) + "\n" }
            return "\r\u{1B}[K" + tally.line + (tally.done == tally.total ? "\n" : "")
        }
        Terminal.writeError(text)
    }

    /// Ends an unfinished line (after Ctrl-C) so what follows starts on its own line.
    func end() {
        guard live, tally.withLock({ $0.done > 0 && $0.done < $0.total }) else { return }
        Terminal.writeError("\n")
    }

    /// A progress line for gathering facts from `total` hosts, as a gatherer's `finished` callback.
    static func gathering(_ phase: String, _ total: Int) -> @Sendable (FactsGatherer.Gathered) -> Void {
        let progress = ProgressLine(phase: phase, total: total)
        return { progress.record(host: $0.host.name, outcome: $0.facts.isSuccess ? "gathered" : "unreachable") }
    }
}

/// Ctrl-C (and SIGTERM from a job runner). The first stops starting hosts: the running ones finish, their
/// results are reported, and lvmguard exits 130. The second stops waiting: shared ssh connections are
/// closed and lvmguard exits at once; each running host's remote run completes on its own (it ignores
/// hang-ups and keeps lvm.conf whole).
enum Interruption {
    static let stop = StopRequest()
    private static let state = Mutex<(sources: [DispatchSourceSignal], onAbort: [@Sendable () -> Void])>(([], []))

    /// Takes over SIGINT and SIGTERM for the rest of the run.
    static func install() {
        state.withLock { state in
            guard state.sources.isEmpty else { return }
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { received(number) }
                source.resume()
                state.sources.append(source)
            }
        }
    }

    /// After the output of an interrupted run: exit 130, like a shell's Ctrl-C.
    static func exitIfRequested() throws {
        if stop.isRequested { throw ExitCode(130) }
    }

    /// Runs `cleanup` if lvmguard is made to stop waiting (a second Ctrl-C).
    static func onAbort(_ cleanup: @escaping @Sendable () -> Void) {
        state.withLock { $0.onAbort.append(cleanup) }
    }

    private static func received(_ number: Int32) {
        let name = number == SIGINT ? "Ctrl-C" : "SIGTERM"
        if stop.request("interrupted (\(name))") {
            Terminal.writeError(
                "\n\(name): starting no more hosts; waiting for the running ones to finish (\(name) again stops waiting).\n"
            )
            return
        }
        Terminal.writeError(
            "\n\(name) again: not waiting. Running hosts finish their remote run on their own; plan again to see where they ended.\n"
        )
        for cleanup in state.withLock({ $0.onAbort }) { cleanup() }
        exit(130)
    }
}

/// swift-log on standard error: debug with --verbose, otherwise warnings only.
enum Log {
    private static let bootstrapped = Mutex(false)

    static func setUp(verbose: Bool, label: String) -> Logger {
        bootstrapped.withLock { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in LineLogHandler(label: label, logLevel: verbose ? .debug : .warning) }
        }
        return Logger(label: label)
    }
}

/// One line per event: "01:02:45.123 debug lvmguard.ssh: start host=fleet-001 command=timeout ...".
struct LineLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        // Keys in order, a command line last (it is long, and already shell-quoted word by word).
        let keys = all.keys.sorted { ($0 == "command" ? 1 : 0, $0) < ($1 == "command" ? 1 : 0, $1) }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        localtime_r(&seconds, &parts)
        let time = String(
            format: "%02d:%02d:%02d.%03d", parts.tm_hour, parts.tm_min, parts.tm_sec, now.tv_nsec / 1_000_000)
        let fields = keys.map { "\($0)=\(all[$0].map { "\($0)" } ?? "")" }
        Terminal.writeError(
            ([time, "\(event.level)", "\(label):", "\(event.message)"] + fields).joined(separator: " ") + "\n")
    }
}
