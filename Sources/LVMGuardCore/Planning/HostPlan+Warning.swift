extension HostPlan {
    /// Something a reviewer should know that does not block the host. A value with its data; the sentence is
    /// rendered from it (`message`, Rendering/FindingMessages.swift).
    public enum Warning: Sendable, Codable, Hashable {
        /// A name in `lvmguard_host_vgs` that no VG carries.
        case missingDeclaration(name: String)
        /// A name in `lvmguard_volume_vgs` that no VG carries.
        case missingVolumeDeclaration(name: String)
        /// A VG cinder's or nova's configuration keeps volumes in, present here, not in `lvmguard_volume_vgs`.
        case volumeVGNotDeclared(vg: OpenStackConfig.VolumeVG)
        /// A name in `lvmguard_volume_vgs` that the host's cinder and nova configuration does not name.
        case declaredVolumeVGNotConfigured(name: String, files: [String])
        /// A host PV with no identity link: the filter accepts it by its current name.
        case noIdentityLink(pv: String, uuid: PVUUID)
        /// LVM 2.03's event activation needs kernel names in the filter, which a reboot may reassign.
        case kernelNamesAccepted(lvmVersion: String?)
        /// The plan moves the host to the devices file: no filter keeps its PVs at boot.
        case movesToDevicesFile(lvmVersion: String?, hostPVs: [String])
        /// `use_devicesfile = 1` without a devices file: LVM uses every device.
        case devicesFileMissing
        /// A guest VG stays active because `deactivate_guest_vgs` is false.
        case guestVGKeptActive(name: String, uuid: VGUUID)
        /// A guest LV held from outside its VG, or under one that is (`keep` says which); it is not deactivated.
        case openGuestLV(lv: String, keep: String)
        /// A multipath map with no active path and what becomes of the guests on it.
        case deadMap(map: DeadMap)
        /// An accept rule of the current filter that matches no device present now, kept in the planned filter.
        case keptAcceptRule(rule: String)
        /// A devices-file entry whose PV is not present now, kept.
        case keptDevicesFileEntry(device: String, pvid: PVUUID?)
        /// A devices-file entry of a PV in no VG, kept: a PV made for the host before `vgextend`.
        case keptOrphanPVEntry(device: String)
        /// The initramfs's lvm.conf differs and policy `check` leaves it.
        case initramfsLeftAsIs(image: String)
        /// A kernel command line reference by name to a VG the host uses nothing of: not taken as ownership.
        case bootNameWithoutUse(reference: Ownership.BootNameWithoutUse)
        /// A defined instance's disk named by kernel name, now a device with PVs: not taken as evidence.
        case staleInstanceDisk(disk: Ownership.StaleInstanceDisk)
        /// A PV UUID on a volume this host exports and on its own iSCSI attachment of it: one volume, not a clone.
        case exportedVolumeSeenTwice(volume: Ownership.VolumeSeenTwice)
    }
}
