import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardRemote
@testable import LVMGuardTestSupport

/// ansible-core itself (from PyPI, in the test setup's venv) is the oracle: for each inventory of the corpus
/// in Tests/inventories, the hosts every pattern selects and how each host is connected to must be what
/// Ansible resolves (Tests/oracle/ansible_inventory.py reads both from Ansible, contacting nobody).
@Suite("inventories read exactly as Ansible reads them: ansible-core is the oracle")
struct InventoryConformanceTests {
    static let corpus = LabHost.repository + "/Tests/inventories"
    static let cases: [(inventory: String, patterns: [String])] = [
        (
            "kolla/multinode",
            [
                "all", "compute", "control:compute", "baremetal:!compute", "baremetal:&compute", "compute0*",
                "~compute0[1-3]", "nova-compute-ironic", "cinder-volume:monitoring", "network:&nova:!control02",
            ]
        ),
        ("kolla/fleet", ["all", "compute", "compute0*:!compute05", "~^control[12]$", "control:&all", "*"]),
        (
            "yaml-nested/hosts.yml",
            ["all", "openstack", "compute:compute_gpu", "openstack:!control", "compute-1*", "~gpu|ctl", "local"]
        ),
    ]

    struct Oracle: Decodable {
        struct Host: Decodable {
            let connection: String
            let address: String?
            let port: Int?
            let user: String?
            let key: String?
            let become: Bool?
            let become_user: String?
            let argv: [String]?
        }
        let patterns: [String: [String]]
        let hosts: [String: Host]
    }

    static func oracle(_ inventory: String, _ patterns: [String], python: String) throws -> Oracle {
        let result = try run([python, LabHost.repository + "/Tests/oracle/ansible_inventory.py", inventory] + patterns)
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        return try JSONDecoder().decode(Oracle.self, from: Data(result.stdout.utf8))
    }

    /// `text` written as the INI inventory `directory`/hosts and read by lvmguard's loader.
    static func load(_ text: String, in directory: String, _ diagnostics: inout Diagnostics) throws -> Inventory? {
        try text.write(toFile: directory + "/hosts", atomically: true, encoding: .utf8)
        return InventoryLoader(files: LocalFiles()).load(directory + "/hosts", diagnostics: &diagnostics)
    }

    @Test("hosts per pattern and each host's connection equal what ansible-core resolves", arguments: cases)
    func conformance(inventory: String, patterns: [String]) throws {
        guard let python = AnsibleOracle.python else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let path = Self.corpus + "/" + inventory
        let ansible = try Self.oracle(path, patterns, python: python)
        var diagnostics = Diagnostics()
        let loaded = InventoryLoader(files: LocalFiles()).load(path, diagnostics: &diagnostics)
        let ours = try #require(loaded, "\(diagnostics.sorted.map(\.description))")
        #expect(ansible.patterns.count == patterns.count && !(ansible.patterns["all"] ?? []).isEmpty)
        for pattern in patterns {
            let parsed = try #require(HostPattern(pattern), "pattern \(pattern)")
            let matched = parsed.match(in: ours).hosts.sorted()
            #expect(matched == ansible.patterns[pattern], "\(inventory): pattern '\(pattern)'")
        }
        #expect(Set(ansible.hosts.keys) == Set(ansible.patterns["all"] ?? []), "every host was probed")
        for (name, theirs) in ansible.hosts.sorted(by: { $0.key < $1.key }) {
            let host = try #require(ours.hosts[name], "\(inventory): \(name)")
            let settings = try #require(
                HostSettings(host, diagnostics: &diagnostics), "\(diagnostics.sorted.map(\.description))")
            #expect(settings.connection.rawValue == theirs.connection, "\(inventory): \(name) connection")
            guard theirs.connection == "ssh" else { continue }
            #expect(settings.address == theirs.address, "\(inventory): \(name) address")
            #expect(settings.port == theirs.port, "\(inventory): \(name) port")
            #expect(settings.user == theirs.user, "\(inventory): \(name) user")
            #expect(settings.privateKeyFile == theirs.key, "\(inventory): \(name) key")
            #expect(settings.becomes == theirs.become, "\(inventory): \(name) become")
            if settings.becomes {
                #expect((settings.becomeUser ?? "root") == theirs.become_user, "\(inventory): \(name) become user")
            }
            // Ansible's ssh words include the inventory's common (and extra) args, in order.
            let words = theirs.argv ?? []
            let found =
                settings.sshCommonArgs.isEmpty
                || (0...max(0, words.count - settings.sshCommonArgs.count)).contains {
                    Array(words.dropFirst($0).prefix(settings.sshCommonArgs.count)) == settings.sshCommonArgs
                }
            #expect(found, "\(inventory): \(name) ssh args \(settings.sshCommonArgs) not in \(words)")
        }
    }

    @Test("what would change how Ansible connects but lvmguard cannot honour is an error at its file:line")
    func refusedVariables() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var diagnostics = Diagnostics()
        let inventory = try #require(
            try Self.load(
                "[compute]\nc1 ansible_ssh_pass=secret\nc2 ansible_connection=paramiko\nc3 ansible_become_method=su ansible_become_user='a b'\n",
                in: directory, &diagnostics))
        for name in ["c1", "c2", "c3"] {
            let host = try #require(inventory.hosts[name])
            #expect(HostSettings(host, diagnostics: &diagnostics) == nil)
        }
        let messages = diagnostics.sorted.map(\.description).map {
            $0.replacingOccurrences(of: directory + "/", with: "")
        }
        #expect(
            messages.contains {
                $0.hasPrefix("hosts:2:")
                    && $0.contains("ansible_ssh_pass of host 'c1' cannot be honoured: lvmguard never sends passwords")
            },
            "\(messages)")
        #expect(
            messages.contains {
                $0.hasPrefix("hosts:3:") && $0.contains("ansible_connection 'paramiko' of host 'c2' is not supported")
            })
        #expect(messages.contains { $0.hasPrefix("hosts:4:") && $0.contains("ansible_become_method 'su'") })
        #expect(
            messages.contains {
                $0.hasPrefix("hosts:4:") && $0.contains("ansible_become_user of host 'c3' is not a user name")
            })
        // Ansible reads these as subscripts (by inventory order): refused, never read as globs.
        for pattern in ["compute[01:10]", "compute0[1-3]", "all:!web[0]"] {
            #expect(HostPattern.unsupported(pattern) != nil, "\(pattern)")
        }
        for pattern in ["~compute0[1-3]", "compute0*", "compute-[ab]"] {
            #expect(HostPattern.unsupported(pattern) == nil, "\(pattern)")
        }
    }

    @Test(
        "ansible_connection=local runs the remote script on this machine, without ssh; become user travels as a checked word"
    )
    func localConnection() async throws {
        guard getuid() == 0, Prerequisite.tool("lvm") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var diagnostics = Diagnostics()
        let inventory = try #require(
            try Self.load(
                "deployer ansible_connection=local\nremote ansible_host=192.0.2.9 ansible_become=true ansible_become_user=stack\n",
                in: directory, &diagnostics))
        let (deployer, other) = (try #require(inventory.hosts["deployer"]), try #require(inventory.hosts["remote"]))
        let local = try #require(HostSettings(deployer, diagnostics: &diagnostics))
        let remote = try #require(HostSettings(other, diagnostics: &diagnostics))
        #expect(SSH().command(for: local) == ["sh", "-s"])
        #expect(SSH().arguments(for: remote).suffix(3) == ["--", "192.0.2.9", "sudo -n -u stack sh -s"])
        // A real gather through that path, read-only: the script runs here and reads this machine's lvm.conf.
        let gathered = await FactsGatherer(ssh: SSH()).gather(local)
        let facts = try gathered.facts.get()
        let mine = try String(contentsOfFile: "/etc/lvm/lvm.conf", encoding: .utf8)
        #expect(facts.lvmConf.text == mine, "the facts are this machine's")
    }
}

/// The venv's python with ansible-core (scripts/python-deps.sh), or nil with a printed reason.
enum AnsibleOracle {
    static var python: String? {
        if let path = ProcessInfo.processInfo.environment["LVMGUARD_PYTHON"],
            FileManager.default.isExecutableFile(atPath: path),
            FileManager.default.isExecutableFile(atPath: (path as NSString).deletingLastPathComponent + "/ansible")
        {
            return path
        }
        Prerequisite.missing("LVMGUARD_PYTHON: a venv python with ansible-core (scripts/python-deps.sh)")
        return nil
    }
}
