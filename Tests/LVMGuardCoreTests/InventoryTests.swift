import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

@Suite("Inventory: Ansible YAML and INI, variable precedence")
struct InventoryTests {
    static let layered = """
        all:
          vars: { level: all, from_all: yes }
          children:
            compute:
              vars: { level: compute }
              children:
                compute-az1:
                  vars: { level: az1 }
                  hosts:
                    c1:
                    c2: { level: host }
            zeta:
              vars: { tiebreak: zeta }
              hosts:
                c1:
            alpha:
              vars: { tiebreak: alpha }
              hosts:
                c1:
        """

    @Test("variables inherit all -> group -> child group -> host")
    func inheritance() {
        let (inventory, problems) = loadInventory(["inv/hosts.yaml": Self.layered])
        #expect(problems.isEmpty)
        #expect(variable(inventory, "c1", "level") == "az1")
        #expect(variable(inventory, "c2", "level") == "host")
        #expect(variable(inventory, "c1", "from_all") == "yes")
        #expect(inventory?.hosts["c1"]?.groups == ["all", "compute", "compute-az1", "zeta", "alpha"])
    }

    @Test("a host in two groups of equal depth takes the later group by name")
    func twoGroupsSameDepth() {
        let (inventory, _) = loadInventory(["inv/hosts.yaml": Self.layered])
        #expect(variable(inventory, "c1", "tiebreak") == "zeta")
    }

    @Test("group_vars/ and host_vars/ files override the inventory file, as Ansible orders them")
    func variableFiles() {
        let (inventory, problems) = loadInventory([
            "inv/hosts.yaml": Self.layered,
            "inv/group_vars/all.yml": "level: group_vars_all\nonly_all_file: 1\n",
            "inv/group_vars/compute/main.yaml": "level: group_vars_compute\n",
            "inv/host_vars/c2.yaml": "level: host_vars_c2\n",
        ])
        #expect(problems.isEmpty)
        // group_vars/compute beats group_vars/all and every inline group var.
        #expect(variable(inventory, "c1", "level") == "group_vars_compute")
        // host_vars beats everything.
        #expect(variable(inventory, "c2", "level") == "host_vars_c2")
        #expect(variable(inventory, "c1", "only_all_file") == "1")
    }

    @Test("group_vars/all beats inline vars of any group")
    func groupVarsAllOverInline() {
        let (inventory, _) = loadInventory([
            "inv/hosts.yaml": Self.layered,
            "inv/group_vars/all": "level: group_vars_all\n",
        ])
        #expect(variable(inventory, "c1", "level") == "group_vars_all")
        #expect(variable(inventory, "c2", "level") == "host")
    }

    @Test(
        "host ranges expand",
        arguments: [
            ("compute-[01:03]", ["compute-01", "compute-02", "compute-03"]),
            ("node[a:c]", ["nodea", "nodeb", "nodec"]),
            ("web[0:6:3]x", ["web0x", "web3x", "web6x"]),
            ("plain", ["plain"]),
        ])
    func ranges(pattern: String, expected: [String]) {
        #expect(HostRange.expand(pattern) == expected)
    }

    @Test("hosts with no group land in ungrouped; groups with no parent sit under all")
    func implicitGroups() {
        let (inventory, _) = loadInventory([
            "inv/hosts.yaml": "all:\n  hosts:\n    lone:\n  children:\n    g:\n      hosts:\n        member:\n"
        ])
        #expect(inventory?.groups["ungrouped"]?.hosts == ["lone"])
        #expect(inventory?.hosts(inGroup: "all") == ["lone", "member"])
        #expect(inventory?.groups["all"]?.children.contains("g") == true)
    }

    static let ini = """
        # kolla-ansible multinode style
        bastion ansible_host=192.0.2.1

        [compute]
        compute-[01:02] ansible_user=kolla
        compute-03:2222 ansible_ssh_common_args='-o ProxyJump=bastion -o Foo="a b"'

        [compute:vars]
        lvmguard_host_vgs=vg_root, vg_data

        [storage]
        storage-01 lvmguard_exempt="cinder LVM"

        [openstack:children]
        compute
        storage

        [openstack:vars]
        ansible_become=true
        """

    @Test("INI inventories: sections, :vars, :children, ranges, host:port, quoting")
    func iniFormat() throws {
        let (inventory, problems) = loadInventory(["inv/multinode": Self.ini], path: "inv/multinode")
        #expect(problems.isEmpty)
        let inv = try #require(inventory)
        #expect(inv.hostNames == ["bastion", "compute-01", "compute-02", "compute-03", "storage-01"])
        #expect(inv.groups["ungrouped"]?.hosts == ["bastion"])
        #expect(inv.hosts(inGroup: "openstack") == ["compute-01", "compute-02", "compute-03", "storage-01"])
        var diagnostics = Diagnostics()
        let c3 = try settings(inv, "compute-03", &diagnostics)
        #expect(c3.port == 2222)
        #expect(c3.become)
        #expect(c3.sshCommonArgs == ["-o", "ProxyJump=bastion", "-o", "Foo=a b"])
        #expect(c3.hostVGs == ["vg_data", "vg_root"])
        let c1 = try settings(inv, "compute-01", &diagnostics)
        #expect(c1.user == "kolla")
        let storage = try settings(inv, "storage-01", &diagnostics)
        #expect(storage.exemptReason == "cinder LVM")
        #expect(diagnostics.all.isEmpty)
    }

    @Test(
        "inventory problems are reported at file:line:col",
        arguments: [
            (
                "all:\n  childen:\n    g: {}\n",
                "inv/hosts.yaml:2:3: error: unknown key 'childen' in group 'all'; did you mean 'children'?"
            ),
            (
                "all:\n  hosts:\n    bad[1:x]:\n",
                "inv/hosts.yaml:3:5: error: invalid host range in 'bad[1:x]'; write ranges as name[01:20] or name[a:f]"
            ),
            (
                "all:\n  hosts: [a, b]\n",
                "inv/hosts.yaml:2:10: error: hosts of group 'all' must be a mapping, found a list"
            ),
            (
                "all:\n  hosts:\n    a: {x: 1\n",
                "inv/hosts.yaml:4:1: error: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 3)"
            ),
            (
                "all:\n  children:\n    a:\n      children:\n        b:\n    b:\n      children:\n        a:\n",
                "inv/hosts.yaml:3:5: error: group 'a' is its own descendant: a -> b -> a; remove one of the children: entries"
            ),
        ])
    func inventoryDiagnostics(text: String, expected: String) {
        let (inventory, problems) = loadInventory(["inv/hosts.yaml": text])
        #expect(inventory == nil)
        #expect(problems.contains(expected), "got: \(problems)")
    }

    @Test("bad connection variables are reported where they were written")
    func badHostVariables() throws {
        let (inventory, _) = loadInventory([
            "inv/hosts.yaml":
                "all:\n  hosts:\n    h:\n      ansible_port: ssh\n      ansible_become: maybe\n      lvmguard_host_vgs: [ok, 'bad name']\n"
        ])
        var diagnostics = Diagnostics()
        let host = try #require(inventory?.hosts["h"])
        let settings = HostSettings(host, diagnostics: &diagnostics)
        #expect(settings == nil)
        #expect(
            diagnostics.sorted.map(\.description) == [
                "inv/hosts.yaml:4:21: error: ansible_port of host 'h' must be a port number (1-65535), found 'ssh'",
                "inv/hosts.yaml:5:23: error: ansible_become of host 'h' must be true or false, found 'maybe'",
                "inv/hosts.yaml:6:26: error: 'bad name' in lvmguard_host_vgs of host 'h' is not a valid VG name; VG names use letters, digits and + _ . -",
            ])
    }

    private func settings(_ inventory: Inventory, _ name: String, _ diagnostics: inout Diagnostics) throws
        -> HostSettings
    {
        let host = try #require(inventory.hosts[name])
        return try #require(HostSettings(host, diagnostics: &diagnostics))
    }
}
