/// Who owns each VG on a host: the host, a guest, or nobody can tell (then a person must say).
///
/// Host-owned: a VG with a mounted LV, an LV in swap, an LV named on the kernel command line, a VG listed in
/// `lvmguard_host_vgs` (by name or UUID), or a PV on a device in the policy's `accept` list.
/// Guest: a VG not host-owned whose PVs all sit on SAN storage (multipath maps, iSCSI or FC paths).
/// Anything else is ambiguous. VGs are told apart by UUID: a guest may reuse the host's VG name.
public struct Ownership: Sendable {
    public struct HostVG: Sendable, Hashable, Codable {
        public let name: String
        public let uuid: String
        public let reasons: [String]
    }

    public struct GuestVG: Sendable, Hashable, Codable {
        public let name: String
        public let uuid: String
        public let storage: [DeviceTopology.Storage]
    }

    public struct AmbiguousVG: Sendable, Hashable, Codable {
        public let name: String
        public let uuid: String
        public let pvs: [String]
    }

    public let hostVGs: [HostVG]
    public let guestVGs: [GuestVG]
    public let ambiguousVGs: [AmbiguousVG]
    /// Device paths of the host's own PVs (as LVM names them), sorted.
    public let hostPVs: [String]
    /// Names in `lvmguard_host_vgs` that match more than one VG.
    public let ambiguousDeclarations: [String]
    /// Names in `lvmguard_host_vgs` that match no VG.
    public let missingDeclarations: [String]

    public init(facts: HostFacts, declaredVGs: [String], accept: [AcceptRule]) {
        let topology = DeviceTopology(facts)
        func resolved(_ path: String) -> String { topology.kernelName(of: path) ?? path }
        let mounted = Dictionary(facts.mounts.map { (resolved($0.source), $0.target) }, uniquingKeysWith: { first, _ in first })
        let swaps = Set(facts.swaps.map(resolved))
        let bootLVs = KernelCommandLine.lvmReferences(facts.cmdline)

        var reasons: [String: [String]] = [:]
        for lv in facts.lvs {
            let device = resolved(lv.dmPath)
            if let target = mounted[device] { reasons[lv.vgUUID, default: []].append("LV \(lv.name) is mounted at \(target)") }
            if swaps.contains(device) { reasons[lv.vgUUID, default: []].append("LV \(lv.name) is in use as swap") }
            if bootLVs.lvs.contains("\(lv.vgName)/\(lv.name)") || bootLVs.devices.contains(where: { resolved($0) == device }) {
                reasons[lv.vgUUID, default: []].append("LV \(lv.name) is named on the kernel command line")
            }
        }
        for vg in facts.vgs where bootLVs.vgs.contains(vg.name) {
            reasons[vg.uuid, default: []].append("VG is named on the kernel command line (rd.lvm.vg)")
        }
        var ambiguousDeclarations: [String] = []
        var missingDeclarations: [String] = []
        for declared in declaredVGs {
            let matches = facts.vgs.filter { $0.uuid == declared || $0.name == declared }
            if matches.isEmpty { missingDeclarations.append(declared) }
            if matches.count > 1 { ambiguousDeclarations.append(declared); continue }
            for vg in matches { reasons[vg.uuid, default: []].append("declared in lvmguard_host_vgs") }
        }
        for pv in facts.pvs where !pv.vgUUID.isEmpty && Self.matches(accept, topology.aliases(of: pv.name)) {
            reasons[pv.vgUUID, default: []].append("PV \(pv.name) is in the policy's accept list")
        }

        var hostVGs: [HostVG] = [], guestVGs: [GuestVG] = [], ambiguousVGs: [AmbiguousVG] = []
        var hostPVs = Set<String>()
        for pv in facts.pvs where pv.vgUUID.isEmpty && Self.matches(accept, topology.aliases(of: pv.name)) {
            hostPVs.insert(pv.name)
        }
        for vg in facts.vgs.sorted(by: { ($0.name, $0.uuid) < ($1.name, $1.uuid) }) {
            let pvs = facts.pvs.filter { $0.vgUUID == vg.uuid }
            if let why = reasons[vg.uuid] {
                hostVGs.append(HostVG(name: vg.name, uuid: vg.uuid, reasons: why))
                hostPVs.formUnion(pvs.map(\.name))
                continue
            }
            let storage = pvs.map { topology.storage(of: $0.name) }
            if !storage.isEmpty, storage.allSatisfy(\.isSAN) {
                guestVGs.append(GuestVG(name: vg.name, uuid: vg.uuid, storage: storage))
            } else {
                ambiguousVGs.append(AmbiguousVG(name: vg.name, uuid: vg.uuid, pvs: pvs.map(\.name).sorted()))
            }
        }
        self.hostVGs = hostVGs
        self.guestVGs = guestVGs
        self.ambiguousVGs = ambiguousVGs
        self.hostPVs = hostPVs.sorted()
        self.ambiguousDeclarations = ambiguousDeclarations
        self.missingDeclarations = missingDeclarations
    }

    private static func matches(_ rules: [AcceptRule], _ names: [String]) -> Bool {
        rules.contains { rule in
            switch rule {
            case let .path(path): return names.contains(path)
            case let .regex(pattern):
                guard let regex = try? Regex(pattern) else { return false }
                return names.contains { (try? regex.firstMatch(in: $0)) != nil }
            }
        }
    }
}

/// What the kernel command line says about LVM: `rd.lvm.lv=vg/lv`, `rd.lvm.vg=vg`, `root=`, `resume=`.
public enum KernelCommandLine {
    public static func lvmReferences(_ cmdline: String) -> (lvs: Set<String>, vgs: Set<String>, devices: [String]) {
        var lvs = Set<String>(), vgs = Set<String>(), devices: [String] = []
        for word in cmdline.split(separator: " ") {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "rd.lvm.lv": lvs.insert(parts[1])
            case "rd.lvm.vg": vgs.insert(parts[1])
            case "root", "resume", "rd.lvm.root":
                if parts[1].hasPrefix("/dev/") { devices.append(parts[1]) }
            default: break
            }
        }
        return (lvs, vgs, devices)
    }
}
