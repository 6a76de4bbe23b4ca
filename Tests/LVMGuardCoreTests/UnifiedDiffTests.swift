import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

@Suite("Unified diffs for review")
struct UnifiedDiffTests {
    @Test("a golden diff: 3 lines of context, host and path in the headers")
    func golden() {
        let old = (1...12).map { "line \($0)" }.joined(separator: "\n") + "\n"
        var lines = (1...12).map { "line \($0)" }
        lines[1] = "changed 2"
        lines.insert("added", at: 10)
        let new = lines.joined(separator: "\n") + "\n"
        let diff = UnifiedDiff.diff(
            from: old, to: new, oldLabel: "compute-01:/etc/lvm/lvm.conf (current)",
            newLabel: "compute-01:/etc/lvm/lvm.conf (planned)")
        #expect(
            diff == """
                --- compute-01:/etc/lvm/lvm.conf (current)
                +++ compute-01:/etc/lvm/lvm.conf (planned)
                @@ -1,5 +1,5 @@
                 line 1
                -line 2
                +changed 2
                 line 3
                 line 4
                 line 5
                @@ -8,5 +8,6 @@
                 line 8
                 line 9
                 line 10
                +added
                 line 11
                 line 12

                """)
    }

    @Test("equal texts give no diff; close changes share a hunk; a missing final newline is marked")
    func edges() {
        #expect(UnifiedDiff.diff(from: "a\n", to: "a\n", oldLabel: "x", newLabel: "y") == "")
        let close = UnifiedDiff.diff(
            from: "1\n2\n3\n4\n5\n6\n7\n8\n", to: "1\nX\n3\n4\n5\n6\nY\n8\n", oldLabel: "x", newLabel: "y")
        #expect(close.components(separatedBy: "@@ ").count == 2)
        #expect(
            UnifiedDiff.diff(from: "a", to: "b", oldLabel: "x", newLabel: "y")
                == "--- x\n+++ y\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n")
        #expect(
            UnifiedDiff.diff(from: "", to: "a\n", oldLabel: "x", newLabel: "y") == "--- x\n+++ y\n@@ -0,0 +1 @@\n+a\n")
    }

    @Test("colour only when asked")
    func colour() {
        let plain = UnifiedDiff.diff(from: "a\n", to: "b\n", oldLabel: "x", newLabel: "y")
        let colored = UnifiedDiff.diff(from: "a\n", to: "b\n", oldLabel: "x", newLabel: "y", style: .colored)
        #expect(!plain.contains("\u{1B}["))
        #expect(colored.contains("\u{1B}[31m-a\u{1B}[0m"))
        #expect(colored.contains("\u{1B}[32m+b\u{1B}[0m"))
    }
}
