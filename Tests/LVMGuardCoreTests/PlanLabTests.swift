import Foundation
import Testing

/// `lvmguard plan` against the lab's real VMs.
@Suite("plan on real hosts: the right decisions, nothing touched, one ssh execution per host")
struct PlanLabTests {
    @Test("incident and host-lvm hosts are planned right; lvm.conf and every VG are unchanged")
    func planOnLab() throws {
        guard let incident = LabHost.running("incident"), let hostLVM = LabHost.running("host-lvm") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let before = try [incident, hostLVM].map { try $0.lvmState() }
        let loginsBefore = try [incident, hostLVM].map { try $0.acceptedLogins() }

        let plan = try LabHost.lvmguard(["plan", "-i", LabHost.inventory, LabHost.repository + "/playbooks/lab.yaml",
                                         "--format", "json", "--detailed-exitcode"])
        #expect([2, 3].contains(plan.status), "\(plan.stderr)")
        let loginsAfter = try [incident, hostLVM].map { try $0.acceptedLogins() }
        // Each acceptedLogins call is one login itself: the first is counted in `before`, the second in `after`.
        #expect(zip(loginsBefore, loginsAfter).map { $1 - $0 - 1 } == [1, 1], "ssh executions per host during plan")
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
        let guestUUID = try incident.run("vgs --noheadings -o vg_uuid guestvg").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(deactivation["vgUUID"] as? String == guestUUID)
        #expect(deactivation["multipathMaps"] as? [String] == ["mpatha"])
        #expect((deactivation["wwids"] as? [String])?.count == 1)

        let hostPlan = try #require(byName[hostLVM.name])
        #expect(hostPlan["status"] as? String == "changes")
        let hostEdit = try #require(hostPlan["configEdit"] as? [String: Any])
        // The host PV by its identity (the PV UUID link), plus the kernel name LVM 2.03's boot-time pvscan sees.
        let hostPV = try hostLVM.run("pvs --noheadings -o pv_uuid /dev/vdb").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(hostEdit["planned"] as? String
            == #"[ "a|^/dev/disk/by-id/lvm-pv-uuid-"# + hostPV + #"$|", "a|^/dev/vdb$|", "r|.*|" ]"#)
        let hostVG = try hostLVM.run("vgs --noheadings -o vg_uuid hostvg").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
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
