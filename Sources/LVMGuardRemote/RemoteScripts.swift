import LVMGuardCore

/// The POSIX sh scripts lvmguard sends to hosts on stdin (kept as files in remote/, embedded at build time).
public enum RemoteScripts {
    /// The gather script with the boundary its output sections are marked with.
    public static func gatherFacts(boundary: String) -> String {
        precondition(
            boundary.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }, "boundary is generated, never user text")
        return "\(RemoteContract.Variable.boundary.rawValue)=\(boundary)\n" + fixedPaths + bounds + gatherFacts
    }

    /// The paths of the files lvmguard owns besides LVM's, set before the scripts: declared once, in `PVLinkRule`.
    public static var fixedPaths: String {
        "\(RemoteContract.Variable.pvLinkRule.rawValue)=\(PVLinkRule.rulePath)\n"
            + "\(RemoteContract.Variable.pvLinkDracut.rawValue)=\(PVLinkRule.dracutPath)\n"
    }

    /// A fresh boundary token: random, so no line of a host's files can fake a section header.
    public static func newBoundary() -> String {
        "lvmguard-" + String(UInt64.random(in: .min ... .max), radix: 16)
            + String(UInt64.random(in: .min ... .max), radix: 16)
    }
}
