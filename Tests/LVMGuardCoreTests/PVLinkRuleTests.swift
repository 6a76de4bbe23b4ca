import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// `PVLinkRuleDecision`: a dracut host whose filter accepts PVs by lvm-pv-uuid links gets lvmguard's udev rule and
/// dracut drop-in, because dracut's images leave LVM's own rule out (CentOS7LabTests boots one). From the CentOS 7
/// fixture, its host PV given the link LVM's rule makes and its initramfs a dracut image.
@Suite("PV link rule: a dracut host's initramfs must make the links its filter accepts PVs by")
struct PVLinkRuleTests {
    static let hostPV = "PDLike-iQnT-Mv8C-xODZ-hapY-ggEZ-sv7nzd"

    /// The fixture as a dracut host: loop0 has its lvm-pv-uuid link, the image is dracut's, and the rule's files are
    /// as given (path to text; nil: not looked for, as in facts from before this decision).
    static func plan(
        tool: String = "dracut", files: [String: String]? = [:], lvmConf: String? = nil, extra: String = ""
    ) throws -> HostPlan {
        Planner.plan(
            Fixture.host("c7", hostVGs: ["vghost"], variables: LVM202Tests.trustsCreationHost),
            facts: try Fixture.facts(LVM202Tests.fixture) { sections in
                LVM202Tests.loop1OnISCSI(&sections)
                sections["dev-links"] = sections["dev-links"]!.with(
                    stdout: "/dev/disk/by-id/lvm-pv-uuid-\(hostPV) /dev/loop0\n")
                let image =
                    tool == "dracut" ? "/boot/initramfs-3.10.0-957.el7.x86_64.img" : "/boot/initrd.img-6.1.0-28-amd64"
                sections["initramfs"] = sections["initramfs"]!.with(stdout: "\(tool) \(image)\n")
                if let lvmConf {
                    sections["lvm-conf"] = sections["lvm-conf"]!.with(stdout: lvmConf)
                    sections["config:devices/global_filter"] = sections["config:devices/global_filter"]!.with(
                        stdout: #"global_filter=["a|^/dev/disk/by-id/lvm-pv-uuid-\#(hostPV)$|","r|.*|"]"# + "\n")
                }
                if let files {
                    let lines = files.sorted { $0.key < $1.key }.map {
                        "\($0.key) \(Data($0.value.utf8).base64EncodedString())\n"
                    }
                    sections["pv-link-files"] = FactSection(
                        name: "pv-link-files", status: 0, stdout: lines.joined(), stderr: "")
                }
            }, desired: Fixture.desired(extra))
    }

    @Test("a filter by lvm-pv-uuid links on a dracut host: the rule and the drop-in are written first, then lvm.conf")
    func writesBoth() throws {
        let plan = try Self.plan()
        #expect(plan.status == .changes, "\(plan.reasons)")
        #expect(plan.configEdit?.planned == #"[ "a|^/dev/disk/by-id/lvm-pv-uuid-\#(Self.hostPV)$|", "r|.*|" ]"#)
        #expect(plan.bootFiles.map(\.path) == [PVLinkRule.rulePath, PVLinkRule.dracutPath])
        #expect(plan.bootFiles.allSatisfy { !$0.replaces })
        #expect(
            plan.commands.prefix(3) == [
                "write /etc/udev/rules.d/69-lvmguard-pv-uuid.rules   # lvm-pv-uuid links inside dracut's initramfs",
                "write /etc/dracut.conf.d/90-lvmguard-pv-uuid.conf   # dracut carries that rule into every image",
                "write /etc/lvm/lvm.conf (validated with lvmconfig --validate, tried with pvs, backup kept)",
            ])
        // The rule makes the links LVM's rule makes, for LVM2 labels only, never on a multipath map's paths.
        #expect(PVLinkRule.ruleText.contains(#"SYMLINK+="disk/by-id/lvm-pv-uuid-$env{ID_FS_UUID_ENC}""#))
        #expect(PVLinkRule.ruleText.contains(#"ENV{DM_MULTIPATH_DEVICE_PATH}=="1", GOTO="#))
        #expect(PVLinkRule.dracutText.contains(#"install_items+=" \#(PVLinkRule.rulePath) ""#))

        let request = try ApplyRequest(plan: plan, hostVGs: [], guestVGs: [], timestamp: "20261204T120000Z")
        #expect(request.variables.contains { $0 == ("LVMGUARD_PV_LINK_FILES", "1") })
        #expect(request.data.contains { $0 == ("pv_link_rule", PVLinkRule.ruleText) })
        #expect(request.data.contains { $0 == ("pv_link_dracut", PVLinkRule.dracutText) })
    }

    @Test("whatever the initramfs policy: the host's own next dracut run must build an image that boots")
    func everyPolicy() throws {
        for policy in ["check", "ignore", "rebuild-if-needed"] {
            let plan = try Self.plan(extra: "initramfs: \(policy)\n")
            #expect(plan.bootFiles.count == 2, "\(policy)")
        }
    }

    @Test("files in place and lvm.conf applied: in sync; one file changed by hand: replaced, the other left")
    func converges() throws {
        let planned = try #require(try Self.plan().configEdit?.plannedText)
        let inPlace = Dictionary(uniqueKeysWithValues: PVLinkRule.files.map { ($0.path, $0.text) })
        let after = try Self.plan(files: inPlace, lvmConf: planned, extra: "initramfs: ignore\n")
        #expect(after.status == .inSync, "\(after.reasons) \(after.commands)")
        #expect(after.bootFiles.isEmpty)

        var edited = inPlace
        edited[PVLinkRule.rulePath] = "# emptied by hand\n"
        let mended = try Self.plan(files: edited, lvmConf: planned, extra: "initramfs: ignore\n")
        #expect(mended.status == .changes)
        #expect(mended.bootFiles.map(\.path) == [PVLinkRule.rulePath])
        #expect(mended.bootFiles.first?.replaces == true)
        #expect(mended.configEdit == nil)
    }

    @Test("not written: an initramfs-tools host, facts that did not look, a filter by kernel names")
    func notWritten() throws {
        #expect(try Self.plan(tool: "initramfs-tools").bootFiles.isEmpty)
        #expect(try Self.plan(files: nil).bootFiles.isEmpty)
        // The fixture as captured has no link for loop0: the filter names /dev/loop0, which dracut's image has.
        let byName = try LVM202Tests.plan(hostVGs: ["vghost"], "", LVM202Tests.loop1OnISCSI)
        #expect(byName.bootFiles.isEmpty)
    }

    @Test("the gather's 'PATH BASE64' lines: only lvmguard's two paths are read")
    func parsesFacts() throws {
        let files = HostFacts.pvLinkFiles(
            "\(PVLinkRule.rulePath) \(Data("x\n".utf8).base64EncodedString())\n/etc/passwd cm9vdAo=\n\(PVLinkRule.dracutPath)\n"
        )
        #expect(files == [PVLinkRule.rulePath: "x\n", PVLinkRule.dracutPath: ""])
    }
}
