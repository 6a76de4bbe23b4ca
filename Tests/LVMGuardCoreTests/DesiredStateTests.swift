import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// The inventory the desired-state tests resolve against.
let exampleInventory: Inventory = {
    let (inventory, problems) = loadInventory([
        "inv/hosts.yaml": """
        all:
          children:
            compute:
              hosts:
                compute-[01:03]:
                compute-17: { lvmguard_host_vgs: [vg_images] }
            cinder-lvm:
              hosts:
                compute-03:
                storage-01:
            legacy:
              hosts:
                compute-02: { lvmguard_exempt: "root on LVM, rebuild pending" }
        """
    ])
    precondition(problems.isEmpty, "\(problems)")
    return inventory!
}()

let day = CalendarDate("2026-11-24")!

/// Reads a playbook and resolves it against `exampleInventory`, like `lvmguard validate`.
func validate(_ text: String, today: CalendarDate = day) -> (TargetSelection?, [String]) {
    var diagnostics = Diagnostics()
    let parsed = DesiredStateReader.parse(text, file: "pb.yaml", diagnostics: &diagnostics)
    var selection: TargetSelection?
    if let state = parsed.state {
        selection = TargetSelection.resolve(state, in: exampleInventory, today: today, diagnostics: &diagnostics)
    } else if let references = parsed.references {
        _ = TargetSelection.checkReferences(references, in: exampleInventory, today: today, diagnostics: &diagnostics)
    }
    return (selection, diagnostics.sorted.map(\.description))
}

@Suite("Desired-state files: strict reading, exact positions, targets and exemptions")
struct DesiredStateTests {
    static let minimal = "hosts: compute\nfilter: { policy: host-pvs-only }\n"

    @Test("a minimal file gets the documented defaults")
    func defaults() throws {
        var diagnostics = Diagnostics()
        let state = try #require(DesiredStateReader.read(Self.minimal, file: "pb.yaml", diagnostics: &diagnostics))
        #expect(state.filter.key == .globalFilter)
        #expect(state.deactivateGuestVGs)
        #expect(state.refresh == .pvscanCache)
        #expect(state.initramfs == .rebuildIfNeeded)
        #expect(state.checks == Check.allCases)
        #expect(state.rollout == .default)
        #expect(state.name == "pb.yaml")
    }

    @Test(
        "every kind of problem is reported at its file:line:col",
        arguments: [
            // YAML syntax
            (
                "hosts: compute\nfilter: { policy: host-pvs-only\n",
                "pb.yaml:3:1: error: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 2)"
            ),
            (
                "hosts: [compute\n",
                "pb.yaml:2:1: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1)"
            ),
            (
                "hosts: compute\nhosts: other\nfilter: { policy: host-pvs-only }\n",
                "pb.yaml:1:1: error: duplicate key 'hosts' in one mapping; keep one of them"
            ),
            // unknown keys, with a did-you-mean
            (
                "hosts: compute\nfiltr: { policy: host-pvs-only }\n",
                "pb.yaml:2:1: error: unknown key 'filtr' in the desired-state file; did you mean 'filter'?"
            ),
            (
                "hosts: compute\nfilter:\n  polcy: host-pvs-only\n",
                "pb.yaml:3:3: error: unknown key 'polcy' in filter; did you mean 'policy'?"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\nrollout: { forcks: 5 }\n",
                "pb.yaml:3:12: error: unknown key 'forcks' in rollout; did you mean 'forks'?"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\nexempt:\n  - host: compute-01\n    reasn: x\n",
                "pb.yaml:5:5: error: unknown key 'reasn' in an exemption; did you mean 'reason'?"
            ),
            // wrong types
            (
                "hosts: [compute]\nfilter: { policy: host-pvs-only }\n",
                "pb.yaml:1:8: error: hosts must be a string, found a list"
            ),
            ("hosts: compute\nfilter: host-pvs-only\n", "pb.yaml:2:9: error: filter must be a mapping, found a scalar"),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\ndeactivate_guest_vgs: maybe\n",
                "pb.yaml:3:23: error: deactivate_guest_vgs must be true or false, found 'maybe'"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\nrollout: { forks: many }\n",
                "pb.yaml:3:19: error: forks must be a whole number, found 'many'"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\nexempt: { host: compute-01 }\n",
                "pb.yaml:3:9: error: exempt must be a list, found a mapping"
            ),
            // enumerations
            (
                "hosts: compute\nfilter: { policy: host-pv-only }\n",
                "pb.yaml:2:19: error: unknown filter policy 'host-pv-only'; did you mean 'host-pvs-only'?"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only, key: globalfilter }\n",
                "pb.yaml:2:39: error: unknown filter key 'globalfilter'; did you mean 'global_filter'?"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\ninitramfs: rebuild\n",
                "pb.yaml:3:12: error: unknown initramfs 'rebuild'; expected one of: rebuild-if-needed, check, ignore"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\nchecks: [no-guest-vgs-active, filter-efective]\n",
                "pb.yaml:3:31: error: unknown check 'filter-efective'; did you mean 'filter-effective'?"
            ),
            // inventory references
            (
                "hosts: comptue\nfilter: { policy: host-pvs-only }\n",
                "pb.yaml:1:8: error: hosts pattern term 'comptue' matches no group or host in inv/hosts.yaml; did you mean 'compute'?"
            ),
            (
                "hosts: compute:!cinder_lvm\nfilter: { policy: host-pvs-only }\n",
                "pb.yaml:1:8: error: hosts pattern term 'cinder_lvm' matches no group or host in inv/hosts.yaml; did you mean 'cinder-lvm'?"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\nexempt:\n  - group: cinder-lv\n    reason: LVM backend\n",
                "pb.yaml:4:5: error: exempt group 'cinder-lv' is not in inv/hosts.yaml; did you mean 'cinder-lvm'?"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\nexempt:\n  - host: compute-99\n    reason: LVM backend\n",
                "pb.yaml:4:5: error: exempt host 'compute-99' is not in inv/hosts.yaml; did you mean 'compute-01'?"
            ),
            // accept entries
            (
                "hosts: compute\nfilter: { policy: host-pvs-only, accept: ['/[unclosed/'] }\n",
                "pb.yaml:2:43: error: invalid regular expression '[unclosed' in accept; expected ']'"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only, accept: [sda2] }\n",
                "pb.yaml:2:43: error: accept entry 'sda2' is neither a device path nor a /regex/; write an exact path like /dev/sda2 or a pattern like /^\\/dev\\/nvme0n1p[0-9]+$/"
            ),
            (
                "hosts: compute\nfilter: { policy: reject-all, accept: [/dev/sda2] }\n",
                "pb.yaml:2:31: error: 'accept' has no effect with policy reject-all; use policy host-pvs-only to keep devices, or remove 'accept'"
            ),
            // dates and percentages
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\nexempt:\n  - host: compute-01\n    reason: x\n    until: 2027-02-30\n",
                "pb.yaml:6:12: error: '2027-02-30' is not a date; write the last day the exemption applies as YYYY-MM-DD"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\nexempt:\n  - host: compute-01\n    reason: x\n    until: next week\n",
                "pb.yaml:6:12: error: 'next week' is not a date; write the last day the exemption applies as YYYY-MM-DD"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\nrollout: { serial: 0% }\n",
                "pb.yaml:3:20: error: a serial percentage must be a percentage from 1 to 100, found '0%'; write it like 25%"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\nrollout: { serial: [1, 150%] }\n",
                "pb.yaml:3:24: error: a serial percentage must be a percentage from 1 to 100, found '150%'; write it like 25%"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\nrollout: { max_fail_percentage: 101 }\n",
                "pb.yaml:3:33: error: max_fail_percentage must be a percentage from 0 to 100, found '101'; write it like 25%"
            ),
            // required keys and exemption shape
            (
                "filter: { policy: host-pvs-only }\n",
                "pb.yaml:1:1: error: missing required key 'hosts'; name the inventory group or pattern the policy applies to, e.g. 'hosts: compute'"
            ),
            (
                "hosts: compute\nfilter: { key: filter }\n",
                "pb.yaml:2:9: error: missing required key 'policy' in filter; use 'policy: host-pvs-only' or 'policy: reject-all'"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\nexempt:\n  - host: compute-01\n",
                "pb.yaml:4:5: error: an exemption must give a 'reason'; say which LVM backend the node uses, e.g. 'reason: cinder-volume LVM backend'"
            ),
            (
                "hosts: compute\nfilter: { policy: host-pvs-only }\nexempt:\n  - host: compute-01\n    group: cinder-lvm\n    reason: x\n",
                "pb.yaml:5:5: error: an exemption names either a host or a group, not both; split it into two exemptions"
            ),
            (
                "- hosts: compute\n",
                "pb.yaml:1:1: error: the desired-state file must be one mapping, not a list of plays; remove the leading '- ' and write the keys at the top level"
            ),
        ])
    func diagnostics(text: String, expected: String) {
        let (selection, problems) = validate(text)
        #expect(selection == nil)
        #expect(problems.contains(expected), "got: \(problems)")
    }

    @Test("all problems are reported at once, not only the first")
    func allAtOnce() {
        let (_, problems) = validate(
            """
            hosts: comptue
            exempt:
              - group: cinder-lv
                reason: x
            filtr: {}
            filter: { policy: reject-al }
            checks: [nope]
            rollout: { forks: 0, serial: 0% }
            """)
        #expect(problems.count == 7, "got: \(problems)")
        #expect(
            problems.map { $0.prefix(9) } == [
                "pb.yaml:1", "pb.yaml:3", "pb.yaml:5", "pb.yaml:6", "pb.yaml:7", "pb.yaml:8", "pb.yaml:8",
            ])
    }

    @Test("targets exclude exempt hosts; each exemption keeps its reason and source")
    func exemptions() throws {
        let (selection, problems) = validate(
            """
            hosts: compute
            exempt:
              - group: cinder-lvm
                reason: cinder-volume LVM backend
              - host: compute-17
                reason: nova images_type=lvm
                ticket: CHG-1234
                until: 2027-01-31
            filter: { policy: host-pvs-only }
            """)
        #expect(problems.isEmpty, "\(problems)")
        let result = try #require(selection)
        #expect(result.targets.map(\.name) == ["compute-01"])
        #expect(result.exempt.map(\.host) == ["compute-02", "compute-03", "compute-17"])
        #expect(result.exempt[0].reason == "root on LVM, rebuild pending")
        #expect(result.exempt[0].source == "lvmguard_exempt at inv/hosts.yaml:13:40")
        #expect(result.exempt[1].source == "group cinder-lvm at pb.yaml:3:5")
        #expect(result.exempt[2].ticket == "CHG-1234")
        #expect(result.exempt[2].until == CalendarDate("2027-01-31"))
        #expect(result.expired.isEmpty)
    }

    @Test("an expired exemption no longer applies and is reported")
    func expiredExemption() throws {
        let text =
            "hosts: compute\nexempt:\n  - host: compute-17\n    reason: migration\n    until: 2026-11-23\nfilter: { policy: host-pvs-only }\n"
        let (selection, problems) = validate(text)
        let result = try #require(selection)
        #expect(result.targets.map(\.name) == ["compute-01", "compute-03", "compute-17"])
        #expect(result.expired.map(\.hosts) == [["compute-17"]])
        #expect(
            problems == [
                "pb.yaml:3:5: warning: exemption for host compute-17 expired on 2026-11-23; 1 host(s) are no longer exempt; renew 'until' or remove the exemption"
            ])
        // On its last day it still applies.
        let (lastDay, _) = validate(text, today: CalendarDate("2026-11-23")!)
        #expect(lastDay?.targets.map(\.name) == ["compute-01", "compute-03"])
    }

    @Test("shipped playbooks validate against the shipped inventory")
    func shippedFiles() throws {
        let root = #filePath.components(separatedBy: "/Tests/")[0]
        for playbook in ["playbooks/compute-guest-lvm.yaml", "playbooks/reject-all.yaml"] {
            var diagnostics = Diagnostics()
            let files = InMemoryFilesFromDisk(root: root)
            let inventory = try #require(
                InventoryLoader(files: files).load("inventory.example.yaml", diagnostics: &diagnostics))
            let state = try #require(
                DesiredStateReader.read(try files.readText(atPath: playbook), file: playbook, diagnostics: &diagnostics)
            )
            let selection = try #require(
                TargetSelection.resolve(state, in: inventory, today: day, diagnostics: &diagnostics))
            #expect(!selection.targets.isEmpty)
            #expect(!diagnostics.hasErrors, "\(diagnostics.all)")
        }
    }
}
