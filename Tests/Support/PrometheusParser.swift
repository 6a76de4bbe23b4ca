import Foundation

/// Prometheus' own text-format parser (prometheus-client from PyPI, in the venv scripts/python-deps.sh makes),
/// as the oracle for `check --format prometheus`.
enum PrometheusParser {
    /// The venv's python, or nil with a printed reason.
    static var python: String? {
        if let path = ProcessInfo.processInfo.environment["LVMGUARD_PYTHON"],
            FileManager.default.isExecutableFile(atPath: path)
        {
            return path
        }
        Prerequisite.missing("LVMGUARD_PYTHON: a python with prometheus-client (scripts/python-deps.sh)")
        return nil
    }

    static let script = """
        import sys
        from prometheus_client.parser import text_string_to_metric_families
        for family in text_string_to_metric_families(sys.stdin.read()):
            for s in family.samples:
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
                print(f"{family.type} {s.name}{{{labels}}} {s.value}")
        """

    /// Every sample as "TYPE name{label="value",...}" (labels sorted, unescaped) to its value; throws when the
    /// parser refuses the text.
    static func samples(_ text: String, python: String) throws -> [String: Double] {
        let result = try run([python, "-c", script], stdin: text)
        guard result.status == 0 else { throw ParseFailure(message: result.stderr) }
        var samples: [String: Double] = [:]
        for line in result.stdout.split(separator: "\n") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    struct ParseFailure: Error { let message: String }
}
