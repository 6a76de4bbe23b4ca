/// LVM's UUIDs in their two spellings: as LVM prints them (`6-4-4-4-4-4-6` characters with dashes) and compact
/// (32 characters, as dm UUIDs and the devices file's PVID carry them).
public enum LVMUUID {
    /// The UUID without its dashes.
    public static func compact(_ uuid: String) -> String {
        uuid.replacingOccurrences(of: "-", with: "")
    }

    /// A compact UUID as LVM prints it; any other string unchanged.
    public static func formatted(_ compact: String) -> String {
        guard compact.count == 32 else { return compact }
        var parts: [Substring] = []
        var rest = Substring(compact)
        for length in [6, 4, 4, 4, 4, 4, 6] {
            parts.append(rest.prefix(length))
            rest = rest.dropFirst(length)
        }
        return parts.joined(separator: "-")
    }

    /// The compact VG and LV UUIDs in an LV's dm UUID (`LVM-<vg uuid><lv uuid>[-suffix]`); nil for any other dm device.
    public static func lvIdentity(dmUUID: String) -> (vg: String, lv: String)? {
        guard dmUUID.hasPrefix("LVM-") else { return nil }
        let body = dmUUID.dropFirst(4)
        guard body.count >= 64 else { return nil }
        return (String(body.prefix(32)), String(body.dropFirst(32).prefix(32)))
    }
}
