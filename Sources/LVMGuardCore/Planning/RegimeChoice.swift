/// Decision: how host LVM is kept off guest disks on this host, the filter or the devices file, and whether
/// the plan moves the host to the devices file.
struct RegimeChoice: Sendable, Equatable {
    let regime: HostPlan.Regime
    /// The host is on the filter now and the plan turns the devices file on.
    let migrates: Bool

    static func choose(facts: HostFacts, hostPVs: [Ownership.HostPV], policy: FilterPolicy.Policy) -> RegimeChoice {
        let useDevicesFile = facts.setting(.useDevicesFile) == .integer(1)
        let migrates =
            !useDevicesFile && policy == .hostPVsOnly && migratesToDevicesFile(facts: facts, hostPVs: hostPVs)
        return RegimeChoice(regime: useDevicesFile || migrates ? .devicesFile : .filter, migrates: migrates)
    }

    /// Whether a host on the filter regime must move to the devices file to keep its PVs at boot: LVM 2.03.12 or
    /// later with event activation, where udev's pvscan sees only a device's kernel name (its /dev/disk links do
    /// not exist yet). Measured in the lab: a host PV on a multipath map accepted by its dm-uuid link stayed
    /// inactive (`boot-from-san`: dm-N numbers follow creation order, so no name works), and a local disk
    /// accepted by kernel name was lost when a power cycle renamed it (`renamed-disks`). The devices file
    /// matches by IDs read from sysfs: moved when a host PV is a dm device, or when every host PV has a hardware
    /// identity (WWN, serial) for LVM to record. A disk with neither keeps the filter, with its warning.
    static func migratesToDevicesFile(facts: HostFacts, hostPVs: [Ownership.HostPV]) -> Bool {
        guard let version = facts.lvmVersion, version >= HostFacts.LVMVersion(major: 2, minor: 3, patch: 12),
            facts.setting(.useDevicesFile) != nil,
            facts.setting(.eventActivation) != .integer(0), !hostPVs.isEmpty
        else {
            return false
        }
        return hostPVs.contains(where: \.isDeviceMapper) || hostPVs.allSatisfy(\.hasHardwareIdentity)
    }
}
