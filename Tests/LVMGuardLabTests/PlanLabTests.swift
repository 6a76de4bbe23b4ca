import Foundation
import Testing
@testable import LVMGuardTestSupport

/// `lvmguard plan` against the lab's real VMs.
@Suite(
    "plan on real hosts: the right decisions, nothing touched, one ssh execution per host",
    .enabled(if: Runnable.sharedLab, "needs the shared lab running: scripts/test.sh starts it with lab/start.sh"))
struct PlanLabTests {
    @Test("incident and host-lvm hosts are planned right; lvm.conf and every VG are unchanged")
    func planOnLab() throws {
        guard let incident = LabHost.running("incident"), let hostLVM = LabHost.running("host-lvm") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let before = try [incident, hostLVM].map { try $0.lvmState() }
        let loginsBefore = try [incident, hostLVM].map { try $0.acceptedLogins() }

        // Counted on lvmguard's own connections: the lab inventory without the lab's shared one.
        let inventory = try LabHost.inventoryWithoutSharing()
        defer { try? FileManager.default.removeItem(atPath: inventory) }
        let plan = try LabHost.lvmguard([
            "plan", "-i", inventory, LabHost.repository + "/playbooks/lab.yaml",
            "--format", "json", "--detailed-exitcode",
        ])
        #expect([2, 3].contains(plan.status), "\(plan.stderr)")
        let loginsAfter = try [incident, hostLVM].map { try $0.acceptedLogins() }
        #expect(zip(loginsBefore, loginsAfter).map { $1 - $0 } == [1, 1], "ssh executions per host during plan")
        #expect(try [incident, hostLVM].map { try $0.lvmState() } == before, "plan changed something")

        let json = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let hosts = try #require(json["hosts"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: hosts.map { ($0["host"] as? String ?? "", $0) })

        let incidentPlan = try #require(byName[incident.name])
        #expect(incidentPlan["status"] as? String == "changes")
        let edit = try #require(incidentPlan["configEdit"] as? [String: Any])
        #expect(edit["planned"] as? String == #"[ "r|.*|" ]"#)
        #expect((edit["diff"] as? String)?.contains("+\tglobal_filter = [ \"r|.*|\" ]") == true)
        let deactivation = try #require((incidentPlan["deactivations"] as? [[String: Any]])?.first)
        let guestUUID = try incident.run("vgs --noheadings -o vg_uuid guestvg").stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(deactivation["vgUUID"] as? String == guestUUID)
        #expect(deactivation["multipathMaps"] as? [String] == ["mpatha"])
        #expect((deactivation["wwids"] as? [String])?.count == 1)

        let hostPlan = try #require(byName[hostLVM.name])
        #expect(hostPlan["status"] as? String == "changes")
        let hostEdit = try #require(hostPlan["configEdit"] as? [String: Any])
        // The host PV by its identity (the PV UUID link), plus the kernel name LVM 2.03's boot-time pvscan sees.
        let hostPV = try hostLVM.run("pvs --noheadings -o pv_uuid /dev/vdb").stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(
            hostEdit["planned"] as? String
                == #"[ "a|^/dev/disk/by-id/lvm-pv-uuid-"# + hostPV + #"$|", "a|^/dev/vdb$|", "r|.*|" ]"#)
        let hostVG = try hostLVM.run("vgs --noheadings -o vg_uuid hostvg").stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        let deactivated = (hostPlan["deactivations"] as? [[String: Any]])?.compactMap { $0["vgUUID"] as? String } ?? []
        #expect(!hostVG.isEmpty && !deactivated.contains(hostVG))
        #expect(deactivated.count == 1)
    }

    @Test("text output shows the diff, the guest VG and the recap; markdown folds per change")
    func renderings() throws {
        guard LabHost.running("incident") != nil else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let text = try LabHost.lvmguard(["plan", "-i", LabHost.inventory, LabHost.repository + "/playbooks/lab.yaml"])
        #expect(text.stdout.contains("+\tglobal_filter = [ \"r|.*|\" ]"))
        #expect(text.stdout.contains("deactivate guest VG guestvg ("))
        #expect(text.stdout.contains("Recap: "))
        #expect(!text.stdout.contains("\u{1B}["), "no colour when not a terminal")
    }
}

extension PlanLabTests {
    /// README's quick start, line by line, on the incident host: the lab's inventory and playbook stand in for the
    /// reader's, `--limit` keeps other lab hosts out, and apply meets no terminal, so it shows the plan and refuses
    /// to run unattended (the VM stays the incident for the suites that apply).
    @Test("README's quick start runs against the lab: validate, plan, review, apply's prompt, check")
    func quickStart() throws {
        guard let incident = LabHost.running("incident") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let readme = try String(contentsOfFile: LabHost.repository + "/README.md", encoding: .utf8)
        let block = try #require(
            readme.components(separatedBy: "<!-- quickstart").dropFirst().first?
                .components(separatedBy: "<!-- /quickstart -->").first)
        let lines = block.split(separator: "\n").map(String.init).filter { $0.hasPrefix("lvmguard ") }
        #expect(lines.map { $0.split(separator: " ")[1] } == ["validate", "plan", "plan", "apply", "check"])

        let directory = try temporaryDirectory()
        let before = try incident.lvmState()
        for line in lines {
            var words = line.split(separator: " ").map(String.init).dropFirst().map { word -> String in
                switch word {
                case "inventory.yaml": LabHost.inventory
                case "playbooks/compute-guest-lvm.yaml": LabHost.repository + "/playbooks/lab.yaml"
                case "plan.json", "review.md": directory + "/" + word
                default: word
                }
            }
            var output: String?
            if let redirect = words.firstIndex(of: ">") {
                output = words[redirect + 1]
                words = Array(words[..<redirect])
            }
            if words.contains("-i") { words += ["--limit", incident.name] }
            let result = try LabHost.lvmguard(words)
            if let output { try result.stdout.write(toFile: output, atomically: true, encoding: .utf8) }
            let said = "\(line): exit \(result.status)\n\(result.stdout)\n\(result.stderr)"
            switch (words[0], words.contains("--format")) {
            case ("validate", _):
                #expect(result.status == 0 && result.stdout.contains(incident.name), "\(said)")
            case ("plan", false):
                #expect(result.status == 0, "\(said)")
                let saved = try String(contentsOfFile: directory + "/plan.json", encoding: .utf8)
                #expect(saved.contains(#""format" : "lvmguard-plan""#), "the saved plan")
            case ("plan", true):
                #expect(result.status == 0, "\(said)")
                let review = try String(contentsOfFile: directory + "/review.md", encoding: .utf8)
                #expect(review.contains(incident.name) && review.contains("global_filter"), "the review: \(review)")
            case ("apply", _):
                #expect(result.stdout.contains("\(incident.name): changes"), "apply shows the plan first: \(said)")
                #expect(result.status == 64 && result.stderr.contains("pass --yes"), "\(said)")
            case ("check", _):
                #expect(result.status == 1 && result.stdout.contains("no-guest-vgs-active"), "\(said)")
            default:
                Issue.record("README's quick start has a line this test does not know: \(line)")
            }
        }
        #expect(try incident.lvmState() == before, "the quick start without a terminal changed the incident host")
    }
}
