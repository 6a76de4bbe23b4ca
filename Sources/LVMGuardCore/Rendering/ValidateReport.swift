/// The text `lvmguard validate` prints: what the policy would reach, what is exempt and why.
public enum ValidateReport {
    public static func render(_ desired: DesiredState, _ inventory: Inventory, _ selection: TargetSelection) -> String {
        var lines: [String] = []
        lines.append("playbook:  \(desired.file) (\(desired.name))")
        lines.append("inventory: \(inventory.file) (\(inventory.hosts.count) hosts, \(inventory.groups.count) groups)")
        lines.append(
            "policy:    \(desired.filter.policy.rawValue) via devices/\(desired.filter.key.rawValue)"
                + (desired.deactivateGuestVGs ? ", deactivate guest VGs" : "")
                + ", refresh \(desired.refresh.rawValue), initramfs \(desired.initramfs.rawValue)")
        lines.append(
            "rollout:   forks \(desired.rollout.forks), serial \(desired.rollout.serial.map(\.description).joined(separator: ",")), max_fail_percentage \(desired.rollout.maxFailPercentage)%"
                + (desired.rollout.maxFailures.map { ", max_failures \($0)" } ?? ""))
        lines.append("")
        lines.append("targets (hosts: \(desired.hosts.source)): \(selection.targets.count)")
        let width = selection.targets.map(\.name.count).max() ?? 0
        for host in selection.targets {
            var connection = host.user.map { "\($0)@" } ?? ""
            connection += host.address
            if let port = host.port { connection += ":\(port)" }
            if host.connection == .local { connection = "local (no ssh)" }
            if host.become { connection += " (become" + (host.becomeUser.map { " \($0)" } ?? "") + ")" }
            lines.append("  \(host.name.padding(to: width))  \(connection)")
        }
        lines.append("")
        lines.append("exempt: \(selection.exempt.count)")
        let exemptWidth = selection.exempt.map(\.host.count).max() ?? 0
        for host in selection.exempt {
            var details = [host.source]
            if let ticket = host.ticket { details.append("ticket \(ticket)") }
            if let until = host.until { details.append("until \(until)") }
            lines.append("  \(host.host.padding(to: exemptWidth))  \(host.reason) (\(details.joined(separator: "; ")))")
        }
        if !selection.expired.isEmpty {
            lines.append("")
            lines.append("expired exemptions (no longer apply): \(selection.expired.count)")
            for expired in selection.expired {
                let hosts = expired.hosts.isEmpty ? "no targeted hosts" : expired.hosts.joined(separator: ", ")
                lines.append(
                    "  \(expired.exemption.target): \(expired.exemption.reason) (until \(expired.exemption.until.map(String.init(describing:)) ?? "?")) -> \(hosts)"
                )
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// The string padded with spaces on the right to `width` characters.
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
