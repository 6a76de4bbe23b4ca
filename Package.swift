// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "lvmguard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lvmguard", targets: ["lvmguard"]),
        .library(name: "LVMGuardCore", targets: ["LVMGuardCore"]),
    ],
    dependencies: [
        // The command line: subcommands, help text, exit codes.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Running the system ssh (and lvm tools in tests) as child processes, with timeouts by cancellation.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        // YAML with line/column marks for the inventory and desired-state files (bundles libyaml).
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // --verbose: what each ssh execution was, how long it took and how it ended, on standard error.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Pure: parsing, models, planning, rendering. No processes, no network, no printing.
        .target(
            name: "LVMGuardCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // The edges: files on disk, processes, the system ssh client.
        .target(
            name: "LVMGuardRemote",
            dependencies: [
                "LVMGuardCore",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedRemoteScripts"]
        ),
        // remote/*.sh as string literals in LVMGuardRemote, generated at build time.
        .plugin(name: "EmbedRemoteScripts", capability: .buildTool()),
        // Argument parsing and wiring only.
        .executableTarget(
            name: "lvmguard",
            dependencies: [
                "LVMGuardCore",
                "LVMGuardRemote",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Measures the lvm.conf edit + diff path (bench/lvmconf-edit.sh); not shipped.
        .executableTarget(
            name: "lvmguard-bench",
            dependencies: ["LVMGuardCore"],
            path: "bench/Sources/lvmguard-bench"
        ),
        // What the test targets share: running real commands, prerequisites, the lab's hosts (Tests/Support).
        .target(
            name: "LVMGuardTestSupport",
            dependencies: ["LVMGuardCore", "LVMGuardRemote"],
            path: "Tests/Support"
        ),
        // Pure: captured command output, the remote scripts run locally, the inventory oracle, the docs. Seconds.
        .testTarget(
            name: "LVMGuardCoreTests",
            dependencies: ["LVMGuardCore", "LVMGuardRemote", "LVMGuardTestSupport"],
            resources: [.copy("Fixtures")]
        ),
        // The loopback fleet: real sshd on 127.0.0.0/8 (root).
        .testTarget(
            name: "LVMGuardFleetTests",
            dependencies: ["LVMGuardCore", "LVMGuardRemote", "LVMGuardTestSupport"]
        ),
        // The lab's VMs: real kernels, device-mapper, multipath, power cycles (root, qemu).
        .testTarget(
            name: "LVMGuardLabTests",
            dependencies: ["LVMGuardCore", "LVMGuardRemote", "LVMGuardTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
