extension HostPlan {
    /// Why lvmguard will not change a host: a person must look first. A value with its data; the sentence a
    /// person reads is rendered from it (`message(host:)`, Rendering/FindingMessages.swift).
    public enum Blocker: Sendable, Codable, Hashable {
        /// A VG with open LVs that no mount, swap, libvirt disk or stacked device explains.
        case unexplainedOpenLVs(vg: Ownership.AmbiguousVG)
        /// The kernel command line names an LV or VG by a name several VGs carry, and identity cannot tell which.
        case ambiguousBootReference(conflict: Ownership.BootReferenceConflict)
        /// A VG nothing ties to the host or to a guest.
        case unclassifiedVG(vg: Ownership.AmbiguousVG)
        /// A VG the host uses that carries guest evidence: whose it is, a person says.
        case guestVGInUse(vg: Ownership.InUseGuestVG)
        /// A VG on attachable storage, made on this host or by nobody recorded, unused and tied to no instance.
        case unclaimedVG(vg: Ownership.UnclaimedVG)
        /// One PV UUID on several devices (a cloned image): no name or PV UUID link tells them apart.
        case duplicatePV(uuid: PVUUID, devices: [Ownership.IdentifiedDevice])
        /// A name in `lvmguard_host_vgs` that several VGs carry.
        case ambiguousDeclaration(name: String, vgUUIDs: [VGUUID])
        /// A name in `lvmguard_volume_vgs` that several VGs carry.
        case ambiguousVolumeDeclaration(name: String, vgUUIDs: [VGUUID])
        /// `reject-all` on a host that has PVs of its own.
        case rejectAllHidesHostPVs(pvs: [String])
        /// `key: filter` where lvmetad feeds on what `filter` does not govern.
        case lvmetadIgnoresFilter
        /// lvm.conf does not parse; it is never overwritten.
        case configUnparseable(path: String, error: String)
        /// The current filter is not LVM syntax lvmguard understands.
        case filterNotUnderstood(key: String, path: String, line: Int, error: String)
        /// The effective filter comes from somewhere other than lvm.conf (lvmlocal.conf, a profile, a tag).
        case filterSetElsewhere(key: String, path: String, effective: String, current: String)
        /// A setting the plan changes is assigned in a file LVM reads beside lvm.conf (lvmlocal.conf, lvm_<tag>.conf),
        /// which wins: the edit would never take effect.
        case settingOverridden(key: String, path: String, line: Int, value: String)
        /// Open guest LVs are all that is left to change.
        case openGuestLVsOnly(lvs: [String])
        /// A multipath map with no active path carries the host's storage.
        case deadMapCarriesHostStorage(map: DeadMap)
        /// A VG of another host or shared through lvmlockd, not declared.
        case foreignVG(vg: Ownership.ForeignVG)
        /// A dead map carries LVs nothing ties to a guest without reading the map.
        case deadMapWithoutEvidence(map: DeadMap)
        /// Guests stay active on a dead map (`dead_maps: report`, or it cannot be released): apply would fail.
        case deadMapGuestsStayActive(map: DeadMap)
        /// The host answered, but runs something lvmguard does not support.
        case unsupported(message: String)
        /// The host's facts could not be had.
        case unreachable(message: String)
    }
}
