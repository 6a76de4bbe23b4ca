import Foundation
import PackagePlugin

/// Embeds remote/*.sh into LVMGuardRemote at build time, as Swift string literals, so the binary stays one
/// static file and the scripts it sends can never drift from the files in remote/ (scripts/embed-remote-scripts.sh
/// writes the Swift file; this plugin runs it whenever a script changes).
@main
struct EmbedRemoteScripts: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let remote = package.appending(path: "remote")
        let scripts = try FileManager.default.contentsOfDirectory(atPath: remote.path())
            .filter { $0.hasSuffix(".sh") }.sorted().map { remote.appending(path: $0) }
        let generator = package.appending(path: "scripts/embed-remote-scripts.sh")
        let output = context.pluginWorkDirectoryURL.appending(path: "RemoteScripts+Embedded.swift")
        return [
            .buildCommand(
                displayName: "Embedding remote/*.sh into LVMGuardRemote",
                executable: URL(fileURLWithPath: "/bin/bash"),
                arguments: [generator.path(), output.path()],
                inputFiles: scripts + [generator],
                outputFiles: [output]
            )
        ]
    }
}
