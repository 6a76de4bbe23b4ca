// Measures the lvm.conf edit + diff path on a real file: parse, set the filter, diff, as plan does per host.
// Run by bench/lvmconf-edit.sh in a release build. Prints per-iteration medians; asserts nothing.
import Foundation
import LVMGuardCore

let arguments = CommandLine.arguments
guard arguments.count >= 2, let data = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: lvmguard-bench LVM.CONF [ITERATIONS]\n".utf8))
    exit(2)
}
let text = String(decoding: data, as: UTF8.self)
let iterations = arguments.count >= 3 ? Int(arguments[2]) ?? 200 : 200
let filter = LVMFilter.hostPVsOnly(devices: ["/dev/vda2", "/dev/sda1"])

func measure(_ body: () throws -> Int) rethrows -> (median: Double, p90: Double, checksum: Int) {
    var samples: [Double] = []
    var checksum = 0
    for _ in 0..<iterations {
        let start = ContinuousClock.now
        checksum &+= try body()
        let elapsed = ContinuousClock.now - start
        samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
    }
    samples.sort()
    return (samples[samples.count / 2], samples[samples.count * 9 / 10], checksum)
}

let parse = try measure { try LVMConfigDocument(parsing: text).items.count }
let edit = try measure { try LVMConfigDocument(parsing: text).setting(["devices", "global_filter"], to: filter.configValue).utf8.count }
let full = try measure {
    let edited = try LVMConfigDocument(parsing: text).setting(["devices", "global_filter"], to: filter.configValue)
    return UnifiedDiff.diff(from: text, to: edited, oldLabel: "host:/etc/lvm/lvm.conf (current)",
                            newLabel: "host:/etc/lvm/lvm.conf (planned)").utf8.count
}
let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
print("file: \(arguments[1]) (\(lines) lines, \(text.utf8.count) bytes), \(iterations) iterations")
print(String(format: "parse            median %.3f ms  p90 %.3f ms", parse.median, parse.p90))
print(String(format: "parse+edit       median %.3f ms  p90 %.3f ms", edit.median, edit.p90))
print(String(format: "parse+edit+diff  median %.3f ms  p90 %.3f ms  (target < 5 ms: %@)", full.median, full.p90,
             full.median < 5 ? "met" : "MISSED"))
