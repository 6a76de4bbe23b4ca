import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardRemote
@testable import LVMGuardTestSupport

@Suite("Apply requests: only validated tokens reach the shell")
struct ApplyRequestTests {
    static func incidentPlan() throws -> HostPlan { try PlannerTests.plan("incident") }

    @Test("a planned host becomes variables and base64 data")
    func request() throws {
        let plan = try Self.incidentPlan()
        let request = try ApplyRequest(
            plan: plan, hostVGs: [], guestVGs: ["gMD2xM-ZdGA-vrmy-TdFe-1LJS-zo1T-mPeb4D"], timestamp: "20261124T230000Z"
        )
        let variables = Dictionary(uniqueKeysWithValues: request.variables.map { ($0.name, $0.value) })
        #expect(variables["LVMGUARD_CONFIG_EDIT"] == "1")
        // Nothing of the guest's VG is held from outside: the whole VG, by UUID, and no LV one by one.
        #expect(variables["LVMGUARD_DEACTIVATE_VGS"] == "gMD2xM-ZdGA-vrmy-TdFe-1LJS-zo1T-mPeb4D")
        #expect(variables["LVMGUARD_DEACTIVATE"] == "")
        #expect(variables["LVMGUARD_EXPECT_SHA256"] == plan.fingerprint?.lvmConfSHA256)
        #expect(request.data.map(\.name) == ["lv_states", "pv_members", "candidate", "dead_maps"])
        // The preamble is plain assignments and heredocs of base64: no quote or $ from the data.
        for line in request.preamble.split(separator: "\n") {
            let isAssignment =
                line.hasPrefix("LVMGUARD_") && line.hasSuffix("'") && line.filter { $0 == "'" }.count == 2
            let isData =
                line.hasPrefix("lvmguard_data_") || line == "LVMGUARD_DATA" || line == "}"
                || line.allSatisfy { $0.isLetter || $0.isNumber || "+/=".contains($0) }
            #expect(isAssignment || isData, "unexpected preamble line: \(line)")
        }
        let encoded = request.preamble.components(separatedBy: "lvmguard_data_candidate() { cat <<'LVMGUARD_DATA'\n")[1]
            .components(separatedBy: "\nLVMGUARD_DATA")[0].replacingOccurrences(of: "\n", with: "")
        #expect(String(decoding: Data(base64Encoded: encoded) ?? Data(), as: UTF8.self) == plan.configEdit?.plannedText)
    }

    @Test(
        "a VG UUID that is not one never reaches a request: not as a value, not from an edited saved plan",
        arguments: ["gMD2xM'; rm -rf /; '", "$(reboot)", "a b", "PysyGp-eTj1-yXTb-h0xK-vrum-0pzK-Flfms"])
    func refused(vg: String) throws {
        #expect(VGUUID(vg) == nil)
        let plan = try Self.incidentPlan()
        let uuid = try #require(plan.deactivations.first?.vgUUID.rawValue)
        let saved = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        #expect(saved.contains(uuid))
        let edited = Data(saved.replacingOccurrences(of: uuid, with: vg).utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(HostPlan.self, from: edited) }
    }

    @Test("a run whose script never started says so, with ssh's exit status and last stderr line")
    func neverStarted() {
        let parsed = ApplyStream.parse("", boundary: "@@lvmguard@@")
        let (outcome, reason) = ApplyStream.outcome(
            parsed, sshStatus: 1,
            sshStderr: "Welcome to compute-01\r\nsudo: a password is required\r\n")
        #expect(outcome == .failed)
        #expect(
            reason
                == "the remote script did not start (ssh exited 1: sudo: a password is required); no step was reported, so nothing was changed"
        )
        // Output that stops after a step is a run cut off half-way, not one that never started.
        let cut = ApplyStream.parse("@@lvmguard@@ step lock ok /run/lock/x\n", boundary: "@@lvmguard@@")
        #expect(ApplyStream.outcome(cut, sshStatus: 1, sshStderr: "x\n").1?.contains("cut off") == true)
    }

    @Test("the devices file's configured name travels to apply; a name that is not a plain file name is refused")
    func devicesFileName() throws {
        func request(_ name: String) throws -> ApplyRequest {
            let facts = try Fixture.facts("devices-file") { sections in
                sections["config:devices/devicesfile"] = sections["config:devices/devicesfile"]!.with(
                    stdout: "devicesfile=\"\(name)\"\n")
            }
            let plan = Planner.plan(Fixture.host("lab-devfile"), facts: facts, desired: Fixture.desired())
            #expect(plan.status == .changes, "\(plan.reasons)")
            return try ApplyRequest(plan: plan, hostVGs: [], guestVGs: [], timestamp: "20261125T100000Z")
        }
        let variables = try request("compute.devices").variables
        #expect(variables.first { $0.name == "LVMGUARD_DEVICES_FILE_NAME" }?.value == "compute.devices")
        #expect(throws: ApplyRequestError.self) { try request("../../etc/passwd") }
    }

    @Test("a saved plan of another version is refused by its version, before anything else is read")
    func planOfAnotherVersion() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let old = directory + "/old.json"
        try #"{ "format": "lvmguard-plan", "version": 2, "hosts": [] }"#.write(
            toFile: old, atomically: true, encoding: .utf8)
        #expect(
            throws: PlanFileError(
                "\(old) is a plan of format lvmguard-plan version 2; this lvmguard reads version 5: run plan again")
        ) {
            try PlanFile.read(old)
        }
        let other = directory + "/other.json"
        try #"{ "hosts": [] }"#.write(toFile: other, atomically: true, encoding: .utf8)
        #expect(throws: PlanFileError("\(other) is not an lvmguard plan (no format and version)")) {
            try PlanFile.read(other)
        }
    }

    @Test("a plan that writes lvmguard's own files sends only lvmguard's text for them")
    func ownFilesOnly() throws {
        var plan = try PVLinkRuleTests.plan()
        #expect(plan.bootFiles.count == 2)
        plan.bootFiles[0] = HostPlan.BootFile(path: "/etc/passwd", text: "x", replaces: true, purpose: "no")
        #expect(throws: ApplyRequestError("refusing to write /etc/passwd on c7: it is not a file lvmguard owns")) {
            try ApplyRequest(plan: plan, hostVGs: [], guestVGs: [], timestamp: "20261124T230000Z")
        }
    }

    @Test("only hosts with changes can be applied")
    func nothingToApply() throws {
        let clean = try PlannerTests.plan("clean")
        #expect(throws: ApplyRequestError("host h is in-sync: nothing to apply")) {
            try ApplyRequest(plan: clean, hostVGs: [], guestVGs: [], timestamp: "20261124T230000Z")
        }
    }

    @Test(
        "apply output: steps, exit codes and the facts after",
        arguments: [
            (
                "@@b@@ step lock ok l\n@@b@@ step config changed wrote\n@@b@@ applied 0\n",
                HostApplyResult.Outcome.changed
            ),
            ("@@b@@ step lock ok l\n@@b@@ step fingerprint ok f\n@@b@@ applied 0\n", .ok),
            ("@@b@@ step lock ok l\n@@b@@ step fingerprint stale lvm.conf changed\n@@b@@ applied 4\n", .stale),
            ("@@b@@ step lock refused another run\n@@b@@ applied 3\n", .failed),
            ("@@b@@ step validate failed bad\n@@b@@ applied 1\n", .failed),
            ("@@b@@ step lock ok l\n", .failed),
        ])
    func outcomes(text: String, expected: HostApplyResult.Outcome) {
        let parsed = ApplyStream.parse(text, boundary: "@@b@@")
        #expect(ApplyStream.outcome(parsed).0 == expected)
    }

    @Test("a connection that drops after a change is reported as state unknown, never as changed or as nothing done")
    func connectionDropped() {
        let parsed = ApplyStream.parse("@@b@@ step lock ok l\n@@b@@ step config changed wrote\n", boundary: "@@b@@")
        let (outcome, reason) = ApplyStream.outcome(parsed, sshStatus: 255, sshStderr: "Connection reset by peer\n")
        #expect(outcome == .failed)
        #expect(reason?.hasPrefix("state unknown") == true, "\(reason ?? "")")
        #expect(reason?.contains("last step reported: config changed") == true && reason?.contains("run plan") == true)
    }
}
