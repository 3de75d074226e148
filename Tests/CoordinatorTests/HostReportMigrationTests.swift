import Foundation
import GRDB
import LostMailConfig
import LostMailTestSupport
import QmailLog
import XCTest
@testable import Coordinator

/// Journals of older versions held each host's whole report in its `analyze` step; opening one
/// moves the reports into `<state>/reports/` and leaves references, and the run reads the same.
final class HostReportMigrationTests: XCTestCase {
    var dir: TempDir!

    override func setUpWithError() throws { dir = try TempDir("report-migration") }
    override func tearDown() { dir.remove() }

    func testReportBlobsLeaveTheJournalAndReadTheSame() throws {
        let plan = try AnalysisPlan(playbook: try Playbook.load(
            file: TestPaths.packageRoot.appendingPathComponent("Playbooks/corpus-incident.yml")))
        let root = TestPaths.corpus.appendingPathComponent("host")
        let result = try SnapshotAnalysis.analyze(root: root, name: "h1", plan: plan)
        let report = HostReport(result, hostRoot: root.path)
        let blob = try LegacyHostReport(report, linesByAccount: result.analysis.linesByAccount).encoded()
        XCTAssertGreaterThan(blob.count, 50_000, "a report worth moving")
        let runPlan = RunPlan(inventories: ["/i.yml"], playbook: "/p.yml", limit: nil, hosts: ["h1", "h2"],
                              from: plan.settings.from, until: plan.settings.until,
                              timeZone: plan.settings.timeZone.identifier, relay: nil)
        let then = Date(timeIntervalSince1970: 1_800_000_000)

        // The journal the previous version left: every migration before this one, a run whose
        // host h1 is analysed (its report in the step), h2 not yet.
        let path = dir.url.appendingPathComponent("journal.sqlite").path
        do {
            let old = try DatabaseQueue(path: path)
            try JournalSchema.migrator(stateDirectory: dir.url).migrate(old, upTo: "cursorsWithoutInode")
            try old.write { db in
                try db.execute(sql: "INSERT INTO runs (id, kind, startedAt, status) VALUES (1, 'respond', ?, 'partial')",
                               arguments: [then])
                let insert = """
                    INSERT INTO steps (runId, host, name, key, state, attempts, createdAt, detail)
                    VALUES (1, ?, ?, '', ?, 1, ?, ?)
                    """
                try db.execute(sql: insert, arguments: ["*", "plan", "done", then,
                                                        String(decoding: try Journal.encodeDetail(runPlan), as: UTF8.self)])
                try db.execute(sql: insert, arguments: ["h1", "analyze", "done", then, String(decoding: blob, as: UTF8.self)])
                try db.execute(sql: insert, arguments: ["h2", "analyze", "started", then, nil])
            }
        }
        let journal = try Journal(stateDirectory: dir.url)
        XCTAssertTrue(try journal.appliedMigrations().contains("hostReportFiles"))
        // No step holds a report any more: every detail is small.
        let sizes = try journal.db.read { db in
            try Row.fetchAll(db, sql: "SELECT host, name, length(detail) AS size FROM steps ORDER BY id")
                .map { "\($0["host"] as String) \($0["name"] as String) \(($0["size"] as Int?) ?? 0)" }
        }
        XCTAssertEqual(sizes.count, 3)
        for row in sizes { XCTAssertLessThan(Int(row.split(separator: " ")[2])!, 400, "\(sizes)") }

        let stored = try XCTUnwrap(try journal.detail(StepKey(run: 1, host: "h1", name: "analyze"), as: StoredHostReport.self))
        XCTAssertEqual(stored.format, StoredHostReport.currentFormat)
        XCTAssertEqual(stored.size, UInt64(blob.count))
        let file = dir.url.appendingPathComponent("reports/\(stored.file)")
        XCTAssertEqual(try Data(contentsOf: file), blob, "the bytes move unchanged")
        XCTAssertEqual(try ProcessRunner.sha256(ofFile: file.path), stored.sha256)

        let reports = try RunReports(journal: journal, run: 1)
        XCTAssertEqual(reports.entries.map(\.host), ["h1", "h2"])
        XCTAssertNil(reports.entries[1].stored, "h2 is not analysed")
        let back = try reports.report(host: "h1")
        XCTAssertEqual(back.entriesByAccount, report.entriesByAccount)
        XCTAssertEqual(back.linesByAccount, result.analysis.linesByAccount)
        XCTAssertThrowsError(try reports.report(host: "h2")) {
            XCTAssertEqual($0 as? HostReportError, .notAnalysed(run: 1, host: "h2"))
        }
        let fleet = dir.url.appendingPathComponent("report.json")
        try reports.writeFleetJSON(to: fleet)
        let oracle = LegacyFleetReport(from: plan.settings.from, until: plan.settings.until,
                                       timeZone: plan.settings.timeZone.identifier,
                                       hosts: [LegacyHostReport(report, linesByAccount: result.analysis.linesByAccount)])
        XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(contentsOf: fleet)) as? NSDictionary,
                       try JSONSerialization.jsonObject(with: oracle.encoded()) as? NSDictionary)
    }
}
