/// What lvmguard will do on one host, and why. A value: rendered for review, saved, applied.
public struct HostPlan: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable, Hashable, CaseIterable {
        case inSync = "in-sync"
        case changes
        case exempt
        case blocked
        case unreachable
    }

    /// How host LVM is kept off guest disks on this host.
    public enum Regime: String, Sendable, Codable, Hashable {
        /// lvm.conf's `global_filter` (or `filter`).
        case filter
        /// LVM >= 2.03.12 with `use_devicesfile = 1`: the devices file lists the devices LVM may use.
        case devicesFile = "devices-file"
    }

    public let host: String
    public let status: Status
    /// Why the host is blocked or unreachable; empty otherwise.
    public let blockers: [Finding<Blocker>]
    public let exemption: Exemption?
    public let regime: Regime?
    public let lvmVersion: String?
    public let ownership: OwnershipSummary?
    public let configEdit: ConfigEdit?
    public let devicesFileEdit: DevicesFileEdit?
    public let deactivations: [Deactivation]
    /// `pvscan --cache` after the change.
    public let refreshCache: Bool
    public let initramfs: InitramfsAction?
    /// Things a reviewer should know that do not block the host.
    public let warnings: [Finding<Warning>]
    /// What the plan relied on; apply refuses the host as stale when these no longer match.
    public let fingerprint: Fingerprint?
    /// Multipath maps with no active path, kept out of every LVM command; releases among them are changes.
    public var deadMaps: [DeadMap] = []
    /// Files apply writes whole so that the host's initramfs boots with the planned filter (`PVLinkRuleDecision`).
    public var bootFiles: [BootFile] = []

    /// Why the host is blocked, unreachable or exempt, as sentences; empty otherwise.
    public var reasons: [String] { exemption.map { [$0.reason] } ?? blockers.map(\.message) }

    /// The exemption that kept the host out, as the plan records it.
    public struct Exemption: Sendable, Codable, Hashable {
        public let reason: String
        public let ticket: String?
        public let until: String?
        public let source: String
    }

    /// The host's VGs by owner.
    public struct OwnershipSummary: Sendable, Codable, Hashable {
        public let hostVGs: [Ownership.HostVG]
        public let guestVGs: [Ownership.GuestVG]
        public let hostPVs: [String]
    }

    /// The lvm.conf edit: key, old and new filter, the full planned text and its diff.
    public struct ConfigEdit: Sendable, Codable, Hashable {
        public let path: String
        public let key: String
        public let current: String
        public let planned: String
        public let plannedText: String
        public let diff: String
        /// The file is not UTF-8: `plannedText` goes back one byte per character (see `HostFacts.ConfigFile`).
        public var isLatin1: Bool = false
        /// Further settings the same edit changes (`scan_lvs = 0` beside the filter), in `plannedText` and `diff` too.
        public var alsoSets: [SettingChange] = []
    }

    /// One setting an lvm.conf edit changes, as the plan shows it.
    public struct SettingChange: Sendable, Codable, Hashable {
        public let key: String
        public let current: String
        public let planned: String
    }

    /// Devices-file entries to add (by device path, LVM picks the stable IDTYPE: WWID, serial, ...) and to
    /// remove, by PVID: `--deldev NAME` would remove whatever NAME is at apply time.
    public struct DevicesFileEdit: Sendable, Codable, Hashable {
        public let add: [String]
        /// The entries to remove, by the device name they record (for people).
        public let remove: [String]
        /// The same entries by PVID, which apply uses.
        public var removePVIDs: [PVUUID] = []
        public let createFile: Bool

        public init(add: [String], remove: [String], removePVIDs: [PVUUID] = [], createFile: Bool) {
            self.add = add
            self.remove = remove
            self.removePVIDs = removePVIDs
            self.createFile = createFile
        }
    }

    /// A guest VG to deactivate by UUID (`GuestStack`): whole when nothing of it is held from outside, else LV by LV,
    /// top of the stack first, the held LVs and what is under them left alone and reported.
    public struct Deactivation: Sendable, Codable, Hashable {
        public struct LV: Sendable, Codable, Hashable {
            public let name: String
            public let uuid: LVUUID
            /// Why it is left active (held from outside its VG, or under an LV that is); nil when it is deactivated.
            public let keep: String?
            /// A classic snapshot's origin, whose deactivation takes it (LV by LV, it gets no command of its own).
            public let withOrigin: String?
            public var open: Bool { keep != nil }
        }

        public let vgName: String
        public let vgUUID: VGUUID
        /// Nothing of the VG is held from outside: one `vgchange -an` by UUID, in LVM's own order.
        public let wholeVG: Bool
        /// Its active LVs, top of the stack first.
        public let lvs: [LV]
        public let pvs: [String]
        /// The maps it is on, by name, each with its WWID at the same index.
        public let multipathMaps: [String]
        public let wwids: [WWID]
        /// libvirt domains whose disks are on the VG's maps, when virsh could tell.
        public let instances: [String]
    }

    public struct InitramfsAction: Sendable, Codable, Hashable {
        public let tool: HostFacts.InitramfsTool
        public let image: String
        /// rebuild, or only report (policy `check`).
        public let rebuild: Bool
    }

    /// A file lvmguard owns whole, written (over a differing one, kept as a backup) before lvm.conf.
    public struct BootFile: Sendable, Codable, Hashable {
        public let path: String
        public let text: String
        /// A file with other content is there now.
        public let replaces: Bool
        /// What it is for, for review.
        public let purpose: String
    }

    /// What the plan saw, to detect a host that changed between plan and apply.
    public struct Fingerprint: Sendable, Codable, Hashable {
        public let lvmConfSHA256: String
        public let devicesFile: String?
        /// One line per LV, `vg_uuid lv_uuid STATE` (STATE: lv_attr's fifth letter, LVM's own: `a` active, `-`
        /// inactive, `s` suspended, ...), sorted; `remote/common.sh`'s `lv_state_lines` makes the same lines.
        public let lvStates: [String]
        /// One line per PV, `pv_uuid vg_uuid` (`-` for a PV in no VG), missing PVs included, sorted: a VG extended
        /// or reduced since the plan (root grown onto a new disk) is stale. `pv_member_lines` makes the same lines.
        public var pvMembers: [String] = []
        /// The devices file's name in /etc/lvm/devices when the host configures another than system.devices.
        public var devicesFileName: String? = nil
        /// The boot the plan was made in: after a reboot, kernel names and device paths may be other devices'.
        public var bootID: String? = nil
    }

    /// The commands apply will run, in order, for review (apply runs them from the typed fields, not this text).
    public var commands: [String] {
        var commands: [String] = []
        for file in bootFiles {
            commands.append("write \(file.path)   # \(file.purpose)")
        }
        if let edit = configEdit {
            commands.append("write \(edit.path) (validated with lvmconfig --validate, tried with pvs, backup kept)")
        }
        if let edit = devicesFileEdit {
            commands += edit.add.map { "lvm lvmdevices --adddev \($0)" }
            commands += zip(edit.removePVIDs, edit.remove).map {
                "lvm lvmdevices --delpvid \($0.0.compact)   # \($0.1)"
            }
        }
        for deactivation in deactivations {
            if deactivation.wholeVG {
                commands.append(
                    "vgchange -an --select vg_uuid=\(deactivation.vgUUID)   # \(deactivation.vgName), whole: "
                        + "\(deactivation.lvs.count) active LV\(deactivation.lvs.count == 1 ? "" : "s") in LVM's own order"
                )
                continue
            }
            for lv in deactivation.lvs where !lv.open && lv.withOrigin == nil {
                commands.append("lvchange -an --select lv_uuid=\(lv.uuid)   # \(deactivation.vgName)/\(lv.name)")
            }
        }
        for map in deadMaps where map.release {
            commands.append(
                "dmsetup message \(map.name) 0 fail_if_no_path   # wwid \(map.wwid?.rawValue ?? "unknown"), no active path"
            )
            commands += map.guestLVs.map { "dmsetup remove -u \($0.dmUUID)   # \($0.dmName)" }
        }
        if refreshCache { commands.append("pvscan --cache") }
        if let initramfs, initramfs.rebuild {
            let build = initramfs.tool == .dracut ? "dracut -f" : "mkinitramfs -o"
            commands.append("\(build) \(initramfs.image).lvmguard-new   # checked, then renamed over the image")
        }
        return commands
    }
}
