import Foundation

/// Everything gathered from one host, typed. Built from the gather script's sections.
public struct HostFacts: Sendable, Codable {
    public struct LVMVersion: Sendable, Codable, Hashable, Comparable, CustomStringConvertible {
        public let major: Int, minor: Int, patch: Int
        public var description: String { "\(major).\(minor < 10 ? "0" : "")\(minor).\(patch)" }
        public static func < (l: Self, r: Self) -> Bool { (l.major, l.minor, l.patch) < (r.major, r.minor, r.patch) }
        /// The first LVM with `--reportformat json`, which the gather script needs.
        public static let oldestSupported = LVMVersion(major: 2, minor: 2, patch: 158)

        public init(major: Int, minor: Int, patch: Int) { (self.major, self.minor, self.patch) = (major, minor, patch) }

        /// From `lvm version`'s "LVM version:     2.03.16(2) (2022-05-18)".
        init?(lvmVersionOutput text: String) {
            guard let line = text.outputLines().first(where: { $0.contains("LVM version:") }),
                let word = line.split(separator: ":").dropFirst().first?.split(separator: " ").first
            else { return nil }
            let numbers = word.prefix { $0 != "(" && $0 != "-" }.split(separator: ".").compactMap { Int($0) }
            guard numbers.count == 3 else { return nil }
            (major, minor, patch) = (numbers[0], numbers[1], numbers[2])
        }
    }

    /// The host's lvm.conf as read, with what apply's staleness check compares.
    public struct ConfigFile: Sendable, Codable, Hashable {
        public let path: String
        public let text: String
        public let sha256: String
        /// "uid gid mode mtime" as stat printed it.
        public let stat: String
        /// The file is not UTF-8 and `text` holds its bytes one per character (ISO 8859-1), so that the
        /// edited file goes back with every other byte as it was.
        public var isLatin1: Bool = false

        /// The bytes of `text` in the file's encoding.
        public static func bytes(_ text: String, latin1: Bool) -> Data {
            latin1 ? Data(text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }) : Data(text.utf8)
        }

        /// The file's text: UTF-8 when the bytes are, else one character per byte.
        static func text(of bytes: Data) -> (text: String, latin1: Bool) {
            if let text = String(data: bytes, encoding: .utf8) { return (text, false) }
            return (String(bytes.map { Character(Unicode.Scalar($0)) }), true)
        }
    }

    public struct PhysicalVolume: Sendable, Codable, Hashable {
        public let name: String, uuid: PVUUID, vgName: String
        /// Nil for a PV in no VG.
        public let vgUUID: VGUUID?
        public let size: String

        /// A PV its VG's metadata lists that is not present: LVM names it "[unknown]" (2.03) or "unknown device".
        public var isMissing: Bool { name == "[unknown]" || name == "unknown device" }
    }

    public struct VolumeGroup: Sendable, Codable, Hashable {
        public let name: String, uuid: VGUUID, attr: String
        /// How many PVs the VG's metadata lists (present or not).
        public var pvCount: Int? = nil
        /// The host the VG belongs to (`vg_systemid`), "" when it has none.
        public var systemID = ""
        /// lvmlockd's lock type ("sanlock", "dlm", "idm") for a shared VG, "" otherwise.
        public var lockType = ""

        /// lvmlockd shares it between hosts.
        public var isShared: Bool { !lockType.isEmpty && lockType != "none" }

        /// LVM reports the VG partial: some of its PVs are missing (the fourth vg_attr character is 'p').
        public var isPartial: Bool { attr.count > 3 && Array(attr)[3] == "p" }
    }

    public struct LogicalVolume: Sendable, Codable, Hashable {
        public let vgName: String, vgUUID: VGUUID, name: String, uuid: LVUUID, attr: String, active: String
        public let dmPath: String
        /// Devices the LV sits on, as LVM prints them: "/dev/mapper/mpatha(0)".
        public let devices: String
        /// The host that created the LV (`lv_host`, from the metadata: whoever wrote it says so), "" when unknown.
        public var creationHost: String = ""

        public var isActive: Bool { active == "active" || (attr.count > 4 && Array(attr)[4] == "a") }
        /// The sixth lv_attr character is 'o' when the LV's device is open.
        public var isOpen: Bool { attr.count > 5 && Array(attr)[5] == "o" }
    }

    public struct BlockDevice: Sendable, Codable, Hashable {
        public let name: String, kname: KernelName, type: String, majMin: MajorMinor, mountpoint: String
        /// The device it is part of (a partition's disk: lsblk's PKNAME); nil for a whole device.
        public let parent: KernelName?
    }

    public struct Mount: Sendable, Codable, Hashable {
        public let source: String, target: String, fstype: String
        /// The mounted device's major:minor from /proc/self/mountinfo: which device it is, whatever its name.
        /// Nil in facts gathered before mountinfo was read.
        public var majMin: MajorMinor? = nil
    }

    public struct DMDevice: Sendable, Codable, Hashable {
        public let name: String, majMin: MajorMinor, open: Int
        /// Nil for a dm device created without one.
        public let uuid: DMUUID?
        /// A dm-multipath map's WWID ("mpath-<wwid>" uuid), nil for other dm devices.
        public var multipathWWID: WWID? { uuid.flatMap { WWID(multipathDMUUID: $0.rawValue) } }
    }

    /// A disk of a running or paused libvirt domain. For nova, the domain's UUID is the instance's UUID.
    public struct LibvirtDisk: Sendable, Codable, Hashable, Comparable {
        /// Whether the domain runs (running or paused: its qemu holds the disk) or is only defined.
        public enum State: String, Sendable, Codable, Hashable {
            case running
            case defined
        }

        public let domain: String, domainUUID: String, target: String, source: String
        public var state: State = .running
        /// Where lvmguard learned of it: "virsh", or the XML file's path.
        public var origin: String = "virsh"
        /// "instance-0000002a (c0ffee00-…)": the name for people, the UUID that identifies it.
        public var domainLabel: String { "\(domain) (\(domainUUID))" }
        /// What it is to the device under it: "disk vdb of libvirt domain instance-0000002a (c0ffee00-…)".
        public var use: String { "disk \(target) of libvirt domain \(domainLabel)" }
        /// Whether the source names its device in a way that holds now: any name while the domain runs (its qemu
        /// holds the device, so the name cannot move), and in a definition only a name that survives a reboot (a
        /// `/dev/disk/by-id` WWID or serial, a by-path target and LUN, an LV path). A kernel name (`/dev/sdb`,
        /// `/dev/dm-3`, `/dev/nvme0n1`) in a domain that is not running may be another device since a reboot.
        public var namesDeviceStably: Bool {
            state == .running || !source.hasPrefix("/dev/") || source.split(separator: "/").count != 2
        }

        public static func < (a: LibvirtDisk, b: LibvirtDisk) -> Bool {
            (a.domain, a.domainUUID, a.target) < (b.domain, b.domainUUID, b.target)
        }
    }

    public enum InitramfsTool: String, Sendable, Codable, Hashable {
        case dracut
        case initramfsTools = "initramfs-tools"
        case none
    }

    /// A file LVM reads beside lvm.conf, which overrides it: its text, or nil when it was too large to read.
    public struct BesideFile: Sendable, Codable, Hashable {
        public let path: String
        public let text: String?
    }

    public struct Initramfs: Sendable, Codable, Hashable {
        public let tool: InitramfsTool
        public let image: String?
        /// The copy of lvm.conf inside the image, nil when it holds none or it could not be read.
        public let lvmConf: String?
    }

    public let hostname: String
    public let kernel: String
    public let lvmVersion: LVMVersion?
    public let lvmConf: ConfigFile
    /// Effective settings by path ("devices/global_filter"); a key the host's LVM does not know is absent.
    public let settings: [String: LVMConfigValue]
    /// The devices file's text when it exists.
    public let devicesFile: String?
    /// lvmlocal.conf and lvm_<tag>.conf as read beside lvm.conf; nil in facts gathered before they were read.
    public let besideLVMConf: [BesideFile]?
    public let pvs: [PhysicalVolume]
    public let vgs: [VolumeGroup]
    public let lvs: [LogicalVolume]
    /// PV UUIDs the host's LVM sees with its own configuration.
    public let visiblePVs: Set<PVUUID>
    public let blockDevices: [BlockDevice]
    public let mounts: [Mount]
    public let swaps: [String]
    public let cmdline: String
    public let dmDevices: [DMDevice]
    /// dm device name to the maj:min of the devices under it.
    public let dmDependencies: [String: [MajorMinor]]
    /// Kernel name ("sdb") to its sysfs path, which tells iSCSI and FC paths apart from local disks.
    public let sysfsPaths: [KernelName: String]
    /// Device links (/dev/mapper/*, /dev/disk/by-id/*) to the device node they resolve to.
    public let deviceLinks: [String: String]
    public let initramfs: Initramfs
    /// Disks of libvirt domains on this host: running ones from virsh or status XML, defined ones from their
    /// definitions (on the host, or in kolla's and podman's volumes).
    public let libvirtDisks: [LibvirtDisk]
    public let tools: [String: Bool]
    /// Every holder the kernel counts, by kernel name (md and partitions included, not only dm).
    public var holders: [KernelName: [KernelName]] = [:]
    /// This boot's identity (/proc/sys/kernel/random/boot_id); nil in facts from before it was gathered.
    public var bootID: String? = nil
    /// This host's LVM system ID (`lvm systemid`): "" when it sets none, nil when it could not be read.
    public var systemID: String? = nil

    /// Whether `vg` belongs to another host: it carries a system ID that is not this host's (HA-LVM's failover VG
    /// while the other node holds it). With this host's own unknown, any system ID counts as another host's.
    public func belongsToAnotherHost(_ vg: VolumeGroup) -> Bool { !vg.systemID.isEmpty && vg.systemID != systemID }
    /// One PV UUID on several devices, as LVM's warnings name them.
    public var duplicatePVs: [DuplicatePV] = []
    /// NVMe controllers by name ("nvme0"): their subsystem and transport.
    public var nvmeControllers: [String: NVMeController] = [:]
    /// The VGs OpenStack's configuration says hold its volumes (cinder's LVM backends, nova's images_type = lvm).
    public var configuredVolumeVGs: [OpenStackConfig.VolumeVG] = []
    /// Block devices an iSCSI target on this host exports (LIO's LUNs and enabled backstores, tgt's LUNs).
    public var targetExports: [TargetExport] = []
    /// The iSCSI sessions this host is logged in to ("session1") and their targets' names.
    public var iscsiSessions: [String: String] = [:]

    /// An NVMe controller: its subsystem ("nvme-subsys0") and transport ("pcie", "tcp", "rdma", "fc", "loop").
    public struct NVMeController: Sendable, Codable, Hashable {
        public let subsystem: String
        public let transport: String
    }
    /// Every dm-multipath map, with its path states.
    public var multipathMaps: [MultipathMap] = []
    /// Kernel names of the devices the gather kept out of every LVM command: the maps with no active path,
    /// everything stacked on them and their paths.
    public var excludedFromLVM: [String] = []
    /// Why the host's own view of its PVs (`visiblePVs`) could not be read, nil when it was.
    public var visiblePVsUnread: String? = nil
    /// lvmguard's PV link rule and dracut drop-in (`PVLinkRule`) as found, path to text, a file absent left out;
    /// nil when they were not looked for (a host whose initramfs dracut does not build).
    public var pvLinkFiles: [String: String]? = nil

    /// The maps with no active path.
    public var deadMaps: [MultipathMap] { multipathMaps.filter(\.isDead) }
}

extension HostFacts {
    /// Builds typed facts from the gather script's sections; throws when something the planner needs is missing.
    public init(sections: [String: FactSection]) throws(FactsError) {
        func section(_ name: GatherSection) throws(FactsError) -> FactSection {
            guard let section = sections[name] else { throw FactsError("the facts have no '\(name.rawValue)' section") }
            return section
        }
        func required(_ name: GatherSection, _ what: String) throws(FactsError) -> String {
            let found = try section(name)
            guard found.succeeded else {
                throw FactsError("\(what) failed (exit \(found.status)): \(found.stderr.trimmingWhitespace())")
            }
            return found.stdout
        }

        if let scratch = sections[.scratch], !scratch.succeeded {
            throw FactsError(
                "cannot write its scratch files in the host's temporary directory (exit \(scratch.status)): "
                    + "is /tmp (or TMPDIR) full or read-only? Nothing was read or changed")
        }
        let host = try required(.host, "uname").split(separator: " ")
        hostname = host.first.map(String.init) ?? ""
        kernel = host.dropFirst().first.map { String($0).trimmingWhitespace() } ?? ""
        tools = Dictionary(
            try required(.tools, "tool lookup").outputLines().compactMap { line -> (String, Bool)? in
                let words = line.split(separator: " ")
                return words.count == 2 ? (String(words[0]), words[1] == "yes") : nil
            }, uniquingKeysWith: { $1 })
        guard tools["lvm"] == true else { throw FactsError("lvm2 is not installed on the host (no 'lvm' command)") }
        lvmVersion = LVMVersion(lvmVersionOutput: try required(.lvmVersion, "lvm version"))
        if let version = lvmVersion, version < LVMVersion.oldestSupported {
            throw FactsError(
                "unsupported LVM \(version): lvmguard needs \(LVMVersion.oldestSupported) or later "
                    + "(LVM's JSON reports, --reportformat json)", unsupported: true)
        }

        let confPath = try required(.lvmConfPath, "lvm.conf path").trimmingWhitespace()
        // Facts from before lvm.conf travelled as base64 have it as text.
        var confText: String, latin1 = false
        if sections[.lvmConfBase64] != nil {
            let encoded = try required(.lvmConfBase64, "reading \(confPath)")
            guard let bytes = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw FactsError("\(confPath) did not come back as base64")
            }
            (confText, latin1) = ConfigFile.text(of: bytes)
        } else {
            confText = try required(.lvmConfText, "reading \(confPath)")
        }
        let sha =
            try required(.lvmConfSHA256, "sha256sum of \(confPath)").split(separator: " ").first.map(String.init) ?? ""
        lvmConf = ConfigFile(
            path: confPath, text: confText, sha256: sha,
            stat: try required(.lvmConfStat, "stat of \(confPath)").trimmingWhitespace(), isLatin1: latin1)

        var settings: [String: LVMConfigValue] = [:]
        for (name, found) in sections where name.hasPrefix("config:") && found.succeeded {
            let path = String(name.dropFirst("config:".count))
            guard let key = path.split(separator: "/").last else { continue }
            let document: LVMConfigDocument
            do {
                document = try LVMConfigDocument(parsing: found.stdout)
            } catch {
                throw FactsError("lvmconfig printed \(path) in a form lvmguard cannot read (\(error)): \(found.stdout)")
            }
            guard let value = document.effectiveAssignment(at: [String(key)])?.value else { continue }
            settings[path] = value
        }
        self.settings = settings
        let devicesFileSection = try section(.devicesFile)
        devicesFile = devicesFileSection.succeeded ? devicesFileSection.stdout : nil
        besideLVMConf = try sections[.lvmConfBeside].map { found throws(FactsError) in
            guard found.succeeded else {
                throw FactsError("reading the files beside lvm.conf failed (exit \(found.status)): \(found.stderr)")
            }
            return try BesideFile.parse(found.stdout)
        }

        pvs = try LVMReport.rows(try required(.pvs, "pvs"), kind: "pv").map { row throws(FactsError) in
            PhysicalVolume(
                name: row["pv_name"] ?? "", uuid: try LVMReport.uuid(row, "pv_uuid"), vgName: row["vg_name"] ?? "",
                vgUUID: try LVMReport.optionalUUID(row, "vg_uuid"), size: row["dev_size"] ?? "")
        }
        vgs = try LVMReport.rows(try required(.vgs, "vgs"), kind: "vg").map { row throws(FactsError) in
            VolumeGroup(
                name: row["vg_name"] ?? "", uuid: try LVMReport.uuid(row, "vg_uuid"), attr: row["vg_attr"] ?? "",
                pvCount: row["pv_count"].flatMap { Int($0) }, systemID: row["vg_systemid"] ?? "",
                lockType: row["vg_lock_type"] ?? "")
        }
        lvs = try LVMReport.rows(try required(.lvs, "lvs"), kind: "lv").map { row throws(FactsError) in
            LogicalVolume(
                vgName: row["vg_name"] ?? "", vgUUID: try LVMReport.uuid(row, "vg_uuid"), name: row["lv_name"] ?? "",
                uuid: try LVMReport.uuid(row, "lv_uuid"), attr: row["lv_attr"] ?? "", active: row["lv_active"] ?? "",
                dmPath: row["lv_dm_path"] ?? "", devices: row["devices"] ?? "", creationHost: row["lv_host"] ?? "")
        }
        // The host's own view of its PVs; when it could not be read, the checks say so instead of judging.
        let current = try section(.pvsCurrent)
        if current.succeeded {
            visiblePVs = Set(
                try LVMReport.rows(current.stdout, kind: "pv").map { row throws(FactsError) -> PVUUID in
                    try LVMReport.uuid(row, "pv_uuid")
                })
        } else {
            visiblePVs = []
            visiblePVsUnread = current.stderr.trimmingWhitespace()
        }
        if let status = sections[.multipathStatus], let table = sections[.multipathTable] {
            multipathMaps = MultipathState.maps(status: status.stdout, table: table.stdout)
        }
        excludedFromLVM = (sections[.`guard`]?.stdout.outputLines() ?? []).compactMap { line in
            line.hasPrefix("exclude ") ? String(line.dropFirst("exclude ".count)) : nil
        }

        blockDevices = try required(.lsblk, "lsblk").outputLines().map { line throws(FactsError) in
            let pairs = KeyValueLine.parse(String(line))
            guard let majMin = pairs["MAJ:MIN"].flatMap({ MajorMinor($0) }),
                let kernelName = pairs["KNAME"].flatMap({ KernelName($0) })
            else {
                throw FactsError("lsblk printed a device without its MAJ:MIN or KNAME: \(line)")
            }
            return BlockDevice(
                name: pairs["NAME"] ?? "", kname: kernelName, type: pairs["TYPE"] ?? "",
                majMin: majMin, mountpoint: pairs["MOUNTPOINT"] ?? "",
                parent: pairs["PKNAME"].flatMap { KernelName($0) })
        }
        if let mountinfo = sections[.mountinfo], mountinfo.succeeded {
            mounts = MountInfo.parse(mountinfo.stdout)
        } else {
            mounts = try required(.mounts, "/proc/mounts").outputLines().compactMap { line in
                let words = line.split(separator: " ")
                guard words.count >= 3 else { return nil }
                return Mount(
                    source: ProcText.unescape(words[0]), target: ProcText.unescape(words[1]), fstype: String(words[2]))
            }
        }
        swaps = try required(.swaps, "/proc/swaps").outputLines().dropFirst().compactMap {
            $0.split(separator: " ").first.map { ProcText.unescape($0) }
        }
        cmdline = try required(.cmdline, "/proc/cmdline").trimmingWhitespace()

        dmDevices = try required(.dmInfo, "dmsetup info").outputLines().compactMap { line in
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map {
                String($0).trimmingWhitespace()
            }
            guard fields.count >= 5, let major = UInt32(fields[1]), let minor = UInt32(fields[2]) else { return nil }
            return DMDevice(
                name: fields[0], majMin: MajorMinor(major: major, minor: minor), open: Int(fields[3]) ?? 0,
                uuid: DMUUID(fields[4]))
        }
        var dependencies: [String: [MajorMinor]] = [:]
        for line in try required(.dmDeps, "dmsetup deps").outputLines() {
            // "mpatha: 2 dependencies	: (8, 16) (8, 0)"
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let numbers = line[colon...].split(separator: "(").dropFirst().compactMap { part -> MajorMinor? in
                let pair = part.prefix { $0 != ")" }.split(separator: ",").map { String($0).trimmingWhitespace() }
                guard pair.count == 2, let major = UInt32(pair[0]), let minor = UInt32(pair[1]) else { return nil }
                return MajorMinor(major: major, minor: minor)
            }
            dependencies[name] = numbers
        }
        dmDependencies = dependencies
        sysfsPaths = Dictionary(
            try required(.sysfsBlock, "listing /sys/block").outputLines().compactMap { line -> (KernelName, String)? in
                let words = line.split(separator: " ", maxSplits: 1)
                guard words.count == 2, let name = KernelName(words[0]) else { return nil }
                return (name, Self.sysfsPath(String(words[1])))
            }, uniquingKeysWith: { $1 })
        deviceLinks = DeviceLinks.resolved(
            try required(.devLinks, "listing the device links").outputLines().map(String.init))

        let initramfsWords = (sections[.initramfs]?.stdout.trimmingWhitespace() ?? "none").split(
            separator: " ", maxSplits: 1)
        let tool = InitramfsTool(rawValue: initramfsWords.first.map(String.init) ?? "none") ?? .none
        let initramfsConf = sections[.initramfsLVMConf].flatMap { $0.succeeded && !$0.stdout.isEmpty ? $0.stdout : nil }
        initramfs = Initramfs(
            tool: tool, image: initramfsWords.count > 1 ? String(initramfsWords[1]) : nil, lvmConf: initramfsConf)
        libvirtDisks = Self.merged(
            virsh: Self.libvirtDisks(sections[.libvirtDisks]?.stdout ?? ""),
            files: LibvirtFiles.disks(sections[.libvirtXML]?.stdout ?? ""))
        holders = Dictionary(
            grouping: (sections[.holders]?.stdout.outputLines() ?? []).compactMap { line -> (KernelName, KernelName)? in
                let words = line.split(separator: " ")
                guard words.count == 2, let device = KernelName(words[0]), let holder = KernelName(words[1]) else {
                    return nil
                }
                return (device, holder)
            }, by: \.0
        ).mapValues { $0.map(\.1).sorted() }
        bootID = sections[.bootID].flatMap { $0.succeeded ? $0.stdout.trimmingWhitespace() : nil }
        systemID = sections[.systemID].flatMap { found in
            // "  system ID: node-a"
            guard found.succeeded, let line = found.stdout.outputLines().first(where: { $0.contains("system ID:") })
            else { return nil }
            return String(line[line.range(of: "system ID:")!.upperBound...]).trimmingWhitespace()
        }
        for line in sections[.nvmeControllers]?.stdout.outputLines() ?? [] {
            let words = line.split(separator: " ").map(String.init)
            if words.count == 3 { nvmeControllers[words[1]] = NVMeController(subsystem: words[0], transport: words[2]) }
        }
        configuredVolumeVGs = OpenStackConfig.volumeVGs(sections[.openstackConf]?.stdout ?? "")
        targetExports =
            TargetExports.lio(sections[.lioExports]?.stdout ?? "")
            + TargetExports.tgt(sections[.tgtExports]?.stdout ?? "")
        iscsiSessions = TargetExports.sessions(sections[.iscsiSessions]?.stdout ?? "")
        duplicatePVs = DuplicatePV.found(in: [.pvs, .vgs, .lvs].compactMap { sections[$0]?.stderr })
        pvLinkFiles = sections[.pvLinkFiles].flatMap { $0.succeeded ? Self.pvLinkFiles($0.stdout) : nil }
    }

    /// A /sys/block entry's target as the gather lists it, the link as it is ("../devices/pci0000:00/.../sda") or
    /// already resolved ("/sys/devices/..."), as an absolute path.
    static func sysfsPath(_ target: String) -> String {
        guard !target.hasPrefix("/") else { return target }
        var parts = ["sys", "block"]
        for part in target.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(String(part))
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// "PATH BASE64" lines, one per file present, to path and text.
    static func pvLinkFiles(_ text: String) -> [String: String] {
        var files: [String: String] = [:]
        for line in text.outputLines() {
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard let path = words.first, PVLinkRule.files.contains(where: { $0.path == path }) else { continue }
            let bytes = words.count == 2 ? Data(base64Encoded: words[1]) : Data()
            files[path] = bytes.map { HostFacts.ConfigFile.text(of: $0).text } ?? ""
        }
        return files
    }

    /// virsh's view first (it knows what runs now); a file adds the disks of domains virsh did not list.
    static func merged(virsh: [LibvirtDisk], files: [LibvirtDisk]) -> [LibvirtDisk] {
        let listed = Set(virsh.map(\.domainUUID))
        var seen = Set<String>()
        var disks: [LibvirtDisk] = []
        // Status files (running) before definitions, so a running domain is reported as running.
        for disk in virsh + files.sorted(by: { ($0.state == .running ? 0 : 1) < ($1.state == .running ? 0 : 1) })
        where disk.origin == "virsh" || !listed.contains(disk.domainUUID) {
            guard seen.insert("\(disk.domainUUID) \(disk.target) \(disk.source)").inserted else { continue }
            disks.append(disk)
        }
        return disks
    }

    /// The gather's "domain UUID NAME" and "disk UUID TYPE DEVICE TARGET SOURCE" lines; the header lines of
    /// `virsh domblklist` and disks with no source (an empty CD-ROM) are no disks.
    static func libvirtDisks(_ text: String) -> [LibvirtDisk] {
        let lines = text.outputLines()
            .map { $0.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init) }
            .filter { $0.count == 3 }
        let names = Dictionary(lines.filter { $0[0] == "domain" }.map { ($0[1], $0[2]) }, uniquingKeysWith: { $1 })
        return lines.filter { $0[0] == "disk" }.compactMap { line in
            // TYPE DEVICE TARGET SOURCE
            let disk = line[2].split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true).map(String.init)
            guard disk.count == 4, ["block", "file", "volume", "network"].contains(disk[0]), disk[3] != "-" else {
                return nil
            }
            return LibvirtDisk(domain: names[line[1]] ?? line[1], domainUUID: line[1], target: disk[2], source: disk[3])
        }
    }
}

/// LVM's `--reportformat json` output: `{"report":[{"pv":[{"pv_name":"/dev/sda2", ...}]}]}`.
enum LVMReport {
    static func rows(_ text: String, kind: String) throws(FactsError) -> [[String: String]] {
        guard let data = escapingControlCharacters(text).data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let reports = object["report"] as? [[String: Any]]
        else {
            throw FactsError("cannot read LVM's JSON report for \(kind)s")
        }
        return reports.flatMap { ($0[kind] as? [[String: Any]]) ?? [] }.map { row in
            row.mapValues { value in (value as? String) ?? "\(value)" }
        }
    }

    /// LVM prints guest-written text as it is: a creation host with a control character (`guest\u{1}vm`) makes
    /// its JSON invalid. Such characters are escaped as JSON spells them; line breaks, which LVM writes between
    /// rows, are left.
    static func escapingControlCharacters(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\r" }) else { return text }
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20, scalar != "\n", scalar != "\r" {
                let hex = String(scalar.value, radix: 16)
                escaped.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    /// A row's UUID field: a report whose UUID does not parse is not planned on.
    static func uuid<Kind>(_ row: [String: String], _ key: String) throws(FactsError) -> LVMUUID<Kind> {
        guard let uuid = try optionalUUID(row, key) as LVMUUID<Kind>? else {
            throw FactsError("LVM's report has a row without its \(key): \(row.sorted { $0.key < $1.key })")
        }
        return uuid
    }

    /// A UUID field that may be empty (a PV's VG when it is in none); nil then.
    static func optionalUUID<Kind>(_ row: [String: String], _ key: String) throws(FactsError) -> LVMUUID<Kind>? {
        guard let text = row[key], !text.isEmpty else { return nil }
        guard let uuid = LVMUUID<Kind>(text) else { throw FactsError("LVM's report has \(key) '\(text)', not a UUID") }
        return uuid
    }
}

/// lsblk -P lines: `NAME="sda" KNAME="sda" TYPE="disk"`.
enum KeyValueLine {
    static func parse(_ line: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(line)
        while let equals = rest.firstIndex(of: "=") {
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces)
            var value = rest[rest.index(after: equals)...]
            guard value.first == "\"" else { break }
            value = value.dropFirst()
            guard let close = value.firstIndex(of: "\"") else { break }
            result[key] = String(value[..<close])
            rest = value[value.index(after: close)...]
        }
        return result
    }
}

/// /proc/self/mountinfo: `36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw`.
enum MountInfo {
    static func parse(_ text: String) -> [HostFacts.Mount] {
        text.outputLines().compactMap { line in
            let words = line.split(separator: " ")
            guard words.count >= 7, let dash = words.firstIndex(of: "-"), dash + 2 < words.count, dash >= 6 else {
                return nil
            }
            return HostFacts.Mount(
                source: ProcText.unescape(words[dash + 2]), target: ProcText.unescape(words[4]),
                fstype: String(words[dash + 1]), majMin: MajorMinor(words[2]))
        }
    }
}

/// /proc/mounts escapes spaces and tabs as octal.
enum ProcText {
    static func unescape(_ text: Substring) -> String {
        text.replacingOccurrences(of: "\\040", with: " ").replacingOccurrences(of: "\\011", with: "\t")
            .replacingOccurrences(of: "\\134", with: "\\")
    }
}

extension HostFacts.BesideFile {
    /// The `lvm-conf-beside` section: "== PATH" (or "== PATH too-large"), then the file as base64.
    static func parse(_ output: String) throws(FactsError) -> [HostFacts.BesideFile] {
        var files: [HostFacts.BesideFile] = []
        var path: String?, tooLarge = false, encoded = ""
        func flush() throws(FactsError) {
            guard let path else { return }
            if tooLarge {
                files.append(.init(path: path, text: nil))
                return
            }
            guard let bytes = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw FactsError("\(path) did not come back as base64")
            }
            files.append(.init(path: path, text: HostFacts.ConfigFile.text(of: bytes).text))
        }
        for line in output.outputLines() {
            if line.hasPrefix("== ") {
                try flush()
                let rest = line.dropFirst(3)
                tooLarge = rest.hasSuffix(" too-large")
                path = String(tooLarge ? rest.dropLast(" too-large".count) : rest)
                encoded = ""
            } else {
                encoded += line
            }
        }
        try flush()
        return files
    }
}
