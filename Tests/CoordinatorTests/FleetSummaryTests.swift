import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// The console summary of a respond run: one row per host and a fleet total, from the hosts'
/// reports, writes and notifications.
final class FleetSummaryTests: XCTestCase {
    /// The corpus host's report (a real analysis) as host `name`.
    private func corpusReport() throws -> HostReport {
        let playbook = try Playbook.load(file: TestPaths.packageRoot.appendingPathComponent("Playbooks/corpus-incident.yml"))
        let plan = try AnalysisPlan(playbook: playbook)
        let root = TestPaths.corpus.appendingPathComponent("host")
        let report = HostReport(try SnapshotAnalysis.analyze(root: root, name: "h1", plan: plan), hostRoot: root.path)
        return report
    }

    private func result(_ report: HostReport, written: [String], failed: [String: String] = [:]) -> HostRespondResult {
        let writes = written.map { account in
            AccountWriteRecord(account: account, path: "/home/\(account)/logs/lost-mails.log", previousLines: 1,
                               addedLines: (report.linesByAccount[account]?.count ?? 0) - 1, written: true)
        }
        return HostRespondResult(
            stored: StoredHostReport(format: StoredHostReport.currentFormat, sha256: "", size: 0, file: ""),
            figures: FleetSummary.HostFigures(report), page: PageHostFigures(report, host: "h1"), unreadInput: report.unreadInput ?? [],
            lostPerAccount: report.linesByAccount.mapValues(\.count), pulled: [], transferred: 0,
            writes: writes, writeFailures: failed)
    }

    private func note(_ host: String, _ account: String, _ state: NotificationOutcome.State) -> NotificationOutcome {
        NotificationOutcome(host: host, account: account, recipient: "\(account)@\(host)", state: state, detail: "", rendered: nil)
    }

    func testOneRowPerHostAndAFleetTotal() throws {
        let report = try corpusReport()
        let accounts = report.linesByAccount.keys.sorted()
        XCTAssertGreaterThan(accounts.count, 2, "the corpus has several accounts with lost mail")
        let added = accounts.dropFirst().reduce(0) { $0 + report.linesByAccount[$1]!.count - 1 }
        var outcome = RespondOutcome(
            run: 7,
            hosts: [("a", .success(result(report, written: accounts))),
                    ("b", .failure(RespondHostError(host: "b", message: "connection refused"))),
                    ("c", .success(result(report, written: Array(accounts.dropFirst()),
                                          failed: [accounts[0]: "not a regular file"])))])
        outcome.notifications = accounts.map { note("a", $0, .accepted) }
            + [note("c", accounts[1], .nothingNew), note("c", accounts[2], .temporaryFailure)]

        let rows = FleetSummary.rows(outcome, check: false)
        XCTAssertEqual(rows.map(\.host), ["a", "b", "c"])
        XCTAssertEqual(rows.map(\.status), [.done, .failed, .incomplete])
        XCTAssertEqual(rows[0], FleetSummary.Row(
            host: "a", status: .done, files: report.files.count, lines: report.lines, skipped: report.lineIssueCount,
            lost: report.counts.lostInWindow, accounts: accounts.count, accountsWritten: accounts.count,
            added: added + report.linesByAccount[accounts[0]]!.count - 1, toNotify: accounts.count, notified: accounts.count))
        XCTAssertEqual(rows[1], FleetSummary.Row(host: "b", status: .failed))
        XCTAssertEqual(rows[2].accountsWritten, accounts.count - 1)
        XCTAssertEqual(rows[2].added, added)
        XCTAssertEqual(rows[2].toNotify, 2)
        XCTAssertEqual(rows[2].notified, 1, "told before (nothing new) counts, a temporary failure does not")

        let total = FleetSummary.total(rows)
        XCTAssertEqual(total.status, .incomplete)
        XCTAssertEqual(total.lines, report.lines * 2, "the failed host adds nothing")
        XCTAssertEqual(total.accountsWritten, 2 * accounts.count - 1)
        XCTAssertEqual(total.notified, accounts.count + 1)

        let table = FleetSummary.table(rows).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(table.count, 5, "header, three hosts, the fleet")
        XCTAssertEqual(table[0], FleetSummary.headers)
        XCTAssertEqual(table[2], ["b", "failed", "-", "-", "-", "-", "-", "-", "-"])
        XCTAssertEqual(table[3][6], "\(accounts.count - 1)/\(accounts.count)")
        XCTAssertEqual(table[3][8], "1/2")
        XCTAssertEqual(table[4][0], "fleet")
        XCTAssertEqual(table[4][1], "1/3", "one host of three done")
        XCTAssertEqual(table[4][3], String(report.lines * 2))
    }

    /// `--check`: the plan, nothing written; the owners that would be told count as told.
    func testCheckShowsThePlan() throws {
        let report = try corpusReport()
        var outcome = RespondOutcome(run: nil, hosts: [("a", .success(result(report, written: [])))])
        outcome.notifications = report.linesByAccount.keys.map { note("a", $0, .wouldSend) }
        let rows = FleetSummary.rows(outcome, check: true)
        XCTAssertEqual(rows[0].status, .plan)
        XCTAssertNil(rows[0].accountsWritten)
        XCTAssertEqual(rows[0].notified, report.linesByAccount.count)
        let cells = FleetSummary.table(rows).split(separator: "\n")[1].split(separator: " ").map(String.init)
        XCTAssertEqual(cells[6], String(report.linesByAccount.count), "accounts to write, no 'written/' part")
        XCTAssertEqual(cells[7], "-")
    }
}
