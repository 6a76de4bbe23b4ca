/// The names under which the filter accepts each host PV, chosen per LVM generation so the PV is accepted
/// after its kernel name changes *and* at the moment LVM decides at boot.
///
/// - Identity first: `/dev/disk/by-id/lvm-pv-uuid-<PV UUID>` (LVM's own udev rule makes it; no other device
///   can carry it), and for a dm device its `dm-uuid-` link (multipath WWID, LUKS UUID, LV UUID).
/// - LVM 2.03 with event activation also gets the kernel name of a non-dm PV. Its udev rule runs
///   `pvscan --cache --checkcomplete DEV` *while* udev processes the device's first event, before that
///   event's /dev/disk links exist; measured in the lab (2.03.16): with only the lvm-pv-uuid link accepted,
///   that pvscan rejects the PV when the link is absent and the VG is never autoactivated. The kernel name is
///   what it sees. dm kernel names (dm-N) are never used: a guest map can take the number next boot.
/// - LVM 2.02 (lvmetad: pvscan runs from RUN+=, after udev made the links) and 2.03 with
///   `event_activation = 0` (activation after udev settles) need no kernel name.
/// A PV with no identity link at all keeps its current name, with a warning: the devices file (LVM 2.03.12+,
/// IDs read from sysfs) is the only form that survives renaming everywhere.
enum FilterNames {
    static func accept(_ pvs: [Ownership.HostPV], facts: HostFacts) -> (names: [String], warnings: [HostPlan.Warning]) {
        let eventActivation =
            (facts.lvmVersion.map { $0 >= HostFacts.LVMVersion(major: 2, minor: 3, patch: 0) } ?? false)
            && facts.setting(.eventActivation) != .integer(0)
        var names: [String] = [], warnings: [HostPlan.Warning] = []
        for pv in pvs {
            let identity = pv.identityLinks.filter { link in
                link.hasPrefix("/dev/disk/by-id/lvm-pv-uuid-")
                    || (pv.isDeviceMapper && link.hasPrefix("/dev/disk/by-id/dm-uuid-"))
            }
            names += identity
            let kernel = pv.kernelName?.devicePath
            if identity.isEmpty {
                names.append(pv.isDeviceMapper ? pv.name : (kernel ?? pv.name))
                warnings.append(.noIdentityLink(pv: pv.name, uuid: pv.uuid))
            } else if eventActivation, !pv.isDeviceMapper, let kernel {
                names.append(kernel)
            }
        }
        if eventActivation, pvs.contains(where: { !$0.isDeviceMapper }) {
            warnings.append(.kernelNamesAccepted(lvmVersion: facts.lvmVersion?.description))
        }
        return (Array(Set(names)).sorted(), warnings)
    }
}
