/// Loads an inventory file and the `group_vars/` and `host_vars/` directories beside it, as Ansible does.
public struct InventoryLoader: Sendable {
    public let files: any FileReading

    public init(files: any FileReading) { self.files = files }

    /// The inventory at `path`, or nil with diagnostics. YAML for `.yaml`/`.yml`/`.json`, INI otherwise.
    public func load(_ path: String, diagnostics: inout Diagnostics) -> Inventory? {
        let text: String
        do {
            text = try files.readText(atPath: path)
        } catch {
            diagnostics.error(
                "cannot read inventory: \(error.reason)", at: SourceLocation(file: path, line: 1, column: 1))
            return nil
        }
        var builder = InventoryBuilder(file: path)
        let errorsBefore = diagnostics.all.count
        if Self.isYAML(path) {
            guard let root = YAMLDocument.parse(text, file: path, diagnostics: &diagnostics) else { return nil }
            InventoryYAMLReader.read(root, into: &builder, diagnostics: &diagnostics)
        } else {
            InventoryINIReader.read(text, file: path, into: &builder, diagnostics: &diagnostics)
        }
        let base = PathText.directory(of: path)
        for group in builder.groupNames.sorted() {
            if let variables = variableFile(
                in: PathText.join(base, "group_vars"), named: group, diagnostics: &diagnostics)
            {
                builder.setGroupFileVariables(variables, forGroup: group)
            }
        }
        for host in builder.hostNames.sorted() {
            if let variables = variableFile(
                in: PathText.join(base, "host_vars"), named: host, diagnostics: &diagnostics)
            {
                builder.setHostFileVariables(variables, forHost: host)
            }
        }
        let inventory = builder.build(diagnostics: &diagnostics)
        let hasNewErrors = diagnostics.all[errorsBefore...].contains { $0.severity == .error }
        return hasNewErrors ? nil : inventory
    }

    static func isYAML(_ path: String) -> Bool {
        [".yaml", ".yml", ".json"].contains { path.lowercased().hasSuffix($0) }
    }

    /// Variables from `<dir>/<name>`, `<dir>/<name>.yml|.yaml|.json`, or every such file in `<dir>/<name>/`.
    private func variableFile(in directory: String, named name: String, diagnostics: inout Diagnostics) -> Variables? {
        guard let entries = files.directoryEntries(atPath: directory) else { return nil }
        var paths: [String] = []
        for candidate in [name, name + ".yml", name + ".yaml", name + ".json"] where entries.contains(candidate) {
            let path = PathText.join(directory, candidate)
            if let inner = files.directoryEntries(atPath: path) {
                paths += inner.filter {
                    $0 == $0.trimmingWhitespace() && !$0.hasPrefix(".") && (Self.isYAML($0) || !$0.contains("."))
                }
                .sorted().map { PathText.join(path, $0) }
            } else {
                paths.append(path)
            }
        }
        guard !paths.isEmpty else { return nil }
        var result: Variables = [:]
        for path in paths {
            let text: String
            do {
                text = try files.readText(atPath: path)
            } catch {
                diagnostics.error(
                    "cannot read variables: \(error.reason)", at: SourceLocation(file: path, line: 1, column: 1))
                continue
            }
            guard let root = YAMLDocument.parse(text, file: path, diagnostics: &diagnostics),
                let variables = InventoryYAMLReader.variables(root, what: "a variables file", diagnostics: &diagnostics)
            else { continue }
            result.merge(variables) { _, new in new }
        }
        return result
    }
}
