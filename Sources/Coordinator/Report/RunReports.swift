import Foundation

/// The stored host reports of one respond run, as its journal references them: the one way to
/// read a run's reports back (resume, the notifications, `report.json`, other reports built on
/// a run). Holds only the references; each report is loaded, checked, when asked for.
public struct RunReports: Sendable {
    /// A host of the run and where its report is (nil: its analysis is not done).
    public struct Entry: Sendable, Equatable {
        public var host: String
        public var stored: StoredHostReport?
    }

    /// The run.
    public let run: Int64
    /// Its window and zone.
    public let frame: FleetReportJSON
    /// The run's hosts in plan order.
    public let entries: [Entry]
    /// Where the files are.
    public let store: HostReportStore

    /// The reports of run `run` in the journal of `journal`'s state directory.
    /// - Throws: when the run is unknown or was not started by `respond` (no plan).
    public init(journal: Journal, run: Int64) throws {
        guard try journal.run(run) != nil else { throw RespondError.noRun(run, journal.directory.path) }
        guard let plan = try journal.detail(StepKey(run: run, host: "*", name: "plan"), as: RunPlan.self) else {
            throw RespondError.noPlan(run)
        }
        self.run = run
        frame = FleetReportJSON(from: plan.from, until: plan.until, timeZone: plan.timeZone)
        store = try HostReportStore(stateDirectory: journal.directory)
        entries = try plan.hosts.map { host in
            let step = StepKey(run: run, host: host, name: "analyze")
            let done = try journal.stepRecord(step)?.state == .done
            return Entry(host: host, stored: done ? try journal.detail(step, as: StoredHostReport.self) : nil)
        }
    }

    /// The zone of the run's account lines.
    public var timeZone: TimeZone {
        get throws {
            guard let zone = TimeZone(identifier: frame.timeZone) else {
                throw HostReportError.unreadable(path: store.directory.path, message: "run \(run): unknown time zone \(frame.timeZone)")
            }
            return zone
        }
    }

    /// One host's report, loaded and checked against its digest.
    /// - Throws: ``HostReportError`` (naming the file, or the host if it was not analysed).
    public func report(host: String) throws -> HostReport {
        guard let stored = entries.first(where: { $0.host == host })?.stored else {
            throw HostReportError.notAnalysed(run: run, host: host)
        }
        return try store.load(stored, timeZone: try timeZone)
    }

    /// Writes the fleet report of the hosts analysed so far to `url`, streamed from the files.
    public func writeFleetJSON(to url: URL) throws {
        try frame.write(to: url, stored: entries.compactMap(\.stored), in: store)
    }
}
