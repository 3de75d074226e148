import Foundation
import XCTest
@testable import Notify

final class MIMEMessageBuilderTests: XCTestCase {
    private func builder() -> MIMEMessageBuilder {
        MIMEMessageBuilder(account: "web1", from: "noc@schwarzwald-hosting.de", fromName: "Schwarzwald Hosting NOC",
                           to: ["alice@alice-example.de"], subject: "Nicht zugestellte E-Mails – Störung",
                           body: "Grüße\n.dot line\n", date: Date(timeIntervalSince1970: 1_795_930_434))
    }

    func testHeadersAreComplete() throws {
        let message = try builder().build()
        let names = message.headerLines.filter { !$0.hasPrefix(" ") }.map { String($0.prefix { $0 != ":" }) }
        XCTAssertEqual(names, ["Date", "Message-ID", "From", "To", "Subject", "MIME-Version",
                               "Content-Type", "Content-Transfer-Encoding"])
        XCTAssertEqual(message.date, "Sun, 29 Nov 2026 05:33:54 +0000")
        XCTAssertTrue(message.messageID.hasPrefix("<lm."))
        XCTAssertTrue(message.messageID.hasSuffix("@schwarzwald-hosting.de>"))
        XCTAssertTrue(message.headerLines.contains("Content-Type: text/plain; charset=utf-8"))
        XCTAssertTrue(message.headerLines.contains("Content-Transfer-Encoding: quoted-printable"))
        XCTAssertTrue(message.headerLines.contains("From: \"Schwarzwald Hosting NOC\" <noc@schwarzwald-hosting.de>"))
    }

    func testMessageIDsAreUnique() throws {
        let ids = try (0..<50).map { _ in try builder().build().messageID }
        XCTAssertEqual(Set(ids).count, 50)
    }

    func testRenderedMessageUsesCRLFAndLineLimits() throws {
        let rendered = try builder().build().rendered
        XCTAssertTrue(rendered.hasSuffix("\r\n"))
        let lines = rendered.components(separatedBy: "\r\n")
        XCTAssertFalse(rendered.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        XCTAssertFalse(rendered.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        XCTAssertTrue(lines.allSatisfy { $0.utf8.count <= 78 })
        XCTAssertTrue(rendered.utf8.allSatisfy { $0 < 0x80 }, "the message must be 7-bit")
    }

    func testCRLFInRecipientIsRefusedNamingAccountAndField() {
        var b = builder()
        b.to = ["alice@alice-example.de\r\nBcc: victim@example.com"]
        XCTAssertThrowsError(try b.build()) { error in
            guard let error = error as? MessageBuildError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.account, "web1")
            XCTAssertEqual(error.field, "To")
            XCTAssertEqual(error.reason, .controlCharacter(0x0D))
            XCTAssertTrue(error.description.contains("web1"))
            XCTAssertTrue(error.description.contains("To"))
            XCTAssertFalse(error.description.contains("\r\n"), "the raw value must be shown escaped")
        }
    }

    func testControlCharactersInSubjectAndFromAreRefused() {
        var b = builder()
        b.subject = "Hallo\nBcc: x@y.de"
        XCTAssertThrowsError(try b.build()) { XCTAssertEqual(($0 as? MessageBuildError)?.field, "Subject") }
        b = builder()
        b.from = "noc@schwarzwald-hosting.de\u{0}"
        XCTAssertThrowsError(try b.build()) { XCTAssertEqual(($0 as? MessageBuildError)?.field, "From") }
        b = builder()
        b.fromName = "NOC\r\nX-Evil: 1"
        XCTAssertThrowsError(try b.build()) { XCTAssertEqual(($0 as? MessageBuildError)?.field, "From display name") }
    }

    func testInvalidAddressesAreRefused() {
        for bad in ["no-at-sign", "a@", "@b.de", "a b@c.de", "a@b..de", "a@-b.de", "<a@b.de>", "a@b.de>", "ä@b.de"] {
            var b = builder()
            b.to = [bad]
            XCTAssertThrowsError(try b.build(), bad) { error in
                guard case .invalidAddress? = (error as? MessageBuildError)?.reason else {
                    return XCTFail("\(bad): \(error)")
                }
            }
        }
        var b = builder()
        b.to = []
        XCTAssertThrowsError(try b.build()) { XCTAssertEqual(($0 as? MessageBuildError)?.reason, .noRecipients) }
    }

    func testValidAddressesAreAccepted() throws {
        for good in ["info@bobs-shop.de", "d.krause@t-online.de", "web2-info+tag@x.example", "a@[127.0.0.1]"] {
            XCTAssertEqual(try MailAddress(good).address, good)
        }
    }
}
