/// What lvmguard needs to know of one host from its inventory variables, resolved as Ansible's ssh connection
/// resolves them: where a legacy name and the current one are both set, the one Ansible's plugin lists last
/// wins (`ansible_ssh_host` over `ansible_host`, `ansible_ssh_port`, `ansible_ssh_user`,
/// `ansible_ssh_private_key_file` over `ansible_private_key_file`). `InventoryConformanceTests` checks this
/// against ansible-core itself.
public struct HostSettings: Sendable, Hashable {
    /// How the remote script reaches the host (`ansible_connection`).
    public enum Connection: String, Sendable, Hashable {
        /// The system ssh client (Ansible's `ssh`, and `smart`, which picks it).
        case ssh
        /// This machine: the script runs here, without ssh (Ansible's `local`).
        case local
    }

    public let name: String
    /// `ansible_ssh_host` or `ansible_host`, or the inventory name.
    public let address: String
    public let port: Int?
    public let user: String?
    public let connection: Connection
    /// `ansible_become`: run the remote side through `sudo -n`.
    public let become: Bool
    /// `ansible_become_user`, when it is not root (sudo's default).
    public let becomeUser: String?
    public let privateKeyFile: String?
    /// `ansible_ssh_common_args` then `ansible_ssh_extra_args`, split into words.
    public let sshCommonArgs: [String]
    /// `lvmguard_exempt`: a reason this host must never be touched.
    public let exemptReason: String?
    /// `lvmguard_host_vgs`: VGs the host owns though nothing mounts them.
    public let hostVGs: [String]
    /// `lvmguard_volume_vgs`: VGs the host owns whose LVs are guests' disks (cinder's LVM backend, nova's
    /// images_type=lvm): anything found inside one of their LVs is a guest's.
    public var volumeVGs: [String] = []
    /// `lvmguard_accept`: devices this host owns besides its PVs (a disk added on day two), merged with the
    /// playbook's `filter.accept`: exact /dev paths or /regex/ patterns, as there.
    public var accept: [AcceptRule] = []
    /// `lvmguard_trust_creation_host`: another host's name in a VG's metadata, alone, makes the VG a guest's on
    /// attachable storage. For hosts whose names never change (set it per group); off, such a VG is a question.
    public var trustCreationHost = false

    /// Variables that would change how Ansible connects or becomes, which lvmguard cannot honour: refused.
    static let refused: [String: String] = [
        "ansible_password": "lvmguard never sends passwords: use an ssh key",
        "ansible_ssh_pass": "lvmguard never sends passwords: use an ssh key",
        "ansible_ssh_password": "lvmguard never sends passwords: use an ssh key",
        "ansible_become_password": "lvmguard never sends passwords: become needs sudo without a password (NOPASSWD)",
        "ansible_become_pass": "lvmguard never sends passwords: become needs sudo without a password (NOPASSWD)",
        "ansible_sudo_pass": "lvmguard never sends passwords: become needs sudo without a password (NOPASSWD)",
        "ansible_ssh_executable": "lvmguard runs the system ssh from PATH",
        "ansible_ssh_args": "lvmguard sets its own ssh options: put extra options in ansible_ssh_common_args",
        "ansible_become_exe": "lvmguard becomes with sudo -n",
        "ansible_become_flags": "lvmguard becomes with sudo -n and no other flags",
    ]

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
        /// The first of `keys` that is set: Ansible's winner comes first.
        func first(_ keys: String...) -> (text: String, at: SourceLocation, key: String)? {
            for key in keys { if let (text, at) = scalar(key) { return (text, at, key) } }
            return nil
        }
        for key in host.variables.keys.sorted() {
            guard let why = Self.refused[key], let variable = host.variables[key] else { continue }
            if case .null = variable.value { continue }
            diagnostics.error("\(key) of host '\(host.name)' cannot be honoured: \(why)", at: variable.location)
        }
        name = host.name
        address = first("ansible_ssh_host", "ansible_host")?.text ?? host.name
        if let (text, at, key) = first("ansible_ssh_port", "ansible_port") {
            if let port = Int(text), (1...65535).contains(port) {
                self.port = port
            } else {
                diagnostics.error(
                    "\(key) of host '\(host.name)' must be a port number (1-65535), found '\(text)'", at: at)
                self.port = nil
            }
        } else {
            port = nil
        }
        user = first("ansible_ssh_user", "ansible_user")?.text
        var connection = Connection.ssh
        if let (text, at) = scalar("ansible_connection") {
            switch text {
            case "ssh", "smart": break
            case "local": connection = .local
            default:
                diagnostics.error(
                    "ansible_connection '\(text)' of host '\(host.name)' is not supported (ssh, smart or local)", at: at
                )
            }
        }
        self.connection = connection
        if let (text, at) = scalar("ansible_become") {
            if let value = YAMLBoolean.parse(text) {
                become = value
            } else {
                diagnostics.error(
                    "ansible_become of host '\(host.name)' must be true or false, found '\(text)'", at: at)
                become = false
            }
        } else {
            become = false
        }
        if let (method, at) = scalar("ansible_become_method"), method != "sudo" {
            diagnostics.error(
                "ansible_become_method '\(method)' of host '\(host.name)' is not supported: lvmguard becomes with sudo -n",
                at: at)
        }
        if let (text, at) = scalar("ansible_become_user"), text != "root" {
            if Self.isUserName(text) {
                becomeUser = text
            } else {
                diagnostics.error("ansible_become_user of host '\(host.name)' is not a user name: '\(text)'", at: at)
                becomeUser = nil
            }
        } else {
            becomeUser = nil
        }
        privateKeyFile = first("ansible_ssh_private_key_file", "ansible_private_key_file")?.text
        var words: [String] = []
        for key in ["ansible_ssh_common_args", "ansible_ssh_extra_args"] {
            guard let (text, at) = scalar(key) else { continue }
            if let split = ShellWords.split(text) {
                words += split
            } else {
                diagnostics.error("\(key) of host '\(host.name)' has unbalanced quotes", at: at)
            }
        }
        sshCommonArgs = words
        exemptReason = scalar("lvmguard_exempt").map(\.text).flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }
        hostVGs = Self.vgNames(host.variables["lvmguard_host_vgs"], host: host.name, diagnostics: &diagnostics)
        volumeVGs = Self.vgNames(
            host.variables["lvmguard_volume_vgs"], key: "lvmguard_volume_vgs", host: host.name,
            diagnostics: &diagnostics)
        accept = Self.acceptRules(host.variables["lvmguard_accept"], host: host.name, diagnostics: &diagnostics)
        if let (text, at) = scalar("lvmguard_trust_creation_host") {
            if let value = YAMLBoolean.parse(text) {
                trustCreationHost = value
            } else {
                diagnostics.error(
                    "lvmguard_trust_creation_host of host '\(host.name)' must be true or false, found '\(text)'", at: at
                )
            }
        }
        if diagnostics.all[errorsBefore...].contains(where: { $0.severity == .error }) { return nil }
    }

    /// Whether the remote side runs through sudo, as Ansible decides: become is skipped when the become user is
    /// the inventory's own login user (Ansible's `become_allow_same_user` is off by default); with no login user
    /// in the inventory, Ansible becomes (checked against ansible-core by `InventoryConformanceTests`).
    public var becomes: Bool {
        become && (user == nil || (becomeUser ?? "root") != user)
    }

    /// A user name sudo's `-u` can take, and nothing a shell would read otherwise.
    static func isUserName(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_", text.count <= 32 else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    /// A list of accept entries, or one comma-separated string (what an INI inventory can hold), each read as the
    /// playbook's `filter.accept` entries are.
    private static func acceptRules(_ variable: InventoryVariable?, host: String, diagnostics: inout Diagnostics)
        -> [AcceptRule]
    {
        guard let variable else { return [] }
        var texts: [String] = []
        switch variable.value {
        case .null: return []
        case let .scalar(text):
            texts = text.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        case let .list(items):
            for item in items {
                guard case let .scalar(text) = item else {
                    diagnostics.error(
                        "lvmguard_accept of host '\(host)' must list device paths or /regex/ patterns",
                        at: variable.location)
                    return []
                }
                texts.append(text)
            }
        case .map:
            diagnostics.error(
                "lvmguard_accept of host '\(host)' must be a list of device paths or /regex/ patterns",
                at: variable.location)
            return []
        }
        return texts.compactMap { DesiredStateReader.acceptRule($0, at: variable.location, diagnostics: &diagnostics) }
    }

    /// A list of VG names, or one comma-separated string (what an INI inventory can hold).
    private static func vgNames(
        _ variable: InventoryVariable?, key: String = "lvmguard_host_vgs", host: String, diagnostics: inout Diagnostics
    ) -> [String] {
        guard let variable else { return [] }
        var names: [String] = []
        switch variable.value {
        case .null: return []
        case let .scalar(text): names = text.split(separator: ",").map { String($0).trimmingWhitespace() }
        case let .list(items):
            for item in items {
                guard case let .scalar(text) = item else {
                    diagnostics.error("\(key) of host '\(host)' must list VG names", at: variable.location)
                    return []
                }
                names.append(text)
            }
        case .map:
            diagnostics.error("\(key) of host '\(host)' must be a list of VG names", at: variable.location)
            return []
        }
        for name in names where !LVMNames.isValidVGName(name) {
            diagnostics.error(
                "'\(name)' in \(key) of host '\(host)' is not a valid VG name", at: variable.location,
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
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+_.-".unicodeScalars.contains($0))
        }
    }
}
