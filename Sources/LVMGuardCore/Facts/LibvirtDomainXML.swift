/// libvirt's domain XML (a definition, `<domain>`, or a running domain's status file, `<domstatus>` around it):
/// the domain's name, UUID, nova's instance name and its disks. Read by a small scanner of our own: libvirt
/// writes the XML itself, and FoundationXML would bring libxml2 into the static binary.
public enum LibvirtDomainXML {
    /// What a domain file says.
    public struct Domain: Sendable, Hashable {
        public let name: String
        public let uuid: String
        /// nova's own name for the instance (`<nova:instance><nova:name>`), when the file has it.
        public let novaName: String?
        /// Disks with a source: (target, source path).
        public let disks: [(target: String, source: String)]

        public static func == (a: Domain, b: Domain) -> Bool {
            a.name == b.name && a.uuid == b.uuid && a.novaName == b.novaName
                && a.disks.map { "\($0.target) \($0.source)" } == b.disks.map { "\($0.target) \($0.source)" }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(uuid)
            hasher.combine(name)
        }
    }

    /// The domain in `text`, nil when it is not a domain file lvmguard can read.
    public static func parse(_ text: String) -> Domain? {
        var path: [String] = []
        var name: String?, uuid: String?, novaName: String?
        var disks: [(target: String, source: String)] = []
        var disk: (target: String?, source: String?)?
        var sawDomain = false
        for token in Tokens(text) {
            switch token {
            case let .open(tag, attributes, selfClosing):
                path.append(tag)
                if tag == "domain" { sawDomain = true }
                if tag == "disk", inDevices(path) { disk = (nil, nil) }
                if disk != nil, path.suffix(2) == ["disk", "source"] {
                    disk?.source = attributes["dev"] ?? attributes["file"] ?? attributes["volume"] ?? attributes["name"]
                }
                if disk != nil, path.suffix(2) == ["disk", "target"] { disk?.target = attributes["dev"] }
                if selfClosing { close(tag) }
            case let .close(tag):
                close(tag)
            case let .text(value):
                let value = value.trimmingWhitespace()
                guard !value.isEmpty else { continue }
                if path.suffix(2) == ["domain", "name"], name == nil { name = value }
                if path.suffix(2) == ["domain", "uuid"], uuid == nil { uuid = value }
                if path.last == "nova:name", path.contains("nova:instance"), novaName == nil { novaName = value }
            }
        }
        func close(_ tag: String) {
            if tag == "disk", let open = disk, inDevices(path) {
                if let target = open.target, let source = open.source, !source.isEmpty {
                    disks.append((target, source))
                }
                disk = nil
            }
            if let index = path.lastIndex(of: tag) { path.removeSubrange(index...) }
        }
        guard sawDomain, let name, let uuid else { return nil }
        return Domain(name: name, uuid: uuid, novaName: novaName, disks: disks)
    }

    /// The innermost element is a `<disk>` of the domain's `<devices>`.
    private static func inDevices(_ path: [String]) -> Bool {
        path.suffix(3) == ["domain", "devices", "disk"]
    }

    /// XML as a sequence of tags and text; comments, processing instructions and CDATA are skipped.
    struct Tokens: Sequence, IteratorProtocol {
        enum Token {
            case open(String, [String: String], selfClosing: Bool)
            case close(String)
            case text(String)
        }

        private let scalars: [Character]
        private var index = 0

        init(_ text: String) { scalars = Array(text) }

        mutating func next() -> Token? {
            guard index < scalars.count else { return nil }
            if scalars[index] != "<" {
                let start = index
                while index < scalars.count, scalars[index] != "<" { index += 1 }
                return .text(Self.unescape(String(scalars[start..<index])))
            }
            let end = Self.find(">", in: scalars, from: index) ?? scalars.count
            let body = String(scalars[(index + 1)..<Swift.min(end, scalars.count)])
            index = end + 1
            if body.hasPrefix("!--") {
                if !body.hasSuffix("--"), let close = Self.find("-->", in: scalars, from: index - 1) {
                    index = close + 3
                }
                return next()
            }
            if body.hasPrefix("?") || body.hasPrefix("!") { return next() }
            if body.hasPrefix("/") { return .close(String(body.dropFirst()).trimmingWhitespace()) }
            let selfClosing = body.hasSuffix("/")
            let content = selfClosing ? String(body.dropLast()) : body
            let tag = String(content.prefix { !$0.isWhitespace })
            return .open(tag, Self.attributes(String(content.dropFirst(tag.count))), selfClosing: selfClosing)
        }

        /// `a='1' b="2"` as a dictionary.
        static func attributes(_ text: String) -> [String: String] {
            var result: [String: String] = [:]
            var rest = Substring(text)
            while let equals = rest.firstIndex(of: "=") {
                let key = String(rest[..<equals]).trimmingWhitespace()
                rest = rest[rest.index(after: equals)...].drop { $0.isWhitespace }
                guard let quote = rest.first, quote == "'" || quote == "\"" else { break }
                rest = rest.dropFirst()
                guard let close = rest.firstIndex(of: quote) else { break }
                result[key] = unescape(String(rest[..<close]))
                rest = rest[rest.index(after: close)...]
            }
            return result
        }

        static func find(_ needle: String, in characters: [Character], from start: Int) -> Int? {
            let pattern = Array(needle)
            var index = start
            while index + pattern.count <= characters.count {
                if Array(characters[index..<(index + pattern.count)]) == pattern { return index }
                index += 1
            }
            return nil
        }

        static func unescape(_ text: String) -> String {
            guard text.contains("&") else { return text }
            return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
                .replacingOccurrences(of: "&amp;", with: "&")
        }
    }
}
