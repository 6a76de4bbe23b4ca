/// The contract between lvmguard and the scripts it sends (remote/*.sh), declared once: the variables the
/// scripts read, the steps they report with their results, and the exit codes they end with. A test checks
/// that each one appears in the scripts.
public enum RemoteContract {
    /// A shell variable lvmguard sets at the top of a script.
    public enum Variable: String, Sendable, CaseIterable {
        /// The random token that marks every line of the scripts' own output.
        case boundary = "LVMGUARD_BOUNDARY"
        /// The whole run's bound in seconds, and the remote deadline within it (see `RemoteDeadline`).
        case timeout = "LVMGUARD_TIMEOUT"
        case deadline = "LVMGUARD_DEADLINE"
        /// The apply's UTC timestamp: names backups and journal lines.
        case timestamp = "LVMGUARD_TIMESTAMP"
        /// The fingerprint the plan relied on.
        case expectSHA256 = "LVMGUARD_EXPECT_SHA256"
        case expectDevicesFile = "LVMGUARD_EXPECT_DEVICES_FILE"
        case devicesFileName = "LVMGUARD_DEVICES_FILE_NAME"
        /// The boot ID the plan was made in; empty for a plan from facts without one.
        case expectBootID = "LVMGUARD_EXPECT_BOOT_ID"
        /// 1 when the plan writes lvm.conf (the candidate is in the data function `candidate`).
        case configEdit = "LVMGUARD_CONFIG_EDIT"
        /// The planned devices file beside the candidate in the trial: 1 when the candidate turns the devices file on
        /// (then installed before lvm.conf), 2 when the host is on it already (tried only), 0 under a filter.
        case trialDevices = "LVMGUARD_TRIAL_DEVICES"
        /// VG UUIDs the trial must still see, and must no longer see.
        case hostVGs = "LVMGUARD_HOST_VGS"
        case guestVGs = "LVMGUARD_GUEST_VGS"
        /// Devices-file edits: paths to add, PVIDs to remove, and whether to create the file.
        case devicesAdd = "LVMGUARD_DEVICES_ADD"
        case devicesRemove = "LVMGUARD_DEVICES_REMOVE"
        case devicesCreate = "LVMGUARD_DEVICES_CREATE"
        /// Guest VG UUIDs to deactivate whole (`vgchange -an`: nothing of them is held from outside).
        case deactivateVGs = "LVMGUARD_DEACTIVATE_VGS"
        /// LV UUIDs to deactivate one by one, in this order (top of each stack first).
        case deactivate = "LVMGUARD_DEACTIVATE"
        /// 1 for `pvscan --cache` after the change.
        case refresh = "LVMGUARD_REFRESH"
        /// The initramfs tool (`InitramfsTool`'s raw value, or none) and image to rebuild.
        case initramfs = "LVMGUARD_INITRAMFS"
        case initramfsImage = "LVMGUARD_INITRAMFS_IMAGE"
        /// 1 when apply writes lvmguard's PV link rule and dracut drop-in (data `pv_link_rule`, `pv_link_dracut`),
        /// and their fixed paths (`PVLinkRule`).
        case pvLinkFiles = "LVMGUARD_PV_LINK_FILES"
        case pvLinkRule = "LVMGUARD_PV_LINK_RULE"
        case pvLinkDracut = "LVMGUARD_PV_LINK_DRACUT"
        /// The lab's fault injection: the `FaultPoint` at which apply waits for the power to be cut.
        case faultPause = "LVMGUARD_FAULT_PAUSE"
        /// 1 for a rollback that only reports what it would restore.
        case rollbackPreview = "LVMGUARD_ROLLBACK_PREVIEW"
        /// 1 for a rollback that restores even though lvm.conf changed since the apply it undoes.
        case rollbackForce = "LVMGUARD_ROLLBACK_FORCE"
        /// The bound of each command the scripts run, in seconds (default 60; tests set it lower).
        case commandBound = "LVMGUARD_COMMAND_BOUND"
    }

    /// Where the lab may stop an apply to cut the host's power (`LVMGUARD_FAULT_PAUSE` in lvmguard's environment):
    /// after lvmguard's PV link files are written, and after lvm.conf is. apply writes /run/lvmguard-fault-POINT there.
    public enum FaultPoint: String, Sendable, CaseIterable {
        case pvLinks = "pv-links"
        /// During a move to the devices file: the complete file installed, lvm.conf not yet turning it on.
        case devicesFile = "devices-file"
        case config
    }

    /// The data functions apply reads (`data NAME` in remote/common.sh prints `lvmguard_data_NAME`, sent base64).
    public enum Data: String, Sendable, CaseIterable {
        /// The fingerprint's lines (`HostPlan.Fingerprint`): one per LV, one per PV.
        case lvStates = "lv_states"
        case pvMembers = "pv_members"
        /// The devices file as planned on (its entries are compared), when the host had one.
        case devicesFile = "devices_file"
        /// The planned lvm.conf, whole.
        case candidate
        /// Guests on maps with no active path: "release|report WWID DM-UUID...", tops of the stack first.
        case deadMaps = "dead_maps"
        /// lvmguard's own udev rule and dracut drop-in (`PVLinkRule`).
        case pvLinkRule = "pv_link_rule"
        case pvLinkDracut = "pv_link_dracut"
    }

    /// A step the apply and rollback scripts report, as `<boundary> step NAME RESULT MESSAGE`.
    public enum Step: String, Sendable, CaseIterable {
        case lock, prepare, fingerprint, candidate, validate, trial, backup, write, config, journal
        case devicesFile = "devices-file"
        case deactivate
        case deadMap = "dead-map"
        case refresh, initramfs, rollback, diff
        case pvLinks = "pv-links"
    }

    /// How a step went.
    public enum StepResult: String, Sendable, Codable, CaseIterable {
        case ok, changed, skipped, failed, stale, refused
        /// Rollback's preview: what it would do.
        case would
        /// A line of the preview's diff.
        case line
    }

    /// How a script run ended: the number in `<boundary> applied RC`.
    public enum Exit: Int, Sendable, CaseIterable {
        case done = 0
        /// Something failed; nothing is half-done.
        case failed = 1
        /// Another lvmguard run holds the host's lock.
        case lockHeld = 3
        /// The host changed since the plan.
        case stale = 4
        /// Rollback found no apply to undo.
        case nothingToRollBack = 5
    }
}
