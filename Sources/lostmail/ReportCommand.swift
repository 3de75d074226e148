import ArgumentParser
import Coordinator
import Foundation

/// `lostmail report [RUN]`: the incident report (HTML) and the JSON report, rebuilt from the
/// journal and the stored host results, also for a run in progress or resumed.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a respond run's incident report (HTML) and JSON report again, from the journal.",
        discussion: """
        Reads the journal without taking the state directory's lock, so it also works while the \
        run is in progress. Default files: <state-dir>/runs/<RUN>/report.html and report.json.
        """
    )

    @Argument(help: "The run id (default: the latest respond run).")
    var runID: Int64?

    @OptionGroup var state: StateOptions

    @Option(help: "Write the incident report (HTML) to FILE instead of the run's report.html.")
    var html: String?

    @Option(help: "Write the fleet report (JSON) to FILE instead of the run's report.json.")
    var json: String?

    func run() async throws {
        let report: RunReport
        let directory: URL
        let journal: Journal
        do {
            directory = try state.directory()
            journal = try Journal(readingStateDirectory: directory)
            report = try RunReportLoader.load(journal: journal, run: runID)
        } catch {
            throw failBeforeWork(error)
        }
        let runDirectory = directory.appendingPathComponent("runs/\(report.run)")
        let htmlFile = html.map { URL(fileURLWithPath: $0) } ?? runDirectory.appendingPathComponent("report.html")
        let jsonFile = json.map { URL(fileURLWithPath: $0) } ?? runDirectory.appendingPathComponent("report.json")
        if html == nil || json == nil { try PrivateFiles.makeDirectory(runDirectory) }
        try PrivateFiles.write(Data(IncidentPage.render(report).utf8), to: htmlFile)
        try RunReports(journal: journal, run: report.run).writeFleetJSON(to: jsonFile)
        print("run \(report.run): \(report.status), \(report.hosts.count) hosts, "
              + "\(report.hosts.count - report.incompleteHosts.count) done")
        print("incident report: \(htmlFile.path)")
        print("report: \(jsonFile.path)")
    }
}
