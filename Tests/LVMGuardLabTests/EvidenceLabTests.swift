import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// The evidence rules on real VMs: each shape that "on a multipath map and unused" gets wrong, built for real.
@Suite(
    "Evidence on real hosts: an unused host VG on a LUN, a mounted guest volume, kolla's libvirt, a cloned PV",
    .serialized, .enabled(if: Runnable.labVMs, "needs root and qemu-system-x86_64 to start lab VMs"))
struct EvidenceLabTests {
    static let instanceUUID = "0f3c6d52-8a4e-4b7e-9b1d-2e6a5c7d8f90"
    /// Every device, whatever the host's filter or devices file says.
    static let permissive = "--config 'devices { global_filter = [ \"a|.*|\" ] use_devicesfile = 0 }'"

    @Test(
        "an unused host VG on a multipath LUN blocks the plan; declared, apply keeps it through a power cycle; then a PV cloned onto the guest's LUN blocks, naming both devices"
    )
    func backupVGThenClone() throws {
        guard let lab = try PrivateLab.start(["n-backup:backup-vg"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "n-backup"
        let backup = try #require(
            VGUUID(try lab.text(host, "vgs --noheadings \(Self.permissive) -o vg_uuid backupvg | tr -d ' '")))
        #expect(try lab.text(host, "lvs --noheadings -o lv_active backupvg/daily | tr -d ' '") == "active")
        let before = try lab.text(host, "sha256sum /etc/lvm/lvm.conf")

        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--format", "json"])
        let fleet = try JSONDecoder().decode(FleetPlan.self, from: Data(plan.stdout.utf8))
        let planned = try #require(fleet.hosts.first)
        #expect(planned.status == .blocked, "\(planned.reasons)")
        #expect(
            planned.blockers.map(\.kind).contains {
                if case let .unclassifiedVG(vg) = $0 { vg.uuid == backup } else { false }
            },
            "\(planned.reasons)")
        #expect(planned.deactivations.isEmpty && planned.configEdit == nil)
        #expect(try lab.text(host, "sha256sum /etc/lvm/lvm.conf") == before, "plan changes nothing")

        // Declared the host's (host_vars beside the inventory, as Ansible reads them).
        try lab.hostVars(host, "lvmguard_host_vgs: [backupvg]\n")
        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2500))")
        for phase in ["after apply", "after a power cycle"] {
            if phase == "after a power cycle" { #expect(try lab.reboot(host).status == 0) }
            #expect(
                try lab.text(host, "lvs --noheadings -o lv_active backupvg/daily | tr -d ' '") == "active",
                "\(phase): the host's backup VG is active")
            #expect(
                try lab.text(host, "lvs --noheadings \(Self.permissive) -o lv_active guestvg | tr -d ' ' | sort -u")
                    == "",
                "\(phase): the guest VG is inactive")
            #expect(
                try lab.text(host, "dmsetup info -c --noheadings -o open mpatha") == "0",
                "\(phase): the guest's map is free")
        }
        let again = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--detailed-exitcode"])
        #expect(again.status == 0, "in sync after the power cycle: \(again.stdout.suffix(1500))")

        // A clone: backupvg's PV label and metadata copied onto the guest's (now free) LUN. One PV UUID, two maps.
        let clone = try lab.ssh(
            host,
            "dd if=/dev/mapper/mpathb of=/dev/mapper/mpatha bs=1M count=4 oflag=direct 2>&1 "
                + "&& udevadm trigger --action=change /dev/mapper/mpatha && udevadm settle")
        try #require(clone.status == 0, "\(clone.stdout)")
        let blocked = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--format", "json"])
        let cloned = try #require(try JSONDecoder().decode(FleetPlan.self, from: Data(blocked.stdout.utf8)).hosts.first)
        #expect(cloned.status == .blocked)
        let duplicate = cloned.blockers.compactMap {
            if case let .duplicatePV(_, devices) = $0.kind { devices } else { nil }
        }.first
        #expect(Set(duplicate?.map(\.path) ?? []) == ["/dev/mapper/mpatha", "/dev/mapper/mpathb"], "\(cloned.reasons)")
        #expect(duplicate?.flatMap(\.identities).contains("/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ac") == true)
        #expect(duplicate?.flatMap(\.identities).contains("/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ad") == true)
    }

    @Test(
        "a guest's volume the host mounted blocks the host, naming the mount and the guest's creation host",
        .enabled(if: Runnable.sharedLab, "needs the shared lab running: scripts/test.sh starts it with lab/start.sh"))
    func mountedGuestVolume() throws {
        guard let host = LabHost.running("incident") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let mount = try host.run(
            "mkfs.ext4 -q /dev/guestvg/data && mkdir -p /mnt/guest && mount /dev/guestvg/data /mnt/guest")
        defer { _ = try? host.run("umount /mnt/guest; wipefs -q -a /dev/guestvg/data") }
        try #require(mount.status == 0, "\(mount.stderr)")
        let before = try host.lvmState()
        let planned = try Self.plan(host)
        #expect(planned.status == .blocked && planned.configEdit == nil && planned.devicesFileEdit == nil)
        guard case let .guestVGInUse(vg)? = planned.blockers.first?.kind else {
            Issue.record("\(planned.reasons)")
            return
        }
        #expect(vg.uses == ["LV data is mounted at /mnt/guest"])
        #expect(vg.evidence.foreignCreationHosts == ["guest-vm-0042"])
        #expect(vg.evidence.instances.contains { $0.hasPrefix("instance-0000002a (\(Self.instanceUUID))") })
        #expect(try host.lvmState() == before, "plan changes nothing")
    }

    @Test(
        "kolla: no virsh, the running domain's status XML under /run and its definition in the docker volume",
        .enabled(if: Runnable.sharedLab, "needs the shared lab running: scripts/test.sh starts it with lab/start.sh"))
    func kolla() throws {
        guard let host = LabHost.running("incident") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        let volume = "/var/lib/docker/volumes/nova_libvirt_qemu/_data"
        let setUp = try host.run(
            "systemctl start libvirtd && virsh start --paused instance-0000002a >/dev/null "
                + "&& mkdir -p \(volume) && mv /etc/libvirt/qemu/instance-0000002a.xml \(volume)/ "
                + "&& mv /usr/bin/virsh /usr/bin/virsh.lab-hidden && test -s /run/libvirt/qemu/instance-0000002a.xml")
        defer {
            _ = try? host.run(
                "mv /usr/bin/virsh.lab-hidden /usr/bin/virsh; mv \(volume)/instance-0000002a.xml /etc/libvirt/qemu/; "
                    + "virsh destroy instance-0000002a; systemctl stop libvirtd; rm -rf /var/lib/docker")
        }
        try #require(setUp.status == 0, "\(setUp.stderr)")
        let diagnose = try LabHost.lvmguard([
            "diagnose", "-i", LabHost.inventory, ApplyLabTests.playbook, "--host", host.name,
            "--instance", Self.instanceUUID, "--format", "json",
        ])
        let diagnosis = try JSONDecoder().decode(Diagnosis.self, from: Data(diagnose.stdout.utf8))
        #expect(diagnosis.map == "mpatha", "\(diagnose.stdout.suffix(1500)) \(diagnose.stderr.suffix(500))")
        #expect(diagnosis.instances.map(\.domainUUID) == [Self.instanceUUID])
        #expect(diagnosis.instances.map(\.origin) == ["/run/libvirt/qemu/instance-0000002a.xml"])
        #expect(diagnosis.instances.map(\.state) == [.running])
        let plan = try LabHost.lvmguard(["plan", "-i", LabHost.inventory, ApplyLabTests.playbook, "--limit", host.name])
        #expect(plan.stdout.contains("used by instance-0000002a (\(Self.instanceUUID))"), "\(plan.stdout.suffix(2000))")
    }

    @Test(
        "a host disk detached while planning and attached again after apply stays the host's: its VG is active after a power cycle"
    )
    func hostDiskDetachedWhilePlanning() throws {
        guard let lab = try PrivateLab.start(["n-detach:renamed-disks"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "n-detach"
        let first = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(first.status == 0, "\(first.stdout.suffix(2500))")
        let pvid = try #require(
            PVUUID(try lab.text(host, "pvs --noheadings -o pv_uuid \(IdentityLabTests.localDisk) | tr -d ' -'")))
        #expect(
            try lab.text(host, "cat /etc/lvm/devices/system.devices").contains("PVID=\(pvid.compact)"),
            "the host disk is listed")

        // The disk goes away as an operator takes it out: unmounted, its VG deactivated, the SCSI device deleted.
        // Meanwhile the guest VG is active again (as a host that lost its filter would have it).
        let detach = try lab.ssh(
            host,
            "umount /srv/data && vgchange -q -an hostvg && sd=$(readlink -f \(IdentityLabTests.localDisk)) "
                + "&& echo 1 > /sys/block/${sd#/dev/}/device/delete && udevadm settle && ! test -e \(IdentityLabTests.localDisk) "
                + "&& vgchange -q -ay \(Self.permissive) guestvg")
        try #require(detach.status == 0, "\(detach.stdout) \(detach.stderr)")

        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--format", "json"])
        let planned = try #require(try JSONDecoder().decode(FleetPlan.self, from: Data(plan.stdout.utf8)).hosts.first)
        #expect(planned.status == .changes, "\(planned.reasons)")
        #expect(planned.deactivations.map(\.vgName) == ["guestvg"])
        #expect(
            planned.warnings.map(\.kind).contains {
                if case let .keptDevicesFileEntry(_, kept) = $0 { kept == pvid } else { false }
            },
            "the absent disk's entry is kept, and said so: \(planned.warnings.map(\.message))")
        #expect(!(planned.devicesFileEdit?.removePVIDs.contains(pvid) ?? false))
        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2500))")
        #expect(
            try lab.text(host, "cat /etc/lvm/devices/system.devices").contains("PVID=\(pvid.compact)"),
            "still listed after apply")

        // Attached again (a rescan finds it), then a power cycle: the host's VG comes up and mounts.
        let attach = try lab.ssh(
            host,
            "for scan in /sys/class/scsi_host/host*/scan; do echo '- - -' > $scan; done; "
                + "udevadm settle; test -e \(IdentityLabTests.localDisk)")
        try #require(attach.status == 0, "\(attach.stderr)")
        #expect(try lab.reboot(host).status == 0)
        #expect(
            try lab.text(host, "cat /srv/data/owner") == "host hostvg/data on the local SCSI disk",
            "the host's VG is mounted")
        #expect(try lab.text(host, "lvs --noheadings -o lv_active hostvg/data | tr -d ' '") == "active")
        try IdentityLabTests.expectGuestFreedAndInSync(lab, host)
    }

    @Test(
        "a guest VG striped over two LUNs with one detached: the host is fixed, the VG reported partial; attached again, it stays off"
    )
    func partialGuestVG() throws {
        guard let lab = try PrivateLab.start(["n-partial:partial-guest"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "n-partial"
        let guest = try #require(
            VGUUID(try lab.text(host, "vgs --noheadings \(Self.permissive) -o vg_uuid guestvg | tr -d ' '")))
        // Map names follow the bindings of whichever LUN came first: the LUNs are named by WWID here.
        let (first, second) = ("mpath-35000c50015ea71ac", "mpath-35000c50015ea71ad")
        func openCount(_ uuid: String) throws -> String {
            try lab.text(host, "dmsetup info -c --noheadings -o open -u \(uuid)")
        }
        #expect(try openCount(second) == "1", "host LVM holds the second LUN too")

        // The second volume detached: a power cycle without it.
        let disks = lab.state + "/hosts/\(host)"
        try FileManager.default.moveItem(atPath: disks + "/lun2.img", toPath: disks + "/lun2.detached")
        #expect(try lab.reboot(host).status == 0)
        #expect(
            try lab.text(host, "test -e /dev/disk/by-id/dm-uuid-\(second) && echo attached || echo detached")
                == "detached")

        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--format", "json"])
        let planned = try #require(try JSONDecoder().decode(FleetPlan.self, from: Data(plan.stdout.utf8)).hosts.first)
        #expect(planned.status == .changes, "not blocked: \(planned.reasons)")
        let partial = planned.ownership?.guestVGs.first { $0.uuid == guest }
        #expect(partial?.partial == "partial: 1 of 2 PVs present", "\(String(describing: planned.ownership))")
        let text = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook])
        #expect(text.stdout.contains("partial: 1 of 2 PVs present"), "\(text.stdout.suffix(1500))")
        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2500))")
        #expect(try openCount(first) == "0")

        // Attached again: the whole guest VG is there, and host LVM leaves it alone through a power cycle.
        try FileManager.default.moveItem(atPath: disks + "/lun2.detached", toPath: disks + "/lun2.img")
        #expect(try lab.reboot(host).status == 0)
        for uuid in [first, second] { #expect(try openCount(uuid) == "0", "\(uuid) is free") }
        #expect(
            try lab.text(host, "lvs --noheadings \(Self.permissive) -o lv_active guestvg | tr -d ' ' | sort -u") == "")
        let again = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--detailed-exitcode"])
        #expect(again.status == 0, "in sync with both volumes attached: \(again.stdout.suffix(1500))")
    }

    @Test(
        "HA-LVM: the failover VG another node holds blocks until declared; declared, apply keeps it, it fails over to this host and stays through a power cycle"
    )
    func haLVMFailover() throws {
        guard let lab = try PrivateLab.start(["n-ha:backup-vg"]) else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        defer { lab.stop() }
        let host = "n-ha"
        // Pacemaker's LVM-activate (vg_access_mode=system_id): every node's LVM has a system ID (uname), and the VG
        // on the shared LUN carries the ID of the node that holds it, node-b. This host's LVM hides it.
        let setUp = try lab.ssh(
            host,
            "set -e; sed -i 's/^global {/global {\\n\\tsystem_id_source = \"uname\"/' /etc/lvm/lvm.conf; "
                + "test \"$(lvm systemid | sed 's/.*: *//')\" = \"$(uname -n)\"; vgchange -q -an backupvg; "
                + "vgchange -q -y --systemid node-b backupvg; ! vgs backupvg 2>/dev/null")
        try #require(setUp.status == 0, "\(setUp.stdout)\(setUp.stderr)")
        let backup = try #require(
            VGUUID(try lab.text(host, "vgs --foreign --noheadings \(Self.permissive) -o vg_uuid backupvg | tr -d ' '")))
        let plan = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--format", "json"])
        let planned = try #require(try JSONDecoder().decode(FleetPlan.self, from: Data(plan.stdout.utf8)).hosts.first)
        #expect(planned.status == .blocked && planned.configEdit == nil, "\(planned.reasons)")
        #expect(
            planned.blockers.map(\.kind).contains {
                if case let .foreignVG(vg) = $0 { vg.uuid == backup && vg.systemID == "node-b" } else { false }
            }, "\(planned.reasons)")

        // Declared the host's: apply keeps its PV in sight (the filter accepts it) while node-b holds it.
        try lab.hostVars(host, "lvmguard_host_vgs: [backupvg]\n")
        let applied = try lab.lvmguard(["apply", "-i", "INVENTORY", ApplyLabTests.playbook, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout.suffix(2500))")
        lab.mark("applied with node-b holding the VG")

        // Failover: this node takes the VG as LVM-activate does, and activates it.
        let failover = try lab.ssh(
            host,
            "vgchange -q -y --config 'local/extra_system_ids=[\"node-b\"]' --systemid \"$(uname -n)\" backupvg "
                + "&& vgchange -q -ay backupvg")
        #expect(failover.status == 0, "\(failover.stdout)\(failover.stderr)")
        func whole() throws -> String {
            try lab.text(host, "vgs --noheadings -o vg_missing_pv_count,vg_systemid backupvg | tr -s ' '")
        }
        #expect(try whole() == "0 \(try lab.text(host, "uname -n"))", "the host's LVM sees the whole VG as its own")
        #expect(try lab.text(host, "lvs --noheadings -o lv_active backupvg/daily | tr -d ' '") == "active")
        #expect(try lab.reboot(host).status == 0)
        #expect(try whole() == "0 \(try lab.text(host, "uname -n"))", "after a power cycle")
        #expect(
            try lab.text(host, "lvs --noheadings -o lv_active backupvg/daily | tr -d ' '") == "active",
            "autoactivated at boot: the VG is this host's now")
        #expect(try lab.text(host, "dmsetup info -c --noheadings -o open mpatha") == "0", "the guest's map is free")
        let again = try lab.lvmguard(["plan", "-i", "INVENTORY", ApplyLabTests.playbook, "--detailed-exitcode"])
        #expect(again.status == 0, "in sync after the failover and a power cycle: \(again.stdout.suffix(1500))")
    }

    /// The shared lab's plan of one host, decoded.
    static func plan(_ host: LabHost) throws -> HostPlan {
        let plan = try LabHost.lvmguard([
            "plan", "-i", LabHost.inventory, ApplyLabTests.playbook, "--limit", host.name, "--format", "json",
        ])
        return try #require(
            try JSONDecoder().decode(FleetPlan.self, from: Data(plan.stdout.utf8)).hosts.first, "\(plan.stderr)")
    }

    @Test(
        "a leftover rd.lvm.lv naming the guest's VG is not ownership: the guest's VG is still deactivated, the name warned",
        .enabled(if: Runnable.sharedLab, "needs the shared lab running: scripts/test.sh starts it with lab/start.sh"))
    func leftoverBootName() throws {
        guard let host = LabHost.running("incident") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        // The kernel command line a host keeps after its own swap LV was removed, over the real one.
        let setUp = try host.run(
            "printf '%s rd.lvm.lv=guestvg/data\\n' \"$(cat /proc/cmdline)\" > /run/lab-cmdline "
                + "&& mount --bind /run/lab-cmdline /proc/cmdline && grep -q rd.lvm.lv=guestvg/data /proc/cmdline")
        defer { _ = try? host.run("umount /proc/cmdline; rm -f /run/lab-cmdline") }
        try #require(setUp.status == 0, "\(setUp.stderr)")
        let guest = try #require(
            VGUUID(try host.run("vgs --noheadings -o vg_uuid guestvg | tr -d ' '").stdout.trimmingWhitespace()))
        let before = try host.lvmState()
        let planned = try Self.plan(host)
        #expect(planned.status == .changes, "\(planned.reasons)")
        #expect(planned.deactivations.map(\.vgUUID) == [guest], "\(planned.reasons)")
        #expect(
            planned.warnings.map(\.kind).contains {
                if case let .bootNameWithoutUse(reference) = $0 {
                    reference.reference == "rd.lvm.lv=guestvg/data" && reference.vgUUID == guest
                } else {
                    false
                }
            }, "\(planned.warnings.map(\.message))")
        #expect(try host.lvmState() == before, "plan changes nothing")
    }

    @Test(
        "a shut-off instance naming a host disk by kernel name ties nothing: the unused host VG on it is a question, not a guest's",
        .enabled(if: Runnable.sharedLab, "needs the shared lab running: scripts/test.sh starts it with lab/start.sh"))
    func staleKernelNameOnHostDisk() throws {
        guard let host = LabHost.running("host-lvm") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        // hostvg unused (data unmounted, swap off), and a definition nova left from before a reboot naming /dev/vdb,
        // the host's disk now.
        let domain = "/etc/libvirt/qemu/instance-00000099.xml"
        let setUp = try host.run(
            "umount /srv/data && swapoff /dev/hostvg/swap && printf '%s\\n' \"<domain type='qemu'>\" "
                + "'<name>instance-00000099</name>' '<uuid>7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6</uuid>' "
                + "'<devices><disk type='\"'block'\"' device='\"'disk'\"'><source dev='\"'/dev/vdb'\"'/>' "
                + "'<target dev='\"'vdb'\"' bus='\"'virtio'\"'/></disk></devices></domain>' > \(domain)")
        defer { _ = try? host.run("rm -f \(domain); swapon -a; mount -a") }
        try #require(setUp.status == 0, "\(setUp.stderr)")
        let hostVG = try #require(
            VGUUID(try host.run("vgs --noheadings -o vg_uuid hostvg | tr -d ' '").stdout.trimmingWhitespace()))
        let before = try host.lvmState()
        let planned = try Self.plan(host)
        #expect(planned.status == .blocked && planned.configEdit == nil, "\(planned.reasons)")
        #expect(!planned.deactivations.map(\.vgUUID).contains(hostVG), "\(planned.reasons)")
        #expect(
            planned.blockers.map(\.kind).contains {
                if case let .unclassifiedVG(vg) = $0 { vg.uuid == hostVG } else { false }
            }, "\(planned.reasons)")
        #expect(
            planned.warnings.map(\.kind).contains {
                if case let .staleInstanceDisk(stale) = $0 { stale.disk.source == "/dev/vdb" } else { false }
            }, "\(planned.warnings.map(\.message))")
        #expect(try host.lvmState() == before, "plan changes nothing")
    }

    @Test(
        "another host's VG on a shared disk (HA-LVM's system ID), which LVM hides from this host, is seen: the host is blocked naming it",
        .enabled(if: Runnable.sharedLab, "needs the shared lab running: scripts/test.sh starts it with lab/start.sh"))
    func anotherHostsVG() throws {
        guard let host = LabHost.running("incident") else {
            #expect(Prerequisite.skipAllowed())
            return
        }
        // The failover VG as pacemaker's LVM-activate (vg_access_mode=system_id) leaves it while node-b holds it.
        let setUp = try host.run(
            "truncate -s 64M /var/tmp/ha.img && loop=$(losetup -f --show /var/tmp/ha.img) && echo $loop > /run/lab-ha "
                + "&& vgcreate -q --systemid node-b havg $loop >/dev/null && ! vgs havg 2>/dev/null")
        defer { _ = try? host.run("losetup -d $(cat /run/lab-ha); rm -f /var/tmp/ha.img /run/lab-ha") }
        try #require(setUp.status == 0, "\(setUp.stdout) \(setUp.stderr)")
        let before = try host.lvmState()
        let planned = try Self.plan(host)
        #expect(planned.status == .blocked && planned.configEdit == nil, "\(planned.reasons)")
        #expect(
            planned.blockers.map(\.kind).contains {
                if case let .foreignVG(vg) = $0 { vg.name == "havg" && vg.systemID == "node-b" } else { false }
            }, "\(planned.reasons)")
        #expect(try host.lvmState() == before, "plan changes nothing")
    }
}
