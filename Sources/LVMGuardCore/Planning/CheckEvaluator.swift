/// The declared checks, evaluated read-only from a host's facts (for `lvmguard check` and after apply).
public enum CheckEvaluator {
    public struct Outcome: Sendable, Codable, Hashable {
        public let check: String
        public let passed: Bool
        public let detail: String
    }

    public static func evaluate(_ checks: [Check], host: HostSettings, facts: HostFacts, desired: DesiredState)
        -> [Outcome]
    {
        let model = HostModel(facts)
        return evaluate(checks, model: model, plan: Planner.plan(host, model: model, desired: desired))
    }

    /// The checks on a host's model and the plan made from it.
    static func evaluate(_ checks: [Check], model: HostModel, plan: HostPlan) -> [Outcome] {
        let facts = model.facts
        // Planner.plan always classifies a host it has facts for; its summary is the one classification.
        let ownership = plan.ownership ?? .init(hostVGs: [], guestVGs: [], hostPVs: [])
        return checks.map { check in
            switch check {
            case .noGuestVGsActive:
                let active =
                    ownership.guestVGs.flatMap { vg in
                        facts.lvs.filter { $0.vgUUID == vg.uuid && $0.isActive }.map {
                            "\(vg.name)/\($0.name) (\($0.uuid))"
                        }
                    }
                    + plan.deadMaps.flatMap { map in
                        map.guestLVs.map { "\($0.dmName) (\($0.lvUUID)) on \(map.name), which has no active path" }
                    }
                return Outcome(
                    check: check.rawValue, passed: active.isEmpty,
                    detail: active.isEmpty
                        ? "no guest LV is active" : "active guest LVs: \(active.joined(separator: ", "))")
            case .noMultipathHeld:
                let held = heldMaps(model, hostVGUUIDs: Set(ownership.hostVGs.map(\.uuid)))
                return Outcome(
                    check: check.rawValue, passed: held.isEmpty,
                    detail: held.isEmpty
                        ? "no multipath map is held by host LVM"
                        : held.map { "\($0.map) held by \($0.holders.joined(separator: ", "))" }.joined(separator: "; ")
                )
            case .filterEffective:
                let guestPVs = Set(
                    facts.pvs.filter { pv in ownership.guestVGs.contains { $0.uuid == pv.vgUUID } }.map(\.uuid))
                let hostPVs = Set(facts.pvs.filter { ownership.hostPVs.contains($0.name) }.map(\.uuid))
                var problems: [String] = []
                if plan.configEdit != nil || plan.devicesFileEdit != nil {
                    problems.append("the host's LVM configuration differs from the policy")
                }
                let hidden = hostPVs.subtracting(facts.visiblePVs)
                if !hidden.isEmpty {
                    problems.append(
                        "host PVs hidden from host LVM: \(hidden.sorted().map(\.rawValue).joined(separator: ", "))")
                }
                let seen = guestPVs.intersection(facts.visiblePVs)
                if !seen.isEmpty {
                    problems.append(
                        "guest PVs visible to host LVM: \(seen.sorted().map(\.rawValue).joined(separator: ", "))")
                }
                problems += plan.status == .blocked ? plan.reasons : []
                return Outcome(
                    check: check.rawValue, passed: problems.isEmpty,
                    detail: problems.isEmpty ? "host LVM sees exactly the host's PVs" : problems.joined(separator: "; ")
                )
            case .initramfsCurrent:
                guard facts.initramfs.tool != .none, let copy = facts.initramfs.lvmConf else {
                    return Outcome(
                        check: check.rawValue, passed: true, detail: "no initramfs copy of lvm.conf to keep in sync")
                }
                let current = OwnedSettings.agree(facts.lvmConf.text, copy)
                return Outcome(
                    check: check.rawValue, passed: current,
                    detail: current
                        ? "the initramfs's lvm.conf has the current device settings (filters, devices file)"
                        : "the initramfs's lvm.conf has other device settings: \(OwnedSettings(text: copy)?.description ?? "unreadable")"
                )
            }
        }
    }

    /// Multipath maps held by an LV that is not the host's own (a host VG on a SAN LUN, as when booting from SAN,
    /// holds its map by design), at any depth through what is not an LV: kpartx's partition mappings (a cloud
    /// image's PV on `mpatha-part2`) and other device-mapper layers; or held by something device-mapper does not
    /// list (an md array udev assembled over guest maps: the kernel's holders list counts it). In each case
    /// `multipath -f` fails. LVs, LVM's hidden layers included, are told apart by the VG UUID in their dm UUID.
    public static func heldMaps(_ model: HostModel, hostVGUUIDs: Set<VGUUID>) -> [(map: String, holders: [String])] {
        let graph = model.graph
        let dmKernelNames = Set(model.facts.dmDevices.compactMap { graph.kernelName(of: $0.majMin) })
        /// What the kernel lists on top of a device that device-mapper does not know (md, bcache), by name.
        func otherHolders(_ device: MajorMinor) -> [String] {
            let listed = graph.kernelName(of: device).flatMap { model.facts.holders[$0] } ?? []
            return listed.filter { !dmKernelNames.contains($0) }.map(\.rawValue)
        }
        return model.facts.dmDevices.compactMap { map -> (String, [String])? in
            guard map.multipathWWID != nil else { return nil }
            var holders = Set(otherHolders(map.majMin))
            var queue = graph.holders(of: map.majMin)
            var seen = Set(queue)
            while !queue.isEmpty {
                let current = queue.removeFirst()
                guard let dm = graph.dmDevice(current) else {
                    holders.insert(graph.kernelName(of: current)?.rawValue ?? current.description)
                    continue
                }
                if let lv = dm.uuid?.lvIdentity {
                    if !hostVGUUIDs.contains(lv.vg) { holders.insert(dm.name) }
                    continue
                }
                holders.formUnion(otherHolders(current))
                for next in graph.holders(of: current) where seen.insert(next).inserted { queue.append(next) }
            }
            return holders.isEmpty ? nil : (map.name, holders.sorted())
        }.sorted { $0.0 < $1.0 }
    }
}
