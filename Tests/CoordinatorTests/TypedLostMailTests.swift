import Foundation
import LostMailConfig
import LostMailTestSupport
import QmailLog
import XCTest
@testable import Coordinator
@testable import Notify

/// Lost mails carried as values (`LostMailEntry`) to the account file's merge and the
/// notification, formatted to the seed's line only there.
final class TypedLostMailTests: XCTestCase {
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    /// Nanoseconds of a UTC time.
    func nanos(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) -> LogNanos {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let date = utc.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
        return LogNanos(date.timeIntervalSince1970) * 1_000_000_000
    }

    func entry(_ time: LogNanos, _ sender: String?, _ recipient: String, _ fate: BounceFate = .discarded,
               id: Int = 1) -> LostMailEntry {
        LostMailEntry(time: time, sender: sender, recipient: recipient, fate: fate, messageID: id, deliveryNumber: id)
    }

    func testEntryFormatsToTheSeedsLine() {
        let formatter = LostMailFormatter(timeZone: berlin)
        let e = entry(nanos(2026, 11, 29, 5, 13, 54) + 999_000_000, "a@b.de", "c@d.de")
        XCTAssertEqual(formatter.line(e), "Sun Nov 29 06:13:54 2026 from=a@b.de to=c@d.de")
        XCTAssertEqual(formatter.line(entry(nanos(2026, 11, 1, 8, 0, 1), nil, "c@d.de")),
                       "Sun Nov  1 09:00:01 2026 from=? to=c@d.de", "unknown sender, day space-padded")
    }

    /// The typed merge writes exactly what merging the formatted lines writes, including the
    /// hour that repeats when clocks go back (ordered by the stamp's wall clock, as the file
    /// is read), existing lines without a stamp, and identical lines of distinct deliveries.
    func testTypedMergeIsTheLineMergeByteForByte() throws {
        let formatter = LostMailFormatter(timeZone: berlin)
        // 2026-10-25 02:30 happens twice in Berlin: 00:30 UTC (CEST) and 01:30 UTC (CET).
        let new = [
            entry(nanos(2026, 10, 25, 1, 30, 0), "late@x.de", "r@y.de", id: 1),
            entry(nanos(2026, 10, 25, 0, 45, 0), "mid@x.de", "r@y.de", id: 2),
            entry(nanos(2026, 10, 25, 0, 30, 0), "early@x.de", "r@y.de", id: 3),
            entry(nanos(2026, 10, 24, 22, 0, 0), "eve@x.de", "r@y.de", id: 4),
            entry(nanos(2026, 10, 24, 22, 0, 0), "eve@x.de", "r@y.de", id: 5),
        ]
        var existing = Data(("Sun Oct 25 02:40:00 2026 from=kept@x.de to=r@y.de\n"
            + "an operator's note\n"
            + "Sun Oct 25 00:00:00 2026 from=eve@x.de to=r@y.de\n"
            + "Sun Oct 25 01:00:00 2026 from=bytes").utf8)
        existing.append(contentsOf: [0xFF, 0xFE])  // not UTF-8: kept as is
        existing.append(Data("@x.de to=r@y.de".utf8))
        let typed = try mergeLostMailFile(existing: existing, new: new, formatter: formatter)
        let byLines = try mergeLostMailFile(existing: existing, new: new.map { formatter.line($0) })
        XCTAssertEqual(typed, byLines)
        let lines = typed.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(lines.count, 8, "a second identical eve@ line is added, the first is the file's")
        XCTAssertEqual(lines.last, "an operator's note")
        XCTAssertEqual(try mergeLostMailFile(existing: typed, new: new, formatter: formatter), typed,
                       "running again adds nothing")
    }

    func testFatesSayWhetherTheSenderWasTold() {
        XCTAssertEqual(AccountNotifier.fate(.bounceDelivered), .senderTold)
        for fate in [BounceFate.bounceFailed, .doubleBounceDelivered, .doubleBounceFailed, .discarded] {
            XCTAssertEqual(AccountNotifier.fate(fate), .senderNotTold, "\(fate)")
        }
        XCTAssertEqual(AccountNotifier.fate(.noBounceYet), .unknown)
        XCTAssertEqual(AccountNotifier.fate(.bounceQueued), .unknown)
    }

    func testNotificationDeltaKeepsTheIndicesOfNewLines() {
        let a = "Sun Nov 29 06:13:54 2026 from=a@b to=c@d", b = "Sun Nov 29 06:13:55 2026 from=a@b to=c@d"
        let told = [NotifiedLine(lineDigest: NotifiedLine.digest(a), run: 1, count: 1)]
        let delta = NotificationDelta(lines: [a, b, a], told: told)
        XCTAssertEqual(delta.newLines, [b, a])
        XCTAssertEqual(delta.newIndices, [1, 2])
    }

    /// The report's JSON is what it was (`linesByAccount`, no typed form in it), so a report an
    /// older run stored in its journal decodes, and its typed lost mails come from its `lost`:
    /// they format to its lines and their fates add up to its per-account figures.
    func testStoredReportDecodesAndYieldsTheSameEntries() throws {
        let playbook = try Playbook.load(file: TestPaths.packageRoot.appendingPathComponent("Playbooks/corpus-incident.yml"))
        let plan = try AnalysisPlan(playbook: playbook)
        let root = TestPaths.corpus.appendingPathComponent("host")
        let report = HostReport(try SnapshotAnalysis.analyze(root: root, name: "h1", plan: plan), hostRoot: root.path)
        // As an older run's journal held it (the old encoder), and as a run stores it today.
        let json = try LegacyHostReport(report).encoded()
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        XCTAssertNotNil(object["linesByAccount"])
        XCTAssertNil(object["entriesByAccount"], "the JSON keeps its form")
        let store = try HostReportStore(stateDirectory: FileManager.default.temporaryDirectory
            .appendingPathComponent("typed-\(UUID().uuidString)"))
        defer { try? FileManager.default.removeItem(at: store.directory.deletingLastPathComponent()) }
        let today = try JSONSerialization.jsonObject(with: Data(contentsOf: store.url(try store.store(report)))) as? NSDictionary
        XCTAssertEqual(today, NSDictionary(dictionary: object), "the stored form is the old JSON")

        let decoder = JSONDecoder()
        decoder.userInfo[HostReport.timeZoneKey] = plan.settings.timeZone
        let stored = try decoder.decode(HostReport.self, from: json)
        let formatter = LostMailFormatter(timeZone: plan.settings.timeZone)
        XCTAssertEqual(stored.entriesByAccount.mapValues { $0.map { formatter.line($0) } }, report.linesByAccount)
        XCTAssertEqual(stored.entriesByAccount, report.entriesByAccount)
        for (account, entries) in stored.entriesByAccount {
            XCTAssertEqual(Dictionary(grouping: entries, by: \.fate.rawValue).mapValues(\.count),
                           stored.accounts[account]?.fates, account)
        }
        XCTAssertEqual(stored.entriesByAccount["web1"]?.filter { $0.fate == .bounceDelivered }.count, 20)
    }
}
