import Foundation
import XCTest
@testable import Notify

/// Composition writes the message into one buffer in one pass; these check that it writes the
/// bytes the line-by-line builder wrote: each line as a string, the line-by-line encoders'
/// lines (``LineByLineEncoders``), every line with CRLF, joined.
final class ComposedBytesTests: XCTestCase {
    private static let date = Date(timeIntervalSince1970: 1_795_935_600)

    /// The message as the line-by-line builder assembled it from the same parts.
    private static func lineByLine(_ message: MIMEMessage, boundary: String) -> [UInt8] {
        let text = ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"]
        var body: [String]
        if message.attachments.isEmpty {
            body = LineByLineEncoders.quotedPrintable(message.body)
        } else {
            body = ["This is a message in MIME format: a text and \(message.attachments.count) attached file(s).", ""]
            body += ["--" + boundary] + text + [""] + LineByLineEncoders.quotedPrintable(message.body)
            for attachment in message.attachments {
                body.append("--" + boundary)
                body += ["Content-Type: text/plain; charset=UTF-8; name=\"\(attachment.filename)\"",
                         "Content-Disposition: attachment; filename=\"\(attachment.filename)\"",
                         "Content-Transfer-Encoding: base64", ""]
                body += LineByLineEncoders.base64(attachment.content)
            }
            body.append("--" + boundary + "--")
        }
        return Array((message.headerLines + [""] + body).map { $0 + "\r\n" }.joined().utf8)
    }

    /// Realistic messages (the shipped templates, up to 1000 entries, the list cut and attached,
    /// or all inline) are the line-by-line builder's bytes.
    func testComposedMessagesAreTheLineByLineBytes() throws {
        for (language, count, inline) in [("de", 1000, 50), ("en", 7, nil), ("de", 120, 120), ("en", 300, 1)] {
            let template = try NotificationTemplate(path: NotificationTemplateTests.shippedTemplate(language))
            let context = NotificationAttachmentTests.context(
                entries: NotificationAttachmentTests.entries(count), inlineLimit: inline, language: language)
            let message = try NotificationComposer(template: template, from: "noc@schwarzwald-hosting.de",
                                                   fromName: "Schwarzwald Hosting NOC")
                .compose(context, to: ["web1@kunde.example"], subject: "Störung: nicht zugestellte E-Mails",
                         date: Self.date, messageIDLocalPart: "lostmail.1.bytes")
            XCTAssertEqual(message.attachments.isEmpty, inline == nil || inline! >= count)
            let want = Self.lineByLine(message, boundary: "=_lostmail.lostmail.1.bytes")
            XCTAssertEqual(message.bytes, want, "\(language) \(count) \(String(describing: inline))")
            XCTAssertEqual(message.rendered, String(decoding: want, as: UTF8.self))
            XCTAssertEqual(message.bodyLines.count, want.filter { $0 == 0x0A }.count - message.headerLines.count - 1)
        }
    }

    /// Odd bodies (bare CR, trailing spaces, long lines, a leading dot) and several files.
    func testOddBodiesAndSeveralFiles() throws {
        let body = ".leading dot\r\ntrailing space \rbare CR\n\n" + String(repeating: "Grüße=", count: 30) + "\t"
        let files = [MIMEAttachment(filename: "a.log", content: "x\n"), MIMEAttachment(filename: "b.log", content: ""),
                     MIMEAttachment(filename: "c.log", content: String(repeating: "0123456789", count: 100))]
        for attachments in [[], files] {
            let message = try MIMEMessageBuilder(from: "noc@h.de", to: ["a@x.de"], subject: "s", body: body,
                                                 date: Self.date, messageIDLocalPart: "odd",
                                                 attachments: attachments).build()
            XCTAssertEqual(message.bytes, Self.lineByLine(message, boundary: "=_lostmail.odd"))
        }
    }
}
