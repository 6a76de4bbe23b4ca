import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

/// Host shapes the lab does not boot, made from the real gather output of the lab's hosts by editing the
/// sections a real host of that shape would print differently (each test says which).
@Suite("Identity, not names: ownership by dm UUID and major:minor")
struct IdentityTests {
    /// Edits of captured sections: text replaced, or lines appended.
    static func edit(
        _ scenario: String, _ edits: [(section: String, old: String?, new: String)],
        hostVGs: [String] = []
    ) throws -> (HostFacts, HostPlan) {
        let facts = try Fixture.facts(scenario, edits: edits)
        return (facts, Planner.plan(Fixture.host("h", hostVGs: hostVGs), facts: facts, desired: Fixture.desired()))
    }

    /// No libvirt domain on the host: the incident's VG on mpatha then stands in for a host VG on a SAN map.
    static let noInstance = ("libvirt-xml", (try? Fixture.sections("incident"))?["libvirt-xml"]?.stdout, "")

    // dup-names: the host's vg0 (data, swap; mounted) on /dev/vdb, the guest's vg0 (root, inactive) on mpatha.
    static let guestRootAsData = (
        "lvs",
        #""lv_name":"root", "lv_uuid":"Jg9OMS-zZkG-ehle-JKZe-D1K9-djbz-aSDY5Q", "lv_attr":"-wi-------", "lv_active":"", "lv_dm_path":"/dev/mapper/vg0-root""#
            as String?,
        #""lv_name":"data", "lv_uuid":"Jg9OMS-zZkG-ehle-JKZe-D1K9-djbz-aSDY5Q", "lv_attr":"-wi-------", "lv_active":"", "lv_dm_path":"/dev/mapper/vg0-data""#
    )
    static let hostVG0: VGUUID = "w0Eypx-LMge-ztQ3-05aR-yh0w-xnXq-zkFeY3"
    static let guestVG0: VGUUID = "KuPpve-nYWy-1NAj-h3e8-rCBr-bL7X-Muv0HF"

    @Test("guest VG and LV named exactly like the host's mounted vg0/data: the guest's LUN is never accepted")
    func sameVGAndLVNames() throws {
        // The guest's inactive LV renamed root -> data: both LVs are vg0/data, and LVM reports lv_dm_path
        // /dev/mapper/vg0-data for both, the host's mounted device's name.
        let (facts, plan) = try Self.edit("dup-names", [Self.guestRootAsData])
        #expect(
            facts.lvs.filter { $0.vgName == "vg0" && $0.name == "data" && $0.dmPath == "/dev/mapper/vg0-data" }.count
                == 2)
        let ownership = Ownership(model: HostModel(facts), declaredVGs: [], accept: [])
        #expect(ownership.hostVGs.map(\.uuid) == [Self.hostVG0])
        #expect(ownership.guestVGs.map(\.uuid) == [Self.guestVG0])
        #expect(ownership.hostPVs == ["/dev/vdb"])
        let filter = try #require(plan.configEdit?.planned)
        #expect(!filter.contains("mpath") && !filter.contains("dm-2") && !filter.contains("ke5yb1"))
        #expect(plan.status == .changes)
    }

    @Test("an active guest VG named like the host's, LV named like the host's LV: deactivated by UUID, host kept")
    func activeSameNames() throws {
        // host-lvm with the guest's VG renamed guestvg -> hostvg and its LV root -> swap (dm name hostvg-swap
        // is the host's, so the active guest LV's dm name becomes hostvg-swap2, as a second activation would refuse).
        let (facts, plan) = try Self.edit(
            "host-lvm",
            [
                ("pvs", #""vg_name":"guestvg""#, #""vg_name":"hostvg""#),
                ("vgs", #""vg_name":"guestvg""#, #""vg_name":"hostvg""#),
                ("lvs", #""vg_name":"guestvg""#, #""vg_name":"hostvg""#),
                ("lvs", #""lv_name":"root""#, #""lv_name":"swap""#),
                ("lvs", "/dev/mapper/guestvg-root", "/dev/mapper/hostvg-swap"),
                ("dm-info", "guestvg-root|", "hostvg-swap2|"), ("dm-deps", "guestvg-root:", "hostvg-swap2:"),
            ])
        #expect(Set(facts.vgs.map(\.name)) == ["hostvg"])
        #expect(plan.status == .changes)
        #expect(plan.ownership?.hostVGs.map(\.uuid) == ["fLlyT5-16c4-NxJU-2DY8-YQoF-WUwe-DFsZSp"])
        let deactivation = try #require(plan.deactivations.first)
        #expect(deactivation.vgUUID == "mqedlo-YvGn-ciul-Hz3x-FtMh-dCds-jFKSc1")
        #expect(deactivation.lvs.map(\.name) == ["swap"])
        #expect(plan.commands.contains { $0.hasPrefix("vgchange -an --select vg_uuid=\(deactivation.vgUUID)") })
    }

    @Test("rd.lvm.lv naming two VGs resolves to the one the host uses, or blocks saying which")
    func bootReferenceByName() throws {
        let cmdline = ("cmdline", "root=/dev/vda" as String?, "root=/dev/vda rd.lvm.lv=vg0/data")
        let (_, used) = try Self.edit("dup-names", [Self.guestRootAsData, cmdline])
        #expect(used.status == .changes)
        let host = try #require(used.ownership?.hostVGs.first)
        #expect(host.uuid == Self.hostVG0)
        #expect(
            host.reasons.contains(
                "LV data is named on the kernel command line (rd.lvm.lv) (the VG of that name the host uses)"))
        // Nothing mounted or swapped: nothing tells the two vg0/data apart.
        let (_, unresolved) = try Self.edit(
            "dup-names",
            [
                Self.guestRootAsData, cmdline,
                ("mountinfo", nil, ""), ("mounts", "/dev/mapper/vg0-data /srv/data", "/dev/nothing /srv/data"),
                ("swaps", "/dev/dm-1", "/dev/nothing"), ("dm-info", "|1|LVM-", "|0|LVM-"),
                ("dm-info", "|2|LVM-", "|0|LVM-"),
            ])
        #expect(unresolved.status == .blocked)
        #expect(
            unresolved.blockerKinds.contains(
                .ambiguousBootReference(
                    conflict: .init(
                        reference: "rd.lvm.lv=vg0/data", vgUUIDs: [Self.hostVG0, Self.guestVG0].sorted()))),
            "\(unresolved.reasons)")
    }

    @Test("LUKS on a host LV: the LV is not mounted itself, the dm-crypt device on it is")
    func luksOnLV() throws {
        // host-lvm with /srv/data mounted from dm-crypt device 'secret' (253:4) built on hostvg-data (253:0).
        let (_, plan) = try Self.edit(
            "host-lvm",
            [
                ("mounts", "/dev/mapper/hostvg-data /srv/data", "/dev/mapper/secret /srv/data"),
                ("swaps", "/dev/dm-1", "/dev/nothing"),
                ("dm-info", nil, "secret|253|4|1|CRYPT-PLAIN-secret\n"),
                ("dm-deps", nil, "secret: 1 dependencies\t: (253, 0)\n"),
                (
                    "lsblk", nil,
                    #"NAME="secret" KNAME="dm-4" TYPE="crypt" MAJ:MIN="253:4" SIZE="1" MOUNTPOINT="/srv/data" FSTYPE="ext4" PKNAME="dm-0""#
                        + "\n"
                ),
                ("dev-links", nil, "/dev/mapper/secret /dev/dm-4\n"),
            ])
        #expect(plan.status == .changes, "\(plan.reasons)")
        let host = try #require(plan.ownership?.hostVGs.first { $0.name == "hostvg" })
        #expect(
            host.reasons.contains("LV data carries dm-crypt device /dev/mapper/secret (253:4) is mounted at /srv/data"),
            "\(host.reasons)")
        #expect(!plan.deactivations.contains { $0.vgName == "hostvg" })
    }

    @Test("an LV used as a PV: the outer VG is the host's because the inner VG's LV is mounted")
    func lvAsPV() throws {
        // host-lvm with hostvg/data (253:0) used as the PV of VG 'inner', whose LV inner/home (253:4) is mounted.
        let inner: VGUUID = "inner0-aaaa-bbbb-cccc-dddd-eeee-ffff00"
        let (_, plan) = try Self.edit(
            "host-lvm",
            [
                ("mounts", "/dev/mapper/hostvg-data /srv/data", "/dev/mapper/inner-home /home"),
                ("swaps", "/dev/dm-1", "/dev/nothing"),
                (
                    "pvs", #"{"pv_name":"/dev/vdb""#,
                    #"{"pv_name":"/dev/mapper/hostvg-data", "pv_uuid":"innerP-V000-0000-0000-0000-0000-000000", "vg_name":"inner", "vg_uuid":"\#(inner)", "dev_size":"209715200"},"#
                        + "\n" + #"{"pv_name":"/dev/vdb""#
                ),
                (
                    "vgs", #"{"vg_name":"hostvg""#,
                    #"{"vg_name":"inner", "vg_uuid":"\#(inner)", "vg_attr":"wz--n-", "pv_count":"1", "lv_count":"1"},"#
                        + "\n" + #"{"vg_name":"hostvg""#
                ),
                (
                    "lvs",
                    #"{"vg_name":"hostvg", "vg_uuid":"fLlyT5-16c4-NxJU-2DY8-YQoF-WUwe-DFsZSp", "lv_name":"data""#,
                    #"{"vg_name":"inner", "vg_uuid":"\#(inner)", "lv_name":"home", "lv_uuid":"homeLV-0000-0000-0000-0000-0000-000000", "lv_attr":"-wi-ao----", "lv_active":"active", "lv_dm_path":"/dev/mapper/inner-home", "devices":"/dev/mapper/hostvg-data(0)"},"#
                        + "\n"
                        + #"{"vg_name":"hostvg", "vg_uuid":"fLlyT5-16c4-NxJU-2DY8-YQoF-WUwe-DFsZSp", "lv_name":"data""#
                ),
                (
                    "dm-info", nil,
                    "inner-home|253|4|1|\(DMUUID(vgUUID: inner, lvUUID: "homeLV-0000-0000-0000-0000-0000-000000"))\n"
                ),
                ("dm-deps", nil, "inner-home: 1 dependencies\t: (253, 0)\n"),
                (
                    "lsblk", nil,
                    #"NAME="inner-home" KNAME="dm-4" TYPE="lvm" MAJ:MIN="253:4" SIZE="1" MOUNTPOINT="/home" FSTYPE="ext4" PKNAME="dm-0""#
                        + "\n"
                ),
                ("dev-links", nil, "/dev/mapper/inner-home /dev/dm-4\n/dev/mapper/hostvg-data /dev/dm-0\n"),
            ])
        #expect(plan.status == .changes, "\(plan.reasons)")
        let reasons = Dictionary(uniqueKeysWithValues: (plan.ownership?.hostVGs ?? []).map { ($0.name, $0.reasons) })
        #expect(reasons["inner"] == ["LV home is mounted at /home"])
        #expect(
            reasons["hostvg"]?.contains("LV data carries LV /dev/mapper/inner-home (253:4) is mounted at /home")
                == true, "\(reasons)")
        #expect(plan.ownership?.hostPVs == ["/dev/mapper/hostvg-data", "/dev/vdb"])
    }

    @Test(
        "boot from SAN on LVM 2.03 with event activation: no filter keeps a dm PV at boot, so the host moves to the devices file"
    )
    func bootFromSANMovesToDevicesFile() throws {
        // incident with the VG on mpatha mounted at / (its root LV).
        let (_, plan) = try Self.edit(
            "incident", [("mounts", "/dev/vda / ", "/dev/mapper/guestvg-root / "), Self.noInstance])
        #expect(plan.status == .changes, "\(plan.reasons)")
        #expect(plan.regime == .devicesFile)
        #expect(plan.configEdit?.key == "devices/use_devicesfile" && plan.configEdit?.planned == "1")
        #expect(plan.devicesFileEdit?.add == ["/dev/mapper/mpatha"] && plan.devicesFileEdit?.createFile == true)
        #expect(plan.warningKinds.contains(.movesToDevicesFile(lvmVersion: "2.03.16", hostPVs: ["/dev/mapper/mpatha"])))
        let request = try ApplyRequest(plan: plan, hostVGs: [], guestVGs: [], timestamp: "20261125T100000Z")
        #expect(request.variables.first { $0.name == "LVMGUARD_TRIAL_DEVICES" }?.value == "1")
        // A host on the devices file already: the trial still reads the planned file (2), nothing installs it early.
        let onFile = Planner.plan(
            Fixture.host("h"), facts: try Fixture.facts("devices-file"), desired: Fixture.desired())
        #expect(onFile.regime == .devicesFile)
        let tried = try ApplyRequest(plan: onFile, hostVGs: [], guestVGs: [], timestamp: "20261125T100000Z")
        #expect(tried.variables.first { $0.name == "LVMGUARD_TRIAL_DEVICES" }?.value == "2")
        // Under a filter, none.
        let (_, filtered) = try Self.edit("incident", [])
        let plain = try ApplyRequest(plan: filtered, hostVGs: [], guestVGs: [], timestamp: "20261125T100000Z")
        #expect(plain.variables.first { $0.name == "LVMGUARD_TRIAL_DEVICES" }?.value == "0")
        // A local disk with no WWN or serial (host-lvm: its VG on a bare virtio /dev/vdb) keeps the filter regime:
        // the devices file could only record its kernel name.
        let (_, local) = try Self.edit("host-lvm", [])
        #expect(local.regime == .filter && local.configEdit?.key == "devices/global_filter")
        // The same disk with a WWN moves: the devices file records the WWN, which survives renaming.
        let (_, named) = try Self.edit(
            "host-lvm", [("dev-links", nil, "/dev/disk/by-id/wwn-0x5000c50015ea71b0 /dev/vdb\n")])
        #expect(named.regime == .devicesFile && named.devicesFileEdit?.add == ["/dev/vdb"], "\(named.warnings)")
        // With activation after udev settles (event_activation = 0) links work: no move.
        let (_, settled) = try Self.edit(
            "host-lvm",
            [
                ("dev-links", nil, "/dev/disk/by-id/wwn-0x5000c50015ea71b0 /dev/vdb\n"),
                ("config:global/event_activation", "event_activation=1", "event_activation=0"),
            ])
        #expect(settled.regime == .filter)
    }

    @Test(
        "boot from SAN with activation after udev settles (event_activation = 0): the map accepted by identity, never dm-N"
    )
    func bootFromSAN() throws {
        let (facts, plan) = try Self.edit(
            "incident",
            [
                ("mounts", "/dev/vda / ", "/dev/mapper/guestvg-root / "), Self.noInstance,
                ("config:global/event_activation", "event_activation=1", "event_activation=0"),
            ])
        let root = try #require(facts.dmDevices.first { $0.name == "guestvg-root" })
        #expect(plan.status == .changes, "\(plan.reasons)")
        #expect(plan.ownership?.hostVGs.map(\.name) == ["guestvg"])
        #expect(plan.deactivations.isEmpty)
        let filter = try #require(plan.configEdit?.planned)
        #expect(filter.contains("a|^/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ac$|"), "\(filter)")
        #expect(filter.contains("a|^/dev/disk/by-id/lvm-pv-uuid-"))
        #expect(!filter.contains("/dev/dm-") && !filter.contains("mapper"), "\(filter) (\(root.majMin))")
    }

    @Test("identity links: PV UUID, dm UUID, WWN, NVMe EUI, md UUID; never by-path, dm-name or kernel names")
    func identityLinks() throws {
        let (facts, _) = try Self.edit(
            "host-lvm",
            [
                (
                    "dev-links", nil,
                    """
                    /dev/disk/by-id/nvme-eui.002538570142a154 /dev/vdb
                    /dev/disk/by-id/md-uuid-1a2b3c4d:5e6f7a8b:9c0d1e2f:3a4b5c6d /dev/vdb
                    /dev/disk/by-path/pci-0000:00:06.0 /dev/vdb

                    """
                )
            ])
        let graph = DeviceGraph(facts)
        #expect(
            graph.identityLinks(of: MajorMinor(major: 254, minor: 16)) == [
                "/dev/disk/by-id/lvm-pv-uuid-rOG4M6-Q5sZ-wOyZ-YlLG-emVU-RD3y-zEiD06",
                "/dev/disk/by-id/md-uuid-1a2b3c4d:5e6f7a8b:9c0d1e2f:3a4b5c6d",
                "/dev/disk/by-id/nvme-eui.002538570142a154",
            ])
        #expect(
            graph.identityLinks(of: MajorMinor(major: 253, minor: 2)).contains(
                "/dev/disk/by-id/dm-uuid-mpath-35000c50015ea71ac"))
        #expect(!graph.identityLinks(of: MajorMinor(major: 253, minor: 2)).contains { $0.contains("dm-name-") })
    }

    @Test(
        "filter names per LVM generation: md and NVMe kernel names only where boot-time pvscan needs them",
        arguments: [
            (
                "2.03.16", nil,
                ["/dev/disk/by-id/lvm-pv-uuid-A", "/dev/disk/by-id/lvm-pv-uuid-B", "/dev/md127", "/dev/nvme0n1p3"]
            ),
            ("2.03.16", "0", ["/dev/disk/by-id/lvm-pv-uuid-A", "/dev/disk/by-id/lvm-pv-uuid-B"]),
            ("2.02.180", nil, ["/dev/disk/by-id/lvm-pv-uuid-A", "/dev/disk/by-id/lvm-pv-uuid-B"]),
        ] as [(String, String?, [String])])
    func filterNames(version: String, eventActivation: String?, expected: [String]) throws {
        let facts = try Fixture.facts("host-lvm") { sections in
            sections["lvm-version"] = sections["lvm-version"]?.with(
                stdout: "  LVM version:     \(version)(2) (2022-05-18)\n")
            if let eventActivation {
                sections["config:global/event_activation"] = FactSection(
                    name: "config:global/event_activation", status: 0,
                    stdout: "event_activation=\(eventActivation)\n", stderr: "")
            }
        }
        let pvs = [
            Ownership.HostPV(
                name: "/dev/md127", uuid: "AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA", kernelName: KernelName("md127"),
                isDeviceMapper: false,
                identityLinks: ["/dev/disk/by-id/lvm-pv-uuid-A", "/dev/disk/by-id/md-uuid-1"]),
            Ownership.HostPV(
                name: "/dev/nvme0n1p3", uuid: "BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBBB",
                kernelName: KernelName("nvme0n1p3"), isDeviceMapper: false,
                identityLinks: ["/dev/disk/by-id/lvm-pv-uuid-B"]),
        ]
        #expect(FilterNames.accept(pvs, facts: facts).names == expected)
        // No identity link: the current name, with a warning.
        let bare = FilterNames.accept(
            [
                Ownership.HostPV(
                    name: "/dev/sdc", uuid: "CCCCCC-CCCC-CCCC-CCCC-CCCC-CCCC-CCCCCC", kernelName: KernelName("sdc"),
                    isDeviceMapper: false,
                    identityLinks: [])
            ], facts: facts)
        #expect(bare.names == ["/dev/sdc"])
        #expect(bare.warnings.contains(.noIdentityLink(pv: "/dev/sdc", uuid: "CCCCCC-CCCC-CCCC-CCCC-CCCC-CCCC-CCCCCC")))
    }
}
