import Foundation
import LostMailTestSupport
import XCTest
@testable import Notify

/// Each entry of a notification says whether its sender was told; the shipped templates say
/// so per entry and in sum, and no longer claim that no sender was told.
final class NotificationFateTests: XCTestCase {
    static func context(language: String) -> NotificationContext {
        NotificationContext(
            account: "web1", host: "host1",
            entries: [
                NotificationEntry(time: "Sun Nov 29 06:13:54 2026", sender: "alice@alice-example.de",
                                  recipient: "lager@logistik-partner.de", fate: .senderTold),
                NotificationEntry(time: "Sun Nov 29 06:14:06 2026", sender: "anfrage@lieferant-gmbh.de",
                                  recipient: "alice.mueller@gmail.com", fate: .senderNotTold),
                NotificationEntry(time: "Sun Nov 29 06:14:07 2026", sender: "kunde.meier@gmail.com",
                                  recipient: "alice.mueller@gmail.com", fate: .senderNotTold),
                NotificationEntry(time: "Sun Nov 29 06:18:00 2026", sender: "late@x.de",
                                  recipient: "r@y.de", fate: .unknown),
            ],
            filePath: "~/logs/lost-mails.log", announcementURL: "https://status.example/1",
            windowFrom: "29.11.2026 06:13:54", windowUntil: "29.11.2026 06:18:54", language: language)
    }

    func template(_ language: String) throws -> NotificationTemplate {
        try NotificationTemplate(path: TestPaths.playbook("templates/lost-mails.\(language).mustache").path)
    }

    func testContextHasFateCountsListsAndPerEntryFlags() throws {
        let values = Self.context(language: "en").templateValues
        XCTAssertEqual(values["senderToldCount"] as? Int, 1)
        XCTAssertEqual(values["senderNotToldCount"] as? Int, 2)
        XCTAssertEqual(values["unknownCount"] as? Int, 1)
        XCTAssertEqual(values["senderNotTold"] as? Bool, true)
        let notTold = try XCTUnwrap(values["senderNotToldEntries"] as? [[String: Any]])
        XCTAssertEqual(notTold.compactMap { $0["sender"] as? String }, ["anfrage@lieferant-gmbh.de", "kunde.meier@gmail.com"])
        let entries = try XCTUnwrap(values["entries"] as? [[String: Any]])
        XCTAssertEqual(entries.compactMap { $0["fate"] as? String }, ["senderTold", "senderNotTold", "senderNotTold", "unknown"])
        XCTAssertEqual(entries.compactMap { $0["senderTold"] as? Bool }, [true, false, false, false],
                       "every entry has every flag, so a section never falls back to the context's")

        var none = Self.context(language: "en")
        none.entries = none.entries.filter { $0.fate == .senderNotTold }
        XCTAssertEqual(none.templateValues["senderTold"] as? Bool, false)
        XCTAssertEqual(none.templateValues["senderToldCount"] as? Int, 0)
    }

    /// Body lines after `prefix`: the entry line, then its fate line.
    func fateLines(_ body: String, after entryMarker: String) -> [String] {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines.indices.filter { lines[$0].hasPrefix("  Sun ") && lines[$0].contains(entryMarker) }
            .map { $0 + 1 < lines.count ? lines[$0 + 1] : "" }
    }

    func testGermanTemplateSaysEachEntrysFate() throws {
        let body = try template("de").render(Self.context(language: "de"))
        XCTAssertEqual(fateLines(body, after: "  von "), [
            "    -> Absender hat eine Fehlermeldung erhalten",
            "    -> Absender wurde nicht benachrichtigt",
            "    -> Absender wurde nicht benachrichtigt",
            "    -> noch offen, ob der Absender benachrichtigt wird",
        ])
        XCTAssertTrue(body.contains("Bei 1 der E-Mails hat der Absender eine Fehlermeldung erhalten"), body)
        XCTAssertTrue(body.contains("Bei 2 der E-Mails hat der Absender keine Fehlermeldung"), body)
        XCTAssertTrue(body.contains("Bei 1 der E-Mails steht noch nicht fest"), body)
        XCTAssertFalse(body.contains("ohne dass der Absender eine Fehlermeldung erhalten hat"),
                       "the old claim that no sender was told")
        XCTAssertFalse(body.contains("{{"))
    }

    func testEnglishTemplateSaysEachEntrysFateAndOnlyTheFatesThatOccur() throws {
        var context = Self.context(language: "en")
        context.entries.removeLast()
        let body = try template("en").render(context)
        XCTAssertEqual(fateLines(body, after: "  from "), [
            "    -> the sender received an error message",
            "    -> the sender was not told",
            "    -> the sender was not told",
        ])
        XCTAssertTrue(body.contains("For 1 of the messages the sender received an error message"), body)
        XCTAssertTrue(body.contains("For 2 of the messages the sender received no error"), body)
        XCTAssertFalse(body.contains("not known yet"), "no unknown entries, no such paragraph")
        XCTAssertFalse(body.contains("without the sender receiving an error notice"), "the old claim")
        XCTAssertFalse(body.contains("{{"))
    }
}
