import Foundation

/// What the apply script gets for one host: validated tokens for shell variables, and data as base64.
/// Nothing from a host or a user reaches the shell unchecked.
public struct ApplyRequest: Sendable, Hashable {
    public let host: String
    /// Shell variables, name to value; every value matched a strict pattern.
    public let variables: [(name: String, value: String)]
    /// Data functions, name to text (sent base64-encoded, as UTF-8 unless named in `latin1Data`).
    public let data: [(name: String, text: String)]
    /// Data whose text goes back one byte per character: an lvm.conf that is not UTF-8.
    public var latin1Data: Set<String> = []

    public static func == (lhs: ApplyRequest, rhs: ApplyRequest) -> Bool {
        lhs.host == rhs.host
            && lhs.variables.map { "\($0.name)=\($0.value)" } == rhs.variables.map { "\($0.name)=\($0.value)" }
            && lhs.data.map { "\($0.name)=\($0.text)" } == rhs.data.map { "\($0.name)=\($0.text)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(host)
        for variable in variables { hasher.combine(variable.name); hasher.combine(variable.value) }
    }

    /// The request for a planned host; throws when the plan has nothing to apply or holds a value that
    /// does not look like what it should (a UUID, a /dev path, a checksum).
    public init(plan: HostPlan, hostVGs: [VGUUID], guestVGs: [VGUUID], timestamp: String) throws(ApplyRequestError) {
        guard plan.status == .changes, let fingerprint = plan.fingerprint else {
            throw ApplyRequestError("host \(plan.host) is \(plan.status.rawValue): nothing to apply")
        }
        host = plan.host
        var variables: [(String, String)] = []
        func add(_ variable: RemoteContract.Variable, _ value: String, _ pattern: Token) throws(ApplyRequestError) {
            let name = variable.rawValue
            guard pattern.matches(value) else {
                throw ApplyRequestError(
                    "refusing to send \(name) '\(value)' to \(plan.host): it is not \(pattern.description)")
            }
            variables.append((name, value))
        }
        func addList(_ variable: RemoteContract.Variable, _ values: [String], _ pattern: Token)
            throws(ApplyRequestError)
        {
            let name = variable.rawValue
            for value in values where !pattern.matches(value) {
                throw ApplyRequestError(
                    "refusing to send \(name) '\(value)' to \(plan.host): it is not \(pattern.description)")
            }
            variables.append((name, values.joined(separator: " ")))
        }
        try add(.timestamp, timestamp, .timestamp)
        try add(.expectSHA256, fingerprint.lvmConfSHA256, .sha256)
        variables.append(
            (RemoteContract.Variable.expectDevicesFile.rawValue, fingerprint.devicesFile == nil ? "0" : "1"))
        if let boot = fingerprint.bootID {
            try add(.expectBootID, boot, .uuid)
        } else {
            variables.append((RemoteContract.Variable.expectBootID.rawValue, ""))
        }
        try add(.devicesFileName, fingerprint.devicesFileName ?? "system.devices", .fileName)
        variables.append((RemoteContract.Variable.configEdit.rawValue, plan.configEdit == nil ? "0" : "1"))
        // Under the devices file the trial needs the planned devices file beside the candidate: 1 when the candidate
        // turns it on (installed before lvm.conf), 2 when the host is on it already (tried only; edited after).
        let trialDevices =
            if plan.configEdit?.key == LVMSetting.useDevicesFile.path { "1" } else if plan.regime == .devicesFile {
                "2"
            } else { "0" }
        variables.append((RemoteContract.Variable.trialDevices.rawValue, trialDevices))
        try addList(.hostVGs, hostVGs.map(\.rawValue), .uuid)
        try addList(.guestVGs, guestVGs.map(\.rawValue), .uuid)
        try addList(.devicesAdd, plan.devicesFileEdit?.add ?? [], .devicePath)
        try addList(.devicesRemove, plan.devicesFileEdit?.removePVIDs.map(\.compact) ?? [], .uuid)
        variables.append(
            (RemoteContract.Variable.devicesCreate.rawValue, plan.devicesFileEdit?.createFile == true ? "1" : "0"))
        // Whole VGs first (LVM orders their stacks), then LV by LV, top of each stack first.
        try addList(.deactivateVGs, plan.deactivations.filter(\.wholeVG).map(\.vgUUID.rawValue), .uuid)
        let lvs = plan.deactivations.filter { !$0.wholeVG }.flatMap { deactivation in
            deactivation.lvs.filter { !$0.open && $0.withOrigin == nil }.map(\.uuid.rawValue)
        }
        try addList(.deactivate, lvs, .uuid)
        variables.append((RemoteContract.Variable.refresh.rawValue, plan.refreshCache ? "1" : "0"))
        if let initramfs = plan.initramfs, initramfs.rebuild {
            try add(.initramfs, initramfs.tool.rawValue, .word)
            try add(.initramfsImage, initramfs.image, .bootPath)
        } else {
            variables.append((RemoteContract.Variable.initramfs.rawValue, "none"))
            variables.append((RemoteContract.Variable.initramfsImage.rawValue, ""))
        }
        // lvmguard's own files, whole: their text is lvmguard's (`PVLinkRule`), never a host's or a user's.
        for file in plan.bootFiles where !PVLinkRule.files.contains(where: { $0 == (file.path, file.text) }) {
            throw ApplyRequestError("refusing to write \(file.path) on \(plan.host): it is not a file lvmguard owns")
        }
        variables.append((RemoteContract.Variable.pvLinkFiles.rawValue, plan.bootFiles.isEmpty ? "0" : "1"))
        self.variables = variables
        var data: [(String, String)] = [
            (RemoteContract.Data.lvStates.rawValue, fingerprint.lvStates.map { $0 + "\n" }.joined()),
            (RemoteContract.Data.pvMembers.rawValue, fingerprint.pvMembers.map { $0 + "\n" }.joined()),
        ]
        if let devicesFile = fingerprint.devicesFile {
            data.append((RemoteContract.Data.devicesFile.rawValue, devicesFile))
        }
        if let edit = plan.configEdit {
            data.append((RemoteContract.Data.candidate.rawValue, edit.plannedText))
            if edit.isLatin1 { latin1Data.insert(RemoteContract.Data.candidate.rawValue) }
        }
        // Guests on maps with no active path: "release|report WWID DM-UUID...", tops of the stack first.
        var deadMaps = ""
        for map in plan.deadMaps where !map.guestLVs.isEmpty {
            guard let wwid = map.wwid?.rawValue, Token.wwid.matches(wwid) else {
                throw ApplyRequestError(
                    "refusing to send the WWID of map \(map.name) to \(plan.host): it is not \(Token.wwid.description)")
            }
            for lv in map.guestLVs where !Token.dmUUID.matches(lv.dmUUID.rawValue) {
                throw ApplyRequestError(
                    "refusing to send dm UUID '\(lv.dmUUID)' to \(plan.host): it is not \(Token.dmUUID.description)")
            }
            deadMaps +=
                ([map.release ? "release" : "report", wwid] + map.guestLVs.map(\.dmUUID.rawValue)).joined(
                    separator: " ") + "\n"
        }
        data.append((RemoteContract.Data.deadMaps.rawValue, deadMaps))
        if !plan.bootFiles.isEmpty {
            data.append((RemoteContract.Data.pvLinkRule.rawValue, PVLinkRule.ruleText))
            data.append((RemoteContract.Data.pvLinkDracut.rawValue, PVLinkRule.dracutText))
        }
        self.data = data
    }

    /// The shell text that sets the variables and defines the data functions.
    public var preamble: String {
        var text = variables.map { "\($0.name)='\($0.value)'\n" }.joined()
        for (name, raw) in data {
            let encoded = HostFacts.ConfigFile.bytes(raw, latin1: latin1Data.contains(name)).base64EncodedString(
                options: [.lineLength76Characters, .endLineWithLineFeed])
            // base64 has no '_', so the delimiter cannot occur in the body.
            text += "lvmguard_data_\(name)() { cat <<'LVMGUARD_DATA'\n\(encoded)\nLVMGUARD_DATA\n}\n"
        }
        return text
    }

    /// The strict shapes a value sent to a host may have.
    public enum Token: CustomStringConvertible {
        case uuid, devicePath, sha256, timestamp, word, bootPath, wwid, dmUUID, fileName

        public func matches(_ value: String) -> Bool {
            let scalars = value.unicodeScalars
            func only(_ allowed: String) -> Bool {
                !value.isEmpty
                    && scalars.allSatisfy {
                        $0.isASCII
                            && (allowed.unicodeScalars.contains($0) || $0.properties.isAlphabetic
                                || ("0"..."9").contains($0))
                    }
            }
            switch self {
            case .uuid: return only("-") && value.count <= 64
            case .devicePath: return value.hasPrefix("/dev/") && only("/._:+-") && !value.contains("..")
            case .sha256:
                return value.count == 64 && scalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
            case .timestamp: return value.count == 16 && only("TZ")
            case .word: return only("-")
            case .bootPath: return value.hasPrefix("/boot/") && only("/._+-") && !value.contains("..")
            case .wwid: return only("-_.:") && value.count <= 128
            case .dmUUID: return value.hasPrefix("LVM-") && only("-") && value.count <= 128
            case .fileName: return only("._-") && !value.hasPrefix(".") && value.count <= 255
            }
        }

        public var description: String {
            switch self {
            case .uuid: "an LVM UUID"
            case .devicePath: "a /dev path"
            case .sha256: "a sha256 checksum"
            case .timestamp: "a UTC timestamp"
            case .word: "a plain word"
            case .bootPath: "a /boot path"
            case .wwid: "a WWID"
            case .dmUUID: "an LV's device-mapper UUID"
            case .fileName: "a plain file name"
            }
        }
    }
}

/// A plan that cannot be turned into a safe request.
public struct ApplyRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
