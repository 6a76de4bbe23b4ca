import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

@Suite(
    "the initramfs on a real host: root on LVM booting its own initramfs-tools image", .serialized,
    .enabled(if: Runnable.labVMs, "needs root and qemu-system-x86_64 to start lab VMs"))
struct InitramfsLabTests {
    /// The lab policy with the initramfs rebuilt when its copy of lvm.conf differs, and checked, written in `directory`.
    static func playbook(in directory: String) throws -> String {
        let lab = try String(contentsOfFile: ApplyLabTests.playbook, encoding: .utf8)
        let text = lab.replacingOccurrences(of: "initramfs: check", with: "initramfs: rebuild-if-needed")
            .replacingOccurrences(of: "filter-effective]", with: "filter-effective, initramfs-current]")
        #expect(text != lab && text.contains("initramfs-current"))
        let path = directory + "/root-on-lvm.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The global_filter of the lvm.conf inside the initramfs the next boot uses, read by the host's lvmconfig.
    static let initramfsFilter =
        "d=$(mktemp -d); unmkinitramfs /boot/initrd.img-$(uname -r) $d; "
        + "f=$(find $d -path '*/etc/lvm/lvm.conf' | head -n 1); LVM_SYSTEM_DIR=${f%/lvm.conf} lvmconfig devices/global_filter 2>&1; rm -rf $d"
    static let initramfsSum = "sha256sum < /boot/initrd.img-$(uname -r)"
    /// How many segments root has (one per PV it spans here).
    static let rootSegments = "lvs --noheadings --segments -o devices rootvg/root | grep -c ."
    /// Fills /boot to 2 MB free: too little for a new image beside the old one.
    static let fillBoot = "fallocate -l $(( $(df -Pk /boot | awk 'END { print $4 }') - 2048 ))K /boot/fill"

    /// Starts an apply and cuts the host's power (qemu killed, no shutdown) 5 s into its initramfs build, then powers
    /// it on again. The controller's run reports the state as unknown.
    static func cutPowerDuringInitramfsBuild(_ lab: PrivateLab, _ host: String, playbook: String) throws {
        let apply = try Child.spawn([
            LabHost.repository + "/.build/debug/lvmguard", "apply", "-i", lab.inventory, playbook, "--yes",
        ])
        let building = try lab.ssh(
            host,
            "i=0; until pgrep -x mkinitramfs >/dev/null; do i=$((i + 1)); "
                + "[ $i -le 3000 ] || exit 1; sleep 0.05; done; sleep 5")
        #expect(building.status == 0, "the apply reached its initramfs build")
        let cut = try run(
            [LabHost.repository + "/lab/power-cut.sh", host], environment: ["LVMGUARD_LAB_STATE": lab.state])
        #expect(cut.status == 0, "\(cut.stderr.suffix(1500))")
        let outcome = apply.wait()
        #expect(outcome.status != 0 && outcome.stdout.contains("state unknown"), "\(outcome.stdout.suffix(1500))")
    }

    @Test(
        "apply rebuilds the initramfs, also after a power cut in the build; the host boots on its root VG with the guest off; rollback rebuilds it back"
    )
    func rootOnLVM() throws {
        guard let lab = try PrivateLab.start(["r-root:root-on-lvm"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "r-root", playbook = try Self.playbook(in: lab.state)
        // Booted by its own initramfs onto rootvg/root; the guest VG active on the map (the incident).
        #expect(try lab.text(host, "findmnt -n -o SOURCE /") == "/dev/mapper/rootvg-root")
        #expect(try lab.text(host, "cat /owner") == "host rootvg/root")
        #expect(try lab.text(host, "dmsetup info -c --noheadings -o open mpatha") != "0", "the guest holds the map")
        #expect(
            try lab.text(host, Self.initramfsFilter).contains("not found"),
            "the initramfs's lvm.conf sets no filter yet")

        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", playbook])
        #expect(
            plan.stdout.contains("rebuild (initramfs-tools)") && plan.stdout.contains("host VG rootvg"),
            "\(plan.stdout.suffix(2500))")
        let before = try lab.text(host, Self.initramfsSum)
        let original = try lab.text(host, "sha256sum < /etc/lvm/lvm.conf")

        // /boot full: apply stops before its first change, naming the file system; freed, the rest goes on.
        #expect(try lab.ssh(host, Self.fillBoot).status == 0)
        let full = try lab.lvmguard(["apply", "-i", "INVENTORY", playbook, "--yes"])
        #expect(
            full.status == 1 && full.stdout.contains("initramfs: failed: the file system at /boot has")
                && full.stdout.contains("nothing was changed"), "\(full.stdout.suffix(1500))")
        #expect(try lab.text(host, "sha256sum < /etc/lvm/lvm.conf") == original, "lvm.conf unchanged with /boot full")
        #expect(try lab.text(host, Self.initramfsSum) == before, "the image unchanged with /boot full")
        #expect(try lab.ssh(host, "rm /boot/fill").status == 0)

        // A power cut while the initramfs is being built: the host boots its old image, whole, on its own root.
        try Self.cutPowerDuringInitramfsBuild(lab, host, playbook: playbook)
        #expect(
            try lab.text(host, "findmnt -n -o SOURCE /") == "/dev/mapper/rootvg-root",
            "booted on its own root after the cut")
        #expect(try lab.text(host, Self.initramfsSum) == before, "the image the host boots is the old one, whole")
        #expect(try lab.text(host, "lvmconfig --validate >/dev/null 2>&1 && echo valid") == "valid")
        let cutConf = try lab.text(host, "sha256sum < /etc/lvm/lvm.conf")
        let cutFilter = try lab.text(host, "lvmconfig devices/global_filter 2>&1")
        #expect(
            cutConf == original || cutFilter.contains("r|.*|"), "lvm.conf is the old or the planned file: \(cutFilter)")

        // The rerun converges: it rebuilds the image (beside it, renamed over) and leaves nothing of the cut run.
        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", playbook, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2500))")
        #expect(
            applied.stdout.contains("initramfs: changed: mkinitramfs built /boot/initrd.img-"),
            "\(applied.stdout.suffix(2500))")
        #expect(
            try lab.text(host, "ls /boot | grep -c 'lvmguard-new' || true") == "0",
            "built beside the image, renamed over it")
        #expect(
            try lab.text(host, "ls /boot | grep -c 'initrd.img-.*\\.lvmguard-2' || true") == "1",
            "the old image is kept")
        #expect(applied.stdout.contains("check initramfs-current: ok"))
        #expect(try lab.text(host, Self.initramfsSum) != before, "the image the next boot uses was rebuilt")
        let inside = try lab.text(host, Self.initramfsFilter)
        #expect(
            inside.contains("lvm-pv-uuid-") && inside.contains("r|.*|"),
            "the initramfs carries the planned filter: \(inside)")

        // A power cycle through that initramfs: root on its VG, the guest VG inactive, the map free.
        #expect(try lab.reboot(host).status == 0)
        #expect(try lab.text(host, "findmnt -n -o SOURCE /") == "/dev/mapper/rootvg-root")
        #expect(try lab.text(host, "cat /owner") == "host rootvg/root")
        #expect(
            try lab.text(
                host, "lvs --noheadings \(IdentityLabTests.permissive) -o lv_active guestvg | tr -d ' ' | sort -u")
                == "")
        #expect(try lab.text(host, "dmsetup info -c --noheadings -o open mpatha") == "0")
        #expect(try lab.ssh(host, "multipath -f mpatha").status == 0)
        let check = try lab.lvmguard(["check", "-i", "INVENTORY", playbook])
        #expect(check.status == 0 && check.stdout.contains("initramfs-current: ok"), "\(check.stdout)")
        let rebuilt = try lab.text(host, Self.initramfsSum)
        let again = try lab.lvmguard(["apply", "-i", "INVENTORY", playbook, "--yes"])
        #expect(again.status == 0 && again.stdout.contains("changed=0 failed=0"), "\(again.stdout.suffix(1500))")
        #expect(try lab.text(host, Self.initramfsSum) == rebuilt, "a second apply leaves the initramfs alone")

        // rollback shows what it will restore, then restores lvm.conf and rebuilds the initramfs from it.
        let preview = try lab.lvmguard(["rollback", "-i", "INVENTORY", playbook, "--dry-run"])
        #expect(preview.status == 0, "\(preview.stdout)")
        #expect(
            preview.stdout.contains("r-root: will restore")
                && preview.stdout.contains("-\tglobal_filter = [ \"a|^/dev/disk/by-id/lvm-pv-uuid-"),
            "\(preview.stdout)")
        #expect(preview.stdout.contains("initramfs: rebuild /boot/initrd.img-"), "\(preview.stdout)")
        #expect(try lab.text(host, Self.initramfsSum) == rebuilt, "a preview changes nothing")
        // /boot full: rollback too stops before its first change.
        #expect(try lab.ssh(host, Self.fillBoot).status == 0)
        let fullRollback = try lab.lvmguard(["rollback", "-i", "INVENTORY", playbook, "--yes"])
        #expect(
            fullRollback.status == 1 && fullRollback.stdout.contains("nothing was changed"),
            "\(fullRollback.stdout.suffix(1500))")
        #expect(try lab.text(host, Self.initramfsSum) == rebuilt, "the image unchanged with /boot full")
        #expect(
            try lab.text(host, "lvmconfig devices/global_filter").contains("r|.*|"),
            "lvm.conf unchanged with /boot full")
        #expect(try lab.ssh(host, "rm /boot/fill").status == 0)
        let restored = try lab.lvmguard(["rollback", "-i", "INVENTORY", playbook, "--yes", "--format", "json"])
        #expect(restored.status == 0, "\(restored.stdout) \(restored.stderr.suffix(1500))")
        let run = try JSONDecoder().decode(ApplyRun.self, from: Data(restored.stdout.utf8))
        #expect(run.format == "lvmguard-rollback" && run.hosts.first?.outcome == .changed)
        #expect(run.hosts.first?.steps.contains { $0.name == "initramfs" && $0.result == .changed } == true)
        #expect(
            try lab.text(host, Self.initramfsFilter).contains("not found"),
            "the initramfs agrees with the restored lvm.conf")
        #expect(
            try lab.text(host, "ls /boot | grep -c 'initrd.img-.*\\.lvmguard-2' || true") == "1",
            "one old image kept, the one the rollback's build replaced")
        let after = try lab.lvmguard(["check", "-i", "INVENTORY", playbook])
        #expect(after.stdout.contains("initramfs-current: ok"), "\(after.stdout)")
    }

    @Test(
        "root extended onto a new disk between plan and apply: the saved plan is refused as stale, nothing changed; the host boots"
    )
    func rootExtendedAfterPlan() throws {
        guard let lab = try PrivateLab.start(["r-grow:root-on-lvm"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "r-grow", playbook = try Self.playbook(in: lab.state)
        let planFile = lab.state + "/plan.json"
        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", playbook, "--out", planFile, "--detailed-exitcode"])
        #expect(plan.status == 2, "\(plan.stdout.suffix(1500))")
        let (conf, image) = (try lab.text(host, "sha256sum < /etc/lvm/lvm.conf"), try lab.text(host, Self.initramfsSum))

        // A disk added to the running host, and root grown onto it: the plan's filter would leave that PV out.
        let disk = lab.state + "/hosts/\(host)/extra.img"
        try #require(run(["truncate", "-s", "256M", disk]).status == 0)
        let plugged = try run([
            LabHost.repository + "/lab/qmp.py", lab.state + "/hosts/\(host)/qmp.sock", "hotplug", disk,
            "LVMGUARDEXTRA01",
        ])
        #expect(plugged.status == 0, "\(plugged.stderr)")
        let grown = try lab.ssh(
            host,
            "set -e; d=/dev/disk/by-id/virtio-LVMGUARDEXTRA01; i=0; until [ -e $d ]; do i=$((i + 1)); "
                + "[ $i -le 200 ] || exit 1; sleep 0.1; done; pvcreate -q $d; vgextend -q rootvg $d; "
                + "lvextend -q -r -L +64M rootvg/root $d")
        #expect(grown.status == 0, "\(grown.stdout)\(grown.stderr)")
        #expect(try lab.text(host, Self.rootSegments) == "2", "root spans two PVs")

        let applied = try lab.lvmguard(["apply", "--plan", planFile, "--yes"])
        #expect(applied.status == 1 && applied.stdout.contains("\(host): stale"), "\(applied.stdout.suffix(1500))")
        #expect(applied.stdout.contains("PVs joined or left a VG since the plan"), "\(applied.stdout.suffix(1500))")
        #expect(try lab.text(host, "sha256sum < /etc/lvm/lvm.conf") == conf, "lvm.conf unchanged")
        #expect(try lab.text(host, Self.initramfsSum) == image, "the initramfs unchanged")
        #expect(try lab.text(host, "ls /etc/lvm | grep -c lvmguard || true") == "0", "no backup, no journal")

        // The disk stays attached (lab/lib.sh boots with extra.img): the host boots on its root, now on two PVs.
        #expect(try lab.reboot(host).status == 0)
        #expect(try lab.text(host, "findmnt -n -o SOURCE /") == "/dev/mapper/rootvg-root")
        #expect(try lab.text(host, "cat /owner") == "host rootvg/root")
        #expect(try lab.text(host, Self.rootSegments) == "2", "root still spans both PVs")
    }
}
