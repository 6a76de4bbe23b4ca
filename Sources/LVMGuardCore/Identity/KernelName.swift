/// The kernel's name for a block device in this boot ("sdb", "dm-3", "nvme0n1p2"): how sysfs and /dev name it now. Not an
/// identity across boots (kernel names move when disks are probed in another order); within one gather it ties the
/// kernel's lists (lsblk, /sys/block, holders) together. Encoded as the name itself.
public struct KernelName: Hashable, Sendable, Comparable, Codable, CustomStringConvertible, RawRepresentable {
    public let rawValue: String

    /// A name as lsblk's KNAME, /sys/block and the holders lists print it; nil when empty or holding a "/".
    public init?(_ text: some StringProtocol) {
        guard !text.isEmpty, !text.contains("/"), !text.contains(where: \.isWhitespace) else { return nil }
        rawValue = String(text)
    }

    /// The name of the device node a /dev path ends in ("/dev/sdb" is sdb), if it is one.
    public init?(devicePath path: String) {
        guard path.hasPrefix("/dev/"), let last = path.split(separator: "/").last else { return nil }
        self.init(last)
    }

    /// The device node: /dev/NAME.
    public var devicePath: String { "/dev/" + rawValue }

    /// Decoding goes through here: a saved text that does not parse is refused.
    public init?(rawValue: String) { self.init(rawValue[...]) }

    public var description: String { rawValue }

    public func hasPrefix(_ prefix: String) -> Bool { rawValue.hasPrefix(prefix) }

    public static func < (a: KernelName, b: KernelName) -> Bool { a.rawValue < b.rawValue }
}
