import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardRemote
@testable import LVMGuardTestSupport

/// remote/apply.sh run for real by dash on this machine, against a temporary LVM_SYSTEM_DIR.
@Suite("apply.sh on this machine: lock, staleness, validation, atomic swap, backup, journal")
struct ApplyScriptLocalTests {
    static let original = "devices {\n\t# global_filter = [ \"a|.*|\" ]\n\tdir = \"/dev\"\n}\n"

    /// A temp LVM dir with `original` as lvm.conf, facts gathered from it, and a plan to reject everything.
    static func setUp() throws -> (directory: String, plan: HostPlan)? {
        guard getuid() == 0, Prerequisite.tool("lvm") else { return nil }
        let directory = try temporaryDirectory()
        try original.write(toFile: directory + "/lvm.conf", atomically: true, encoding: .utf8)
        let boundary = RemoteScripts.newBoundary()
        let gathered = try run(
            ["dash", "-s"], environment: ["LVM_SYSTEM_DIR": directory],
            stdin: RemoteScripts.gatherFacts(boundary: boundary))
        let facts = try HostFacts(sections: try FactStream.parse(gathered.stdout, boundary: boundary))
        let plan = Planner.plan(Fixture.host("local"), facts: facts, desired: Fixture.desired(policy: "reject-all"))
        #expect(plan.status == .changes, "\(plan.reasons)")
        return (directory, plan)
    }

    static func apply(_ plan: HostPlan, in directory: String, timestamp: String = "20261124T230000Z") throws -> (
        HostApplyResult.Outcome, ApplyStream.Parsed
    ) {
        let request = try ApplyRequest(plan: plan, hostVGs: [], guestVGs: [], timestamp: timestamp)
        let boundary = RemoteScripts.newBoundary()
        let result = try run(
            ["dash", "-s"], environment: ["LVM_SYSTEM_DIR": directory],
            stdin: Applier.script(for: request, boundary: boundary))
        let parsed = ApplyStream.parse(result.stdout, boundary: boundary)
        return (ApplyStream.outcome(parsed).0, parsed)
    }

    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test("at its deadline a hung run ends every process it started, releases its lock and says what was running")
    func deadline() throws {
        guard let (directory, plan) = try Self.setUp() else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let request = try ApplyRequest(plan: plan, hostVGs: [], guestVGs: [], timestamp: "20261124T230000Z")
        // lvm.conf becomes a FIFO nobody writes: reading it blocks, as on a host whose storage hangs.
        try FileManager.default.removeItem(atPath: directory + "/lvm.conf")
        #expect(mkfifo(directory + "/lvm.conf", 0o600) == 0)
        let prefix = "LVMGUARD_TIMEOUT=4\nLVMGUARD_DEADLINE=3\n"
        for (script, expected) in [
            ({ (b: String) in Applier.script(for: request, boundary: b) }, "fingerprint: sha256sum"),
            ({ (b: String) in RemoteScripts.gatherFacts(boundary: b) }, "section lvm-conf-base64: base64"),
        ] {
            let boundary = RemoteScripts.newBoundary()
            let started = Date()
            // Bounded here too: without the watchdog the run would block for good.
            let result = try run(
                ["timeout", "20", "dash", "-s"], environment: ["LVM_SYSTEM_DIR": directory],
                stdin: prefix + script(boundary))
            let elapsed = Date().timeIntervalSince(started)
            #expect(elapsed < 4.5 && elapsed >= 3, "ended at its deadline: \(elapsed) s")
            let deadline = try #require(
                RemoteDeadline.find(in: result.stdout, boundary: boundary), "\(result.stdout.suffix(500))")
            #expect(deadline.seconds == 4 && deadline.running.hasPrefix(expected), "\(deadline)")
            #expect(processesLeft(lvmSystemDir: directory).isEmpty, "nothing of the run is left")
        }
        // The apply run's outcome says so, and the lock is free for the next run.
        let parsed = ApplyStream.parse("b deadline 4 fingerprint: sha256sum /etc/lvm/lvm.conf\n", boundary: "b")
        let (outcome, reason) = ApplyStream.outcome(parsed, sshStatus: 143)
        #expect(
            outcome == .failed
                && reason?.hasPrefix("timed out after 4 s while running: fingerprint: sha256sum /etc/lvm/lvm.conf")
                    == true
        )
        let lock = try run([
            "sh", "-c",
            "exec 9>\"/run/lock/lvmguard-$(printf '%s' \"$1\" | cksum | cut -d' ' -f1).lock\" && flock -n 9 && echo free",
            "sh", directory,
        ])
        #expect(lock.stdout == "free\n", "\(lock.stderr)")
        #expect(
            RemoteDeadline.remoteSeconds(forTimeout: 6) == 5 && RemoteDeadline.remoteSeconds(forTimeout: 300) == 295)
    }

    @Test(
        "apply swaps in the planned file, keeps a backup with the same mode, writes the journal; the facts after come back"
    )
    func applies() throws {
        guard let (directory, plan) = try Self.setUp() else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: directory + "/lvm.conf")
        let (outcome, parsed) = try Self.apply(plan, in: directory)
        #expect(outcome == .changed, "\(parsed.steps)")
        #expect(try Self.read(directory + "/lvm.conf") == plan.configEdit?.plannedText)
        #expect(try Self.read(directory + "/lvm.conf.lvmguard-20261124T230000Z") == Self.original)
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/lvm.conf")[.posixPermissions] as? Int
        #expect(mode == 0o640)
        #expect(
            try Self.read(directory + "/lvmguard.journal").contains(
                "backup=\(directory)/lvm.conf.lvmguard-20261124T230000Z"))
        #expect(parsed.steps.map(\.name) == ["lock", "fingerprint", "validate", "trial", "config", "refresh"])
        #expect(!FileManager.default.fileExists(atPath: directory + "/lvm.conf.lvmguard-new"))
        let after = try HostFacts(sections: try #require(parsed.factsAfter))
        #expect(after.settings["devices/global_filter"] == .string("r|.*|"))
    }

    /// lvm.conf files whose bytes a text round trip would change.
    static let awkwardFiles: [(String, [UInt8], Bool)] = [
        ("no final newline", Array("devices {\n\tdir = \"/dev\"\n}".utf8), false),
        ("CRLF line ends", Array("# CRLF\r\ndevices {\r\n\tdir = \"/dev\"\r\n}\r\n".utf8), false),
        (
            "a Latin-1 comment and tabs",
            Array("# caf".utf8) + [0xE9] + Array(" \t(Latin-1)\ndevices {\n\t\tdir = \"/dev\"\n}\n".utf8), false
        ),
        ("a symlinked lvm.conf", Array(original.utf8), true),
    ]

    @Test("gather -> plan -> apply.sh keeps every byte of the host's file but the edit", arguments: awkwardFiles)
    func exactBytes(name: String, bytes: [UInt8], symlink: Bool) throws {
        guard getuid() == 0, Prerequisite.tool("lvm") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + (symlink ? "/lvm.conf.real" : "/lvm.conf")
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        if symlink {
            try FileManager.default.createSymbolicLink(
                atPath: directory + "/lvm.conf", withDestinationPath: "lvm.conf.real")
        }
        let boundary = RemoteScripts.newBoundary()
        let gathered = try run(
            ["dash", "-s"], environment: ["LVM_SYSTEM_DIR": directory],
            stdin: RemoteScripts.gatherFacts(boundary: boundary))
        let facts = try HostFacts(sections: try FactStream.parse(gathered.stdout, boundary: boundary))
        #expect(
            HostFacts.ConfigFile.bytes(facts.lvmConf.text, latin1: facts.lvmConf.isLatin1) == Data(bytes),
            "\(name): read exactly")
        let plan = Planner.plan(Fixture.host("local"), facts: facts, desired: Fixture.desired(policy: "reject-all"))
        let (outcome, parsed) = try Self.apply(plan, in: directory)
        #expect(outcome == .changed, "\(name): \(parsed.steps)")
        let written = try #require(FileManager.default.contents(atPath: file))
        // Take the added line out again: what remains is the original, byte for byte.
        var lines = written.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        let added = Array("global_filter = [ \"r|.*|\" ]".utf8)
        let index = try #require(lines.firstIndex { $0.firstRange(of: added) != nil }, "\(name): the edit is there")
        lines.remove(at: index)
        #expect(Array(lines.joined(separator: [0x0A])) == bytes, "\(name): \(String(decoding: written, as: UTF8.self))")
        if symlink {
            let link = try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/lvm.conf")
            #expect(link == "lvm.conf.real", "the link stays a link")
        }
        // The facts after apply read the new file back the same way.
        let after = try HostFacts(sections: try #require(parsed.factsAfter))
        #expect(HostFacts.ConfigFile.bytes(after.lvmConf.text, latin1: after.lvmConf.isLatin1) == written)
    }

    @Test("a section whose output has no final newline comes back without one (the marker is never glued to it)")
    func sectionWithoutFinalNewline() throws {
        guard getuid() == 0, Prerequisite.tool("lvm") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.original.write(toFile: directory + "/lvm.conf", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: directory + "/devices", withIntermediateDirectories: true)
        let devices = "VERSION=1.1.1\r\nIDTYPE=sys_wwid IDNAME=naa.1 DEVNAME=/dev/sdb PVID=abc"
        try devices.write(toFile: directory + "/devices/system.devices", atomically: true, encoding: .utf8)
        let boundary = RemoteScripts.newBoundary()
        let gathered = try run(
            ["dash", "-s"], environment: ["LVM_SYSTEM_DIR": directory],
            stdin: RemoteScripts.gatherFacts(boundary: boundary))
        let sections = try FactStream.parse(gathered.stdout, boundary: boundary)
        #expect(sections["devices-file"]?.stdout == devices)
        #expect(sections["lvm-conf-sha256"]?.stdout.hasSuffix("\n") == true, "sections with a final newline keep it")
    }

    @Test("a host changed since the plan is refused as stale and nothing is written")
    func stale() throws {
        guard let (directory, plan) = try Self.setUp() else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let edited = Self.original + "# changed by hand\n"
        try edited.write(toFile: directory + "/lvm.conf", atomically: true, encoding: .utf8)
        let (outcome, parsed) = try Self.apply(plan, in: directory)
        #expect(outcome == .stale)
        #expect(parsed.steps.last?.message.contains("changed since the plan") == true)
        #expect(try Self.read(directory + "/lvm.conf") == edited)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["lvm.conf"])
    }

    /// The devices file as the plan saw it, and as LVM itself may rewrite it before apply.
    static let plannedDevices = """
        # LVM uses devices listed in this file.
        # Created by LVM command vgs pid 88 at Wed Dec  2 19:20:00 2026
        VERSION=1.1.1
        IDTYPE=sys_wwid IDNAME=naa.5000c50015ea71b0 DEVNAME=/dev/sdb PVID=fQGAME1t0vmQ9wdEJcSkBXxm3iMxuAAK

        """

    @Test(
        "the devices file as LVM rewrites it on its own (header, VERSION, a corrected DEVNAME) is not a change; an entry is",
        arguments: [
            (
                "LVM corrected DEVNAME after a rename",
                "# LVM uses devices listed in this file.\n# Created by LVM command pvs pid 431 at Wed Dec  2 19:23:00 2026\nVERSION=1.1.2\nIDTYPE=sys_wwid IDNAME=naa.5000c50015ea71b0 DEVNAME=/dev/sdc PVID=fQGAME1t0vmQ9wdEJcSkBXxm3iMxuAAK\n",
                false
            ),
            (
                "an entry added",
                plannedDevices
                    + "IDTYPE=mpath_uuid IDNAME=mpath-35000c50015ea71ac DEVNAME=/dev/mapper/mpatha PVID=3ImuC2UgyFfXzwPrvr5wVutMwONQ1jk5\n",
                true
            ),
            ("the PVID changed", plannedDevices.replacingOccurrences(of: "PVID=fQ", with: "PVID=xQ"), true),
        ])
    func devicesFileRewrittenByLVM(_ change: String, rewritten: String, isStale: Bool) throws {
        guard getuid() == 0, Prerequisite.tool("lvm") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.original.write(toFile: directory + "/lvm.conf", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: directory + "/devices", withIntermediateDirectories: true)
        try Self.plannedDevices.write(toFile: directory + "/devices/system.devices", atomically: true, encoding: .utf8)
        let boundary = RemoteScripts.newBoundary()
        let gathered = try run(
            ["dash", "-s"], environment: ["LVM_SYSTEM_DIR": directory],
            stdin: RemoteScripts.gatherFacts(boundary: boundary))
        let facts = try HostFacts(sections: try FactStream.parse(gathered.stdout, boundary: boundary))
        let plan = Planner.plan(Fixture.host("local"), facts: facts, desired: Fixture.desired(policy: "reject-all"))
        try #require(plan.status == .changes && plan.fingerprint?.devicesFile != nil, "\(plan.reasons)")
        try rewritten.write(toFile: directory + "/devices/system.devices", atomically: true, encoding: .utf8)
        let (_, parsed) = try Self.apply(plan, in: directory)
        let fingerprint = try #require(parsed.steps.first { $0.step == .fingerprint }, "\(change)")
        #expect((fingerprint.result == RemoteContract.StepResult.stale) == isStale, "\(change): \(fingerprint.message)")
    }

    @Test("a candidate that fails lvmconfig --validate changes nothing")
    func invalidCandidate() throws {
        guard let (directory, plan) = try Self.setUp() else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let edit = try #require(plan.configEdit)
        let broken = HostPlan(
            host: plan.host, status: plan.status, blockers: [], exemption: nil, regime: plan.regime, lvmVersion: nil,
            ownership: plan.ownership,
            configEdit: .init(
                path: edit.path, key: edit.key, current: edit.current, planned: edit.planned,
                plannedText: "devices {\n\tglobal_filter = [ \"r|.*|\" \n", diff: edit.diff),
            devicesFileEdit: nil, deactivations: [], refreshCache: false, initramfs: nil, warnings: [],
            fingerprint: plan.fingerprint)
        let (outcome, parsed) = try Self.apply(broken, in: directory)
        #expect(outcome == .failed)
        #expect(parsed.steps.last?.name == "validate")
        #expect(try Self.read(directory + "/lvm.conf") == Self.original)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["lvm.conf"])
    }

    @Test("a filter that lvmlocal.conf overrides is refused at validation, naming the file, and nothing is written")
    func overriddenBesideLVMConf() throws {
        guard let (directory, plan) = try Self.setUp() else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let local = "devices {\n\tglobal_filter = [ \"a|.*|\" ]\n}\n"
        try local.write(toFile: directory + "/lvmlocal.conf", atomically: true, encoding: .utf8)
        // A plan made now blocks the host, naming the file and line (the gather reads lvmlocal.conf).
        let boundary = RemoteScripts.newBoundary()
        let gathered = try run(
            ["dash", "-s"], environment: ["LVM_SYSTEM_DIR": directory],
            stdin: RemoteScripts.gatherFacts(boundary: boundary))
        let facts = try HostFacts(sections: try FactStream.parse(gathered.stdout, boundary: boundary))
        let blocked = Planner.plan(Fixture.host("local"), facts: facts, desired: Fixture.desired(policy: "reject-all"))
        #expect(
            blocked.blockerKinds == [
                .settingOverridden(
                    key: "devices/global_filter", path: directory + "/lvmlocal.conf",
                    line: 2, value: #"[ "a|.*|" ]"#)
            ], "\(blocked.reasons)")
        // A plan made before the file appeared is refused by apply itself, at validate.
        let (outcome, parsed) = try Self.apply(plan, in: directory)
        #expect(outcome == .failed)
        let last = try #require(parsed.steps.last)
        #expect(last.name == "validate" && last.result == .failed)
        #expect(
            last.message.contains("overridden") && last.message.contains(directory + "/lvmlocal.conf"),
            "\(last.message)")
        #expect(try Self.read(directory + "/lvm.conf") == Self.original)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["lvm.conf", "lvmlocal.conf"])

        // The same file without the override (as Debian ships it): apply goes through.
        try "local {\n}\n".write(toFile: directory + "/lvmlocal.conf", atomically: true, encoding: .utf8)
        #expect(try Self.apply(plan, in: directory).0 == .changed)
    }

    @Test("a journal that cannot be written fails the apply before lvm.conf changes: no backup rollback cannot find")
    func journalFirst() throws {
        guard let (directory, plan) = try Self.setUp() else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A directory where the journal should be: appending to it fails, for root too.
        try FileManager.default.createDirectory(
            atPath: directory + "/lvmguard.journal", withIntermediateDirectories: false)
        let (outcome, parsed) = try Self.apply(plan, in: directory)
        #expect(outcome == .failed)
        let last = try #require(parsed.steps.last)
        #expect(last.name == "config" && last.result == .failed && last.message.contains("lvmguard.journal"), "\(last)")
        #expect(try Self.read(directory + "/lvm.conf") == Self.original)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["lvm.conf", "lvmguard.journal"])
    }

    @Test("a second lvmguard on the same host is refused by the lock, not queued")
    func lock() throws {
        guard let (directory, plan) = try Self.setUp() else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sum = try run(["sh", "-c", "printf '%s' \"$1\" | cksum | cut -d' ' -f1", "sh", directory]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // The holder keeps the locked descriptor in the process it execs, so SIGTERM releases the lock.
        let holder = try Child.spawn([
            "sh", "-c", "exec 9>\"$1\" && flock 9 && exec sleep 30", "sh", "/run/lock/lvmguard-\(sum).lock",
        ])
        defer { holder.signal(SIGTERM); _ = holder.wait() }
        Thread.sleep(forTimeInterval: 0.3)
        let (outcome, parsed) = try Self.apply(plan, in: directory)
        #expect(outcome == .failed)
        #expect(parsed.steps.first?.result == .refused)
        #expect(try Self.read(directory + "/lvm.conf") == Self.original)
    }

    @Test("rollback restores the file the last apply replaced, validated, keeping what it replaces")
    func rollback() throws {
        guard let (directory, plan) = try Self.setUp() else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func rollback(preview: Bool = false) throws -> ApplyStream.Parsed {
            let boundary = RemoteScripts.newBoundary()
            let result = try run(
                ["dash", "-s"], environment: ["LVM_SYSTEM_DIR": directory],
                stdin: Applier.rollbackScript(timestamp: "20261124T235959Z", boundary: boundary, preview: preview))
            return ApplyStream.parse(result.stdout, boundary: boundary)
        }
        #expect(try rollback().exitCode == 5, "nothing to roll back before any apply")
        _ = try Self.apply(plan, in: directory)
        let applied = try Self.read(directory + "/lvm.conf")
        // The preview says what it would restore, with the diff, and changes nothing.
        let preview = try rollback(preview: true)
        #expect(
            preview.exitCode == 0 && preview.steps.contains { $0.name == "rollback" && $0.result == .would },
            "\(preview.steps)")
        let diff = preview.steps.filter { $0.name == "diff" }.map(\.message)
        #expect(diff.contains("|-\tglobal_filter = [ \"r|.*|\" ]") && diff.first?.hasPrefix("|@@") == true, "\(diff)")
        #expect(
            ApplyReport.rollbackPreview([HostApplyResult(host: "h", outcome: .ok, steps: preview.steps)])
                .contains("h: will restore\n  rollback: restore "))
        #expect(try Self.read(directory + "/lvm.conf") == applied, "a preview changes nothing")
        let parsed = try rollback()
        #expect(parsed.exitCode == 0, "\(parsed.steps)")
        #expect(try Self.read(directory + "/lvm.conf") == Self.original)
        #expect(try Self.read(directory + "/lvm.conf.lvmguard-20261124T235959Z") == applied)
        #expect(parsed.steps.map(\.name) == ["lock", "validate", "rollback", "refresh"])
        #expect(try rollback().exitCode == 5, "a second rollback finds no apply left in force")
    }

    /// Runs rollback.sh on the local LVM directory at `timestamp`.
    static func rollback(in directory: String, at timestamp: String, force: Bool = false) throws -> ApplyStream.Parsed {
        let boundary = RemoteScripts.newBoundary()
        let result = try run(
            ["dash", "-s"], environment: ["LVM_SYSTEM_DIR": directory],
            stdin: Applier.rollbackScript(timestamp: timestamp, boundary: boundary, force: force))
        return ApplyStream.parse(result.stdout, boundary: boundary)
    }

    @Test(
        "rollback is a stack: two applies undone one at a time, each by its own records; an edit since stops it unless forced"
    )
    func rollbackStack() throws {
        guard let (directory, planA) = try Self.setUp() else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try Self.apply(planA, in: directory, timestamp: "20261204T010000Z").0 == .changed)
        let afterA = try Self.read(directory + "/lvm.conf")
        // A second apply with another policy: the filter accepts one more device.
        let boundary = RemoteScripts.newBoundary()
        let gathered = try run(
            ["dash", "-s"], environment: ["LVM_SYSTEM_DIR": directory],
            stdin: RemoteScripts.gatherFacts(boundary: boundary))
        let facts = try HostFacts(sections: try FactStream.parse(gathered.stdout, boundary: boundary))
        let planB = Planner.plan(
            Fixture.host("local"), facts: facts, desired: Fixture.desired("  accept: [/dev/sda]\n"))
        #expect(planB.status == .changes, "\(planB.reasons)")
        #expect(try Self.apply(planB, in: directory, timestamp: "20261204T020000Z").0 == .changed)
        let afterB = try Self.read(directory + "/lvm.conf")
        #expect(afterB != afterA && afterB.contains("a|^/dev/sda$|"))

        // Undone newest first, each by its own backup.
        let first = try Self.rollback(in: directory, at: "20261204T030000Z")
        #expect(
            first.exitCode == 0 && first.steps.contains { $0.name == "rollback" && $0.result == .changed },
            "\(first.steps)")
        #expect(try Self.read(directory + "/lvm.conf") == afterA, "the first rollback undoes the second apply")
        #expect(try Self.rollback(in: directory, at: "20261204T040000Z").exitCode == 0)
        #expect(try Self.read(directory + "/lvm.conf") == Self.original, "the second rollback undoes the first apply")
        #expect(try Self.rollback(in: directory, at: "20261204T050000Z").exitCode == 5, "nothing left in force")

        // Applied again, then edited by hand: rollback shows what it would throw away and stops.
        #expect(try Self.apply(planA, in: directory, timestamp: "20261204T060000Z").0 == .changed)
        let edited = try Self.read(directory + "/lvm.conf") + "# tuned by hand after lvmguard\n"
        try edited.write(toFile: directory + "/lvm.conf", atomically: true, encoding: .utf8)
        let refused = try Self.rollback(in: directory, at: "20261204T070000Z")
        #expect(refused.exitCode == 1)
        #expect(
            refused.steps.contains {
                $0.name == "rollback" && $0.result == .refused && $0.message.contains("changed since")
            },
            "\(refused.steps)")
        #expect(
            refused.steps.contains { $0.name == "diff" && $0.message == "|-# tuned by hand after lvmguard" },
            "\(refused.steps)")
        #expect(try Self.read(directory + "/lvm.conf") == edited, "a refused rollback changes nothing")
        let forced = try Self.rollback(in: directory, at: "20261204T080000Z", force: true)
        #expect(forced.exitCode == 0, "\(forced.steps)")
        #expect(try Self.read(directory + "/lvm.conf") == Self.original)
        #expect(
            try Self.read(directory + "/lvm.conf.lvmguard-20261204T080000Z") == edited, "what --force replaced is kept")
    }
}
