import Foundation
/// Decides, per host, what must change for the desired state to hold. Pure: facts in, plan out.
public enum Planner {
    /// The plan for a reachable, non-exempt host.
    public static func plan(_ host: HostSettings, facts: HostFacts, desired: DesiredState) -> HostPlan {
        var blocked: [String] = []
        var warnings: [String] = []
        let ownership = Ownership(facts: facts, declaredVGs: host.hostVGs, accept: desired.filter.accept)
        let topology = DeviceTopology(facts)

        for vg in ownership.ambiguousVGs where !vg.openLVs.isEmpty {
            blocked.append("VG \(vg.name) (\(vg.uuid)) on \(vg.pvs.joined(separator: ", ")) has open LVs that nothing lvmguard sees "
                + "explains (no mount, swap, libvirt disk or device stacked on them): \(vg.openLVs.joined(separator: ", ")); "
                + "find what holds them (fuser -vm, lsof); if the host owns the VG, add it to lvmguard_host_vgs for \(host.name)")
        }
        for reference in ownership.ambiguousBootReferences {
            blocked.append("\(reference): declare the host's VG by UUID in lvmguard_host_vgs for \(host.name)")
        }
        for vg in ownership.ambiguousVGs where vg.openLVs.isEmpty {
            blocked.append("VG \(vg.name) (\(vg.uuid)) on \(vg.pvs.joined(separator: ", ")) is not mounted, not swap, not on the kernel "
                + "command line, not declared and not on SAN storage: if the host owns it, add it to lvmguard_host_vgs "
                + "for \(host.name) (by name or UUID); if not, detach or remove it")
        }
        for name in ownership.ambiguousDeclarations {
            let uuids = facts.vgs.filter { $0.name == name }.map(\.uuid).sorted()
            blocked.append("lvmguard_host_vgs names '\(name)', which matches \(uuids.count) VGs (\(uuids.joined(separator: ", "))): declare the host's by UUID")
        }
        for name in ownership.missingDeclarations {
            warnings.append("lvmguard_host_vgs names '\(name)', but the host has no such VG")
        }
        if desired.filter.policy == .rejectAll, !ownership.hostPVs.isEmpty {
            blocked.append("policy reject-all would hide the host's own PVs (\(ownership.hostPVs.joined(separator: ", "))): use policy host-pvs-only for this host")
        }

        let useDevicesFile: Bool = if case .integer(1)? = facts.settings["devices/use_devicesfile"] { true } else { false }
        let migrate = !useDevicesFile && desired.filter.policy == .hostPVsOnly
            && migratesToDevicesFile(facts: facts, hostPVs: ownership.hostPVDevices)
        let regime: HostPlan.Regime = useDevicesFile || migrate ? .devicesFile : .filter
        let keyPath = ["devices", desired.filter.key.rawValue]
        let acceptNames = FilterNames.accept(ownership.hostPVDevices, facts: facts)
        if regime == .filter { warnings += acceptNames.warnings }
        let plannedFilter: LVMFilter = switch desired.filter.policy {
        case .rejectAll: .rejectAll
        case .hostPVsOnly:
            .hostPVsOnly(devices: acceptNames.names + desired.filter.accept.compactMap { if case let .path(path) = $0 { path } else { nil } },
                         patterns: desired.filter.accept.compactMap { if case let .regex(pattern) = $0 { pattern } else { nil } })
        }

        var configEdit: HostPlan.ConfigEdit?
        var devicesFileEdit: HostPlan.DevicesFileEdit?
        switch regime {
        case .filter:
            if desired.filter.key == .filter, case .integer(1)? = facts.settings["global/use_lvmetad"] {
                blocked.append("lvmetad is in use (global/use_lvmetad = 1), which ignores devices/filter for what udev and pvscan feed it: use key global_filter")
            }
            do {
                configEdit = try filterEdit(facts: facts, host: host.name, keyPath: keyPath, planned: plannedFilter)
            } catch {
                blocked.append(error.message)
            }
        case .devicesFile:
            devicesFileEdit = DevicesFile.edit(facts: facts, hostPVs: ownership.hostPVs)
            if migrate {
                do {
                    configEdit = try settingEdit(facts: facts, host: host.name, keyPath: ["devices", "use_devicesfile"], to: .integer(1))
                } catch {
                    blocked.append(error.message)
                }
                warnings.append("LVM \(facts.lvmVersion?.description ?? "2.03") autoactivates from udev before the /dev/disk "
                    + "links of \(ownership.hostPVs.joined(separator: ", ")) exist, and kernel names change at reboot (dm-N "
                    + "follows creation order), so no filter keeps the host's PVs at boot; the plan moves the host to the "
                    + "devices file, which LVM matches by the WWID, serial or dm UUID read from sysfs")
            } else if facts.devicesFile == nil {
                warnings.append("use_devicesfile = 1 but the devices file does not exist, so LVM uses every device: the plan creates it")
            }
        }

        var deactivations: [HostPlan.Deactivation] = []
        var openLVs: [String] = []
        for guest in ownership.guestVGs {
            let active = facts.lvs.filter { $0.vgUUID == guest.uuid && $0.isActive }
            guard !active.isEmpty else { continue }
            guard desired.deactivateGuestVGs else {
                warnings.append("guest VG \(guest.name) (\(guest.uuid)) is active; deactivate_guest_vgs is false, so it stays active")
                continue
            }
            var maps: [String] = [], wwids: [String] = []
            for storage in guest.storage {
                if case let .multipath(map, wwid) = storage { maps.append(map); wwids.append(wwid) }
            }
            let mapDevices = Set(maps.compactMap { topology.kernelName(of: "/dev/mapper/" + $0) })
            let instances = facts.libvirtDisks.filter { disk in
                topology.kernelName(of: disk.source).map(mapDevices.contains) == true || wwids.contains { disk.source.contains($0) }
            }.map(\.domainLabel)
            let lvs = active.sorted { $0.name < $1.name }.map { HostPlan.Deactivation.LV(name: $0.name, uuid: $0.uuid, open: $0.isOpen) }
            for lv in lvs where lv.open {
                openLVs.append("\(guest.name)/\(lv.name) (\(lv.uuid))")
            }
            deactivations.append(HostPlan.Deactivation(
                vgName: guest.name, vgUUID: guest.uuid, lvs: lvs,
                pvs: facts.pvs.filter { $0.vgUUID == guest.uuid }.map(\.name).sorted(),
                multipathMaps: maps.sorted(), wwids: wwids.sorted(), instances: Array(Set(instances)).sorted()))
        }
        for lv in openLVs {
            warnings.append("guest LV \(lv) is open on the host: it will not be deactivated; find what holds it (dmsetup info, fuser -vm)")
        }

        // Declared names never match a UUID; a declared UUID counts even when its VG is out of LVM's sight.
        let deadMaps = DeadMaps.analyse(facts, graph: DeviceGraph(facts), hostVGUUIDs: Set(ownership.hostVGs.map(\.uuid) + host.hostVGs),
                                        release: desired.deadMaps == .release)
        let unreleased = reviewDeadMaps(deadMaps, policy: desired.deadMaps, blocked: &blocked, warnings: &warnings)

        let initramfs = initramfsAction(facts: facts, plannedText: configEdit?.plannedText ?? facts.lvmConf.text,
                                        policy: desired.initramfs, warnings: &warnings)
        let hasChanges = configEdit != nil || devicesFileEdit != nil || initramfs?.rebuild == true
            || deactivations.contains { $0.lvs.contains { !$0.open } } || deadMaps.contains(where: \.release)
        if !hasChanges, !openLVs.isEmpty {
            blocked.append("guest LVs are open on the host and nothing else is left to change: \(openLVs.joined(separator: ", "))")
        }
        if !hasChanges, !unreleased.isEmpty {
            blocked.append("guest LVs stay active on multipath maps with no active path and nothing else is left to change: "
                + "\(unreleased.joined(separator: ", "))")
        }
        let status: HostPlan.Status = !blocked.isEmpty ? .blocked : (hasChanges ? .changes : .inSync)
        let fingerprint = HostPlan.Fingerprint(
            lvmConfSHA256: facts.lvmConf.sha256, devicesFile: facts.devicesFile,
            lvStates: facts.lvs.map { "\($0.vgUUID) \($0.uuid) \($0.isActive ? "active" : "inactive")" }.sorted(),
            devicesFileName: facts.settings["devices/devicesfile"].flatMap { if case let .string(name) = $0, !name.isEmpty { name } else { nil } })
        // A blocked host gets no changes at all: a person decides first.
        let isBlocked = status == .blocked
        return HostPlan(
            host: host.name, status: status, reasons: blocked, exemption: nil, regime: regime,
            lvmVersion: facts.lvmVersion?.description,
            ownership: .init(hostVGs: ownership.hostVGs, guestVGs: ownership.guestVGs, hostPVs: ownership.hostPVs),
            configEdit: isBlocked ? nil : configEdit, devicesFileEdit: isBlocked ? nil : devicesFileEdit,
            deactivations: isBlocked ? [] : deactivations,
            refreshCache: !isBlocked && desired.refresh == .pvscanCache && (configEdit != nil || devicesFileEdit != nil),
            initramfs: isBlocked ? nil : initramfs, warnings: warnings, fingerprint: fingerprint,
            deadMaps: isBlocked ? deadMaps.map(\.reportOnly) : deadMaps)
    }

    /// Blocks the host when a dead map carries the host's storage (its PVs cannot be seen, so no filter can be
    /// planned that keeps them); warns about every other dead map. Returns the maps whose guests stay active.
    private static func reviewDeadMaps(_ maps: [HostPlan.DeadMap], policy: DeadMapPolicy,
                                       blocked: inout [String], warnings: inout [String]) -> [String] {
        var unreleased: [String] = []
        for map in maps {
            let label = "multipath map \(map.name) (wwid \(map.wwid ?? "unknown"))"
            let state = "has no active path (\(map.paths.isEmpty ? "no paths" : map.paths.joined(separator: ", "))"
                + (map.queueIfNoPath ? ", queueing I/O" : "") + ")"
            if !map.hostUse.isEmpty {
                blocked.append("\(label) \(state) and carries the host's storage: \(map.hostUse.joined(separator: "; ")); "
                    + "LVM cannot read it, so no filter can be planned that keeps it: restore a path first")
                continue
            }
            var warning = "\(label) \(state): every LVM command lvmguard runs skips it and what is on it"
            if map.guestLVs.isEmpty {
                warning += "; nothing is stacked on it, so os-brick's multipath -f can remove it"
            } else if map.release {
                warning += "; apply releases guest VG \(map.guestVGUUIDs.joined(separator: ", ")) without I/O (dead_maps: release)"
            } else {
                unreleased.append(label)
                warning += "; guest VG \(map.guestVGUUIDs.joined(separator: ", ")) stays active on it ("
                    + (map.blockers.isEmpty ? "dead_maps: report; set dead_maps: release to free the map"
                        : "cannot be released: \(map.blockers.joined(separator: "; "))") + "), and apply fails until it is freed"
            }
            warnings.append(warning)
        }
        return unreleased
    }

    /// The plan for an exempt host: reported, never touched.
    public static func exempt(_ exempt: TargetSelection.ExemptHost) -> HostPlan {
        HostPlan(host: exempt.host, status: .exempt, reasons: [exempt.reason],
                 exemption: .init(reason: exempt.reason, ticket: exempt.ticket, until: exempt.until?.description, source: exempt.source),
                 regime: nil, lvmVersion: nil, ownership: nil, configEdit: nil, devicesFileEdit: nil, deactivations: [],
                 refreshCache: false, initramfs: nil, warnings: [], fingerprint: nil)
    }

    /// The plan for a host whose facts could not be had.
    public static func unreachable(_ host: String, reason: String) -> HostPlan {
        withoutFacts(host, .unreachable, reason: reason)
    }

    /// The plan for a host whose facts could not be used: blocked when the host runs something lvmguard does
    /// not support (it answered; a person must look), unreachable otherwise.
    public static func unusable(_ host: String, _ error: FactsError) -> HostPlan {
        withoutFacts(host, error.unsupported ? .blocked : .unreachable, reason: error.message)
    }

    /// A plan with a status and its reason and nothing else: no facts, so nothing to change.
    private static func withoutFacts(_ host: String, _ status: HostPlan.Status, reason: String) -> HostPlan {
        HostPlan(host: host, status: status, reasons: [reason], exemption: nil, regime: nil, lvmVersion: nil,
                 ownership: nil, configEdit: nil, devicesFileEdit: nil, deactivations: [], refreshCache: false,
                 initramfs: nil, warnings: [], fingerprint: nil)
    }

    struct PlanningError: Error { let message: String }

    /// Whether a host on the filter regime must move to the devices file to keep its PVs at boot: LVM 2.03.12 or
    /// later with event activation, where udev's pvscan sees only a device's kernel name (its /dev/disk links do
    /// not exist yet). Measured in the lab: a host PV on a multipath map accepted by its dm-uuid link stayed
    /// inactive (`boot-from-san`: dm-N numbers follow creation order, so no name works), and a local disk
    /// accepted by kernel name was lost when a power cycle renamed it (`renamed-disks`). The devices file
    /// matches by IDs read from sysfs: moved when a host PV is a dm device, or when every host PV has a hardware
    /// identity (WWN, serial) for LVM to record. A disk with neither keeps the filter, with its warning.
    static func migratesToDevicesFile(facts: HostFacts, hostPVs: [Ownership.HostPV]) -> Bool {
        guard let version = facts.lvmVersion, version >= HostFacts.LVMVersion(major: 2, minor: 3, patch: 12),
              facts.settings["devices/use_devicesfile"] != nil, facts.settings["global/event_activation"] != .integer(0),
              !hostPVs.isEmpty else {
            return false
        }
        return hostPVs.contains(where: \.isDeviceMapper) || hostPVs.allSatisfy(\.hasHardwareIdentity)
    }

    /// The lvm.conf edit that sets one scalar key, nil when it already has that value.
    private static func settingEdit(facts: HostFacts, host: String, keyPath: [String],
                                    to value: LVMConfigValue) throws(PlanningError) -> HostPlan.ConfigEdit? {
        let document = try parsedConfig(facts)
        let current = document.effectiveAssignment(at: keyPath)?.value
        guard current != value else { return nil }
        return edit(facts, host: host, document: document, keyPath: keyPath, to: value,
                    current: current?.rendered ?? "unset", planned: value.rendered)
    }

    /// The host's lvm.conf, parsed; a file that does not parse is never overwritten.
    private static func parsedConfig(_ facts: HostFacts) throws(PlanningError) -> LVMConfigDocument {
        do {
            return try LVMConfigDocument(parsing: facts.lvmConf.text)
        } catch {
            throw PlanningError(message: "cannot parse \(facts.lvmConf.path) at \(error): fix the file by hand; lvmguard does not "
                + "overwrite what it cannot read")
        }
    }

    /// The edit that sets `keyPath` to `value`, with its diff; `current` and `planned` as the plan shows them.
    private static func edit(_ facts: HostFacts, host: String, document: LVMConfigDocument, keyPath: [String],
                             to value: LVMConfigValue, current: String, planned: String) -> HostPlan.ConfigEdit {
        let path = facts.lvmConf.path
        let text = document.setting(keyPath, to: value)
        let diff = UnifiedDiff.diff(from: facts.lvmConf.text, to: text, oldLabel: "\(host):\(path) (current)",
                                    newLabel: "\(host):\(path) (planned)")
        return HostPlan.ConfigEdit(path: path, key: keyPath.joined(separator: "/"), current: current, planned: planned,
                                   plannedText: text, diff: diff, isLatin1: facts.lvmConf.isLatin1)
    }

    /// The lvm.conf edit for the filter, nil when the current one is already equivalent.
    private static func filterEdit(facts: HostFacts, host: String, keyPath: [String], planned: LVMFilter) throws(PlanningError) -> HostPlan.ConfigEdit? {
        let path = facts.lvmConf.path
        let document = try parsedConfig(facts)
        let key = keyPath.joined(separator: "/")
        var current = LVMFilter.acceptAll
        if let assignment = document.effectiveAssignment(at: keyPath) {
            do {
                current = try LVMFilter(parsing: assignment.value)
            } catch {
                throw PlanningError(message: "the current \(key) in \(path) line \(assignment.line) is not understood (\(error)): a person must look")
            }
        }
        // lvmconfig merges lvmlocal.conf, profiles and tags: a value set there wins over lvm.conf.
        if let effective = facts.settings[key], let effectiveFilter = try? LVMFilter(parsing: effective),
           !effectiveFilter.isEquivalent(to: current) {
            throw PlanningError(message: "\(key) is set outside \(path) (lvmconfig reports \(effectiveFilter), \(path) says \(current)): change it where it is set, or remove it there")
        }
        guard !current.isEquivalent(to: planned) else { return nil }
        return edit(facts, host: host, document: document, keyPath: keyPath, to: planned.configValue,
                    current: current.description, planned: planned.description)
    }

    private static func initramfsAction(facts: HostFacts, plannedText: String, policy: InitramfsPolicy,
                                        warnings: inout [String]) -> HostPlan.InitramfsAction? {
        guard policy != .ignore, facts.initramfs.tool != .none, let image = facts.initramfs.image,
              let copy = facts.initramfs.lvmConf, !OwnedSettings.agree(plannedText, copy) else { return nil }
        if policy == .check {
            warnings.append("the initramfs \(image) holds an lvm.conf whose device settings differ from the planned ones; policy 'check' leaves it")
        }
        return HostPlan.InitramfsAction(tool: facts.initramfs.tool.rawValue, image: image, rebuild: policy == .rebuildIfNeeded)
    }
}

/// The devices file (LVM >= 2.03.12): which entries to add and remove so it lists exactly the host's PVs.
enum DevicesFile {
    /// One entry: `IDTYPE=... IDNAME=... DEVNAME=/dev/sdb PVID=... PART=...`.
    struct Entry: Hashable {
        let deviceName: String
        let pvid: String
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
            return Entry(deviceName: device, pvid: fields["PVID"] ?? "")
        }
    }

    static func edit(facts: HostFacts, hostPVs: [String]) -> HostPlan.DevicesFileEdit? {
        let current = facts.devicesFile.map(entries) ?? []
        let hostPVIDs = Set(facts.pvs.filter { hostPVs.contains($0.name) }.map { $0.uuid.replacingOccurrences(of: "-", with: "") })
        let removed = current.filter { !hostPVIDs.contains($0.pvid) }.sorted { ($0.deviceName, $0.pvid) < ($1.deviceName, $1.pvid) }
        let listed = Set(current.map(\.pvid))
        let add = facts.pvs.filter { hostPVs.contains($0.name) && !listed.contains($0.uuid.replacingOccurrences(of: "-", with: "")) }
            .map(\.name).sorted()
        let create = facts.devicesFile == nil
        guard !add.isEmpty || !removed.isEmpty || create else { return nil }
        return HostPlan.DevicesFileEdit(add: add, remove: removed.map(\.deviceName), removePVIDs: removed.map(\.pvid), createFile: create)
    }
}
