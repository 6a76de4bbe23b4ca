/// `lvmguard diagnose --device` for a person: the device, what it is, the rule that decides, and what to do.
public enum DeviceDiagnosisReport {
    public static func text(_ diagnosis: DeviceDiagnosis) -> String {
        guard diagnosis.verdict != .notFound else {
            return "\(diagnosis.host): no device \(diagnosis.device) (no block device or /dev link of that name)\n"
        }
        var out = ["\(diagnosis.host): \(diagnosis.device): \(verdictText(diagnosis.verdict))"]
        out.append("  names: " + diagnosis.names.joined(separator: " "))
        if !diagnosis.storage.isEmpty {
            out.append("  storage: " + diagnosis.storage.map(\.rawValue).joined(separator: ", "))
        }
        out.append("  PV of: " + (diagnosis.pvOf ?? "nothing (not a PV)"))
        for disk in diagnosis.instances {
            out.append("  instance \(disk.domainLabel) has it, or a device on or under it, as disk \(disk.target)")
        }
        if let rule = diagnosis.decidedBy { out.append("  decided by: \(rule)") }
        out.append("  what to do: " + advice(diagnosis))
        return out.joined(separator: "\n") + "\n"
    }

    static func verdictText(_ verdict: DeviceDiagnosis.Verdict) -> String {
        switch verdict {
        case .refusedUndeclared: "refused by host LVM: nobody declared it"
        case .declaredNotApplied: "refused by host LVM: declared, but the filter in force predates the declaration"
        case .accepted: "host LVM sees it"
        case .guestDevice: "a guest's device: host LVM must not see it"
        case .undetermined: "lvmguard cannot evaluate the rule that decides"
        case .notFound: "not found"
        }
    }

    static func advice(_ diagnosis: DeviceDiagnosis) -> String {
        switch diagnosis.verdict {
        case .refusedUndeclared:
            let name = diagnosis.declareAs ?? diagnosis.device
            let kernelOnly = !name.hasPrefix("/dev/disk/by-id/")
            return "if the host owns it, declare it in the host's variables, lvmguard_accept: [\"\(name)\"], "
                + "then plan and apply before pvcreate"
                + (kernelOnly ? " (it has no WWN or serial link: its kernel name can change at reboot)" : "")
        case .declaredNotApplied:
            return "run plan and apply: the declaration reaches the filter then"
        case .accepted:
            return "nothing: pvcreate and vgextend can use it"
        case .guestDevice:
            return "nothing: the filter keeps host LVM off it on purpose; never declare a guest's disk"
        case .undetermined:
            return "read the rule by hand in lvm.conf; lvmguard will not guess what LVM makes of it"
        case .notFound:
            return "check the name on the host (lsblk, ls -l /dev/disk/by-id)"
        }
    }
}
