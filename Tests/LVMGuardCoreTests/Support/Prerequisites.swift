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
        if paths.split(separator: ":").contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }) { return true }
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
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["PATH"] = (env["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
    env["LVM_SUPPRESS_FD_WARNINGS"] = "1"
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "lvmguard-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
