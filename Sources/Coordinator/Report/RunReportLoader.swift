import Foundation
import LostMailConfig

/// Rebuilds a respond run's ``RunReport`` from the journal: the run and its plan, each host's
/// stored report, its failed or unfinished steps, account writes and notifications. Works for
/// a finished run, one in progress and a resumed one.
public enum RunReportLoader {
    /// The report of run `run` (default: the latest respond run). The hosts' reports are read
    /// from the run's report store (``RunReports``), one host at a time, except the hosts in
    /// `figures`: those the caller took while it had their reports (respond, right after the
    /// hosts ran), so no report is decoded a second time.
    public static func load(journal: Journal, run requested: Int64?,
                            figures: [String: PageHostFigures] = [:]) throws -> RunReport {
        guard let record = try requested.map({ try journal.run($0) }) ?? journal.latestRun(kind: .respond),
              let run = record.id else {
            throw RespondError.noRun(requested, journal.directory.path)
        }
        guard record.kind == .respond else { throw RunReportError.notRespond(run) }
        guard let plan = try journal.detail(StepKey(run: run, host: "*", name: "plan"), as: RunPlan.self) else {
            throw RespondError.noPlan(run)
        }
        let stored = try RunReports(journal: journal, run: run)
        let steps = try journal.steps(run: run)
        let byHost = Dictionary(grouping: steps, by: \.host)
        var notified: [String: [String: [String]]] = [:]
        for note in try journal.notifications(run: run) {
            notified[note.host, default: [:]][note.account, default: []].append(note.state.rawValue)
        }
        let running = record.status == .running
        let hosts = try plan.hosts.map { name -> RunReport.Host in
            let hostSteps = byHost[name] ?? []
            let page = try figures[name] ?? storedHostReport(stored, host: name).map { PageHostFigures($0, host: name) }
            var host = RunReport.Host(name: name, figures: page)
            for step in hostSteps {
                let label = step.name + (step.key.isEmpty ? "" : " [\(step.key)]")
                switch (step.state, step.name) {
                case (.done, "write"):
                    if let write = try journal.detail(step.stepKey, as: AccountWriteRecord.self) {
                        host.writes[step.key] = write
                    }
                case (.failed, "write"):
                    host.writeFailures[step.key] = step.error ?? "failed"
                case (.failed, _):
                    host.problems.append("\(label): \(step.error ?? "failed")")
                case (.started, _):
                    host.problems.append("\(label): " + (running ? "in progress" : "started, did not finish (interrupted or timed out)"))
                default:
                    break
                }
            }
            if page == nil && host.problems.isEmpty {
                host.problems.append(hostSteps.isEmpty ? (running ? "not started yet" : "never started")
                                     : (running ? "not analysed yet" : "not analysed"))
            }
            host.notified = (notified[name] ?? [:]).mapValues { Array(Set($0)).sorted().joined(separator: ", ") }
            return host
        }
        return RunReport(run: run, status: record.status.rawValue, playbookName: nil,
                         playbookPath: record.playbookPath ?? plan.playbook,
                         signatures: nil, from: plan.from, until: plan.until, timeZone: plan.timeZone,
                         stateDirectory: journal.directory.path, hosts: hosts)
            .withPlaybook(sha256: record.playbookSHA256)
    }

    /// One host's stored report, or nil if its analysis is not done.
    static func storedHostReport(_ reports: RunReports, host: String) throws -> HostReport? {
        guard reports.entries.contains(where: { $0.host == host && $0.stored != nil }) else { return nil }
        do {
            return try reports.report(host: host)
        } catch {
            throw RunReportError.badHostReport(run: reports.run, host: host, message: "\(error)")
        }
    }
}

extension RunReport {
    /// The playbook's title and signatures, if its file still has the bytes the run began with.
    func withPlaybook(sha256: String?) -> RunReport {
        var report = self
        guard let path = playbookPath, let sha256,
              let data = try? Data(contentsOf: URL(fileURLWithPath: path)), FileOps.sha256(data) == sha256,
              let playbook = try? Playbook.load(file: URL(fileURLWithPath: path)) else { return report }
        report.playbookName = playbook.name
        report.signatures = playbook.signatures.map { signature in
            switch signature.match {
            case let .delivery(result, contains):
                return "\(signature.name): delivery \(result.rawValue) containing \(contains)"
            case .tripleBounce:
                return "\(signature.name): triple bounce"
            case .deferralSpike:
                return "\(signature.name): deferral spike (audits only)"
            }
        }
        return report
    }
}

/// Why a run's report cannot be built.
public enum RunReportError: Error, CustomStringConvertible {
    case notRespond(Int64)
    case badHostReport(run: Int64, host: String, message: String)

    public var description: String {
        switch self {
        case .notRespond(let run):
            return "run \(run) is not a respond run (audits have no incident report)"
        case let .badHostReport(run, host, message):
            return "run \(run) host \(host): the stored analysis cannot be read: \(message)"
        }
    }
}
