/// A block device's identity within one boot: its major and minor numbers (`8:16`), what each use of a device (a mount,
/// swap, a holder stacked on it) is tied to. Kernel names and /dev links are names; this is the device.
///
/// Encoded as the text the kernel prints ("8:16"), so saved plans read the same as before it was a type.
public struct MajorMinor: Hashable, Sendable, Comparable, Codable, CustomStringConvertible, RawRepresentable {
    public let major: UInt32
    public let minor: UInt32

    public init(major: UInt32, minor: UInt32) {
        self.major = major
        self.minor = minor
    }

    /// "MAJOR:MINOR" as lsblk, /proc/self/mountinfo, sysfs and `dmsetup status` print it; nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = UInt32(parts[0]), let minor = UInt32(parts[1]) else { return nil }
        self.init(major: major, minor: minor)
    }

    /// Encoded and decoded as this text: a saved text that does not parse is refused.
    public init?(rawValue: String) { self.init(rawValue[...]) }
    public var rawValue: String { "\(major):\(minor)" }

    public var description: String { rawValue }

    public static func < (a: MajorMinor, b: MajorMinor) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
}
