import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// The sentences are rendering: one table pins each finding's wording, every other test matches cases.
@Suite("Findings rendered as the sentences a reviewer reads")
struct FindingMessagesTests {
    static let vg = Ownership.AmbiguousVG(
        name: "scratchvg", uuid: "xJiBVx-2hQC-TB8N-fC3e-sn19-wjyU-JM2A9n", pvs: ["/dev/vdb"])
    static let open = Ownership.AmbiguousVG(
        name: "guestvg", uuid: "gMD2xM-ZdGA-vrmy-TdFe-1LJS-zo1T-mPeb4D", pvs: ["/dev/mapper/mpatha"],
        openLVs: [.init(name: "data", uuid: "U1U1U1-U1U1-U1U1-U1U1-U1U1-U1U1-U1U1U1", openCount: 1)])
    static let deadMap = HostPlan.DeadMap(
        name: "mpatha", wwid: "3600", queueIfNoPath: true, paths: ["sda (8:0) failed"],
        guestLVs: [
            .init(
                dmName: "guestvg-data", dmUUID: "LVM-x", vgUUID: "GGGGGG-GGGG-GGGG-GGGG-GGGG-GGGG-GGGGGG",
                lvUUID: "LLLLLL-LLLL-LLLL-LLLL-LLLL-LLLL-LLLLLL", open: 0)
        ],
        hostUse: [], blockers: [], release: false)

    @Test(
        "blockers",
        arguments: [
            (
                HostPlan.Blocker.unclassifiedVG(vg: vg),
                "VG scratchvg (xJiBVx-2hQC-TB8N-fC3e-sn19-wjyU-JM2A9n) on /dev/vdb is not mounted, not "
                    + "swap, not on the kernel command line, not declared and tied to no instance: if the host owns it, add it to "
                    + "lvmguard_host_vgs for h (by name or UUID); if not, detach or remove it"
            ),
            (
                .unexplainedOpenLVs(vg: open),
                "VG guestvg (gMD2xM-ZdGA-vrmy-TdFe-1LJS-zo1T-mPeb4D) on /dev/mapper/mpatha has open LVs that nothing lvmguard sees explains "
                    + "(no mount, swap, libvirt disk or device stacked on them): LV data (U1U1U1-U1U1-U1U1-U1U1-U1U1-U1U1-U1U1U1) is open (open count 1); find what holds "
                    + "them (fuser -vm, lsof); if the host owns the VG, add it to lvmguard_host_vgs for h"
            ),
            (
                .ambiguousBootReference(
                    conflict: .init(
                        reference: "rd.lvm.lv=vg0/data",
                        vgUUIDs: ["AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA", "BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBBB"])),
                "the kernel command line's rd.lvm.lv=vg0/data names 2 VGs (AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA, BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBBB): declare the host's VG by UUID in lvmguard_host_vgs for h"
            ),
            (
                .rejectAllHidesHostPVs(pvs: ["/dev/vdb"]),
                "policy reject-all would hide the host's own PVs (/dev/vdb): use policy host-pvs-only for this host"
            ),
            (
                .lvmetadIgnoresFilter,
                "lvmetad is in use (global/use_lvmetad = 1), which ignores devices/filter for what udev and "
                    + "pvscan feed it: use key global_filter"
            ),
            (
                .filterSetElsewhere(
                    key: "devices/global_filter", path: "/etc/lvm/lvm.conf", effective: "[ \"a|/dev/sd.*|\" ]",
                    current: "[ \"a|.*|\" ]"),
                "devices/global_filter is set outside /etc/lvm/lvm.conf (lvmconfig reports [ \"a|/dev/sd.*|\" ], /etc/lvm/lvm.conf says "
                    + "[ \"a|.*|\" ]): change it where it is set, or remove it there"
            ),
            (
                .settingOverridden(key: "devices/use_devicesfile", path: "/etc/lvm/lvmlocal.conf", line: 2, value: "0"),
                "devices/use_devicesfile is set to 0 in /etc/lvm/lvmlocal.conf line 2, which LVM reads after lvm.conf and which "
                    + "wins: lvm.conf's edit would never take effect; remove it there (or make it the planned value), then plan again"
            ),
            (
                .deadMapCarriesHostStorage(
                    map: HostPlan.DeadMap(
                        name: "mpatha", wwid: nil, queueIfNoPath: false, paths: [], guestLVs: [],
                        hostUse: ["LV data is mounted at /srv/data"], blockers: [], release: false)),
                "multipath map mpatha (wwid unknown) has no active path (no paths) and carries the host's storage: LV data is mounted "
                    + "at /srv/data; LVM cannot read it, so no filter can be planned that keeps it: restore a path first"
            ),
        ])
    func blocker(_ blocker: HostPlan.Blocker, expected: String) {
        #expect(blocker.message(host: "h") == expected)
    }

    @Test("a VG another host's name alone claims is a question that says why the name is not enough")
    func foreignCreationHostAlone() {
        let vg = Ownership.UnclaimedVG(
            name: "datavg", uuid: "xJiBVx-2hQC-TB8N-fC3e-sn19-wjyU-JM2A9n",
            storage: [.multipath(map: "mpatha", wwid: "3600")], creationHosts: ["old-name"],
            foreignCreationHosts: ["old-name"])
        #expect(
            HostPlan.Blocker.unclaimedVG(vg: vg).message(host: "h")
                == "VG datavg (xJiBVx-2hQC-TB8N-fC3e-sn19-wjyU-JM2A9n) on multipath map mpatha (wwid 3600) is on "
                + "attachable storage and its metadata says it was made on old-name, but nothing else ties it to a "
                + "guest: a guest writes that name, and a renamed host or a LUN zoned to another host before shows "
                + "the same; if the host owns it, add it to lvmguard_host_vgs for h (by name or UUID); if it is a "
                + "guest's volume, find its instance, or set lvmguard_trust_creation_host: true for hosts whose names "
                + "never change")
    }

    @Test(
        "warnings",
        arguments: [
            (
                HostPlan.Warning.noIdentityLink(pv: "/dev/sdc", uuid: "CCCCCC-CCCC-CCCC-CCCC-CCCC-CCCC-CCCCCC"),
                "PV /dev/sdc (CCCCCC-CCCC-CCCC-CCCC-CCCC-CCCC-CCCCCC) has no identity link "
                    + "(/dev/disk/by-id/lvm-pv-uuid-...): the filter accepts it by its current name, which another device may take after a reboot"
            ),
            (
                .guestVGKeptActive(name: "guestvg", uuid: "GGGGGG-GGGG-GGGG-GGGG-GGGG-GGGG-GGGGGG"),
                "guest VG guestvg (GGGGGG-GGGG-GGGG-GGGG-GGGG-GGGG-GGGGGG) is active; deactivate_guest_vgs is false, so it stays active"
            ),
            (
                .deadMap(map: deadMap),
                "multipath map mpatha (wwid 3600) has no active path (sda (8:0) failed, queueing I/O): every LVM "
                    + "command lvmguard runs skips it and what is on it; guest VG GGGGGG-GGGG-GGGG-GGGG-GGGG-GGGG-GGGGGG stays active on it (dead_maps: report; set "
                    + "dead_maps: release to free the map), and apply fails until it is freed"
            ),
            (
                .bootNameWithoutUse(
                    reference: .init(
                        reference: "rd.lvm.lv=centos/swap", vgName: "centos",
                        vgUUID: "GGGGGG-GGGG-GGGG-GGGG-GGGG-GGGG-GGGGGG")),
                "the kernel command line's rd.lvm.lv=centos/swap names VG centos (GGGGGG-GGGG-GGGG-GGGG-GGGG-GGGG-GGGGGG) by name, and the host uses "
                    + "none of its LVs: a name is not ownership (a leftover after the LV was removed, or a guest's VG of "
                    + "the same name), so the VG is judged by its use and evidence; remove the reference from the kernel "
                    + "command line, or declare the VG in lvmguard_host_vgs if it is the host's"
            ),
            (
                .staleInstanceDisk(
                    disk: .init(
                        disk: .init(
                            domain: "instance-0000002a", domainUUID: "0f3c6d52", target: "vdb", source: "/dev/sdc",
                            state: .defined),
                        pvs: ["/dev/sdc"])),
                "instance-0000002a (0f3c6d52) is defined, not running, and names its disk vdb by kernel name /dev/sdc, "
                    + "which a reboot can give to another device (now under or over /dev/sdc): not taken as evidence "
                    + "that a VG is a guest's"
            ),
            (
                .movesToDevicesFile(lvmVersion: "2.03.16", hostPVs: ["/dev/mapper/mpatha"]),
                "LVM 2.03.16 autoactivates from udev "
                    + "before the /dev/disk links of /dev/mapper/mpatha exist, and kernel names change at reboot (dm-N follows creation "
                    + "order), so no filter keeps the host's PVs at boot; the plan moves the host to the devices file, which LVM matches "
                    + "by the WWID, serial or dm UUID read from sysfs"
            ),
        ])
    func warning(_ warning: HostPlan.Warning, expected: String) {
        #expect(warning.message == expected)
    }

    @Test("plan JSON carries each finding's case and its sentence")
    func json() throws {
        let plan = try Planner.plan(Fixture.host("h"), facts: Fixture.facts("local-vg"), desired: Fixture.desired())
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(plan)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""blockers":[{"kind":{"unclassifiedVG":{"vg":{"#), "\(text.prefix(300))")
        #expect(
            text.contains(
                #""message":"VG scratchvg (xJiBVx-2hQC-TB8N-fC3e-sn19-wjyU-JM2A9n) on \/dev\/vdb is not mounted"#))
        #expect(try JSONDecoder().decode(HostPlan.self, from: data) == plan)
    }
}

extension FindingMessagesTests {
    @Test("the text plan shows each finding's sentence, never the value")
    func textPlan() throws {
        let keep = try Planner.plan(
            Fixture.host("h"), facts: Fixture.facts("incident"),
            desired: Fixture.desired("deactivate_guest_vgs: false\n"))
        let warning = try #require(keep.warnings.first)
        let blocked = try Planner.plan(Fixture.host("h"), facts: Fixture.facts("local-vg"), desired: Fixture.desired())
        let text = PlanReport.text(
            FleetPlan(playbook: "pb", inventory: "inv", policy: "p", hosts: [keep, blocked]), colored: false)
        #expect(text.contains("  warning: \(warning.message)\n"))
        #expect(text.contains("  why: \(try #require(blocked.blockers.first).message)\n"))
        #expect(!text.contains("Finding<"))
    }
}
