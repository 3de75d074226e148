import ArgumentParser
import Coordinator
import Foundation
import LostMailConfig

/// `lostmail audit`: the scheduled audit (cron or systemd timer) over the fleet's logs.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read what is new in every host's qmail-send logs and report lost-mail signatures.",
        discussion: """
        Meant to run every few minutes. Each host's logs are read from where the last audit \
        stopped (cursors in the state directory's journal follow multilog's rotation), so an \
        audit with nothing new reads nothing but the directory listings. With a `report:` \
        section in the playbook, new findings are mailed to the operators in one message; a \
        message the relay did not take is sent again, with any newer findings, by the next \
        audit, and no finding is mailed twice. Exit status: 0 nothing new found; 3 something \
        new found (also when its mail failed: the error is on standard error); 4 nothing new \
        found but some hosts could not be audited, or the mail of earlier findings failed \
        (the next audit catches up), or the --metrics file could not be written; 2 an error before any work (inventory, playbook, report \
        template or relay settings, options); 5 another audit (or respond run) holds the \
        state directory, nothing was done.
        """
    )

    @Option(name: [.customLong("inventory"), .customShort("i")],
            help: "An inventory file or directory, YAML or INI (repeatable; default: $ANSIBLE_INVENTORY, comma-separated).")
    var inventory: [String] = []

    @Option(help: "The audit playbook (YAML): log paths and signatures.")
    var playbook: String

    @Option(help: "Only these hosts or groups (Ansible --limit patterns).")
    var limit: String?

    @OptionGroup var state: StateOptions

    @Option(help: "Also write the new findings to FILE (JSON).")
    var json: String?

    @Option(help: "Write the audit's Prometheus metrics to FILE (text format, replaced atomically; for node_exporter's textfile collector, e.g. /var/lib/prometheus/node-exporter/lostmail.prom).")
    var metrics: String?

    @Flag(help: "No per-host progress on standard error (the table and errors are still printed).")
    var quiet = false

    @Flag(help: "When something new is found, start a respond run for the findings' window and hosts.")
    var respond = false

    @Option(help: "The incident playbook for --respond and the mail's respond command (default: lost-mails.yml next to the audit playbook).")
    var respondPlaybook: String?

    @Option(help: "Mail the findings through this SMTP relay (HOST:PORT) instead of the one in the playbook's report section.")
    var relay: String?

    func run() async throws {
        var request: AuditRequest
        var incident: AuditRespond?
        do {
            let book = try Playbook.load(file: URL(fileURLWithPath: playbook).standardizedFileURL)
            let fleet = try Fleet.forCommand(inventory: inventory, pattern: book.hosts, limit: limit)
            if relay != nil, book.report == nil || book.report?.enabled == false {
                throw ValidationError("--relay: the playbook has no (enabled) report section to mail findings with")
            }
            request = AuditRequest(
                fleet: fleet, playbook: book, stateDirectory: try state.directory(),
                progress: quiet ? nil : ProgressDisplay(hosts: fleet.hosts.map(\.name)).callback,
                mail: try FindingsMailSetup.make(playbook: book, relayOverride: relay))
            request.respondPlaybook = respondPlaybook.map { URL(fileURLWithPath: $0).standardizedFileURL }
            request.metricsFile = try metrics.map(Self.metricsFile)
            if respond {
                incident = try AuditRespond.prepare(auditPlaybook: book.file, respondPlaybook: request.respondPlaybook)
            }
        } catch {
            throw failBeforeWork(error)
        }
        let outcome: AuditOutcome
        do { outcome = try await Audit.run(request) } catch { throw failBeforeWork(error) }
        print(AuditReport.table(outcome), terminator: "")
        if let json {
            try PrivateFiles.write(AuditReport.json(outcome), to: URL(fileURLWithPath: json))
            print("findings: \(json)")
        }
        if let mail = outcome.mail {
            if mail.state == .accepted {
                print(mail.summary)
                if !mail.refused.isEmpty { FileHandleOutput.standardError("lostmail audit: \(mail.summary)") }
            } else {
                FileHandleOutput.standardError("lostmail audit: \(mail.summary)")
            }
        }
        if let error = outcome.metricsError { FileHandleOutput.standardError("lostmail audit: \(error)") }
        if let incident, !outcome.findings.isEmpty { await startRespond(outcome, audit: request, incident: incident) }
        if !outcome.findings.isEmpty { throw ExitCodes.found }
        if !outcome.failedHosts.isEmpty || outcome.mail?.state == .failed || outcome.metricsError != nil {
            throw ExitCodes.resumable
        }
    }

    /// `--metrics FILE`, checked before any work: its folder must exist (the file is written
    /// there through a temporary file) and the name must not be a folder.
    static func metricsFile(_ path: String) throws -> URL {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--metrics \(path): the folder \(folder) does not exist")
        }
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationError("--metrics \(path): is a folder")
        }
        return url
    }

    /// Opens a respond run over the findings' window on the hosts with findings.
    private func startRespond(_ outcome: AuditOutcome, audit: AuditRequest, incident: AuditRespond) async {
        var request: RespondRequest
        do { request = try incident.request(after: outcome, audit: audit) } catch {
            print("respond: not started, \(error)")
            return
        }
        if !quiet { request.progress = ProgressDisplay(hosts: request.hosts.map(\.name)).callback }
        print(AuditRespond.announcement(request))
        do {
            let directory = request.stateDirectory
            try RunPrinter.print(try await Respond.start(request), check: false,
                                 resume: { StateOptions.resumeCommand(run: $0, directory: directory) })
        } catch {
            FileHandleOutput.standardError("lostmail audit: the respond run could not start: \(error)")
        }
    }
}
