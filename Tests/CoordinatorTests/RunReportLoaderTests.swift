import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// A run's report rebuilt from the journal: hosts in the plan's order, each with its stored
/// report, failed and unfinished steps, writes and notifications; read without the lock.
final class RunReportLoaderTests: XCTestCase {
    var dir: TempDir!

    override func setUpWithError() throws { dir = try TempDir("run-report") }
    override func tearDown() { dir.remove() }

    func testRunIsRebuiltFromTheJournalWhileItIsLocked() throws {
        let playbookFile = TestPaths.packageRoot.appendingPathComponent("Playbooks/corpus-incident.yml")
        let playbook = try Playbook.load(file: playbookFile)
        let plan = try AnalysisPlan(playbook: playbook)
        let root = TestPaths.corpus.appendingPathComponent("host")
        let report = HostReport(try SnapshotAnalysis.analyze(root: root, name: "h1", plan: plan), hostRoot: root.path)
        let account = try XCTUnwrap(report.accounts.keys.sorted().first)

        let journal = try Journal(stateDirectory: dir.url)
        let window = try XCTUnwrap(playbook.window)
        let run = try XCTUnwrap(try journal.beginRun(RunRecord(
            kind: .respond, playbookPath: playbookFile.path,
            playbookSHA256: FileOps.sha256(try Data(contentsOf: playbookFile)), inventoryPath: "/inv.yml",
            windowFrom: window.from, windowUntil: window.until, timeZone: window.timeZone.identifier)).id)
        let runPlan = RunPlan(inventories: ["/inv.yml"], playbook: playbookFile.path, limit: nil, hosts: ["h1", "h2", "h3"],
                              from: window.from, until: window.until, timeZone: window.timeZone.identifier, relay: nil)
        _ = try StepLog(journal: journal, run: run, host: "*").perform("plan") { runPlan }
        let h1 = StepLog(journal: journal, run: run, host: "h1")
        let stored = try HostReportStore(stateDirectory: dir.url).store(report)
        _ = try h1.perform("analyze") { stored }
        let write = AccountWriteRecord(account: account, path: "/home/\(account)/logs/lost-mails.log",
                                       previousLines: 0, addedLines: 3, written: true)
        _ = try h1.perform("write", key: account) { write }
        let h2 = StepLog(journal: journal, run: run, host: "h2")
        XCTAssertThrowsError(try h2.perform("maps") { () -> Bool in
            throw RespondHostError(host: "h2", message: "connect 127.0.0.2:22: Connection refused")
        })
        try journal.finishRun(run, status: .partial)

        // The writing journal still holds the lock: the loader reads beside it.
        let loaded = try RunReportLoader.load(journal: try Journal(readingStateDirectory: dir.url), run: nil)
        XCTAssertEqual(loaded.run, run)
        XCTAssertEqual(loaded.status, "partial")
        XCTAssertEqual(loaded.hosts.map(\.name), ["h1", "h2", "h3"])
        XCTAssertEqual(loaded.hosts.map(\.status), ["done", "failed", "failed"])
        XCTAssertEqual(loaded.hosts[0].report.map { $0.lostMails + $0.lostBounces }, report.lost.count)
        XCTAssertEqual(loaded.hosts[0].report?.timeline, report.timeline)
        XCTAssertNotNil(report.timeline)
        XCTAssertEqual(loaded.hosts[0].writes[account], write)
        XCTAssertEqual(loaded.hosts[1].problems, ["maps: h2: connect 127.0.0.2:22: Connection refused"])
        XCTAssertEqual(loaded.hosts[2].problems, ["never started"])
        XCTAssertEqual(loaded.playbookName, playbook.name)
        XCTAssertEqual(loaded.signatures?.count, playbook.signatures.count)
        XCTAssertEqual(loaded.resumeCommand, "lostmail resume \(run) --state-dir \(dir.url.path)")
        XCTAssertEqual(loaded.from, window.from)
        // The JSON is the stored host report, spliced in as respond does.
        let jsonFile = dir.url.appendingPathComponent("fleet.json")
        try RunReports(journal: journal, run: run).writeFleetJSON(to: jsonFile)
        let fleet = try JSONSerialization.jsonObject(with: Data(contentsOf: jsonFile)) as? [String: Any]
        XCTAssertEqual((fleet?["hosts"] as? [[String: Any]])?.count, 1)

        XCTAssertThrowsError(try RunReportLoader.load(journal: journal, run: run + 1)) { error in
            XCTAssertTrue("\(error)".contains("no run \(run + 1)"), "\(error)")
        }
        XCTAssertThrowsError(try Journal(readingStateDirectory: dir.url.appendingPathComponent("none"))) { error in
            XCTAssertTrue("\(error)".contains("no journal there"), "\(error)")
        }
    }
}
