/// A device-mapper device's UUID, which its creator sets and which survives reboots: LVM's `LVM-<vg uuid><lv uuid>`
/// (compact, a suffix such as `-tpool` on LVM's hidden layers), multipath's `mpath-<wwid>`, kpartx's
/// `part1-mpath-<wwid>`, cryptsetup's `CRYPT-LUKS2-...`. Encoded as the text.
public struct DMUUID: Hashable, Sendable, Comparable, Codable, CustomStringConvertible, RawRepresentable,
    ExpressibleByStringLiteral
{
    public let rawValue: String

    /// A dm UUID as `dmsetup info` prints it; nil when empty (a dm device without one) or holding white space.
    public init?(_ text: some StringProtocol) {
        guard !text.isEmpty, !text.contains(where: \.isWhitespace) else { return nil }
        rawValue = String(text)
    }

    /// A multipath map's: `mpath-<wwid>`.
    public init(multipath wwid: WWID) { rawValue = wwid.multipathDMUUID }

    /// A constant in code: it must be a valid dm UUID.
    public init(stringLiteral value: String) {
        guard let uuid = DMUUID(value) else { preconditionFailure("'\(value)' is not a dm UUID") }
        self = uuid
    }

    /// The UUID LVM gives an LV's device: `LVM-` and the VG and LV UUIDs without dashes.
    public init(vgUUID: VGUUID, lvUUID: LVUUID) {
        rawValue = "LVM-" + vgUUID.compact + lvUUID.compact
    }

    /// The VG and LV UUIDs of an LV's device (`LVM-<vg uuid><lv uuid>[-suffix]`); nil for any other device.
    public var lvIdentity: (vg: VGUUID, lv: LVUUID)? {
        guard rawValue.hasPrefix("LVM-") else { return nil }
        let body = rawValue.dropFirst(4)
        guard body.count >= 64, let vg = VGUUID(body.prefix(32)), let lv = LVUUID(body.dropFirst(32).prefix(32)) else {
            return nil
        }
        return (vg, lv)
    }

    /// Whether LVM made the device (an LV, or a hidden layer of one).
    public var isLVM: Bool { rawValue.hasPrefix("LVM-") }

    /// Whether the device is one of VG `vgUUID`'s: an LV of it or a hidden layer of one.
    public func isLVM(ofVG vgUUID: VGUUID) -> Bool { lvIdentity?.vg == vgUUID }

    /// The map a partition mapping is on (kpartx: `part1-mpath-<wwid>`, any partition number); nil otherwise.
    public var partitionedMapWWID: WWID? {
        guard rawValue.hasPrefix("part"), let range = rawValue.range(of: "-mpath-") else { return nil }
        return WWID(rawValue[range.upperBound...])
    }

    /// What kind of device it names, for review: `CRYPT-LUKS2-...` is a dm-crypt device, `mpath-` a multipath map, ...
    public var kind: String {
        let prefix = rawValue.split(separator: "-").first.map(String.init) ?? ""
        return switch prefix {
        case "CRYPT": "dm-crypt device"
        case "LVM": "LV"
        case "mpath": "multipath map"
        case "VDO": "VDO device"
        default: "\(prefix) device"
        }
    }

    /// Decoding goes through here: a saved text that does not parse is refused.
    public init?(rawValue: String) { self.init(rawValue[...]) }

    public var description: String { rawValue }

    public static func < (a: DMUUID, b: DMUUID) -> Bool { a.rawValue < b.rawValue }
}
