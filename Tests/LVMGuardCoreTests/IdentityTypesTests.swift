import Foundation
import Testing
@testable import LVMGuardCore
@testable import LVMGuardTestSupport

@Suite(
    "Identity types: device numbers, names, WWIDs, dm and LVM UUIDs are values, parsed once, printed as their owner does"
)
struct IdentityTypesTests {
    @Test("MAJOR:MINOR parses from what lsblk, mountinfo and dmsetup print; anything else is not one")
    func majorMinorParses() {
        #expect(MajorMinor("8:16") == MajorMinor(major: 8, minor: 16))
        #expect(MajorMinor("253:0")?.description == "253:0")
        for text in ["", "8", "8:", ":16", "8:16:1", "a:b", "-1:2", " 8:16", "8,16"] {
            #expect(MajorMinor(text) == nil, "\(text)")
        }
    }

    @Test("ordered by number, not by text: 8:2 before 8:16 before 253:0")
    func majorMinorOrder() {
        let sorted = ["253:0", "8:16", "8:2"].compactMap { MajorMinor($0) }.sorted().map(\.description)
        #expect(sorted == ["8:2", "8:16", "253:0"])
    }

    @Test("encoded as the text, so saved facts and plans read as before; other text is refused")
    func majorMinorCodable() throws {
        let encoded = try JSONEncoder().encode(["device": MajorMinor(major: 8, minor: 16)])
        #expect(String(decoding: encoded, as: UTF8.self) == #"{"device":"8:16"}"#)
        #expect(try JSONDecoder().decode([String: MajorMinor].self, from: encoded)["device"] == MajorMinor("8:16"))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([String: MajorMinor].self, from: Data(#"{"device":"sdb"}"#.utf8))
        }
    }

    @Test("a kernel name is a name under /dev, one path component; its node is /dev/NAME")
    func kernelName() {
        #expect(KernelName("sdb")?.devicePath == "/dev/sdb")
        #expect(KernelName(devicePath: "/dev/dm-3") == KernelName("dm-3"))
        for text in ["", "block/sdb", "sd b"] { #expect(KernelName(text) == nil, "\(text)") }
        #expect(KernelName(devicePath: "sdb") == nil && KernelName(devicePath: "/sys/block/sdb") == nil)
    }

    @Test("a WWID: what multipath names a map by, from its dm UUID; nothing a shell could read as more")
    func wwid() {
        #expect(WWID(multipathDMUUID: "mpath-35000c50015ea71ac") == WWID("35000c50015ea71ac"))
        #expect(WWID(multipathDMUUID: "LVM-abc") == nil && WWID(multipathDMUUID: "part1-mpath-3600") == nil)
        #expect(WWID("eui.002538570142a154").multipathDMUUID == "mpath-eui.002538570142a154")
        for text in ["", "3600 x", "3600;rm", "$(x)", String(repeating: "3", count: 129)] {
            #expect(WWID(text) == nil, "\(text)")
        }
    }

    @Test("a dm UUID says whose device it is: an LV's (its VG and LV, hidden layers too), a map's, a partition's")
    func dmUUID() {
        // Read from text as dmsetup prints it (a literal would be a constant in code, not parsed).
        let parse = { (text: String) in DMUUID(text) }
        let vg: VGUUID = "yyl06M-qCel-v5T0-2xsL-2pGc-ku2I-gXLWo9", lv: LVUUID = "UsH6Yc-J9a6-tf3c-OsnL-EGqN-fGB7-Ei3VbQ"
        let device = DMUUID(vgUUID: vg, lvUUID: lv)
        #expect(device.rawValue == "LVM-" + (vg.rawValue + lv.rawValue).replacingOccurrences(of: "-", with: ""))
        #expect(
            device.isLVM && device.isLVM(ofVG: vg) && !device.isLVM(ofVG: VGUUID(lv.compact)!) && device.kind == "LV")
        let layer = parse(device.rawValue + "-tpool")
        #expect(layer?.isLVM(ofVG: vg) == true && layer?.lvIdentity?.lv == device.lvIdentity?.lv)
        #expect(DMUUID(multipath: "3600a").rawValue == "mpath-3600a" && parse("mpath-3600a")?.kind == "multipath map")
        #expect(parse("part2-mpath-3600a")?.partitionedMapWWID == WWID("3600a"))
        #expect(parse("CRYPT-LUKS2-abc-sec")?.kind == "dm-crypt device" && parse("CRYPT-LUKS2-abc")?.lvIdentity == nil)
        #expect(parse("") == nil && parse("LVM- x") == nil)
    }

    @Test("an LVM UUID is one value in both spellings, printed as LVM prints it; anything else is not one")
    func lvmUUIDSpellings() throws {
        let dashed = "PysyGp-eTj1-yXTb-h0xK-vrum-0pzK-Flfms8", compact = "PysyGpeTj1yXTbh0xKvrum0pzKFlfms8"
        let parse = { (text: String) in VGUUID(text) }
        #expect(parse(dashed) == parse(compact) && parse(dashed) != nil)
        #expect(parse(compact)?.description == dashed && parse(dashed)?.compact == compact)
        #expect(PVUUID("a!b#cd-0000-0000-0000-0000-0000-000000"[...]) != nil, "LVM draws from letters, digits, ! and #")
        for text in [
            "", "vg0", String(compact.dropLast()), compact + "x", "PysyGpe-Tj1-yXTb-h0xK-vrum-0pzK-Flfms8",
            "PysyGp-eTj1-yXTb-h0xK-vrum-0pzK-Flfms8-", "PysyGp eTj1-yXTb-h0xK-vrum-0pzK-Flfms8",
            "Pysy$p-eTj1-yXTb-h0xK-vrum-0pzK-Flfms8",
        ] {
            #expect(parse(text) == nil, "\(text)")
        }
        // Ordered as LVM prints them (the dashes sit at the same places in every UUID).
        let texts = ["zzzzzz-0000-0000-0000-0000-0000-000000", "aaaaaa-1111-0000-0000-0000-0000-000000", dashed]
        #expect(texts.compactMap(parse).sorted().map(\.rawValue) == texts.sorted())
        let encoded = try JSONEncoder().encode(["vg": try #require(parse(compact))])
        #expect(String(decoding: encoded, as: UTF8.self) == #"{"vg":"\#(dashed)"}"#)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([String: VGUUID].self, from: Data(#"{"vg":"vg0"}"#.utf8))
        }
    }

    @Test("an LVM report row whose UUID is not one is refused by name, not planned on")
    func reportUUIDRefused() throws {
        do {
            _ = try Fixture.facts("incident", edits: [("pvs", #""pv_uuid":""#, #""pv_uuid":"x"#)])
            Issue.record("the facts parsed with a PV UUID that is not one")
        } catch let error as FactsError {
            #expect(error.message.contains("pv_uuid") && error.message.contains("not a UUID"), "\(error.message)")
        }
    }
}
