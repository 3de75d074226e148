import Foundation
import LostMailTestSupport
import XCTest
@testable import Notify

final class NotificationTemplateTests: XCTestCase {
    static func context(language: String) -> NotificationContext {
        NotificationContext(
            account: "web1", host: "mx1.schwarzwald-hosting.de",
            entries: [
                NotificationEntry(time: "Sun Nov 29 06:13:54 2026", sender: "alice@alice-example.de",
                                  recipient: "lager@logistik-partner.de"),
                NotificationEntry(time: "Sun Nov 29 06:14:06 2026", sender: "anfrage@lieferant-gmbh.de",
                                  recipient: "alice.mueller@gmail.com"),
            ],
            filePath: "~/logs/lost-mails.log", announcementURL: "https://status.schwarzwald-hosting.de/2026-11-29",
            windowFrom: "29.11.2026 06:13:54", windowUntil: "29.11.2026 06:18:54", language: language)
    }

    static func shippedTemplate(_ language: String) -> String {
        TestPaths.playbook("templates/lost-mails.\(language).mustache").path
    }

    func testAnyKeyValueTreeRendersAsPlainText() throws {
        let template = try NotificationTemplate(text: "{{title}}\n{{#rows}}- {{name}}: {{count}}\n{{/rows}}{{#flag}}yes{{/flag}}",
                                                path: "inline.mustache")
        let body = template.render(values: ["title": "a <b> & c", "flag": false,
                                            "rows": [["name": "x", "count": 2], ["name": "y", "count": 3]]])
        XCTAssertEqual(body, "a <b> & c\n- x: 2\n- y: 3\n")
    }

    func testGermanTemplateRendersEverything() throws {
        let body = try NotificationTemplate(path: Self.shippedTemplate("de")).render(Self.context(language: "de"))
        XCTAssertTrue(body.contains("Mit freundlichen Grüßen"))
        XCTAssertTrue(body.contains("web1"))
        XCTAssertTrue(body.contains("mx1.schwarzwald-hosting.de"))
        XCTAssertTrue(body.contains("Sun Nov 29 06:13:54 2026  von alice@alice-example.de  an lager@logistik-partner.de"))
        XCTAssertTrue(body.contains("anfrage@lieferant-gmbh.de"))
        XCTAssertTrue(body.contains("~/logs/lost-mails.log"))
        XCTAssertTrue(body.contains("https://status.schwarzwald-hosting.de/2026-11-29"))
        XCTAssertTrue(body.contains("Folgende 2 E-Mail(s)"))
        XCTAssertFalse(body.contains("{{"))
        XCTAssertFalse(body.contains("&amp;") || body.contains("&#"), "no HTML escaping in text mail")
    }

    func testEnglishTemplateRendersEverything() throws {
        let body = try NotificationTemplate(path: Self.shippedTemplate("en")).render(Self.context(language: "en"))
        XCTAssertTrue(body.contains("Sun Nov 29 06:14:06 2026  from anfrage@lieferant-gmbh.de  to alice.mueller@gmail.com"))
        XCTAssertTrue(body.contains("The following 2 message(s)"))
        XCTAssertTrue(body.contains("~/logs/lost-mails.log"))
        XCTAssertFalse(body.contains("{{"))
    }

    func testValuesAreNotHTMLEscaped() throws {
        let template = try NotificationTemplate(text: "<{{announcementURL}}>", path: "inline")
        var context = Self.context(language: "en")
        context.announcementURL = "https://x.test/?a=1&b=<2>"
        XCTAssertEqual(template.render(context), "<https://x.test/?a=1&b=<2>>")
    }

    func testSyntaxErrorNamesFileAndLine() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).mustache")
        try "Hallo\n{{#entries}}\n{{time}}\n{{/wrong}}\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertThrowsError(try NotificationTemplate(path: url.path)) { error in
            guard let error = error as? TemplateError, case .syntax(let line, _, _) = error.kind else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(line, 4)
            XCTAssertTrue(error.description.contains(url.path))
        }
    }

    func testMissingFileIsNamed() {
        XCTAssertThrowsError(try NotificationTemplate(path: "/nonexistent/x.mustache")) { error in
            XCTAssertTrue(String(describing: error).contains("/nonexistent/x.mustache"))
        }
    }
}

final class NotificationComposerTests: XCTestCase {
    func testComposeKeepsGivenMessageIDAndNamesAccountOnError() throws {
        let template = try NotificationTemplate(path: NotificationTemplateTests.shippedTemplate("de"))
        let composer = NotificationComposer(template: template, from: "noc@schwarzwald-hosting.de")
        let context = NotificationTemplateTests.context(language: "de")
        let message = try composer.compose(context, to: ["web1@mx1.schwarzwald-hosting.de"], subject: "Störung",
                                           messageIDLocalPart: "run7.web1")
        XCTAssertEqual(message.messageID, "<run7.web1@schwarzwald-hosting.de>")
        XCTAssertEqual(message.body, template.render(context))
        XCTAssertThrowsError(try composer.compose(context, to: ["x@y.de\nBcc: z@w.de"], subject: "s")) { error in
            XCTAssertEqual((error as? MessageBuildError)?.account, "web1")
        }
    }
}
