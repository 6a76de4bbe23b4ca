/// The kind of LVM object an `LVMUUID` names: a PV, a VG or an LV. A PV's UUID is never a VG's.
public protocol LVMObjectKind: Sendable {
    /// How review names the object: "PV", "VG", "LV".
    static var name: String { get }
}

public enum PhysicalVolumeKind: LVMObjectKind { public static let name = "PV" }
public enum VolumeGroupKind: LVMObjectKind { public static let name = "VG" }
public enum LogicalVolumeKind: LVMObjectKind { public static let name = "LV" }

/// A PV's UUID (the PVID the label carries and the devices file lists). Written by whoever wrote the label: a guest's
/// PV can carry any UUID.
public typealias PVUUID = LVMUUID<PhysicalVolumeKind>
/// A VG's UUID, from its metadata.
public typealias VGUUID = LVMUUID<VolumeGroupKind>
/// An LV's UUID, from its VG's metadata; with the VG's it makes the LV's dm UUID.
public typealias LVUUID = LVMUUID<LogicalVolumeKind>

/// An LVM UUID: 32 characters LVM draws from letters, digits, `!` and `#`. It has two spellings, as LVM prints it
/// (`6-4-4-4-4-4-6` with dashes) and compact (as dm UUIDs and the devices file's PVID carry it); both parse, equality
/// and order are on the compact one, and it is printed and encoded as LVM prints it.
public struct LVMUUID<Kind: LVMObjectKind>: Hashable, Sendable, Comparable, Codable, CustomStringConvertible,
    RawRepresentable, ExpressibleByStringLiteral
{
    /// The 32 characters without dashes.
    public let compact: String

    /// Either spelling; nil for anything else (a name, an empty field, a UUID with a character LVM never writes).
    public init?(_ text: some StringProtocol) {
        let compact = text.filter { $0 != "-" }
        guard compact.count == 32, compact.allSatisfy(Self.isUUIDCharacter) else { return nil }
        if compact.count != text.count {
            guard text.split(separator: "-", omittingEmptySubsequences: false).map(\.count) == Self.groups else {
                return nil
            }
        }
        self.compact = String(compact)
    }

    /// A constant in code: it must be a valid UUID.
    public init(stringLiteral value: String) {
        guard let uuid = Self(value) else { preconditionFailure("'\(value)' is not an LVM \(Kind.name) UUID") }
        self = uuid
    }

    /// As LVM prints it, with dashes.
    public var rawValue: String {
        var parts: [Substring] = []
        var rest = Substring(compact)
        for length in Self.groups {
            parts.append(rest.prefix(length))
            rest = rest.dropFirst(length)
        }
        return parts.joined(separator: "-")
    }

    /// Decoding goes through here: a saved text that does not parse is refused.
    public init?(rawValue: String) { self.init(rawValue[...]) }

    public var description: String { rawValue }

    public static func < (a: Self, b: Self) -> Bool { a.compact < b.compact }

    private static var groups: [Int] { [6, 4, 4, 4, 4, 4, 6] }

    private static func isUUIDCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "!" || c == "#")
    }
}
