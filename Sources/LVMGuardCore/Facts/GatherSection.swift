/// The sections remote/gather-facts.sh prints (`section NAME ...`), besides one `config:KEY` section per
/// `LVMSetting`. A test keeps this list and the script's `section` lines the same.
public enum GatherSection: String, Sendable, CaseIterable {
    /// A probe of the run's scratch directory, first: the sections after it can only be written when it is.
    case scratch
    case host, tools, cmdline
    case `guard`
    case lvmVersion = "lvm-version"
    case lvmConfPath = "lvm-conf-path"
    case lvmConfBase64 = "lvm-conf-base64"
    case lvmConfSHA256 = "lvm-conf-sha256"
    case lvmConfStat = "lvm-conf-stat"
    /// lvmlocal.conf and lvm_<tag>.conf, which LVM reads beside lvm.conf and which override it.
    case lvmConfBeside = "lvm-conf-beside"
    case devicesFile = "devices-file"
    case pvs, vgs, lvs
    case systemID = "systemid"
    case pvsCurrent = "pvs-current"
    case multipathStatus = "multipath-status"
    case multipathTable = "multipath-table"
    case lsblk, mounts, mountinfo, swaps
    case dmInfo = "dm-info"
    case dmDeps = "dm-deps"
    case sysfsBlock = "sysfs-block"
    case devLinks = "dev-links"
    case initramfs
    case initramfsLVMConf = "initramfs-lvm-conf"
    case pvLinkFiles = "pv-link-files"
    case libvirtDisks = "libvirt-disks"
    case libvirtXML = "libvirt-xml"
    case holders
    case bootID = "boot-id"
    case nvmeControllers = "nvme-controllers"
    /// Block devices an iSCSI target exports: LIO's backstores and LUNs (configfs), tgt's listing (tgtadm).
    case lioExports = "lio-exports"
    case tgtExports = "tgt-exports"
    /// The iSCSI sessions this host logged in to, with their targets' names.
    case iscsiSessions = "iscsi-sessions"
    /// cinder.conf and nova.conf, on the host and in kolla's configuration directories.
    case openstackConf = "openstack-conf"
    /// lvm.conf as text, in facts saved before it travelled as base64 (fixtures).
    case lvmConfText = "lvm-conf"

    /// The section that holds lvmconfig's answer for one setting.
    public static func config(_ setting: LVMSetting) -> String { "config:" + setting.path }
}

extension Dictionary where Key == String, Value == FactSection {
    /// The section of that name, nil when the facts lack it.
    public subscript(_ section: GatherSection) -> FactSection? {
        get { self[section.rawValue] }
        set { self[section.rawValue] = newValue }
    }
}
