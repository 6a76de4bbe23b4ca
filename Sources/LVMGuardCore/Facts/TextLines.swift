/// Line splitting that survives CRLF. In Swift "\r\n" is one Character, so `split(separator: "\n")`
/// does not split it: remote output (ssh writes CRLF; a host's lvm.conf may have it) goes through these.
extension StringProtocol {
    /// Lines split at every "\n" byte, keeping a "\r" before it, empty lines included: joined back with
    /// "\n" they give the text byte for byte.
    public func rawLines() -> [Substring] {
        String(self).utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { Substring($0) }
    }

    /// Lines without their line endings ("\n" or "\r\n"), empty lines dropped: for reading command output.
    public func outputLines() -> [Substring] {
        String(self).split(whereSeparator: \.isNewline)
    }
}
