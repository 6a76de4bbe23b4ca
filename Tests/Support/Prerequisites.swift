import Foundation

/// Real prerequisites of a test (a tool, a file, root). Missing ones skip the test with a printed
/// reason, except under CI (`CI=true`), where a missing prerequisite fails the test.
enum Prerequisite {
    static var underCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Where scripts/test-inputs.sh put the real lvm.conf files.
    static var testInputs: String {
        ProcessInfo.processInfo.environment["LVMGUARD_TEST_INPUTS"]
            ?? (#filePath.components(separatedBy: "/Tests/")[0] + "/.build/test-inputs")
    }

    /// The text of a file from scripts/test-inputs.sh, or nil (with a printed reason) when it is missing.
    static func input(_ name: String) -> String? {
        let path = testInputs + "/" + name
        if let data = FileManager.default.contents(atPath: path) { return String(decoding: data, as: UTF8.self) }
        missing("\(path) (run scripts/test-inputs.sh)")
        return nil
    }

    /// Whether an executable is on the PATH (or at an absolute path).
    static func tool(_ name: String) -> Bool {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin"
        if paths.split(separator: ":").contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
        ) {
            return true
        }
        missing("the '\(name)' command")
        return false
    }

    static func missing(_ what: String) {
        print("SKIP: needs \(what)" + (underCI ? " — and CI=true, so this is a failure" : ""))
    }

    /// True when the test may skip: the prerequisite is missing and we are not under CI.
    static func skipAllowed() -> Bool { !underCI }
}

/// Runs a command and captures its output: the tests' window on real tools.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> CommandResult {
    let child = try Child.spawn(arguments, environment: environment, stdin: stdin)
    return child.wait()
}

/// A child process started with posix_spawn, its output going to temp files, reaped with waitpid.
/// (Foundation's Process can miss a child's exit when many run at once; this cannot.)
struct Child {
    let pid: pid_t
    let directory: String

    static func spawn(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> Child
    {
        let directory = try temporaryDirectory()
        try (stdin ?? "").write(toFile: directory + "/in", atomically: false, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = (env["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        env["LVM_SUPPRESS_FD_WARNINGS"] = "1"
        for (key, value) in environment { env[key] = value }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, directory + "/in", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, directory + "/out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, directory + "/err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = (["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, envp)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL) }
        return Child(pid: pid, directory: directory)
    }

    func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the child and collects its output.
    func wait() -> CommandResult {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = (status & 0x7f) == 0
        let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let out = (try? String(contentsOfFile: directory + "/out", encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: directory)
        return CommandResult(status: code, stdout: out, stderr: err)
    }
}

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "lvmguard-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Processes ("pid command") whose environment holds `LVM_SYSTEM_DIR=directory`: what a remote run on that
/// LVM configuration left running. Waits up to `seconds` for them to end.
func processesLeft(lvmSystemDir directory: String, within seconds: Double = 3) -> [String] {
    let marker = "LVM_SYSTEM_DIR=\(directory)"
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter {
            $0.allSatisfy(\.isNumber)
        }
        let left = pids.compactMap { pid -> String? in
            guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ"),
                String(decoding: environ, as: UTF8.self).split(separator: "\0").contains(where: { $0 == marker })
            else { return nil }
            let command =
                FileManager.default.contents(atPath: "/proc/\(pid)/cmdline").map { String(decoding: $0, as: UTF8.self) }
                ?? ""
            return "\(pid) \(command.replacingOccurrences(of: "\0", with: " "))"
        }
        if left.isEmpty || Date() > deadline { return left }
        Thread.sleep(forTimeInterval: 0.2)
    }
}

/// Whether a kind of test can run on this machine, for its suite's `.enabled(if:)` trait: where it cannot, the suite is
/// reported skipped with the trait's reason, never passed. Under CI (`CI=true`) every kind runs, and fails on what is
/// missing.
enum Runnable {
    /// Root and qemu: the test starts lab VMs of its own.
    static var labVMs: Bool {
        Prerequisite.underCI
            || (getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/qemu-system-x86_64"))
    }

    /// A shared lab host is running (scripts/test.sh starts them with lab/start.sh).
    static var sharedLab: Bool {
        Prerequisite.underCI || LabHost.anyRunning
    }

    /// Root and sshd: the test starts a loopback fleet.
    static var fleet: Bool {
        Prerequisite.underCI || (getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd"))
    }
}
