/// Ansible's host ranges: `compute-[01:20]`, `node[a:c]`, `web[0:10:2]`.
public enum HostRange {
    /// The names a host entry stands for: itself when it has no range, the expansion otherwise,
    /// or nil when the brackets are not a valid range.
    public static func expand(_ name: String) -> [String]? {
        guard let open = name.firstIndex(of: "["), let close = name[open...].firstIndex(of: "]") else {
            return name.contains("]") ? nil : [name]
        }
        let head = String(name[..<open])
        let tail = String(name[name.index(after: close)...])
        let parts = name[name.index(after: open)..<close].split(separator: ":", omittingEmptySubsequences: false).map(
            String.init)
        guard parts.count == 2 || parts.count == 3, let rest = expand(tail) else { return nil }
        let stride = parts.count == 3 ? Int(parts[2]) : 1
        guard let stride, stride > 0 else { return nil }
        var items: [String] = []
        if let start = Int(parts[0]), let end = Int(parts[1]), start <= end {
            let width = parts[0].hasPrefix("0") ? parts[0].count : 0
            for value in Swift.stride(from: start, through: end, by: stride) {
                let digits = String(value)
                items.append(String(repeating: "0", count: max(0, width - digits.count)) + digits)
            }
        } else if parts[0].count == 1, parts[1].count == 1,
            let start = parts[0].unicodeScalars.first, let end = parts[1].unicodeScalars.first,
            start.properties.isLowercase || start.properties.isUppercase, start.value <= end.value
        {
            for value in Swift.stride(from: start.value, through: end.value, by: stride) {
                if let scalar = Unicode.Scalar(value) { items.append(String(Character(scalar))) }
            }
        } else {
            return nil
        }
        return items.flatMap { item in rest.map { head + item + $0 } }
    }
}
