/// The LVM settings lvmguard reads from a host (remote/gather-facts.sh asks lvmconfig for exactly these).
public enum LVMSetting: String, Sendable, CaseIterable {
    case filter = "devices/filter"
    case globalFilter = "devices/global_filter"
    case useDevicesFile = "devices/use_devicesfile"
    case devicesFile = "devices/devicesfile"
    case useLVMetad = "global/use_lvmetad"
    case eventActivation = "global/event_activation"
    case multipathComponentDetection = "devices/multipath_component_detection"
    /// LVM 2.03: whether LVs are scanned for PVs (2.02 always scans them).
    case scanLVs = "devices/scan_lvs"

    /// "section/key", as lvmconfig and `HostFacts.settings` name it.
    public var path: String { rawValue }

    /// The path's parts, as `LVMConfigDocument` takes them.
    public var keyPath: [String] { rawValue.split(separator: "/").map(String.init) }
}

extension HostFacts {
    /// The host's effective value of `setting`; nil when its LVM does not know the key.
    public func setting(_ setting: LVMSetting) -> LVMConfigValue? { settings[setting.path] }
}
