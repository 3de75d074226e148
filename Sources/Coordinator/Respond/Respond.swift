import Foundation
import LostMailConfig
import QmailLog

/// The incident response: every selected host's evidence pulled, analysed, its accounts told.
///
/// `start` records a new run in the journal, `resume` continues a recorded one; both run the
/// same steps, and a step the journal has as done is never done again.
public enum Respond {
    /// Starts a new run (or, with `check`, shows what a run would do and changes nothing).
    public static func start(_ request: RespondRequest) async throws -> RespondOutcome {
        let plan = try AnalysisPlan(playbook: request.playbook)
        if request.check {
            let scratch = FileManager.default.temporaryDirectory
                .appendingPathComponent("lostmail-check-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            // What earlier runs told each account decides who would get mail; a state directory
            // without a journal has told nothing (and is not created).
            let existing = FileManager.default.fileExists(
                atPath: request.stateDirectory.appendingPathComponent("journal.sqlite").path)
            let history = existing ? try Journal(stateDirectory: request.stateDirectory) : nil
            return try await execute(request, plan: plan, run: nil, journal: nil, history: history, workDirectory: scratch)
        }
        let journal = try Journal(stateDirectory: request.stateDirectory)
        let playbookData = try Data(contentsOf: request.playbook.file)
        let window = request.playbook.window!
        let record = try journal.beginRun(RunRecord(
            kind: .respond, playbookPath: request.playbook.file.path,
            playbookSHA256: FileOps.sha256(playbookData), inventoryPaths: request.inventorySources.map(\.path),
            windowFrom: window.from, windowUntil: window.until, timeZone: window.timeZone.identifier))
        let run = record.id!
        let runPlan = RunPlan(inventories: request.inventorySources.map(\.path), playbook: request.playbook.file.path,
                              limit: request.limit, hosts: request.hosts.map(\.name),
                              from: window.from, until: window.until, timeZone: window.timeZone.identifier,
                              relay: request.relayOverride)
        _ = try StepLog(journal: journal, run: run, host: "*").perform("plan") { runPlan }
        return try await execute(request, plan: plan, run: run, journal: journal,
                                 workDirectory: request.stateDirectory.appendingPathComponent("runs/\(run)"))
    }

    /// Continues run `run` (default: the latest respond run) where it stopped.
    /// - Parameter hostsResolved: called with the run's hosts, as the inventory has them now,
    ///   before any is contacted (the command warns about their known_hosts files there).
    /// - Throws: when the run is unknown, or its playbook changed since it began.
    public static func resume(run requested: Int64?, stateDirectory: URL, connector: @escaping HostConnector,
                              relayOverride: String? = nil, jsonFile: URL? = nil,
                              progress: (@Sendable (String, FanOutEvent) -> Void)? = nil,
                              hostsResolved: ([HostConfig]) -> Void = { _ in }) async throws -> RespondOutcome {
        let journal = try Journal(stateDirectory: stateDirectory)
        guard let record = try requested.map({ try journal.run($0) }) ?? journal.latestRun(kind: .respond),
              let run = record.id else {
            throw RespondError.noRun(requested, stateDirectory.path)
        }
        guard let runPlan = try journal.detail(StepKey(run: run, host: "*", name: "plan"), as: RunPlan.self) else {
            throw RespondError.noPlan(run)
        }
        let playbookFile = URL(fileURLWithPath: runPlan.playbook)
        let data = try Data(contentsOf: playbookFile)
        guard FileOps.sha256(data) == record.playbookSHA256 else {
            throw RespondError.playbookChanged(run, runPlan.playbook)
        }
        let zone = TimeZone(identifier: runPlan.timeZone) ?? .gmt
        var playbook = try Playbook.load(file: playbookFile)
        playbook.window = Playbook.Window(from: runPlan.from, until: runPlan.until, timeZone: zone)
        let sources = runPlan.inventories.map { URL(fileURLWithPath: $0) }
        let inventory = try Inventory.load(sources: sources)
        let byName = Dictionary(inventory.allHosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let hosts = try SSHConfigResolver().apply(to: runPlan.hosts.map { name -> HostConfig in
            guard let host = byName[name] else {
                throw RespondError.hostGone(run, name, runPlan.inventories.joined(separator: ", "))
            }
            return host
        })
        hostsResolved(hosts)
        let relay = relayOverride ?? runPlan.relay
        let notification = try NotificationSetup.make(playbook: playbook, relayOverride: relay)
        _ = try journal.reopenRun(run)
        let fleet = Fleet(inventorySources: sources, hosts: hosts,
                          forks: inventory.forks, connector: connector)
        var request = RespondRequest(
            fleet: fleet, playbook: playbook, limit: runPlan.limit, stateDirectory: stateDirectory, check: false,
            progress: progress, notification: notification)
        request.relayOverride = relay
        request.jsonFile = jsonFile
        return try await execute(request, plan: try AnalysisPlan(playbook: playbook), run: run, journal: journal,
                                 workDirectory: stateDirectory.appendingPathComponent("runs/\(run)"))
    }

    /// Runs every host's pipeline through the fan-out, then assembles and saves the report.
    /// - Parameter history: for `--check` (no run, no `journal`): the journal whose notifications
    ///   tell what earlier runs told.
    static func execute(_ request: RespondRequest, plan: AnalysisPlan, run: Int64?, journal: Journal?,
                        history: Journal? = nil, workDirectory: URL) async throws -> RespondOutcome {
        let store = try EvidenceStore(stateDirectory: run == nil ? workDirectory : request.stateDirectory)
        let reports = try HostReportStore(stateDirectory: run == nil ? workDirectory : request.stateDirectory)
        let fanOut = FanOut(forks: request.forks, hostTimeout: request.hostDeadline)
        let configs = Dictionary(request.hosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let output = try AccountFileTarget(relativePath: request.playbook.output.relativePath,
                                           maxSize: request.playbook.output.maxSize)
        let results = await fanOut.run(hosts: request.hosts.map(\.name), progress: request.progress) { context in
            let host = configs[context.host]!
            let pipeline = HostPipeline(
                host: host, plan: plan, selection: request.selection, store: store, reports: reports,
                snapshotRoot: workDirectory.appendingPathComponent("snapshots").appendingPathComponent(host.name),
                steps: StepLog(journal: journal, run: run ?? 0, host: host.name), connector: request.connector,
                writeAccountFiles: !request.check, outputMode: UInt16(request.playbook.output.mode),
                outputTarget: output)
            // What the host's analysis, report and account files took goes back to the system
            // when it is done (the next host's threads need not find it in their arenas).
            defer { FreedMemory.release() }
            return try pipeline.run(context: context)
        }
        var hosts: [(host: String, result: Result<HostRespondResult, RespondHostError>)] = []
        for result in results {
            switch result.outcome {
            case .success(let value): hosts.append((result.host, .success(value)))
            case .failure(let error):
                hosts.append((result.host, .failure(RespondHostError(host: result.host, message: String(describing: error)))))
            case .timedOut(let limit):
                hosts.append((result.host, .failure(RespondHostError(host: result.host, message: "did not finish within \(limit)"))))
            }
        }
        // The fleet report is streamed from the hosts' stored reports, one file at a time.
        let stored = hosts.compactMap { try? $0.result.get().stored }
        let frame = FleetReportJSON(plan: plan)
        var outcome = RespondOutcome(run: run, hosts: hosts)
        if run != nil {
            let file = workDirectory.appendingPathComponent("report.json")
            try PrivateFiles.makeDirectory(workDirectory)
            try frame.write(to: file, stored: stored, in: reports)
            outcome.reportFile = file
        }
        if let setup = request.notification {
            outcome.notifications = await notify(hosts, setup: setup, plan: plan, reports: reports, run: run,
                                                 journal: journal ?? history, check: request.check)
        }
        if let run, let journal {
            // The hosts left, for `--limit @file` (Ansible's retry-file idea); gone once all are done.
            let failed = workDirectory.appendingPathComponent("failed.hosts")
            let left = outcome.incompleteHosts
            if left.isEmpty {
                try? FileManager.default.removeItem(at: failed)
            } else {
                try PrivateFiles.write(Data(left.map { $0 + "\n" }.joined().utf8), to: failed)
                outcome.failedHostsFile = failed
            }
            try journal.finishRun(run, status: outcome.isComplete ? .done : .partial)
            // The incident report, from the journal as `lostmail report` builds it, with the
            // page figures the hosts took while their reports were at hand (none decoded again).
            var figures: [String: PageHostFigures] = [:]
            for case let (host, .success(result)) in hosts { figures[host] = result.page }
            let page = IncidentPage.render(try RunReportLoader.load(journal: journal, run: run, figures: figures))
            let html = workDirectory.appendingPathComponent("report.html")
            try PrivateFiles.write(Data(page.utf8), to: html)
            outcome.htmlReportFile = html
        }
        // `--json`: a file the operator named; one that cannot be written fails the command
        // after the run is recorded (``RespondOutcome/jsonFailure``).
        if let json = request.jsonFile {
            do {
                try frame.write(to: json, stored: stored, in: reports)
                outcome.jsonFile = json
            } catch {
                outcome.jsonFailure = String(describing: error)
            }
        }
        return outcome
    }
}

extension Respond {
    /// Tells the owner of every account whose file is in place (or, with `check`, would be).
    /// Each host's lost mails are read from its stored report when its turn comes, so the
    /// hosts' reports are never all in memory.
    static func notify(_ hosts: [(host: String, result: Result<HostRespondResult, RespondHostError>)],
                       setup: NotificationSetup, plan: AnalysisPlan, reports: HostReportStore, run: Int64?,
                       journal: Journal?, check: Bool) async -> [NotificationOutcome] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = plan.settings.timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let zone = " (\(plan.settings.timeZone.identifier))"
        let notifier = AccountNotifier(setup: setup, journal: journal, check: check, run: run ?? 0,
                                       windowFrom: formatter.string(from: plan.settings.from) + zone,
                                       windowUntil: formatter.string(from: plan.settings.until) + zone,
                                       formatter: LostMailFormatter(timeZone: plan.settings.timeZone))
        var batches: [(host: String, accounts: [String], stored: StoredHostReport)] = []
        for case let (host, .success(result)) in hosts {
            let ready = check ? Set(result.lostPerAccount.keys) : Set(result.writes.map(\.account))
            let accounts = result.lostPerAccount.keys.filter { ready.contains($0) }.sorted()
            batches.append((host, accounts, result.stored))
        }
        return await notifier.notify(batches.map { ($0.host, $0.accounts) }) { index in
            let batch = batches[index]
            let report = try reports.load(batch.stored, timeZone: plan.settings.timeZone)
            let lost = LostMailsByAccount(report.lost)
            return batch.accounts.map { account in
                (account: account, domain: report.domainsByAccount?[account]?.first, lost: { lost.entries(of: account) })
            }
        }
    }
}

/// Why a run could not start or resume.
public enum RespondError: Error, CustomStringConvertible {
    case noRun(Int64?, String)
    case noPlan(Int64)
    case playbookChanged(Int64, String)
    case hostGone(Int64, String, String)

    public var description: String {
        switch self {
        case .noRun(let run, let directory):
            return run.map { "no run \($0) in the journal at \(directory)" } ?? "no respond run in the journal at \(directory)"
        case .noPlan(let run):
            return "run \(run) has no recorded plan (it was not started by `respond`)"
        case .playbookChanged(let run, let file):
            return "run \(run): the playbook \(file) changed since the run began; start a new run instead of resuming"
        case .hostGone(let run, let host, let inventory):
            return "run \(run): host \(host) is no longer in the inventory \(inventory)"
        }
    }
}
