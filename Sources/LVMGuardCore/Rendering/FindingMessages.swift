/// The sentences a person reads for each finding of a plan. The only place they are worded: plans, JSON,
/// check output and tests all start from the typed findings.
extension HostPlan.Blocker {
    /// The sentence for `host`'s plan (some name the host a declaration goes to).
    public func message(host: String) -> String {
        switch self {
        case let .unexplainedOpenLVs(vg):
            let open = vg.openLVs.map { "LV \($0.name) (\($0.uuid)) is open (open count \($0.openCount))" }
            return
                "VG \(vg.name) (\(vg.uuid)) on \(vg.pvs.joined(separator: ", ")) has open LVs that nothing lvmguard sees "
                + "explains (no mount, swap, libvirt disk or device stacked on them): \(open.joined(separator: ", ")); "
                + "find what holds them (fuser -vm, lsof); if the host owns the VG, add it to lvmguard_host_vgs for \(host)"
        case let .ambiguousBootReference(conflict):
            return "the kernel command line's \(conflict.reference) names \(conflict.vgUUIDs.count) VGs "
                + "(\(conflict.vgUUIDs.map(\.rawValue).joined(separator: ", "))): declare the host's VG by UUID in lvmguard_host_vgs for \(host)"
        case let .unclassifiedVG(vg):
            let commandLine =
                vg.bootNames.isEmpty
                ? "not on the kernel command line"
                : "named on the kernel command line by name only (\(vg.bootNames.joined(separator: ", ")): a name is "
                    + "not ownership)"
            return
                "VG \(vg.name) (\(vg.uuid)) on \(vg.pvs.joined(separator: ", ")) is not mounted, not swap, \(commandLine), "
                + "not declared and tied to no instance: if the host owns it, add it to lvmguard_host_vgs "
                + "for \(host) (by name or UUID); if not, detach or remove it"
        case let .guestVGInUse(vg):
            return
                "VG \(vg.name) (\(vg.uuid)) is used by the host (\(vg.uses.joined(separator: "; "))) and carries a guest's "
                + "evidence (\(vg.evidence.summary)): if it is a guest's volume, stop using it on the host (unmount it, "
                + "swapoff); if the host owns it, add it to lvmguard_host_vgs for \(host) (by name or UUID)"
        case let .unclaimedVG(vg):
            if !vg.foreignCreationHosts.isEmpty {
                return
                    "VG \(vg.name) (\(vg.uuid)) on \(vg.storage.map(PlanReport.describe).joined(separator: ", ")) is on "
                    + "attachable storage and its metadata says it was made on \(vg.foreignCreationHosts.joined(separator: ", ")), "
                    + "but nothing else ties it to a guest: a guest writes that name, and a renamed host or a LUN zoned "
                    + "to another host before shows the same; if the host owns it, add it to lvmguard_host_vgs for "
                    + "\(host) (by name or UUID); if it is a guest's volume, find its instance, or set "
                    + "lvmguard_trust_creation_host: true for hosts whose names never change"
            }
            let made =
                vg.creationHosts.isEmpty
                ? "made by a host LVM did not record"
                : "made on \(vg.creationHosts.joined(separator: ", "))"
            return
                "VG \(vg.name) (\(vg.uuid)) on \(vg.storage.map(PlanReport.describe).joined(separator: ", ")) is on attachable "
                + "storage, \(made), and nothing on the host uses it or ties it to an instance: if the host owns it "
                + "(a backup VG, nova's or cinder's VG while nothing runs), add it to lvmguard_host_vgs for \(host) (by name "
                + "or UUID); if it is a guest's volume, find its instance"
        case let .duplicatePV(uuid, devices):
            let named = devices.map {
                $0.path + ($0.identities.isEmpty ? "" : " (\($0.identities.joined(separator: ", ")))")
            }
            return
                "PV UUID \(uuid) is on \(devices.count) devices: \(named.joined(separator: "; ")) (a disk cloned from an image "
                + "with LVM, or a guest volume made from the host's image); LVM uses one of them and its lvm-pv-uuid link names "
                + "either: give the host's copy new UUIDs (vgimportclone) or detach the other, then plan again"
        case let .ambiguousDeclaration(name, uuids):
            return
                "lvmguard_host_vgs names '\(name)', which matches \(uuids.count) VGs (\(uuids.map(\.rawValue).joined(separator: ", "))): "
                + "declare the host's by UUID"
        case let .ambiguousVolumeDeclaration(name, uuids):
            return
                "lvmguard_volume_vgs names '\(name)', which matches \(uuids.count) VGs (\(uuids.map(\.rawValue).joined(separator: ", "))): "
                + "declare the volume VG by UUID"
        case let .rejectAllHidesHostPVs(pvs):
            return
                "policy reject-all would hide the host's own PVs (\(pvs.joined(separator: ", "))): use policy host-pvs-only "
                + "for this host"
        case .lvmetadIgnoresFilter:
            return
                "lvmetad is in use (global/use_lvmetad = 1), which ignores devices/filter for what udev and pvscan feed it: "
                + "use key global_filter"
        case let .configUnparseable(path, error):
            return
                "cannot parse \(path) at \(error): fix the file by hand; lvmguard does not overwrite what it cannot read"
        case let .filterNotUnderstood(key, path, line, error):
            return "the current \(key) in \(path) line \(line) is not understood (\(error)): a person must look"
        case let .filterSetElsewhere(key, path, effective, current):
            return
                "\(key) is set outside \(path) (lvmconfig reports \(effective), \(path) says \(current)): change it where "
                + "it is set, or remove it there"
        case let .settingOverridden(key, path, line, value):
            return
                "\(key) is set to \(value) in \(path) line \(line), which LVM reads after lvm.conf and which wins: "
                + "lvm.conf's edit would never take effect; remove it there (or make it the planned value), then plan again"
        case let .openGuestLVsOnly(lvs):
            return "guest LVs are open on the host and nothing else is left to change: \(lvs.joined(separator: ", "))"
        case let .deadMapCarriesHostStorage(map):
            return
                "\(map.label) \(map.stateDescription) and carries the host's storage: \(map.hostUse.joined(separator: "; ")); "
                + "LVM cannot read it, so no filter can be planned that keeps it: restore a path first"
        case let .foreignVG(vg):
            let whose =
                vg.lockType.isEmpty || vg.lockType == "none"
                ? "belongs to another host (system ID \(vg.systemID); this host's is "
                    + "\(vg.hostSystemID.map { $0.isEmpty ? "none" : $0 } ?? "unknown")): HA-LVM's failover VG while the "
                    + "other node holds it, or another host's VG on a shared LUN"
                : "is shared through lvmlockd (lock type \(vg.lockType))"
            return
                "VG \(vg.name) (\(vg.uuid)) on \(vg.pvs.joined(separator: ", ")) \(whose); LVM hides it from this host's "
                + "commands, and lvmguard cannot see whether this host takes it over, so it neither filters nor "
                + "deactivates it: if this host may activate it (a failover node), add it to lvmguard_host_vgs for "
                + "\(host) (by name or UUID) so its PVs stay accepted; if it is nothing of this host's, detach its LUN"
        case let .deadMapWithoutEvidence(map):
            let lvs = map.unjudgedLVs.map(\.dmName).joined(separator: ", ")
            return
                "\(map.label) \(map.stateDescription) and carries LVs of VG "
                + "\(map.unjudgedVGUUIDs.map(\.rawValue).joined(separator: ", ")) (\(lvs)) that nothing ties to a guest "
                + "without reading the map (an instance's disk by its WWID, a volume this host exports, a declared "
                + "volume VG): in an outage a host's backup or failover VG looks the same, so lvmguard neither filters "
                + "nor releases it and changes nothing: restore a path, or declare the VG in lvmguard_host_vgs (by "
                + "UUID) for \(host)"
        case let .deadMapGuestsStayActive(map):
            return
                "\(map.label) \(map.stateDescription) and guest VG "
                + "\(map.guestVGUUIDs.map(\.rawValue).joined(separator: ", ")) stays active on it ("
                + (map.blockers.isEmpty
                    ? "dead_maps: report"
                    : "it cannot be released: \(map.blockers.joined(separator: "; "))")
                + "): apply would fail after changing lvm.conf, so nothing is changed until the map is freed: "
                + (map.blockers.isEmpty ? "set dead_maps: release, or restore a path" : "restore a path")
        case let .unsupported(message), let .unreachable(message):
            return message
        }
    }
}

extension HostPlan.Warning {
    /// The sentence a reviewer reads.
    public var message: String {
        switch self {
        case let .missingDeclaration(name):
            return "lvmguard_host_vgs names '\(name)', but the host has no such VG"
        case let .missingVolumeDeclaration(name):
            return "lvmguard_volume_vgs names '\(name)', but the host has no such VG"
        case let .volumeVGNotDeclared(vg):
            return "\(vg.file):\(vg.line): \(vg.service)'s \(vg.option) = \(vg.name): its LVs are guests' disks; "
                + "declare it in lvmguard_volume_vgs so that a VG found inside one of them is the guest's"
        case let .declaredVolumeVGNotConfigured(name, files):
            return "lvmguard_volume_vgs names '\(name)', which \(files.joined(separator: " and ")) do not name as "
                + "a volume group: check the declaration"
        case let .noIdentityLink(pv, uuid):
            return "PV \(pv) (\(uuid)) has no identity link (/dev/disk/by-id/lvm-pv-uuid-...): the filter "
                + "accepts it by its current name, which another device may take after a reboot"
        case let .kernelNamesAccepted(version):
            return "LVM \(version ?? "2.03") autoactivates from udev before the /dev/disk links "
                + "exist, so the filter also accepts the host PVs' kernel names; a disk renamed at reboot is kept only by "
                + "the devices file (use_devicesfile = 1)"
        case let .movesToDevicesFile(version, pvs):
            return "LVM \(version ?? "2.03") autoactivates from udev before the /dev/disk "
                + "links of \(pvs.joined(separator: ", ")) exist, and kernel names change at reboot (dm-N "
                + "follows creation order), so no filter keeps the host's PVs at boot; the plan moves the host to the "
                + "devices file, which LVM matches by the WWID, serial or dm UUID read from sysfs"
        case .devicesFileMissing:
            return
                "use_devicesfile = 1 but the devices file does not exist, so LVM uses every device: the plan creates it"
        case let .guestVGKeptActive(name, uuid):
            return "guest VG \(name) (\(uuid)) is active; deactivate_guest_vgs is false, so it stays active"
        case let .openGuestLV(lv, keep):
            return
                "guest LV \(lv) is left active, \(keep): it will not be deactivated; find what holds it (dmsetup info, "
                + "fuser -vm)"
        case let .deadMap(map):
            var warning =
                "\(map.label) \(map.stateDescription): every LVM command lvmguard runs skips it and what is on it"
            if map.guestLVs.isEmpty {
                warning += "; nothing is stacked on it, so os-brick's multipath -f can remove it"
            } else if map.release {
                warning +=
                    "; apply releases guest VG \(map.guestVGUUIDs.map(\.rawValue).joined(separator: ", ")) without I/O (dead_maps: release)"
            } else {
                warning +=
                    "; guest VG \(map.guestVGUUIDs.map(\.rawValue).joined(separator: ", ")) stays active on it ("
                    + (map.blockers.isEmpty
                        ? "dead_maps: report; set dead_maps: release to free the map"
                        : "cannot be released: \(map.blockers.joined(separator: "; "))")
                    + "), and apply fails until it is freed"
            }
            return warning
        case let .keptOrphanPVEntry(device):
            return "the devices file lists \(device), a PV in no VG (one made for the host before vgextend?): kept, "
                + "since it activates nothing; remove it with lvmdevices --deldev if it is not the host's"
        case let .bootNameWithoutUse(reference):
            return
                "the kernel command line's \(reference.reference) names VG \(reference.vgName) (\(reference.vgUUID)) "
                + "by name, and the host uses none of its LVs: a name is not ownership (a leftover after the LV was "
                + "removed, or a guest's VG of the same name), so the VG is judged by its use and evidence; remove the "
                + "reference from the kernel command line, or declare the VG in lvmguard_host_vgs if it is "
                + "the host's"
        case let .staleInstanceDisk(stale):
            return
                "\(stale.disk.domainLabel) is defined, not running, and names its disk \(stale.disk.target) by kernel "
                + "name \(stale.disk.source), which a reboot can give to another device (now under or over "
                + "\(stale.pvs.joined(separator: ", "))): not taken as evidence that a VG is a guest's"
        case let .exportedVolumeSeenTwice(volume):
            return "PV \(volume.uuid) is on \(volume.devices.joined(separator: " and ")): a volume this host exports "
                + "(\(volume.export)) and its own iSCSI attachment of it (a converged node), one volume seen twice, "
                + "not a clone; both are the guest's and the filter accepts neither"
        case let .keptAcceptRule(rule):
            return "the current filter's rule \(rule) matches no device present now (a detached or logged-out disk?): "
                + "kept, so LVM still sees that disk when it returns; remove it by hand if the disk is gone for good"
        case let .keptDevicesFileEntry(device, pvid):
            return
                "the devices file's entry for PVID \(pvid?.compact ?? "none") (last seen as \(device)) matches no PV present now: kept, "
                + "so LVM still uses that disk when it returns; remove it with lvmdevices --delpvid if it is gone for good"
        case let .initramfsLeftAsIs(image):
            return "the initramfs \(image) holds an lvm.conf whose device settings differ from the planned ones; "
                + "policy 'check' leaves it"
        }
    }
}

extension GuestEvidence {
    /// "disk vdb of instance-0000002a (UUID), defined; created by guest-vm on iscsi storage".
    public var summary: String {
        var parts: [String] = instances.map { "disk of libvirt domain \($0)" }
        parts += volumeLVs.map { "inside volume LV \($0) (lvmguard_volume_vgs)" }
        parts += exportedBy.map { "inside a device exported by \($0)" }
        if !foreignCreationHosts.isEmpty {
            parts.append(
                "created by \(foreignCreationHosts.joined(separator: ", ")) on "
                    + (transports.isEmpty ? "unknown" : transports.map(\.rawValue).joined(separator: ", ")) + " storage"
            )
        }
        return parts.joined(separator: "; ")
    }
}

extension HostPlan.DeadMap {
    /// "multipath map mpatha (wwid 3600...)".
    var label: String { "multipath map \(name) (wwid \(wwid?.rawValue ?? "unknown"))" }

    /// "has no active path (sda (8:0) failed, queueing I/O)".
    var stateDescription: String {
        "has no active path (\(paths.isEmpty ? "no paths" : paths.joined(separator: ", "))"
            + (queueIfNoPath ? ", queueing I/O" : "") + ")"
    }
}
