import ArgumentParser
import Foundation
import LVMGuardCore
import LVMGuardRemote

/// `lvmguard diagnose`: why a multipath map is "in use", on one host, read-only.
struct Diagnose: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Explain, read-only, who holds a multipath map open on one host, or why host LVM refuses a device.",
        discussion: """
            Give the host (--host, a name in the inventory) and what you have: os-brick's log line from \
            nova-compute.log (--log-line, pasted whole: its dm-uuid-mpath-<wwid> names the map), a WWID, a map \
            name or an instance (a libvirt domain). One read-only ssh execution gathers the facts; the output \
            is the map and its open count, every holder up the stack (host LVM's LVs, by VG and LV UUID, and \
            whose VG each is), the instances whose disk it is, why host LVM could activate the guest's VG \
            (the filter or devices file in force), and the plan that fixes the host.

            With --device (day two: pvcreate says "excluded by a filter"), it says instead what the device is \
            (its names, the VG it is a PV of, an instance's disk), the rule in force that refuses or accepts it, \
            and, for a disk nobody declared, the lvmguard_accept entry that lets the next apply accept it.

            Exit codes: 0 the map is not held by host LVM, or the device is seen or a guest's; 4 host LVM holds \
            the map (the incident); 5 the device is refused and not declared (or declared, not yet applied); \
            1 invalid files or arguments, the map or device was not found, or its rule cannot be evaluated; \
            3 the host was unreachable.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var input: InputOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The host to look at (an inventory name).")
    var host: String

    @Option(
        help: "os-brick's failing line from nova-compute.log (with multipath -f /dev/disk/by-id/dm-uuid-mpath-<wwid>).")
    var logLine: String?

    @Option(help: "The multipath map's WWID.")
    var wwid: String?

    @Option(help: "The multipath map's name (mpatha, or /dev/mapper/mpatha).")
    var map: String?

    @Option(help: "The instance whose disk the map is: nova's instance UUID (the libvirt domain's) or the domain name.")
    var instance: String?

    @Option(help: "A device host LVM refuses or sees (/dev/sdc, a /dev/disk/by-id link): why, and what to declare.")
    var device: String?

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Flag(help: "No colour, even on a terminal.")
    var noColor = false

    func validate() throws {
        let given = [logLine, wwid, map, instance, device].compactMap { $0 }.count
        guard given == 1 else {
            throw ValidationError("give exactly one of --log-line, --wwid, --map, --instance or --device")
        }
        if let wwid, WWID(wwid) == nil {
            throw ValidationError("--wwid \(wwid) is not a WWID (letters, digits and -_.: only)")
        }
        if let logLine, Diagnosis.Query.wwid(inLogLine: logLine) == nil {
            throw ValidationError(
                "the log line names no dm-uuid-mpath-<wwid>: paste os-brick's whole 'multipath -f' line")
        }
    }

    func run() async throws {
        var options = input
        options.limit = host
        let loaded = try LoadedInputs.load(options)
        guard let target = loaded.selection.targets.first(where: { $0.name == host }) else {
            throw ValidationError(
                "host '\(host)' is not a target of \(input.playbook) in \(input.inventory) (or it is exempt)")
        }
        let gathered = await FactsGatherer(ssh: try connection.ssh()).gather(target)
        let facts: HostFacts
        switch gathered.facts {
        case let .success(value): facts = value
        case let .failure(error):
            Terminal.writeError("\(host): unreachable: \(error.message)\n")
            throw ExitCode(3)
        }
        if let device {
            try report(DeviceDiagnosis.analyze(device, host: target, facts: facts, desired: loaded.desired))
            return
        }
        let query = Diagnosis.Query(logLine: logLine, wwid: wwid.flatMap { WWID($0) }, map: map, instance: instance)
        let diagnosis = Diagnosis.analyze(query, host: target, facts: facts, desired: loaded.desired)
        switch format {
        case .text:
            print(DiagnosisReport.text(diagnosis, colored: Terminal.colored(noColor: noColor)), terminator: "")
        case .json: print(try JSONOutput.text(diagnosis))
        }
        switch diagnosis.verdict {
        case .heldByHostLVM: throw ExitCode(4)
        case .notFound: throw ExitCode.failure
        case .free, .heldByOther: return
        }
    }

    /// Prints a device diagnosis and exits with its verdict's code.
    private func report(_ diagnosis: DeviceDiagnosis) throws {
        switch format {
        case .text: print(DeviceDiagnosisReport.text(diagnosis), terminator: "")
        case .json: print(try JSONOutput.text(diagnosis))
        }
        switch diagnosis.verdict {
        case .refusedUndeclared, .declaredNotApplied: throw ExitCode(5)
        case .notFound, .undetermined: throw ExitCode.failure
        case .accepted, .guestDevice: return
        }
    }
}
