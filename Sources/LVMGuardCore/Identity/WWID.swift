/// A SAN volume's World Wide Identifier as dm-multipath names its map (`mpath-<wwid>` dm UUID, the
/// `dm-uuid-mpath-<wwid>` link os-brick hands nova): the same on every host the volume is attached to, across reboots.
/// Letters, digits and `-_.:` only, at most 128 characters: what apply may carry to a host. Encoded as the text.
public struct WWID: Hashable, Sendable, Comparable, Codable, CustomStringConvertible, RawRepresentable,
    ExpressibleByStringLiteral
{
    public let rawValue: String

    /// A WWID as multipath prints it; nil for an empty or longer text, or one with other characters.
    public init?(_ text: some StringProtocol) {
        guard !text.isEmpty, text.count <= 128,
            text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) })
        else { return nil }
        rawValue = String(text)
    }

    /// The WWID of a dm-multipath map's dm UUID ("mpath-<wwid>"); nil for any other dm device.
    public init?(multipathDMUUID uuid: String) {
        guard uuid.hasPrefix("mpath-") else { return nil }
        self.init(uuid.dropFirst("mpath-".count))
    }

    /// A constant in code: it must be a valid WWID.
    public init(stringLiteral value: String) {
        guard let wwid = WWID(value) else { preconditionFailure("'\(value)' is not a WWID") }
        self = wwid
    }

    /// The map's dm UUID, `mpath-<wwid>`.
    public var multipathDMUUID: String { "mpath-" + rawValue }

    /// Decoding goes through here: a saved text that does not parse is refused.
    public init?(rawValue: String) { self.init(rawValue[...]) }

    public var description: String { rawValue }

    public static func < (a: WWID, b: WWID) -> Bool { a.rawValue < b.rawValue }
}
