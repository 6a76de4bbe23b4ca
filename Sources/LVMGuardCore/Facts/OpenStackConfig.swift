import Foundation

/// The gather's `openstack-conf` section: "PATH BASE64" per cinder.conf or nova.conf found (on the host, or where kolla
/// keeps each service's configuration), read for the VGs OpenStack keeps its volumes in.
public enum OpenStackConfig {
    /// A VG a service's configuration names as its volume store, with where it says so.
    public struct VolumeVG: Sendable, Codable, Hashable {
        public let name: String
        /// "cinder" or "nova".
        public let service: String
        public let file: String
        public let line: Int
        /// The option as written: "[lvm-1] volume_group", "[libvirt] images_volume_group".
        public let option: String
    }

    /// cinder's default `volume_group` for an LVM backend that sets none.
    static let cinderDefaultVG = "cinder-volumes"

    static func volumeVGs(_ text: String) -> [VolumeVG] {
        text.outputLines().flatMap { line -> [VolumeVG] in
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard words.count == 2, let data = Data(base64Encoded: words[1]) else { return [] }
            let ini = INI(String(decoding: data, as: UTF8.self))
            return words[0].hasSuffix("cinder.conf") ? cinder(ini, file: words[0]) : nova(ini, file: words[0])
        }
    }

    /// Each enabled LVM backend's `volume_group` (its default when unset); [DEFAULT] when no backend is enabled.
    static func cinder(_ ini: INI, file: String) -> [VolumeVG] {
        let enabled = ini.value("DEFAULT", "enabled_backends")?.value.split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return (enabled ?? ["DEFAULT"]).compactMap { section -> VolumeVG? in
            guard let driver = ini.value(section, "volume_driver") ?? ini.value("DEFAULT", "volume_driver"),
                driver.value.contains("LVMVolumeDriver")
            else { return nil }
            if let group = ini.value(section, "volume_group") ?? ini.value("DEFAULT", "volume_group") {
                return VolumeVG(
                    name: group.value, service: "cinder", file: file, line: group.line,
                    option: "[\(section)] volume_group")
            }
            return VolumeVG(
                name: cinderDefaultVG, service: "cinder", file: file, line: driver.line,
                option: "[\(section)] volume_driver (volume_group unset: cinder's default)")
        }
    }

    /// `[libvirt] images_volume_group` when `images_type = lvm`.
    static func nova(_ ini: INI, file: String) -> [VolumeVG] {
        guard ini.value("libvirt", "images_type")?.value.lowercased() == "lvm",
            let group = ini.value("libvirt", "images_volume_group")
        else { return [] }
        return [
            VolumeVG(
                name: group.value, service: "nova", file: file, line: group.line,
                option: "[libvirt] images_volume_group")
        ]
    }

    /// oslo.config's INI as far as these options need: `[section]`, `key = value` (or `key: value`), `#` and `;`
    /// comments; the last assignment wins, as in oslo.config.
    struct INI {
        private var values: [String: [String: (value: String, line: Int)]] = [:]

        init(_ text: String) {
            var section = "DEFAULT"
            for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
                if line.hasPrefix("["), line.hasSuffix("]") {
                    section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                    continue
                }
                guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
                let key = line[..<separator].trimmingCharacters(in: .whitespaces)
                let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
                values[section, default: [:]][key] = (value, index + 1)
            }
        }

        func value(_ section: String, _ key: String) -> (value: String, line: Int)? { values[section]?[key] }
    }
}
