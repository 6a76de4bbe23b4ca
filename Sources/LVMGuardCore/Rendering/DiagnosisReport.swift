/// `lvmguard diagnose` for a person: the map, who holds it, why, and the plan that fixes it.
public enum DiagnosisReport {
    /// With `colored`, the verdict is red when host LVM holds the map (green when free) and the plan's diff is coloured.
    public static func text(_ diagnosis: Diagnosis, colored: Bool = false) -> String {
        var out: [String] = []
        guard let map = diagnosis.map else {
            out.append(
                "\(diagnosis.host): no multipath map matches" + (diagnosis.wwid.map { " WWID \($0)" } ?? " the query"))
            return out.joined(separator: "\n") + "\n"
        }
        out.append(
            "\(diagnosis.host): multipath map \(map) (wwid \(diagnosis.wwid?.rawValue ?? "?")), open count \(diagnosis.openCount ?? 0): "
                + paint(verdictText(diagnosis.verdict), for: diagnosis.verdict, colored: colored))
        if diagnosis.holders.isEmpty { out.append("  holders: none") }
        for holder in diagnosis.holders {
            var line = String(repeating: "  ", count: holder.depth) + "held by \(holder.device), open \(holder.open)"
            if let lv = holder.lv { line += ": LV \(lv), \(holder.owner ?? "ambiguous") VG" }
            out.append(line)
        }
        for disk in diagnosis.instances {
            out.append("  instance \(disk.domainLabel) has it as disk \(disk.target): \(disk.source) (libvirt)")
        }
        for vg in diagnosis.guestVGs { out.append("  host LVM activated guest VG \(vg)") }
        for why in diagnosis.why { out.append("  why: \(why)") }
        out.append("")
        out.append("The plan that fixes \(diagnosis.host):")
        let plan = PlanReport.text(
            FleetPlan(playbook: "", inventory: "", policy: "", hosts: [diagnosis.plan]), colored: colored)
        out.append(contentsOf: plan.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 })
        return out.joined(separator: "\n").trimmingWhitespace() + "\n"
    }

    static func paint(_ text: String, for verdict: Diagnosis.Verdict, colored: Bool) -> String {
        guard colored else { return text }
        switch verdict {
        case .heldByHostLVM: return "\u{1B}[31m" + text + "\u{1B}[0m"
        case .free: return "\u{1B}[32m" + text + "\u{1B}[0m"
        case .heldByOther, .notFound: return "\u{1B}[33m" + text + "\u{1B}[0m"
        }
    }

    static func verdictText(_ verdict: Diagnosis.Verdict) -> String {
        switch verdict {
        case .heldByHostLVM: "held by host LVM (multipath -f fails with 'map in use')"
        case .heldByOther: "open, but not by host LVM"
        case .free: "not held (multipath -f can flush it)"
        case .notFound: "not found"
        }
    }
}
