import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardRemote
@testable import LVMGuardTestSupport

@Suite("CRLF from hosts: ssh's messages and lvm.conf files with CRLF line endings")
struct CRLFTests {
    @Test("a host whose lvm.conf has CRLF endings yields exact facts and a plan")
    func crlfConfig() throws {
        let crlf = "devices {\r\n\tdir = \"/dev\"\r\n}\r\n"
        let facts = try Fixture.facts("incident") { $0["lvm-conf"] = $0["lvm-conf"]?.with(stdout: crlf) }
        #expect(facts.lvmConf.text == crlf)
        // Through the stream itself, as the host sends it.
        let stream = "@@b@@ facts 1\n@@b@@ section lvm-conf 0\n" + crlf + "@@b@@ stderr lvm-conf\n@@b@@ end\n"
        #expect(try FactStream.parse(stream, boundary: "@@b@@")["lvm-conf"]?.stdout == crlf)
        let plan = Planner.plan(Fixture.host("h"), facts: facts, desired: Fixture.desired())
        #expect(
            plan.configEdit?.plannedText == "devices {\r\n\tdir = \"/dev\"\r\n\tglobal_filter = [ \"r|.*|\" ]\r\n}\r\n")
    }

    @Test(
        "ssh's CRLF stderr: the decisive line is the reason",
        arguments: [
            (
                "@@@\r\nIT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\r\nHost key for [h]:22 has changed and you have requested strict checking.\r\nHost key verification failed.\r\n",
                "Host key verification failed."
            ),
            (
                "ssh: connect to host 127.0.0.251 port 22: Connection refused\r\n",
                "ssh: connect to host 127.0.0.251 port 22: Connection refused"
            ),
            ("Warning: something\r\nweird last line\r\n", "weird last line"),
        ])
    func sshReason(stderr: String, expected: String) {
        #expect(SSH.reason(fromStderr: stderr) == expected)
    }

    @Test("INI inventories with CRLF endings read like LF ones")
    func iniCRLF() throws {
        let (inventory, problems) = loadInventory(
            ["inv/hosts": "[compute]\r\nc1 ansible_port=2222\r\n[compute:vars]\r\nansible_user=x\r\n"],
            path: "inv/hosts")
        #expect(problems.isEmpty, "\(problems)")
        #expect(variable(inventory, "c1", "ansible_port") == "2222")
        #expect(variable(inventory, "c1", "ansible_user") == "x")
    }
}
