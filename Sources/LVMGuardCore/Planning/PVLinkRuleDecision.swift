/// The files that give a dracut initramfs the /dev/disk/by-id/lvm-pv-uuid-* links lvm.conf's filter accepts the host's
/// PVs by. LVM's own udev rule makes those links on the running system, but dracut's lvm module leaves that rule out of
/// its images: an image carrying the filter would not find the root's PV, and the host would wait for its root forever.
/// lvmguard's rule makes the same links (and nothing else); the dracut drop-in puts it into every image dracut builds,
/// the host's own rebuilds after a kernel update included.
public enum PVLinkRule {
    public static let rulePath = "/etc/udev/rules.d/69-lvmguard-pv-uuid.rules"
    public static let dracutPath = "/etc/dracut.conf.d/90-lvmguard-pv-uuid.conf"

    /// The links as LVM 2.02.180's 69-dm-lvm-metad.rules makes them: block devices with an LVM2 label, never a path
    /// under a multipath map (the map is the PV), never a device-mapper device not ready for other rules.
    public static let ruleText = """
        # lvmguard: /dev/disk/by-id/lvm-pv-uuid-<PV UUID> links, made as LVM's own udev rule makes them, also inside
        # a dracut initramfs, whose lvm module leaves LVM's rule out. lvm.conf's filter accepts the host's PVs by these
        # links. Written by lvmguard apply, removed by lvmguard rollback; the same links LVM makes, nothing else.
        SUBSYSTEM!="block", GOTO="lvmguard_pv_uuid_end"
        ACTION=="remove", GOTO="lvmguard_pv_uuid_end"
        ENV{DM_UDEV_DISABLE_OTHER_RULES_FLAG}=="1", GOTO="lvmguard_pv_uuid_end"
        ENV{DM_MULTIPATH_DEVICE_PATH}=="1", GOTO="lvmguard_pv_uuid_end"
        ENV{ID_FS_TYPE}!="LVM2_member", GOTO="lvmguard_pv_uuid_end"
        ENV{ID_FS_UUID_ENC}=="?*", SYMLINK+="disk/by-id/lvm-pv-uuid-$env{ID_FS_UUID_ENC}"
        LABEL="lvmguard_pv_uuid_end"

        """

    public static let dracutText = """
        # lvmguard: every image dracut builds carries the udev rule that makes the lvm-pv-uuid links lvm.conf's filter
        # accepts PVs by (dracut's lvm module leaves LVM's own rule out). Written by lvmguard apply.
        install_items+=" \(rulePath) "

        """

    /// Both files, rule first: the drop-in names the rule.
    public static var files: [(path: String, text: String)] { [(rulePath, ruleText), (dracutPath, dracutText)] }
}

/// Decision: whether apply writes lvmguard's PV link rule and its dracut drop-in. Needed on a host whose initramfs
/// dracut builds, once the planned lvm.conf accepts PVs by lvm-pv-uuid links, and only while a file differs from
/// lvmguard's: whatever the initramfs policy, because the host's own next dracut run must build an image that boots.
enum PVLinkRuleDecision {
    static func decide(facts: HostFacts, plannedText: String) -> [HostPlan.BootFile] {
        guard facts.initramfs.tool == .dracut, let present = facts.pvLinkFiles,
            let settings = OwnedSettings(text: plannedText), settings.useDevicesFile != 1,
            "\(settings.globalFilter) \(settings.filter)".contains("lvm-pv-uuid-")
        else { return [] }
        return PVLinkRule.files.compactMap { file in
            present[file.path] == file.text
                ? nil
                : HostPlan.BootFile(
                    path: file.path, text: file.text, replaces: present[file.path] != nil,
                    purpose: file.path == PVLinkRule.rulePath
                        ? "lvm-pv-uuid links inside dracut's initramfs" : "dracut carries that rule into every image")
        }
    }
}
