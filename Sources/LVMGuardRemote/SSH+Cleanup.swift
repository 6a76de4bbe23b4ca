import Foundation
import LVMGuardCore

extension SSH {
    /// Closes the run's shared connections and removes their socket directory. A master whose session hung
    /// ignores `-O exit`, so anything still running with this run's private socket directory in its command
    /// line is then ended: no ssh process outlives the run.
    public func finish(_ hosts: [HostSettings]) async {
        guard options.controlDirectory != nil else { return }
        await closeConnections(hosts)
        sweep()
    }

    /// Ends every process whose command line names this run's socket directory and removes the directory.
    public func sweep() {
        guard let directory = options.controlDirectory else { return }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), pid != getpid(),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                String(decoding: data, as: UTF8.self).contains(directory + "/")
            else { continue }
            kill(pid, SIGTERM)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
