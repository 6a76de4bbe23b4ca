/// `lvmguard plan` output for a terminal or a change ticket. Hosts sorted by name; deterministic.
public enum PlanReport {
    /// Per-host sections then a recap line.
    public static func text(_ plan: FleetPlan, colored: Bool) -> String {
        let (bold, red, green, yellow, reset) =
            colored
            ? ("\u{1B}[1m", "\u{1B}[31m", "\u{1B}[32m", "\u{1B}[33m", "\u{1B}[0m") : ("", "", "", "", "")
        var out: [String] = []
        for host in plan.hosts {
            let color =
                switch host.status {
                case .inSync, .exempt: green
                case .changes: yellow
                case .blocked, .unreachable: red
                }
            var heading = "\(bold)\(host.host)\(reset): \(color)\(host.status.rawValue)\(reset)"
            if let regime = host.regime {
                heading += " (\(regime.rawValue) regime" + (host.lvmVersion.map { ", LVM \($0)" } ?? "") + ")"
            }
            out.append(heading)
            for reason in host.reasons { out.append("  \(host.status == .exempt ? "exempt" : "why"): \(reason)") }
            if let exemption = host.exemption {
                var detail = "  declared: \(exemption.source)"
                if let ticket = exemption.ticket { detail += ", ticket \(ticket)" }
                if let until = exemption.until { detail += ", until \(until)" }
                out.append(detail)
            }
            if let ownership = host.ownership {
                for vg in ownership.hostVGs {
                    out.append("  host VG \(vg.name) (\(vg.uuid)): \(vg.reasons.joined(separator: "; "))")
                }
                for vg in ownership.guestVGs {
                    var line =
                        "  guest VG \(vg.name) (\(vg.uuid)) on \(vg.storage.map(describe).joined(separator: ", "))"
                    if let partial = vg.partial { line += " (\(partial))" }
                    if let evidence = vg.evidence { line += ": \(evidence.summary)" }
                    out.append(line)
                }
            }
            if let edit = host.configEdit {
                out.append("  \(edit.key): \(edit.current) -> \(edit.planned)")
                for also in edit.alsoSets { out.append("  \(also.key): \(also.current) -> \(also.planned)") }
                out.append(
                    contentsOf: colorDiff(edit.diff, colored: colored).split(
                        separator: "\n", omittingEmptySubsequences: false
                    )
                    .dropLast().map { "    " + $0 })
            }
            if let edit = host.devicesFileEdit {
                if edit.createFile { out.append("  devices file: create it") }
                for device in edit.add { out.append("  devices file: add \(device)") }
                for device in edit.remove { out.append("  devices file: remove \(device)") }
            }
            for deactivation in host.deactivations {
                var line =
                    "  deactivate guest VG \(deactivation.vgName) (\(deactivation.vgUUID)) on \(deactivation.pvs.joined(separator: ", "))"
                if !deactivation.wwids.isEmpty {
                    line +=
                        " [multipath \(zip(deactivation.multipathMaps, deactivation.wwids).map { "\($0) wwid \($1)" }.joined(separator: ", "))]"
                }
                if !deactivation.instances.isEmpty {
                    line += " used by \(deactivation.instances.joined(separator: ", "))"
                }
                out.append(line)
                if deactivation.wholeVG {
                    out.append("    whole VG by UUID: nothing of it is held from outside; LVM orders its own stack")
                }
                for lv in deactivation.lvs {
                    var line = "    LV \(lv.name) (\(lv.uuid))"
                    if let keep = lv.keep {
                        line += " \(red)LEFT ACTIVE: \(keep)\(reset)"
                    } else if let origin = lv.withOrigin, !deactivation.wholeVG {
                        line += " (with its origin \(origin))"
                    }
                    out.append(line)
                }
            }
            for file in host.bootFiles {
                out.append("  \(file.path): \(file.replaces ? "replace" : "create") (\(file.purpose))")
            }
            if let initramfs = host.initramfs {
                out.append(
                    "  initramfs \(initramfs.image): "
                        + (initramfs.rebuild
                            ? "rebuild (\(initramfs.tool.rawValue))" : "out of date, left as is (policy check)"))
            }
            let commands = host.commands
            if !commands.isEmpty {
                out.append("  commands:")
                out.append(contentsOf: commands.map { "    \($0)" })
            }
            for warning in host.warnings { out.append("  \(yellow)warning\(reset): \(warning.message)") }
            out.append("")
        }
        out.append(recapLine(plan))
        return out.joined(separator: "\n") + "\n"
    }

    /// "Recap: 7 hosts: 2 to change, 1 in-sync, 1 exempt, 2 blocked, 1 unreachable".
    public static func recapLine(_ plan: FleetPlan) -> String {
        let counts = Dictionary(uniqueKeysWithValues: plan.recap)
        return
            "Recap: \(plan.hosts.count) host\(plan.hosts.count == 1 ? "" : "s"): \(counts[.changes] ?? 0) to change, "
            + "\(counts[.inSync] ?? 0) in-sync, \(counts[.exempt] ?? 0) exempt, \(counts[.blocked] ?? 0) blocked, "
            + "\(counts[.unreachable] ?? 0) unreachable"
    }

    /// A change-review summary: hosts grouped by identical change, each change shown once.
    public static func markdown(_ plan: FleetPlan) -> String {
        var out = [
            "# lvmguard plan: \(plan.playbook)", "", "Inventory `\(plan.inventory)`, policy \(plan.policy).", "",
        ]
        out.append("| status | hosts |")
        out.append("| --- | --- |")
        for (status, count) in plan.recap { out.append("| \(status.rawValue) | \(count) |") }
        out.append("")
        // Hosts whose changes are identical but for the host name read as one change with a host list.
        var groups: [(key: String, hosts: [String], plan: HostPlan)] = []
        for host in plan.hosts where host.status == .changes {
            let key = changeKey(host)
            if let index = groups.firstIndex(where: { $0.key == key }) {
                groups[index].hosts.append(host.host)
            } else {
                groups.append((key, [host.host], host))
            }
        }
        for (index, group) in groups.enumerated() {
            out.append("## Change \(index + 1): \(group.hosts.count) host\(group.hosts.count == 1 ? "" : "s")")
            out.append("")
            out.append("Hosts: " + group.hosts.map { "`\($0)`" }.joined(separator: ", "))
            out.append("")
            if let edit = group.plan.configEdit {
                out.append("`\(edit.key)`: `\(edit.current)` → `\(edit.planned)`")
                for also in edit.alsoSets { out.append("`\(also.key)`: `\(also.current)` → `\(also.planned)`") }
                out.append("")
                out.append("<details><summary>lvm.conf diff</summary>")
                out.append("")
                out.append("```diff")
                out.append(contentsOf: bodyOfDiff(edit.diff))
                out.append("```")
                out.append("</details>")
                out.append("")
            }
            let commands = group.plan.commands
            if !commands.isEmpty {
                out.append("Commands:")
                out.append("")
                out.append(contentsOf: commands.map { "- `\($0)`" })
                out.append("")
            }
        }
        let attention = plan.hosts.filter { $0.status == .blocked || $0.status == .unreachable || $0.status == .exempt }
        if !attention.isEmpty {
            out.append("## Not changed")
            out.append("")
            out.append("| host | status | why |")
            out.append("| --- | --- | --- |")
            for host in attention {
                out.append(
                    "| `\(host.host)` | \(host.status.rawValue) | \(host.reasons.joined(separator: "; ").replacingOccurrences(of: "|", with: "\\|")) |"
                )
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    /// What makes two hosts' changes the same: the diff body and the commands, without host names.
    static func changeKey(_ host: HostPlan) -> String {
        (host.configEdit.map { bodyOfDiff($0.diff).joined(separator: "\n") } ?? "") + "\n"
            + host.commands.joined(separator: "\n")
    }

    /// A diff without its `---`/`+++` lines (which name the host).
    static func bodyOfDiff(_ diff: String) -> [String] {
        diff.split(separator: "\n").dropFirst(2).map(String.init)
    }

    static func describe(_ storage: DeviceTopology.Storage) -> String {
        switch storage {
        case let .multipath(map, wwid): "multipath map \(map) (wwid \(wwid))"
        case let .disk(device, transport): "\(transport.rawValue) \(device)"
        case let .insideLV(lv, under): "LV \(lv) (on \(describe(under)))"
        case .unknown: "unknown device"
        }
    }

    static func colorDiff(_ diff: String, colored: Bool) -> String {
        guard colored else { return diff }
        return diff.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            if line.hasPrefix("+++") || line.hasPrefix("---") { return "\u{1B}[1m\(line)\u{1B}[0m" }
            if line.hasPrefix("+") { return "\u{1B}[32m\(line)\u{1B}[0m" }
            if line.hasPrefix("-") { return "\u{1B}[31m\(line)\u{1B}[0m" }
            if line.hasPrefix("@@") { return "\u{1B}[36m\(line)\u{1B}[0m" }
            return String(line)
        }.joined(separator: "\n")
    }
}
