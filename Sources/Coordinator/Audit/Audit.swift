import Foundation
import LostMailConfig

/// The scheduled audit: every selected host's logs read from where the last audit stopped,
/// matched against the playbook's signatures; new findings recorded in the journal.
///
/// The journal's state-directory lock makes a second audit (or a respond run) on the same state
/// directory fail at once with ``JournalError/stateDirLocked(path:holder:)``. Each host's new
/// cursors, state and findings are committed in one transaction once the host is done; a host
/// that fails or times out keeps its old cursors and is read again, from there, next time.
public enum Audit {
    public static func run(_ request: AuditRequest) async throws -> AuditOutcome {
        let started = Date()
        let journal = try Journal(stateDirectory: request.stateDirectory)
        let playbookData = try Data(contentsOf: request.playbook.file)
        let record = try journal.beginRun(RunRecord(
            kind: .audit, playbookPath: request.playbook.file.path, playbookSHA256: FileOps.sha256(playbookData),
            inventoryPaths: request.inventorySources.map(\.path)))
        let run = record.id!
        var previous: [String: (AuditHostState, [String: Int64])] = [:]
        for host in request.hosts {
            previous[host.name] = (try journal.auditState(host: host.name) ?? AuditHostState(),
                                   try journal.cursors(host: host.name))
            try journal.markStarted(StepKey(run: run, host: host.name, name: "audit"))
        }
        let scratch = request.stateDirectory.appendingPathComponent("audit-scratch/\(run)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let configs = Dictionary(request.hosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let frozen = previous
        let fanOut = FanOut(forks: request.forks, hostTimeout: request.hostDeadline)
        let results = await fanOut.run(hosts: request.hosts.map(\.name), progress: request.progress) { context in
            let host = configs[context.host]!
            let (state, cursors) = frozen[host.name]!
            return try HostAuditor(host: host, playbook: request.playbook, connector: request.connector,
                                   previous: state, cursors: cursors,
                                   scratch: scratch.appendingPathComponent(host.name)).run(context: context)
        }

        var summaries: [AuditHostSummary] = []
        var fresh: [AuditFinding] = []
        for result in results {
            let step = StepKey(run: run, host: result.host, name: "audit")
            var summary = AuditHostSummary(host: result.host)
            switch result.result {
            case .success(let value):
                let new = try journal.commitAudit(run: run, host: value.host, state: value.state,
                                                  cursors: value.cursors, findings: value.findings,
                                                  toMail: request.mail != nil)
                summary.filesRead = value.filesRead
                summary.bytesRead = value.bytesRead
                summary.traffic = value.traffic
                summary.newFindings = new.count
                summary.unread = value.unread
                fresh += new
                if value.unread.isEmpty {
                    try journal.markDone(step, detail: summary)
                } else {
                    try journal.markFailed(step, error: "input not read: " + value.unread.joined(separator: "; "))
                }
            case .failure(let error):
                summary.error = String(describing: error)
                try journal.markFailed(step, error: summary.error!)
            }
            summaries.append(summary)
        }
        var outcome = AuditOutcome(run: run, hosts: summaries, findings: fresh)
        if let window = outcome.window { try journal.setWindow(run: run, from: window.from, until: window.until) }
        // The findings are committed; the mail lists them and any an earlier mail failed to deliver.
        if let setup = request.mail {
            let inventories = request.inventorySources
            let respondPlaybook = request.respondPlaybook
                ?? request.playbook.file.deletingLastPathComponent().appendingPathComponent("lost-mails.yml")
            let mailer = FindingsMailer(setup: setup, journal: journal, run: run) { pending in
                FindingsDigest(run: run, runTime: Date(), timeZone: setup.timeZone, pending: pending,
                               inventories: inventories, respondPlaybook: respondPlaybook)
            }
            outcome.mail = await mailer.send()
        }
        let finished = Date()
        try journal.finishRun(run, status: outcome.failedHosts.isEmpty ? .done : .partial, at: finished)
        outcome.hosts = summaries
        if let file = request.metricsFile {
            // After the run is finished, so a complete audit is its own last success.
            let metrics = AuditMetrics(
                hosts: summaries, findings: fresh, totals: try journal.findingTotals(),
                signatures: request.playbook.signatures.map(\.name), started: started, finished: finished,
                lastSuccess: try journal.lastCompleteAudit())
            do { try metrics.write(to: file) } catch {
                outcome.metricsError = "--metrics \(file.path): \(error)"
            }
        }
        return outcome
    }
}

