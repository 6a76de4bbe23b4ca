/// Decision (devices-file regime): the entries to add and remove so the devices file lists exactly the host's
/// PVs, and, when the plan moves the host there, the lvm.conf edit that turns it on.
enum DevicesFileEdit {
    static func plan(facts: HostFacts, host: String, ownership: Ownership, migrates: Bool)
        -> (edit: HostPlan.DevicesFileEdit?, configEdit: HostPlan.ConfigEdit?, found: PlanFindings)
    {
        var found = PlanFindings()
        let edit = DevicesFile.edit(facts: facts, hostPVs: ownership.hostPVs)
        found.warnings += DevicesFile.absentEntries(facts).map {
            .keptDevicesFileEntry(device: $0.deviceName, pvid: $0.pvid)
        }
        found.warnings += DevicesFile.orphanEntries(facts).map { .keptOrphanPVEntry(device: $0.deviceName) }
        guard migrates else {
            if facts.devicesFile == nil { found.warnings.append(.devicesFileMissing) }
            return (edit, nil, found)
        }
        var configEdit: HostPlan.ConfigEdit?
        do {
            configEdit = try ConfigEditing.setting(.useDevicesFile, to: .integer(1), facts: facts, host: host)
        } catch {
            found.blockers.append(error)
        }
        found.warnings.append(
            .movesToDevicesFile(lvmVersion: facts.lvmVersion?.description, hostPVs: ownership.hostPVs))
        return (edit, configEdit, found)
    }
}

/// The devices file (LVM >= 2.03.12): its entries, and the edit that makes it list exactly the host's PVs.
enum DevicesFile {
    /// One entry: `IDTYPE=... IDNAME=... DEVNAME=/dev/sdb PVID=... PART=...`.
    struct Entry: Hashable {
        let deviceName: String
        /// Nil for an entry without a PVID (a device that carried no PV when it was added).
        let pvid: PVUUID?
    }

    static func entries(_ text: String) -> [Entry] {
        text.outputLines().compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            var fields: [String: String] = [:]
            for word in line.split(separator: " ") {
                let pair = word.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { fields[pair[0]] = pair[1] }
            }
            guard let device = fields["DEVNAME"] else { return nil }
            return Entry(deviceName: device, pvid: fields["PVID"].flatMap(PVUUID.init))
        }
    }

    /// Entries whose PV is not present now (a logged-out LUN, a removable disk): kept, never removed.
    static func absentEntries(_ facts: HostFacts) -> [Entry] {
        let present = Set(facts.pvs.map(\.uuid))
        return (facts.devicesFile.map(entries) ?? []).filter { entry in entry.pvid.map(present.contains) != true }
    }

    /// Entries of PVs in no VG (a PV made for the host, before `vgextend`): kept. Such a PV activates nothing.
    static func orphanEntries(_ facts: HostFacts) -> [Entry] {
        let orphans = Set(facts.pvs.filter { $0.vgUUID == nil }.map(\.uuid))
        return (facts.devicesFile.map(entries) ?? []).filter { entry in entry.pvid.map(orphans.contains) == true }
    }

    static func edit(facts: HostFacts, hostPVs: [String]) -> HostPlan.DevicesFileEdit? {
        let current = facts.devicesFile.map(entries) ?? []
        // Present PVs in a VG: absent PVs' entries and those of PVs in no VG are kept.
        let present = Set(facts.pvs.filter { $0.vgUUID != nil }.map(\.uuid))
        let hostPVIDs = Set(facts.pvs.filter { hostPVs.contains($0.name) }.map(\.uuid))
        // Entries of PVs present that are not the host's (`absentEntries` and `orphanEntries` are kept).
        let removed = current.compactMap { entry -> (deviceName: String, pvid: PVUUID)? in
            guard let pvid = entry.pvid, present.contains(pvid), !hostPVIDs.contains(pvid) else { return nil }
            return (entry.deviceName, pvid)
        }.sorted { ($0.deviceName, $0.pvid) < ($1.deviceName, $1.pvid) }
        let listed = Set(current.compactMap(\.pvid))
        let add = facts.pvs.filter { hostPVs.contains($0.name) && !listed.contains($0.uuid) }.map(\.name).sorted()
        let create = facts.devicesFile == nil
        guard !add.isEmpty || !removed.isEmpty || create else { return nil }
        return HostPlan.DevicesFileEdit(
            add: add, remove: removed.map(\.deviceName), removePVIDs: removed.map(\.pvid),
            createFile: create)
    }
}
