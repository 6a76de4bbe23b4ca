import Foundation
import LVMGuardCore
import Logging
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs a script on a host through the system `ssh` client, so ~/.ssh/config, agents, ProxyJump and
/// bastions work as they do for the user. The remote command is a fixed `sh -s` (or `sudo -n sh -s`);
/// the script and its data travel on stdin, never pasted into a command line.
public struct SSH: Sendable {
    /// Options for every connection of a run.
    public struct Options: Sendable {
        public var connectTimeout: Int = 10
        /// The longest one remote execution may take before it is cut off and the host reported.
        public var commandTimeout: Duration = .seconds(300)
        /// Extra ssh arguments for every host (`--ssh-common-args`), before each host's own.
        public var commonArgs: [String] = []
        public var executable = "ssh"
        /// A private directory for connection-sharing sockets: with it, each host gets one connection
        /// (ControlMaster) that the run's executions share, e.g. plan's gather and apply's change.
        public var controlDirectory: String?
        /// Where each execution's command line, duration and end are told (`--verbose`); silent by default.
        public var logger = Logger(label: "lvmguard.ssh", factory: { _ in SwiftLogNoOpLogHandler() })

        public init() {}
    }

    /// How one remote execution ended. A non-zero remote exit is a result, not an error.
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Why a host could not be reached or the execution did not finish.
    /// Why ssh gave no result for a host.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            /// The run passed its timeout: the host was reached, or may have been.
            case timedOut = "timed-out"
            /// ssh itself failed (exit 255): no connection, a host key, authentication.
            case unreachable
            /// ssh (or `timeout`) could not be started on this machine.
            case notStarted = "not-started"
        }

        public let kind: Kind
        public let message: String
        /// What the remote side printed before ssh failed: a connection cut mid-run leaves the steps already reported.
        public var stdout: String = ""
        public var description: String { message }
    }

    public let options: Options

    public init(options: Options = Options()) { self.options = options }

    /// The ssh arguments for `host`: options, then `--`, the address and the fixed remote command.
    public func arguments(for host: HostSettings) -> [String] {
        var arguments = [
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=\(options.connectTimeout)",
            "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3",
        ]
        if let port = host.port { arguments += ["-p", String(port)] }
        if let user = host.user { arguments += ["-l", user] }
        if let key = host.privateKeyFile { arguments += ["-i", key] }
        let userArguments = options.commonArgs + host.sshCommonArgs
        if let directory = options.controlDirectory, !Self.sharesConnections(userArguments) {
            arguments += ["-o", "ControlMaster=auto", "-o", "ControlPersist=120", "-o", "ControlPath=\(directory)/%C"]
        }
        arguments += userArguments
        arguments += ["--", host.address, Self.remoteCommand(for: host)]
        return arguments
    }

    /// Whether ssh arguments the user gave (`--ssh-common-args`, `ansible_ssh_common_args`) set up connection sharing
    /// themselves (`-o ControlPath=...`, `-o ControlMaster ...`, `-S`): then, as Ansible does, lvmguard adds no sharing of
    /// its own and never closes that connection, which is the user's.
    public static func sharesConnections(_ arguments: [String]) -> Bool {
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let word = arguments[index]
            var option: Substring?
            if word.hasPrefix("-S") { return true }  // -S PATH or -SPATH
            if word == "-o", index + 1 < arguments.endIndex {
                option = arguments[index + 1][...]
                index += 1
            } else if word.hasPrefix("-o") {
                option = word.dropFirst(2)
            }
            if let option {
                let keyword = option.prefix { $0 != "=" && !$0.isWhitespace }.lowercased()
                if keyword == "controlpath" || keyword == "controlmaster" { return true }
            }
            index += 1
        }
        return false
    }

    /// The fixed command the script is fed to: `sh -s`, through `sudo -n` (as `ansible_become_user`, a name
    /// HostSettings checked) with become.
    public static func remoteCommand(for host: HostSettings) -> String {
        guard host.becomes else { return "sh -s" }
        return host.becomeUser.map { "sudo -n -u \($0) sh -s" } ?? "sudo -n sh -s"
    }

    /// What runs the script: ssh with `arguments(for:)`, or, for `ansible_connection=local`, the same command on
    /// this machine (split into words; no shell).
    func command(for host: HostSettings) -> [String] {
        guard host.connection == .local else { return [options.executable] + arguments(for: host) }
        return Self.remoteCommand(for: host).split(separator: " ").map(String.init)
    }

    /// A word as a POSIX shell reads it back: bare when safe, otherwise in single quotes (for logs only).
    static func shellQuoted(_ word: String) -> String {
        let safe = word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:,@%+[]".contains($0)) }
        return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A read descriptor of a private temporary file holding `text`, already unlinked.
    static func unlinkedFile(containing text: String) throws -> FileDescriptor {
        let path = NSTemporaryDirectory() + "lvmguard-script-" + UUID().uuidString
        let writer = try FileDescriptor.open(
            path, .writeOnly, options: [.create, .exclusiveCreate], permissions: [.ownerReadWrite])
        defer { try? writer.close() }
        try writer.writeAll(Array(text.utf8))
        let reader = try FileDescriptor.open(path, .readOnly)
        unlink(path)
        return reader
    }

    /// The line of ssh's stderr that says why it failed: a known decisive message if there is one
    /// (a changed host key prints a long warning around it), else the last line.
    public static func reason(fromStderr stderr: String) -> String {
        let lines = stderr.outputLines().map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let decisive = [
            "Host key verification failed", "Connection refused", "Connection timed out",
            "timed out during banner exchange",
            "No route to host", "Permission denied", "Could not resolve hostname", "Connection closed",
            "Connection reset",
            "Network is unreachable", "kex_exchange_identification",
        ]
        if let line = lines.last(where: { line in decisive.contains { line.contains($0) } }) { return line }
        return lines.last ?? "ssh failed (exit 255)"
    }

    /// Ends the shared connections of `hosts` (`ssh -O exit`), so no ssh process outlives the run.
    public func closeConnections(_ hosts: [HostSettings]) async {
        guard options.controlDirectory != nil else { return }
        let executable = options.executable
        let owned = hosts.filter {
            $0.connection == .ssh && !Self.sharesConnections(options.commonArgs + $0.sshCommonArgs)
        }
        _ = await Fleet.map(owned, forks: 32) { host in
            var arguments = self.arguments(for: host)
            arguments.removeLast(3)  // "--", the address and the remote command
            arguments += ["-O", "exit", "--", host.address]
            _ = try? await Subprocess.run(
                .name(executable), arguments: Arguments(arguments), output: .discarded, error: .discarded)
        }
    }

    /// Runs `script` on `host`. Throws `Failure` when ssh itself fails (exit 255: unreachable, host key,
    /// authentication) or the execution times out.
    ///
    /// The script is prefixed with `LVMGUARD_TIMEOUT` and `LVMGUARD_DEADLINE` (see `RemoteDeadline`): a run that
    /// reaches its deadline ends itself on the host and reports what was running before this side gives up.
    ///
    /// The timeout is enforced by coreutils `timeout` around ssh, never by cancelling the child: cancelling
    /// swift-subprocess mid-I/O can abort the process (an open descriptor trips its fatal check).
    public func run(_ script: String, on host: HostSettings) async throws(Failure) -> Result {
        let seconds = max(1, Int(options.commandTimeout.components.seconds))
        let arguments = ["--kill-after=5", String(seconds)] + command(for: host)
        let result: Result
        let started = ContinuousClock.now
        let logger = options.logger
        logger.debug(
            "start",
            metadata: [
                "host": "\(host.name)",
                "command": "\((["timeout"] + arguments).map(Self.shellQuoted).joined(separator: " "))",
                "script_bytes": "\(script.utf8.count)",
            ])
        defer {
            let elapsed = ContinuousClock.now - started
            logger.debug(
                "end",
                metadata: [
                    "host": "\(host.name)",
                    "seconds":
                        "\(String(format: "%.3f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))",
                ])
        }
        do {
            // The script goes in as a file descriptor set up at spawn: swift-subprocess's stdin writer aborts the
            // process when the child exits before reading all of it (ssh refusing a host key, a timeout).
            let deadline = RemoteDeadline.remoteSeconds(forTimeout: seconds)
            let input = try Self.unlinkedFile(
                containing: "\(RemoteContract.Variable.timeout.rawValue)=\(seconds)\n"
                    + "\(RemoteContract.Variable.deadline.rawValue)=\(deadline)\n" + script)
            let execution = try await Subprocess.run(
                .name("timeout"), arguments: Arguments(arguments),
                input: .fileDescriptor(input, closeAfterSpawningProcess: true),
                output: .string(limit: 64 << 20), error: .string(limit: 4 << 20))
            let status: Int32 =
                switch execution.terminationStatus {
                case let .exited(code): code
                case let .signaled(signal): 128 + signal
                }
            result = Result(status: status, stdout: execution.standardOutput, stderr: execution.standardError)
        } catch {
            throw Failure(kind: .notStarted, message: "cannot run ssh: \(error)")
        }
        logger.debug(
            "exit",
            metadata: [
                "host": "\(host.name)", "status": "\(result.status)",
                "stdout_bytes": "\(result.stdout.utf8.count)", "stderr_bytes": "\(result.stderr.utf8.count)",
            ])
        // 124: timeout sent TERM; 137: it had to KILL.
        if result.status == 124 || result.status == 137 {
            throw Failure(kind: .timedOut, message: "timed out after \(seconds) s (the remote command did not finish)")
        }
        if result.status == 255 {
            throw Failure(kind: .unreachable, message: Self.reason(fromStderr: result.stderr), stdout: result.stdout)
        }
        return result
    }
}
