import ArgumentParser
import Coordinator
import Foundation
import LostMailConfig

/// `lostmail analyze`: the analysis core on local host snapshots, no SSH.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyse local snapshots of hosts (folders mirroring a host's file system).",
        discussion: """
        Each SNAPSHOT is a folder laid out like the host: var/log/qmail/send/, \
        var/qmail/control/, var/qmail/users/assign, etc/passwd (the paths come from the playbook). \
        Snapshots are analysed in parallel. With --out DIR, each affected account's file is \
        written to DIR/<snapshot folder name>/<account>/lost-mails.log.
        """
    )

    @Option(help: "The playbook (YAML) with window, signatures and paths.")
    var playbook: String

    @OptionGroup var window: WindowOptions

    @Option(help: "Write DIR/<snapshot>/<account>/lost-mails.log.")
    var out: String?

    @Option(help: "Write the machine-readable report to FILE.")
    var json: String?

    @Argument(help: "Snapshot folders, one per host.")
    var snapshots: [String]

    func run() async throws {
        let plan: AnalysisPlan
        do {
            let book = try window.apply(to: Playbook.load(file: URL(fileURLWithPath: playbook)))
            plan = try AnalysisPlan(playbook: book)
        } catch {
            throw failBeforeWork(error)
        }
        let roots = snapshots.map { URL(fileURLWithPath: $0).standardizedFileURL }
        let results = try LocalAnalysis.analyze(roots: roots, plan: plan)
        let reports = results.map { HostReport($0) }
        print(SummaryTable.render(reports), terminator: "")
        if let out {
            let written = try LocalAnalysis.writeAccountFiles(results, into: URL(fileURLWithPath: out))
            print("wrote \(written.count) account files under \(out)")
        }
        if let json {
            try FleetReportJSON(plan: plan).write(to: URL(fileURLWithPath: json), reports: reports)
            print("wrote report \(json)")
        }
        let unread = reports.reduce(0) { $0 + ($1.unreadInput ?? []).count }
        if unread > 0 {
            FileHandleOutput.standardError("lostmail: incomplete: \(unread) log input(s) could not be read "
                + "(marked NOT READ above); the results may lack their mail")
            throw ExitCodes.inputNotRead
        }
    }
}
