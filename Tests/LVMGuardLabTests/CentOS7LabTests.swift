import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardRemote
@testable import LVMGuardTestSupport

/// The seed's platform booted: LVM 2.02.180 with lvmetad (lab/scenarios/centos7.sh, lab/build-lvm202.sh), where udev
/// feeds every PV to lvmetad and lvm2-pvscan@ autoactivates the guest's VG on the multipath map at boot; installed as
/// CentOS 7 installs itself: root, swap and data in the VG 'centos', booting the hostonly image dracut built with
/// `rd.lvm.lv=centos/root rd.lvm.lv=centos/swap`. Beside it nova with images_type=lvm: a guest's VG inside an instance's
/// disk LV of the host's VG 'nova', which 2.02 (scanning LVs for PVs) autoactivates at boot too.
@Suite(
    "CentOS 7 on a real host: LVM 2.02.180, lvmetad and root on LVM booting dracut's image, through apply, a power cycle and rollback",
    .serialized, .enabled(if: Runnable.labVMs, "needs root and qemu-system-x86_64 to start lab VMs"))
struct CentOS7LabTests {
    static let host = "c7"
    /// instance-0000002b's disk, an LV of the host's VG 'nova' (images_type=lvm), with the guest's VG 'instvg' inside.
    static let novaDisk = "nova/9b2d7c41-3e5f-4a6b-8c7d-0e1f2a3b4c5d_disk"
    /// What lvmetad itself knows: its whole cache (VG metadata, PVs, its filter's token), as `lvmetactl dump` prints it.
    static let lvmetadDump = "lvmetactl dump"
    /// LVM's view through lvmetad, as any command of the host sees it: no --config, so lvmetad answers.
    static let lvmetadPVs = "pvs --noheadings -o pv_uuid | tr -d ' ' | sort"
    /// Every LV by UUID and whether it is active, read from the disks (lvmetad bypassed, nothing filtered).
    /// The lab's policy with the initramfs rebuilt when its lvm.conf differs and checked: root is on LVM.
    static func playbook(_ lab: PrivateLab) throws -> String { try InitramfsLabTests.playbook(in: lab.state) }
    /// The lvm.conf inside the image the host boots (dracut's, named as on the RHEL family).
    static let imageLVMConf = "lsinitrd -f etc/lvm/lvm.conf /boot/initramfs-$(uname -r).img"
    static let everyLV =
        "lvs --noheadings -o vg_name,lv_uuid,lv_active --config 'global { use_lvmetad = 0 } "
        + "devices { global_filter = [ \"a|.*|\" ] filter = [ \"a|.*|\" ] }' | sort"

    @Test(
        "the incident on 2.02: plan leaves lvmetad as it was; apply fixes it in lvmetad's own view and gives dracut's image the links its filter needs; the guest's VG inside nova's disk LV goes down too and the LV is free; it boots through a power cycle; rollback brings lvmetad back"
    )
    func incident() throws {
        // The lab builds LVM 2.02.180 from its source archive, which a user's own clone may not have beside it.
        let source = try run([
            "bash", "-c", "source \"$(dirname \"$0\")/lib.sh\" && lvm202_source",
            LabHost.repository + "/lab/centos7",
        ])
        guard source.status == 0, !source.stdout.isEmpty else {
            Prerequisite.missing(
                "LVM 2.02.180's source: ../shared/sources/lvm2-2.02.180.tar.gz or $LVMGUARD_LVM202_SOURCE")
            #expect(Prerequisite.skipAllowed())
            return
        }
        guard let lab = try PrivateLab.start(["\(Self.host):centos7"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        #expect(
            lab.startForced(Self.host) == nil,
            "lvmetad autoactivated at boot, not the lab: \(lab.startForced(Self.host) ?? "")")
        try provesItsLVM(lab)
        lab.mark("booted")
        let ids = try GuestAndHost(lab)
        try diagnoses(lab, ids)
        let planFile = try plansReadOnly(lab, ids)
        lab.mark("diagnosed and planned")

        // dracut's lvm module leaves LVM's udev rule out of its image, so without lvmguard's rule the image would make no
        // lvm-pv-uuid links and, with the planned filter, never find the root's PV. apply writes the rule and the drop-in
        // first; the image it builds carries both, checked before it is renamed over the old one.
        let imageSum = "sha256sum < /boot/initramfs-$(uname -r).img"
        let before = try lab.text(Self.host, imageSum)
        #expect(try !imageMakesPVLinks(lab), "the image dracut built for this host makes no lvm-pv-uuid links")
        let confSum = "sha256sum < /etc/lvm/lvm.conf"
        let confBefore = try lab.text(Self.host, confSum)

        // Power cut once lvmguard's rule and drop-in are written: they survive (flushed, renamed), lvm.conf and the
        // image are the old ones, and the host boots as it did, the incident back with it.
        try lab.cutPower(Self.host, at: .pvLinks, ["apply", "--plan", planFile, "--yes", "--timeout", "900"])
        try bootsItsRoot(lab, "after a cut with the PV link files written")
        for (path, text) in PVLinkRule.files {
            #expect(try lab.ssh(Self.host, "cat \(path)").stdout == text, "\(path) whole after the cut")
        }
        #expect(try lab.text(Self.host, confSum) == confBefore && lab.text(Self.host, imageSum) == before)
        #expect(try lab.text(Self.host, Self.lvmetadPVs) == ids.everyPV)
        lab.mark("cut at pv-links, booted")

        // Power cut once lvm.conf is written too: the old image (old lvm.conf inside) finds the root; then lvmetad,
        // fed by udev under the new lvm.conf, never sees the guest's PV: fixed at boot already, the image not yet.
        try lab.cutPower(
            Self.host, at: .config, ["apply", "-i", "INVENTORY", try Self.playbook(lab), "--yes", "--timeout", "900"])
        try bootsItsRoot(lab, "after a cut with lvm.conf written")
        #expect(try lab.text(Self.host, confSum) != confBefore && lab.text(Self.host, imageSum) == before)
        try fixed(lab, ids, "after a cut with lvm.conf written")
        lab.mark("cut at config, booted")

        // The rerun converges: the files and lvm.conf are in place, the image is built with them (dracut's lvm module
        // leaves LVM's udev rule out; lvmguard's comes in through the drop-in), checked, and renamed over the old one.
        // dracut builds in about 3 min under emulation (a real host: seconds), past the default 300 s with the checks.
        let applied = try lab.lvmguard([
            "apply", "-i", "INVENTORY", try Self.playbook(lab), "--yes", "--timeout", "900",
        ])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2000)) \(applied.stderr.suffix(500))")
        #expect(!applied.stdout.contains("write \(PVLinkRule.rulePath)"), "the rule is in place: not planned again")
        #expect(
            applied.stdout.contains("initramfs: changed: dracut built /boot/initramfs-"),
            "\(applied.stdout.suffix(2000))")
        #expect(try lab.text(Self.host, imageSum) != before, "the host boots the new image")
        #expect(try lab.text(Self.host, Self.imageLVMConf).contains("lvm-pv-uuid-\(ids.hostPV)"), "with the filter")
        #expect(
            try lab.text(Self.host, "lsinitrd -f \(PVLinkRule.rulePath.dropFirst()) /boot/initramfs-$(uname -r).img")
                == PVLinkRule.ruleText.trimmingCharacters(in: .newlines), "and lvmguard's rule, through the drop-in")
        #expect(try imageMakesPVLinks(lab), "the image apply built makes them")
        #expect(
            try lab.text(Self.host, "ls /boot | grep -c lvmguard-new || true") == "0", "nothing of the build is left")
        try fixed(lab, ids, "after apply")
        #expect(try lab.ssh(Self.host, "multipath -f mpatha").status == 0, "os-brick's flush succeeds")
        _ = try lab.ssh(Self.host, "multipath >/dev/null 2>&1; udevadm settle")
        lab.mark("applied with the image built")

        // A power cycle: the new image makes the lvm-pv-uuid links, its filter accepts the root's PV by one, and it
        // activates centos/root and centos/swap; then lvmetad starts empty, udev feeds it every PV again, lvm2-pvscan@
        // activates the rest of 'centos' and not the map's VG.
        #expect(try lab.reboot(Self.host).status == 0)
        try fixed(lab, ids, "after the power cycle")
        try bootsItsRoot(lab, "after the power cycle")
        lab.mark("power cycled")

        // Under the policy that leaves the initramfs alone, a second apply changes nothing, lvm.conf's mtime stays; check
        // agrees.
        let mtime = try lab.text(Self.host, "stat -c %Y /etc/lvm/lvm.conf")
        let again = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(again.status == 0 && again.stdout.contains("changed=0 failed=0"), "\(again.stdout.suffix(1500))")
        #expect(try lab.text(Self.host, "stat -c %Y /etc/lvm/lvm.conf") == mtime)
        #expect(try lab.lvmguard(["check", "-i", "INVENTORY", ApplyLabTests.playbook]).status == 0)
        lab.mark("second apply and check")

        // rollback: the old lvm.conf, and lvmetad's view follows (pvscan --cache): the guest's PV is seen again.
        let backup = try lab.text(Self.host, "ls /etc/lvm/lvm.conf.lvmguard-* | head -n 1")
        let rolledBack = try lab.lvmguard(["rollback", "-i", "INVENTORY", try Self.playbook(lab), "--yes"])
        #expect(rolledBack.status == 0, "\(rolledBack.stdout.suffix(1500))")
        #expect(try lab.ssh(Self.host, "cmp -s /etc/lvm/lvm.conf \(backup)").status == 0, "the old lvm.conf is back")
        #expect(!(try lab.text(Self.host, Self.imageLVMConf)).contains("lvm-pv-uuid-"), "the image sets no such filter")
        #expect(
            rolledBack.stdout.contains("initramfs: changed: dracut built /boot/initramfs-"),
            "\(rolledBack.stdout.suffix(1500))")
        for path in [PVLinkRule.rulePath, PVLinkRule.dracutPath] {
            #expect(rolledBack.stdout.contains("pv-links: changed: removed \(path), which lvmguard wrote"))
            #expect(try lab.ssh(Self.host, "test -e \(path)").status != 0, "\(path) is gone")
        }
        #expect(try lab.text(Self.host, Self.lvmetadPVs) == ids.everyPV, "lvmetad sees the guests' PVs again")
        lab.mark("rolled back")

        // The image's content says which tool rebuilds it, not its name nor the tools installed: this host has
        // initramfs-tools too, and dracut's image named as Debian names it is still dracut's.
        #expect(try lab.ssh(Self.host, "command -v update-initramfs && command -v lsinitramfs").status == 0)
        _ = try lab.ssh(Self.host, "mv /boot/initramfs-$(uname -r).img /boot/initrd.img-$(uname -r)")
        let renamed = try lab.lvmguard(["plan", "-i", "INVENTORY", try Self.playbook(lab)])
        #expect(
            renamed.stdout.contains("dracut -f /boot/initrd.img-") && !renamed.stdout.contains("mkinitramfs"),
            "\(renamed.stdout.suffix(1500))")
    }

    /// The lab proves which LVM the host runs before anything counts: 2.02.180, use_lvmetad = 1, lvmetad running,
    /// Debian's lvm2 absent; and the incident itself: the guest VG autoactivated by lvm2-pvscan@ holds the map.
    func provesItsLVM(_ lab: PrivateLab) throws {
        #expect(try lab.text(Self.host, "lvm version | sed -n 's/^ *LVM version: *//p'").hasPrefix("2.02.180"))
        #expect(try lab.text(Self.host, "lvmconfig global/use_lvmetad") == "use_lvmetad=1")
        #expect(try lab.ssh(Self.host, "pgrep -x lvmetad").status == 0, "lvmetad runs")
        #expect(
            try lab.ssh(Self.host, "dpkg-query -W -f='${Status}' lvm2 2>/dev/null | grep -q 'ok installed'").status
                != 0,
            "Debian's lvm2 is not installed")
        let map = try lab.text(Self.host, "dmsetup info -c --noheadings -o major,minor --separator : mpatha")
        #expect(
            try lab.text(Self.host, "systemctl is-active lvm2-pvscan@\(map).service") == "active",
            "lvm2-pvscan@ autoactivated the map's VG")
        let flush = try lab.ssh(Self.host, "multipath -f mpatha")
        #expect(
            flush.status != 0 && (flush.stdout + flush.stderr).contains("map in use"), "the incident: \(flush.stderr)")
        // Its face on nova's VG: the guest's VG inside the instance's disk LV, autoactivated, holds the LV.
        #expect(try lab.text(Self.host, "lvs --noheadings -o lv_active instvg/root | tr -d ' '") == "active")
        #expect(
            try lab.ssh(Self.host, "lvremove --test -y \(Self.novaDisk)").status != 0, "nova cannot delete the disk")
    }

    /// The host came up as CentOS 7 does: root on centos/root (its marker file), booted with rd.lvm.lv, data mounted,
    /// swap on.
    func bootsItsRoot(_ lab: PrivateLab, _ when: String) throws {
        #expect(
            try lab.text(Self.host, "findmnt -n -o SOURCE /") == "/dev/mapper/centos-root", "root on LVM booted \(when)"
        )
        #expect(try lab.text(Self.host, "cat /owner") == "host centos/root")
        #expect(try lab.text(Self.host, "cat /proc/cmdline").contains("rd.lvm.lv=centos/root"))
        #expect(try lab.text(Self.host, "findmnt -n -o SOURCE /srv/data") == "/dev/mapper/centos-data", "data \(when)")
        #expect(
            try lab.text(Self.host, "swapon --noheadings --show=NAME | xargs -r readlink -f")
                == (try lab.text(Self.host, "readlink -f /dev/mapper/centos-swap")), "swap \(when)")
    }

    /// apply's own check of a built image (`initramfs_makes_pv_uuid_links` in remote/common.sh), run on the host against
    /// the image it boots: whether a udev rule inside it makes the lvm-pv-uuid links.
    func imageMakesPVLinks(_ lab: PrivateLab) throws -> Bool {
        let script =
            RemoteScripts.bounds + RemoteScripts.common + """
                TMP=$(mktemp -d) || exit 2
                initramfs_makes_pv_uuid_links dracut "/boot/initramfs-$(uname -r).img"; rc=$?
                rm -rf "$TMP"; exit $rc

                """
        let result = try lab.script(Self.host, script)
        #expect(result.status <= 1, "the check ran: \(result.stderr.suffix(500))")
        return result.status == 0
    }

    /// The UUIDs the test checks by, read before lvmguard runs.
    /// The guest's VG on the map and the one inside nova's disk LV ('instvg'), the host's PVs ('centos' on /dev/vdb,
    /// 'nova' on the SCSI disk).
    struct GuestAndHost {
        let guestVG: String, guestPV: String, hostPV: String, guestLVs: [String]
        let novaPV: String, nestedVG: String, nestedPV: String, nestedLVs: [String]
        init(_ lab: PrivateLab) throws {
            let config = "--config 'global { use_lvmetad = 0 }'"
            func text(_ command: String) throws -> String {
                try lab.text(CentOS7LabTests.host, command + " | tr -d ' ' | sort")
            }
            guestVG = try text("vgs --noheadings -o vg_uuid \(config) guestvg")
            guestPV = try text("pvs --noheadings -o pv_uuid \(config) /dev/mapper/mpatha")
            hostPV = try text("pvs --noheadings -o pv_uuid \(config) /dev/vdb")
            guestLVs = try text("lvs --noheadings -o lv_uuid \(config) guestvg").split(separator: "\n").map(String.init)
            novaPV = try text("pvs --noheadings -o pv_uuid \(config) /dev/disk/by-id/wwn-0x5000c50015ea71b0")
            nestedVG = try text("vgs --noheadings -o vg_uuid \(config) instvg")
            nestedPV = try text("pvs --noheadings -o pv_uuid \(config) --select vg_name=instvg")
            nestedLVs = try text("lvs --noheadings -o lv_uuid \(config) instvg").split(separator: "\n").map(String.init)
            #expect(!guestVG.isEmpty && !guestPV.isEmpty && !hostPV.isEmpty && guestLVs.count == 2)
            #expect(!novaPV.isEmpty && !nestedVG.isEmpty && !nestedPV.isEmpty && nestedLVs.count == 1)
        }
        /// Every PV by UUID, sorted, as lvmetad lists them when nothing is filtered out.
        var everyPV: String { [hostPV, novaPV, guestPV, nestedPV].sorted().joined(separator: "\n") }
        /// The host's PVs by UUID, sorted: all lvmetad may see once fixed.
        var hostPVs: String { [hostPV, novaPV].sorted().joined(separator: "\n") }
    }

    /// diagnose on 2.02, from os-brick's log line: the map, held by host LVM, the guest VG by UUID; read-only.
    func diagnoses(_ lab: PrivateLab, _ ids: GuestAndHost) throws {
        let wwid = try lab.text(Self.host, "dmsetup info -c --noheadings -o uuid mpatha").replacingOccurrences(
            of: "mpath-", with: "")
        let line =
            "ERROR os_brick.initiator.linuxscsi [req-7] multipath -f /dev/disk/by-id/dm-uuid-mpath-\(wwid) failed: "
            + "Exit code: 1 Stderr: 'mpatha: map in use'"
        let dump = try lab.text(Self.host, Self.lvmetadDump)
        let result = try lab.lvmguard([
            "diagnose", "-i", "INVENTORY", try Self.playbook(lab), "--host", Self.host,
            "--log-line", line, "--format", "json",
        ])
        #expect(result.status == 4, "held by host LVM: \(result.stdout.suffix(1500)) \(result.stderr.suffix(500))")
        let diagnosis = try JSONDecoder().decode(Diagnosis.self, from: Data(result.stdout.utf8))
        #expect(diagnosis.map == "mpatha" && diagnosis.wwid?.rawValue == wwid)
        #expect(diagnosis.guestVGs == ["guestvg (\(ids.guestVG))"], "\(diagnosis.guestVGs)")
        #expect(try lab.text(Self.host, Self.lvmetadDump) == dump, "diagnose left lvmetad's cache as it was")
    }

    /// plan names the guest VG by UUID, plans global_filter (never filter, which lvmetad does not apply), lvchange
    /// -an by LV UUID and pvscan --cache; it leaves lvmetad's cache exactly as it found it. Returns the saved plan.
    func plansReadOnly(_ lab: PrivateLab, _ ids: GuestAndHost) throws -> String {
        let dump = try lab.text(Self.host, Self.lvmetadDump)
        let activity = try lab.text(Self.host, Self.everyLV)
        let planFile = lab.state + "/plan.json"
        let plan = try lab.lvmguard([
            "plan", "-i", "INVENTORY", try Self.playbook(lab), "--out", planFile, "--detailed-exitcode",
        ])
        #expect(plan.status == 2, "\(plan.stdout.suffix(2000)) \(plan.stderr.suffix(500))")
        #expect(plan.stdout.contains("LVM 2.02.180"))
        #expect(plan.stdout.contains("guest VG guestvg (\(ids.guestVG))"))
        #expect(plan.stdout.contains("devices/global_filter:") && !plan.stdout.contains("devices/filter:"))
        #expect(
            plan.stdout.contains("lvm-pv-uuid-\(ids.hostPV)") && !plan.stdout.contains("lvm-pv-uuid-\(ids.guestPV)"))
        // nova's VG is the host's, its PV accepted by UUID; the guest's VG inside the instance's disk is a guest's.
        #expect(plan.stdout.contains("guest VG instvg (\(ids.nestedVG))"), "\(plan.stdout.suffix(3000))")
        #expect(plan.stdout.contains("on LV \(Self.novaDisk)"))
        #expect(
            plan.stdout.contains("lvm-pv-uuid-\(ids.novaPV)") && !plan.stdout.contains("lvm-pv-uuid-\(ids.nestedPV)"))
        // Nothing of either guest VG is held from outside: each comes down whole, by UUID (LVM 2.02's vgchange too).
        for vg in [ids.guestVG, ids.nestedVG] { #expect(plan.stdout.contains("vgchange -an --select vg_uuid=\(vg)")) }
        #expect(plan.stdout.contains("pvscan --cache"))
        #expect(plan.stdout.contains("dracut -f /boot/initramfs-"), "the image is rebuilt by the tool that built it")
        #expect(plan.stdout.contains("write \(PVLinkRule.rulePath)   # lvm-pv-uuid links inside dracut's initramfs"))
        #expect(plan.stdout.contains("write \(PVLinkRule.dracutPath)"))
        #expect(try lab.text(Self.host, Self.lvmetadDump) == dump, "plan left lvmetad's cache exactly as it was")
        #expect(try lab.text(Self.host, Self.everyLV) == activity, "plan activated or deactivated nothing")
        return planFile
    }

    /// The fixed state, as lvmetad and the kernel see it: no guest PV in lvmetad's view, the host's PVs there, no guest
    /// LV active, the map not held, the host's VGs active, nova's disk LV free to delete.
    func fixed(_ lab: PrivateLab, _ ids: GuestAndHost, _ when: String) throws {
        #expect(try lab.text(Self.host, Self.lvmetadPVs) == ids.hostPVs, "lvmetad sees the host's PVs only, \(when)")
        let lvs = try lab.text(Self.host, Self.everyLV).split(separator: "\n").map {
            $0.split(separator: " ").map(String.init)
        }
        for guest in ["guestvg", "instvg"] {
            #expect(lvs.contains { $0.first == guest }, "\(guest) is still there \(when): \(lvs)")
            #expect(
                lvs.filter { $0.first == guest }.allSatisfy { $0.count == 2 },
                "no LV of \(guest) active \(when): \(lvs)")
        }
        for own in ["centos", "nova"] {
            #expect(
                lvs.filter { $0.first == own }.allSatisfy { $0.last == "active" },
                "the host's \(own) active \(when): \(lvs)")
        }
        #expect(
            try lab.text(Self.host, "dmsetup info -c --noheadings -o open mpatha") == "0", "the map is not held \(when)"
        )
        #expect(
            try lab.ssh(Self.host, "lvremove --test -y \(Self.novaDisk)").status == 0,
            "nova could delete its disk \(when)")
    }
}
