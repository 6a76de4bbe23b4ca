import ArgumentParser
import Foundation
import LVMGuardCore

/// Output helpers for the commands.
enum Terminal {
    /// Writes to standard error, unbuffered: diagnostics, progress, logs and prompts, so standard output
    /// stays the report's.
    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Diagnostics go to standard error, sorted by place, with a count at the end.
    static func printDiagnostics(_ diagnostics: Diagnostics) {
        guard !diagnostics.all.isEmpty else { return }
        var text = diagnostics.sorted.map(\.description).joined(separator: "\n") + "\n"
        let errors = diagnostics.all.filter { $0.severity == .error }.count
        if errors > 0 { text += "\(errors) error\(errors == 1 ? "" : "s")\n" }
        writeError(text)
    }
}

/// Today's date, or the one the user gave.
enum Clock {
    static func day(_ override: String?) throws -> CalendarDate {
        if let override {
            guard let day = CalendarDate(override) else {
                throw ValidationError("'\(override)' is not a date; write YYYY-MM-DD")
            }
            return day
        }
        let parts = Calendar(identifier: .gregorian).dateComponents(
            in: TimeZone(identifier: "UTC") ?? .current, from: Date())
        guard let day = CalendarDate(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0) else {
            throw ValidationError("the system clock gives no valid date; pass --today YYYY-MM-DD")
        }
        return day
    }
}

extension Terminal {
    /// Colour on a terminal unless turned off (`--no-color` or the NO_COLOR convention).
    static func colored(noColor: Bool) -> Bool {
        !noColor && ProcessInfo.processInfo.environment["NO_COLOR"] == nil && isatty(STDOUT_FILENO) == 1
    }
}

extension Terminal {
    /// Asks `question` with [yes/NO] on the terminal; only "yes" confirms. Refuses when no one can answer.
    static func confirm(_ question: String, action: String) throws -> Bool {
        guard isatty(STDIN_FILENO) == 1 else {
            throw ValidationError("standard input is not a terminal: pass --yes to \(action) without asking")
        }
        // On standard error, so standard output stays the report's (JSON with --format json).
        fflush(nil)
        writeError("\(question) [yes/NO] ")
        return readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes"
    }
}
