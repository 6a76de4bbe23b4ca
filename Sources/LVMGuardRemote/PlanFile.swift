import Foundation
import LVMGuardCore

/// The JSON lvmguard writes (saved plans, `apply --format json`): keys sorted so two documents diff cleanly.
public enum JSONOutput {
    public static func text(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Saved plans: versioned JSON.
public enum PlanFile {
    /// Writes atomically: a temp file beside the target, then a rename.
    public static func write(_ plan: FleetPlan, to path: String) throws {
        try (try JSONOutput.text(plan) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}

extension PlanFile {
    /// Reads a saved plan, refusing other formats and versions.
    public static func read(_ path: String) throws(PlanFileError) -> FleetPlan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlanFileError("cannot read the plan \(path)")
        }
        // Format and version first: a plan of another version may lack what this one needs, and saying which
        // version it is helps more than naming the missing key.
        struct Header: Decodable { let format: String, version: Int }
        guard let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw PlanFileError("\(path) is not an lvmguard plan (no format and version)")
        }
        guard header.format == "lvmguard-plan", header.version == FleetPlan.currentVersion else {
            throw PlanFileError(
                "\(path) is a plan of format \(header.format) version \(header.version); this lvmguard reads version "
                    + "\(FleetPlan.currentVersion): run plan again")
        }
        do {
            return try JSONDecoder().decode(FleetPlan.self, from: data)
        } catch {
            throw PlanFileError("\(path) is not an lvmguard plan: \(error)")
        }
    }
}

/// A saved plan that cannot be read, or is of another format or version.
public struct PlanFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
