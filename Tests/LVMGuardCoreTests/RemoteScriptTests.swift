import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardRemote
@testable import LVMGuardTestSupport

@Suite("Remote scripts: embedded copies, POSIX sh, and a real run on this machine")
struct RemoteScriptTests {
    static let path = LabHost.repository + "/remote/gather-facts.sh"

    /// Every line of the remote scripts that runs an LVM command other than lvmconfig.
    static func lvmCommandLines() throws -> [(file: String, line: String)] {
        let commands = try Regex(
            #"(^|[\s;|&(!$])(pvs|vgs|lvs|pvscan|vgscan|lvscan|vgchange|lvchange|pvdisplay|vgdisplay|lvdisplay)\s"#)
        var found: [(file: String, line: String)] = []
        for file in ["gather-facts.sh", "apply.sh", "rollback.sh", "common.sh", "bounds.sh"] {
            let text = try String(contentsOfFile: LabHost.repository + "/remote/" + file, encoding: .utf8)
            for line in text.split(separator: "\n").map(String.init) {
                let code = line.trimmingCharacters(in: .whitespaces)
                if !code.hasPrefix("#"), code.contains(commands) { found.append((file, line)) }
            }
        }
        return found
    }

    @Test("no LVM command run with a candidate or permissive configuration can reach lvmetad")
    func lvmetadBypassed() throws {
        let lines = try Self.lvmCommandLines()
        #expect(lines.count >= 8, "the scan found too few LVM command lines to mean anything: \(lines)")
        // A line that sets another configuration (--config, or LVM_SYSTEM_DIR for a candidate) must carry the
        // variable that holds `global { use_lvmetad = 0 }` where the host's LVM knows the key.
        // `$trial` is built with $NOLVMETAD; `$guard` (refresh) is the host's own filter with dead maps rejected in front.
        let bypass = ["$PERMISSIVE", "$NOLVMETAD", "$permissive", "$nolvmetad", "$trial", "$guard"]
        for (file, line) in lines where line.contains("--config") || line.contains("LVM_SYSTEM_DIR=") {
            #expect(
                bypass.contains { line.contains($0) || line.contains($0.replacingOccurrences(of: "$", with: "${")) },
                "\(file): \(line)")
        }
        // Those variables carry it exactly when the host's LVM has the key, in both places they are set.
        let common = try String(contentsOfFile: LabHost.repository + "/remote/common.sh", encoding: .utf8)
        #expect(common.contains("use_lvmetad=*) has_lvmetad=1 ;;"))
        #expect(
            common.contains(
                """
                if [ -n "$has_lvmetad" ]; then
                        NOLVMETAD='global { use_lvmetad = 0 }'
                        PERMISSIVE="$PERMISSIVE $NOLVMETAD"
                """))
        let apply = try String(contentsOfFile: LabHost.repository + "/remote/apply.sh", encoding: .utf8)
        #expect(apply.contains(#"trial=$(guarded_config "$TMP/lvm")${NOLVMETAD:+ $NOLVMETAD}"#))
        let gather = try String(contentsOfFile: Self.path, encoding: .utf8)
        #expect(
            gather.contains(
                """
                if [ "$has_lvmetad" = yes ]; then
                    nolvmetad='global { use_lvmetad = 0 }'
                    permissive="$permissive $nolvmetad"
                """))
    }

    @Test("the script parses as POSIX sh (dash, and busybox sh when present)")
    func posixSyntax() throws {
        #expect(try run(["dash", "-n", Self.path]).status == 0)
        if FileManager.default.isExecutableFile(atPath: "/bin/busybox") {
            #expect(try run(["/bin/busybox", "sh", "-n", Self.path]).status == 0)
        }
    }

    @Test("run by dash on this machine with the real lvm2 tools, it yields complete typed facts")
    func realRun() throws {
        guard getuid() == 0, Prerequisite.tool("lvm") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "devices {\n\tglobal_filter = [ \"r|.*|\" ]\n}\n".write(
            toFile: directory + "/lvm.conf", atomically: true, encoding: .utf8)
        let boundary = RemoteScripts.newBoundary()
        let result = try run(
            ["dash", "-s"], environment: ["LVM_SYSTEM_DIR": directory],
            stdin: RemoteScripts.gatherFacts(boundary: boundary))
        #expect(result.status == 0, "\(result.stderr)")
        let facts = try HostFacts(sections: try FactStream.parse(result.stdout, boundary: boundary))
        #expect(facts.lvmConf.path == directory + "/lvm.conf")
        #expect(facts.lvmConf.text == "devices {\n\tglobal_filter = [ \"r|.*|\" ]\n}\n")
        #expect(facts.settings["devices/global_filter"] == .string("r|.*|"))
        #expect(facts.lvmVersion != nil)
        #expect(facts.mounts.contains { $0.target == "/" })
        // Read-only: the config it was pointed at is as it was.
        #expect(
            try String(contentsOfFile: directory + "/lvm.conf", encoding: .utf8)
                == "devices {\n\tglobal_filter = [ \"r|.*|\" ]\n}\n")
    }

    @Test("on a full temporary file system the gather says so, instead of blaming its first command")
    func fullScratchDirectory() throws {
        guard getuid() == 0, Prerequisite.tool("lvm") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let directory = try temporaryDirectory()
        let full = try temporaryDirectory()
        defer {
            _ = try? run(["umount", full])
            try? FileManager.default.removeItem(atPath: full)
            try? FileManager.default.removeItem(atPath: directory)
        }
        try "devices {\n}\n".write(toFile: directory + "/lvm.conf", atomically: true, encoding: .utf8)
        let mounted = try run(["mount", "-t", "tmpfs", "-o", "size=64k", "lvmguard-full", full])
        try #require(mounted.status == 0, "a small tmpfs to fill: \(mounted.stderr)")
        _ = try run(["dd", "if=/dev/zero", "of=\(full)/fill", "bs=4k"])
        let boundary = RemoteScripts.newBoundary()
        let result = try run(
            ["dash", "-s"], environment: ["LVM_SYSTEM_DIR": directory, "TMPDIR": full],
            stdin: RemoteScripts.gatherFacts(boundary: boundary))
        let sections = try FactStream.parse(result.stdout, boundary: boundary)
        #expect(sections["scratch"]?.succeeded == false, "the probe fails on the full file system")
        #expect(throws: FactsError.self) { try HostFacts(sections: sections) }
        do {
            _ = try HostFacts(sections: sections)
        } catch {
            #expect(
                error.message.contains("temporary directory") && error.message.contains("full or read-only"),
                "\(error.message)")
            #expect(!error.message.contains("uname"), "\(error.message)")
        }
    }

    @Test("ssh arguments: options, then --, the address, and only the fixed remote command")
    func sshArguments() throws {
        let (inventory, _) = loadInventory([
            "inv/hosts.yaml": """
            all:
              hosts:
                h:
                  ansible_host: -oProxyCommand=evil
                  ansible_port: 2222
                  ansible_user: cloud
                  ansible_become: true
                  ansible_ssh_private_key_file: /k
                  ansible_ssh_common_args: "-o ProxyJump=bastion"
            """
        ])
        var diagnostics = Diagnostics()
        let resolved = try #require(inventory?.hosts["h"])
        let host = try #require(HostSettings(resolved, diagnostics: &diagnostics))
        var options = SSH.Options()
        options.commonArgs = ["-F", "/cfg"]
        let arguments = SSH(options: options).arguments(for: host)
        #expect(
            arguments == [
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=15", "-o",
                "ServerAliveCountMax=3",
                "-p", "2222", "-l", "cloud", "-i", "/k", "-F", "/cfg", "-o", "ProxyJump=bastion",
                "--", "-oProxyCommand=evil", "sudo -n sh -s",
            ])
    }

    @Test("connection sharing: lvmguard's own per run, unless the user's ssh arguments set theirs (as Ansible)")
    func sshConnectionSharing() throws {
        let (inventory, _) = loadInventory(["inv/hosts.yaml": "all:\n  hosts:\n    h:\n"])
        var diagnostics = Diagnostics()
        let resolved = try #require(inventory?.hosts["h"])
        let host = try #require(HostSettings(resolved, diagnostics: &diagnostics))
        var options = SSH.Options()
        options.controlDirectory = "/run/x"
        let plain = SSH(options: options).arguments(for: host)
        #expect(plain.contains("ControlPath=/run/x/%C") && plain.contains("ControlPersist=120"))
        for user in [
            ["-o", "ControlPath=/s/%p"], ["-oControlMaster=auto"], ["-o", "controlpath /s"], ["-S", "/s"], ["-S/s"],
        ] {
            #expect(SSH.sharesConnections(user), "\(user)")
            options.commonArgs = user
            let arguments = SSH(options: options).arguments(for: host)
            #expect(
                !arguments.contains("ControlPath=/run/x/%C") && arguments.contains(user[0]), "\(user): \(arguments)")
        }
        for user in [["-o", "ProxyJump=b"], ["-o", "ControlPersist=60"], ["-oUser=x"], []] {
            #expect(!SSH.sharesConnections(user), "\(user)")
        }
    }
}
