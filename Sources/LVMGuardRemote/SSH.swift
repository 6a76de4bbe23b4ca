import LVMGuardCore
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

        public init() {}
    }

    /// How one remote execution ended. A non-zero remote exit is a result, not an error.
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Why a host could not be reached or the execution did not finish.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public let options: Options

    public init(options: Options = Options()) { self.options = options }

    /// The ssh arguments for `host`: options, then `--`, the address and the fixed remote command.
    public func arguments(for host: HostSettings) -> [String] {
        var arguments = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=\(options.connectTimeout)",
                         "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3"]
        if let port = host.port { arguments += ["-p", String(port)] }
        if let user = host.user { arguments += ["-l", user] }
        if let key = host.privateKeyFile { arguments += ["-i", key] }
        if let directory = options.controlDirectory {
            arguments += ["-o", "ControlMaster=auto", "-o", "ControlPersist=120", "-o", "ControlPath=\(directory)/%C"]
        }
        arguments += options.commonArgs + host.sshCommonArgs
        arguments += ["--", host.address, host.become ? "sudo -n sh -s" : "sh -s"]
        return arguments
    }

    /// Ends the shared connections of `hosts` (`ssh -O exit`), so no ssh process outlives the run.
    public func closeConnections(_ hosts: [HostSettings]) async {
        guard options.controlDirectory != nil else { return }
        let executable = options.executable
        _ = await Fleet.map(hosts, forks: 32) { host in
            var arguments = self.arguments(for: host)
            arguments.removeLast(2)  // the address and the remote command
            arguments += ["-O", "exit", host.address]
            _ = try? await Subprocess.run(.name(executable), arguments: Arguments(arguments), output: .discarded, error: .discarded)
        }
    }

    /// Runs `script` on `host`. Throws `Failure` when ssh itself fails (exit 255: unreachable, host key,
    /// authentication) or the execution times out.
    public func run(_ script: String, on host: HostSettings) async throws(Failure) -> Result {
        let arguments = arguments(for: host)
        let timeout = options.commandTimeout
        let executable = options.executable
        do {
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask {
                    var platform = PlatformOptions()
                    platform.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(2))]
                    let execution = try await Subprocess.run(
                        .name(executable), arguments: Arguments(arguments), platformOptions: platform,
                        input: .string(script), output: .string(limit: 64 << 20), error: .string(limit: 4 << 20))
                    let status: Int32 = switch execution.terminationStatus {
                    case let .exited(code): code
                    case let .signaled(signal): 128 + signal
                    }
                    return Result(status: status, stdout: execution.standardOutput, stderr: execution.standardError)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                guard let first = try await group.next() else { throw Failure(message: "ssh did not run") }
                group.cancelAll()
                guard let result = first else {
                    throw Failure(message: "timed out after \(timeout.components.seconds) s (the remote command did not finish)")
                }
                if result.status == 255 {
                    let reason = result.stderr.split(separator: "\n").last.map(String.init) ?? "ssh failed"
                    throw Failure(message: reason.isEmpty ? "ssh failed (exit 255)" : reason)
                }
                return result
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(message: "cannot run ssh: \(error)")
        }
    }
}
