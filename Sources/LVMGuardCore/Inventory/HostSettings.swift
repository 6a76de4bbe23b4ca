/// What lvmguard needs to know of one host from its inventory variables.
public struct HostSettings: Sendable, Hashable {
    public let name: String
    /// `ansible_host`, or the inventory name.
    public let address: String
    public let port: Int?
    public let user: String?
    /// `ansible_become`: run the remote side through `sudo -n`.
    public let become: Bool
    public let privateKeyFile: String?
    /// `ansible_ssh_common_args`, split into words.
    public let sshCommonArgs: [String]
    /// `lvmguard_exempt`: a reason this host must never be touched.
    public let exemptReason: String?
    /// `lvmguard_host_vgs`: VGs the host owns though nothing mounts them.
    public let hostVGs: [String]

    /// Reads the settings from a resolved host, reporting bad values where they were written.
    public init?(_ host: Inventory.Host, diagnostics: inout Diagnostics) {
        let errorsBefore = diagnostics.all.count
        func scalar(_ key: String) -> (text: String, at: SourceLocation)? {
            guard let variable = host.variables[key] else { return nil }
            switch variable.value {
            case .null: return nil
            case let .scalar(text): return (text, variable.location)
            default:
                diagnostics.error("\(key) of host '\(host.name)' must be a single value", at: variable.location)
                return nil
            }
        }
        name = host.name
        address = scalar("ansible_host")?.text ?? host.name
        if let (text, at) = scalar("ansible_port") {
            if let port = Int(text), (1...65535).contains(port) {
                self.port = port
            } else {
                diagnostics.error("ansible_port of host '\(host.name)' must be a port number (1-65535), found '\(text)'", at: at)
                self.port = nil
            }
        } else {
            port = nil
        }
        user = scalar("ansible_user")?.text
        if let (text, at) = scalar("ansible_become") {
            if let value = YAMLBoolean.parse(text) {
                become = value
            } else {
                diagnostics.error("ansible_become of host '\(host.name)' must be true or false, found '\(text)'", at: at)
                become = false
            }
        } else {
            become = false
        }
        privateKeyFile = scalar("ansible_ssh_private_key_file")?.text
        if let (text, at) = scalar("ansible_ssh_common_args") {
            if let words = ShellWords.split(text) {
                sshCommonArgs = words
            } else {
                diagnostics.error("ansible_ssh_common_args of host '\(host.name)' has unbalanced quotes", at: at)
                sshCommonArgs = []
            }
        } else {
            sshCommonArgs = []
        }
        exemptReason = scalar("lvmguard_exempt").map(\.text).flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }
        hostVGs = Self.vgNames(host.variables["lvmguard_host_vgs"], host: host.name, diagnostics: &diagnostics)
        if diagnostics.all[errorsBefore...].contains(where: { $0.severity == .error }) { return nil }
    }

    /// A list of VG names, or one comma-separated string (what an INI inventory can hold).
    private static func vgNames(_ variable: InventoryVariable?, host: String, diagnostics: inout Diagnostics) -> [String] {
        guard let variable else { return [] }
        var names: [String] = []
        switch variable.value {
        case .null: return []
        case let .scalar(text): names = text.split(separator: ",").map { String($0).trimmingWhitespace() }
        case let .list(items):
            for item in items {
                guard case let .scalar(text) = item else {
                    diagnostics.error("lvmguard_host_vgs of host '\(host)' must list VG names", at: variable.location)
                    return []
                }
                names.append(text)
            }
        case .map:
            diagnostics.error("lvmguard_host_vgs of host '\(host)' must be a list of VG names", at: variable.location)
            return []
        }
        for name in names where !LVMNames.isValidVGName(name) {
            diagnostics.error("'\(name)' in lvmguard_host_vgs of host '\(host)' is not a valid VG name", at: variable.location,
                              hint: "VG names use letters, digits and + _ . -")
        }
        return names.filter { !$0.isEmpty }.sorted()
    }
}

/// LVM's naming rules.
public enum LVMNames {
    /// LVM's rule: letters, digits, `+ _ . -`, not starting with `-`, not `.` or `..`, at most 127 characters.
    public static func isValidVGName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 127, name != ".", name != "..", !name.hasPrefix("-") else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+_.-".unicodeScalars.contains($0)) }
    }
}
