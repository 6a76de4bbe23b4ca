/// One PV UUID on several devices: a host installed from an image with LVM shares PV UUIDs with a guest
/// volume made from that image. LVM warns and uses one device; its `lvm-pv-uuid-` link names whichever
/// device appeared last, so neither a name nor that link tells the two apart.
public struct DuplicatePV: Sendable, Codable, Hashable {
    public let uuid: PVUUID
    /// Every device LVM named for the UUID, sorted.
    public let devices: [String]

    /// The duplicates LVM's warnings name, from the stderr of its reports:
    /// 2.03 "WARNING: Not using device /dev/sdc for PV UUID." and "WARNING: PV UUID prefers device /dev/sdb
    /// because ...", 2.02 "Found duplicate PV UUID: using /dev/sdc not /dev/sdb".
    static func found(in stderrs: [String]) -> [DuplicatePV] {
        var devices: [PVUUID: Set<String>] = [:]
        let uuid = #"([A-Za-z0-9]{6}(?:-[A-Za-z0-9]{4}){5}-[A-Za-z0-9]{6}|[A-Za-z0-9]{32})"#
        let notUsing = try? Regex(#"Not using device (/dev/\S+) for PV "# + uuid)
        let prefers = try? Regex(#"PV "# + uuid + #" prefers device (/dev/\S+)"#)
        let found = try? Regex(#"Found duplicate PV "# + uuid + #": using (/dev/\S+) not (/dev/\S+)"#)
        for line in stderrs.flatMap({ $0.outputLines() }).map(String.init) {
            if let notUsing, let match = line.firstMatch(of: notUsing), let device = match.output[1].substring,
                let id = match.output[2].substring.flatMap(PVUUID.init)
            {
                devices[id, default: []].insert(String(device))
            }
            if let prefers, let match = line.firstMatch(of: prefers),
                let id = match.output[1].substring.flatMap(PVUUID.init),
                let device = match.output[2].substring
            {
                devices[id, default: []].insert(String(device))
            }
            if let found, let match = line.firstMatch(of: found),
                let id = match.output[1].substring.flatMap(PVUUID.init),
                let first = match.output[2].substring, let second = match.output[3].substring
            {
                devices[id, default: []].formUnion([String(first), String(second)])
            }
        }
        return devices.filter { $0.value.count > 1 }.map { DuplicatePV(uuid: $0.key, devices: $0.value.sorted()) }
            .sorted { $0.uuid < $1.uuid }
    }
}
