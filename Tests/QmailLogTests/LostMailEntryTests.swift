import Foundation
import QmailLog
import XCTest

/// The typed lost mail (`LostMailEntry`) carries what the account line shows, plus its fate and
/// identity; formatting it gives exactly the account file's lines.
final class LostMailEntryTests: XCTestCase {
    func testEntriesFormatToTheAccountLinesAndCarryFatesAndIdentity() throws {
        try Corpus.skipIfMissing()
        let host = Corpus.url("host")
        let settings = Corpus.incidentSettings()
        var analyzer = Analyzer(settings: settings, accounts: try Corpus.accounts(host: host))
        try analyzer.feed(logDirectory: host.appendingPathComponent("var/log/qmail/send"))
        let result = analyzer.finish()
        let formatter = LostMailFormatter(timeZone: result.timeZone)
        let entries = result.entriesByAccount
        XCTAssertEqual(entries.mapValues { $0.map { formatter.line($0) } }, result.linesByAccount)
        XCTAssertEqual(LostMailEntry.byAccount(result.lost), entries, "the same from the deliveries alone")

        // Identity and fate are those of the account's lost deliveries (log order there).
        let web1 = try XCTUnwrap(entries["web1"])
        let deliveries = result.lostDeliveries(for: "web1")
        XCTAssertEqual(Set(web1.map { "\($0.messageID)/\($0.deliveryNumber)/\($0.fate)" }),
                       Set(deliveries.map { "\($0.messageID)/\($0.deliveryNumber)/\($0.fate)" }))
        // Ground truth (README): web1's 20 relayed mails bounced to alice, 16 forwards were lost.
        XCTAssertEqual(web1.filter { $0.fate == .bounceDelivered }.count, 20)
        XCTAssertEqual(web1.filter { $0.fate == .discarded }.count, 16)
    }
}
