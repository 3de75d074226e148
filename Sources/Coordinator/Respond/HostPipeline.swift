import Foundation
import LogInput
import LostMailConfig
import QmailLog

/// The steps of one host in a respond run: account maps, listing, pulls, analysis, account files.
///
/// Runs on the host's own thread (see `FanOut`). Every step goes through the journal, so a
/// resumed run skips what is done; the connection is opened only when a step needs it.
struct HostPipeline: Sendable {
    let host: HostConfig
    let plan: AnalysisPlan
    let selection: LogSelection
    let store: EvidenceStore
    /// Where the host's report goes as soon as it is made.
    let reports: HostReportStore
    let snapshotRoot: URL
    let steps: StepLog
    let connector: HostConnector
    /// False for `--check`: nothing is written on the host.
    let writeAccountFiles: Bool
    let outputMode: UInt16
    /// The playbook's `output.path` and `output.max_size`.
    let outputTarget: AccountFileTarget

    func run(context: HostJobContext) throws -> HostRespondResult {
        let remote = LazyRemote(host: host, connector: connector)
        let puller = EvidencePuller(store: store)
        // Logs come through the host's compressor (probed once); `local` hosts read them as they are.
        let logPuller = EvidencePuller(store: store,
                                       compression: host.connection == .local ? .none : host.pullCompression ?? .auto,
                                       commandTimeout: .seconds(host.timeouts.command))
        var transferred: UInt64 = 0

        context.report("account maps")
        let maps = try steps.perform("maps") { () -> PulledMaps in
            var files: [PulledFile] = []
            var missing: [String] = []
            for path in plan.accountMapPaths {
                guard let info = try remote.get().regularFile(at: path) else { missing.append(path); continue }
                let pull = try puller.pull(info, from: remote.get())
                transferred += pull.transferred
                files.append(PulledFile(path: path, sha256: pull.object.sha256, size: pull.object.size))
            }
            return PulledMaps(files: files, missing: missing)
        }

        // A host whose input was not all read last time lists, analyses and writes again, so
        // `resume` picks up what the operator fixed meanwhile (all three are idempotent).
        let redo = try steps.failed("inputs")
        context.report("listing logs")
        let listing = try steps.perform("list", redo: redo) { try listLogs(remote.get()) }
        let listed = listing.files

        // A recorded report whose file does not hold the recorded bytes is made again (the
        // analysis is pure; its evidence is content-addressed).
        var notes: [String] = []
        var redoAnalysis = redo
        let recordedReport = try steps.recorded("analyze", as: StoredHostReport.self)
        if !redo, let recordedReport {
            do { try reports.verify(recordedReport) } catch {
                notes.append("\(error); analysed again")
                redoAnalysis = true
            }
        }
        // The analysis reads the logs while they are pulled (with the account maps laid out
        // first), when it is to be made at all.
        let analysing = (redoAnalysis || recordedReport == nil) && !listed.isEmpty
        if analysing { try buildSnapshot(maps.files) }
        let live = analysing ? LiveAnalysis(root: snapshotRoot, name: host.name, plan: plan,
                                            files: LiveAnalysis.files(listed, root: snapshotRoot)) : nil

        var logs: [PulledFile] = []
        var logBytes: UInt64 = 0
        do {
            for (index, file) in listed.enumerated() {
                let label = "pull \(index + 1)/\(listed.count) \(file.path)"
                context.report(label)
                let pulled = try steps.perform("pull", key: file.path) {
                    let info = RemoteFileInfo(name: (file.path as NSString).lastPathComponent, path: file.path,
                                              kind: .file, size: file.size, mtime: file.mtime)
                    let staging = logPuller.stagingURL(host: host.name, path: file.path)
                    // Bytes so far, rate and time left, a few times a second (the live line
                    // redraws on each report).
                    var progress = PullProgress(total: file.size)
                    let pull = try logPuller.pull(info, from: remote.get()) { size in
                        live?.board.growing(index, at: staging, bytes: size)
                        if let line = progress.line(bytes: size, nanos: DispatchTime.now().uptimeNanoseconds) {
                            context.report(label + " " + line + (logPuller.method.map { " (\($0))" } ?? ""))
                        }
                    }
                    transferred += pull.transferred
                    if pull.pulled { logBytes += pull.object.size - pull.resumedFrom }
                    return PulledFile(path: file.path, sha256: pull.object.sha256, size: pull.object.size)
                }
                live?.board.complete(index, at: try store.url(sha256: pulled.sha256), size: pulled.size)
                logs.append(pulled)
            }
        } catch {
            live?.abandon()
            throw error
        }

        context.report("analysing")
        // The report made here is written to its file at once and kept only while this host
        // runs; a recorded one is read back from its file.
        var made: HostReport?
        var analysedWhilePulling = false
        var writing: BackgroundTask<AccountWrites>?
        var lostByAccount: LostMailsByAccount?
        let decoder = logPuller.method.flatMap { method -> Compression? in
            if case .compressed(let codec) = method { return codec.compression }
            return nil
        }
        let stored = try steps.perform("analyze", redo: redoAnalysis) { () -> StoredHostReport in
            let candidate = live?.finish()
            try buildSnapshot(maps.files + logs)
            var result: SnapshotAnalysis.Result
            if let candidate, let settled = try SnapshotAnalysis.settled(candidate, root: snapshotRoot, plan: plan) {
                result = settled
                analysedWhilePulling = true
            } else {
                result = try SnapshotAnalysis.analyze(root: snapshotRoot, name: host.name, plan: plan)
            }
            result.missingMaps = maps.missing
            var report = HostReport(result, hostRoot: snapshotRoot.path)
            report.addUnreadEntries(listing.unread)
            made = report
            // The account files are written while the report file is (neither needs the other).
            let lost = LostMailsByAccount(report.lost)
            lostByAccount = lost
            if writeAccountFiles {
                writing = BackgroundTask(name: "lostmail-write-\(host.name)") { [self] in
                    try writeAccounts(lost, remote: remote, decoder: decoder, redo: redo, context: context)
                }
            }
            let stored = Result { try reports.store(report) }
            _ = try? writing?.wait()  // joined here whatever happens; its outcome is taken below
            return try stored.get()
        }
        live?.abandon()  // a no-op once it finished; stops it if the step was not run
        let report = try made ?? reports.load(stored, timeZone: plan.settings.timeZone)

        var writes: [AccountWriteRecord] = []
        var failures: [String: String] = [:]
        // Each account's entries are built when its file is written (a resumed host whose
        // writes are done builds none), never all of the host's at once.
        let byAccount = lostByAccount ?? LostMailsByAccount(report.lost)
        if writeAccountFiles {
            let done = try writing?.wait() ?? writeAccounts(byAccount, remote: remote, decoder: decoder,
                                                              redo: redo, context: context)
            (writes, failures) = (done.writes, done.failures)
        }
        if report.isMissingInput || redo {
            // Recorded as failed while input is missing: `status` shows it, `resume` redoes it.
            _ = try? steps.perform("inputs") { () -> Bool in
                if let unread = report.unreadInput, !unread.isEmpty {
                    throw RespondHostError(host: host.name, message: "\(unread.count) log input(s) not read: "
                                           + unread.joined(separator: "; "))
                }
                return true
            }
        }
        return HostRespondResult(
            stored: stored, figures: FleetSummary.HostFigures(report), page: PageHostFigures(report, host: host.name), unreadInput: report.unreadInput ?? [],
            lostPerAccount: byAccount.counts,
            pulled: maps.files + logs, transferred: transferred, writes: writes, writeFailures: failures, notes: notes,
            pullMethod: logPuller.method?.description, logBytes: logBytes, analysedWhilePulling: analysedWhilePulling)
    }

    /// Lays the pulled files out as the host has them, hard-linked from the evidence store.
    func buildSnapshot(_ files: [PulledFile]) throws {
        let manager = FileManager.default
        try? manager.removeItem(at: snapshotRoot)
        for file in files {
            let target = snapshotRoot.appendingPathComponent(file.path)
            try PrivateFiles.makeDirectory(target.deletingLastPathComponent())
            let object = try store.url(sha256: file.sha256)
            do {
                try manager.linkItem(at: object, to: target)
            } catch {
                try manager.copyItem(at: object, to: target)
            }
        }
    }
}
