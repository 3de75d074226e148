import Foundation
import LostMailTestSupport
import XCTest
@testable import Notify

/// A customer with many lost mails: the first entries in the text, the complete list attached
/// as `lost-mails.log`. Sent through a real aiosmtpd relay and read back with Python's `email`
/// package (``MIMEOracle``), not with our own parser.
final class NotificationAttachmentTests: XCTestCase {
    private var servers: [SMTPTestServer] = []

    override func tearDown() {
        for server in servers { server.stop() }
        servers = []
    }

    /// `count` entries with their account-file lines (as `LostMailFormatter` writes them).
    static func entries(_ count: Int) -> [NotificationEntry] {
        (0..<count).map { i in
            let time = String(format: "Sun Nov 29 06:%02d:%02d 2026", 13 + i / 60, i % 60)
            let sender = "sender\(i)@example-\(i % 3).de"
            let recipient = "rcpt\(i)@partner.example"
            let fate: NotificationEntry.Fate = [.senderTold, .senderNotTold, .unknown][i % 3]
            return NotificationEntry(time: time, sender: sender, recipient: recipient, fate: fate,
                                     line: "\(time) from=\(sender) to=\(recipient)")
        }
    }

    static func context(entries: [NotificationEntry], inlineLimit: Int?, language: String = "en") -> NotificationContext {
        NotificationContext(account: "web1", host: "mx1.schwarzwald-hosting.de", entries: entries,
                            filePath: "~/logs/lost-mails.log", announcementURL: "https://status.example/incident",
                            windowFrom: "29.11.2026 06:13", windowUntil: "29.11.2026 06:19", language: language,
                            inlineLimit: inlineLimit)
    }

    private func send(_ context: NotificationContext, language: String = "en") async throws -> (MIMEMessage, MIMEOracle) {
        let server = try SMTPTestServer()
        servers.append(server)
        let template = try NotificationTemplate(path: NotificationTemplateTests.shippedTemplate(language))
        let message = try NotificationComposer(template: template, from: "noc@schwarzwald-hosting.de")
            .compose(context, to: ["alice@alice-example.de"], subject: "Lost mails", messageIDLocalPart: "lm.test.1")
        let configuration = SMTPClientConfiguration(
            host: "127.0.0.1", port: server.port, policy: SMTPSessionPolicy(heloName: "lostmail.test", tls: .none),
            trustRoots: .system, timeouts: SMTPTimeouts(connect: .seconds(10), command: .seconds(30)))
        let receipt = try await SMTPClient(configuration: configuration).send(message, envelopeFrom: message.from,
                                                                            recipients: message.to)
        XCTAssertTrue(receipt.messageAccepted)
        let received = try XCTUnwrap(try server.messages().first)
        // The relay stored the message as sent (dot-stuffing undone): the oracle reads those bytes.
        return (message, try MIMEOracle.parse(received.raw))
    }

    func testALongListIsCutAndAttachedCompletely() async throws {
        for language in ["en", "de"] {
            let entries = Self.entries(130)
            let (message, parsed) = try await send(Self.context(entries: entries, inlineLimit: 50, language: language),
                                                   language: language)
            XCTAssertEqual(parsed.content_type, "multipart/mixed", language)
            XCTAssertEqual(parsed.defects, [], language)
            let body = try XCTUnwrap(parsed.body, language)
            for entry in entries.prefix(50) { XCTAssertTrue(body.contains(" \(entry.sender)  "), "\(language): \(entry.sender) not inline") }
            for entry in entries.dropFirst(50) { XCTAssertFalse(body.contains(" \(entry.sender)  "), "\(language): \(entry.sender) inline") }
            XCTAssertTrue(body.contains(language == "en" ? "These are the first 50; 80 more" : "Das sind die ersten 50; 80 weitere"),
                          body)
            XCTAssertTrue(body.contains("130"), "the complete count is named: \(body)")
            XCTAssertTrue(body.contains("lost-mails.log"))
            XCTAssertEqual(parsed.attachments.count, 1, language)
            let attached = try XCTUnwrap(parsed.attachments.first)
            XCTAssertEqual(attached.filename, "lost-mails.log")
            XCTAssertEqual(attached.content_type, "text/plain")
            XCTAssertEqual(attached.charset?.lowercased(), "utf-8")
            XCTAssertEqual(attached.disposition, "attachment")
            XCTAssertEqual(attached.data, Data(entries.map { $0.line! + "\n" }.joined().utf8),
                           "the attachment is the account file's lines, byte for byte")
            for line in String(decoding: message.bytes, as: UTF8.self).components(separatedBy: "\r\n") {
                XCTAssertLessThanOrEqual(line.utf8.count, 78, line)
            }
        }
    }

    func testAListWithinTheLimitIsOneTextPartWithoutAttachment() async throws {
        let entries = Self.entries(50)
        let (message, parsed) = try await send(Self.context(entries: entries, inlineLimit: 50))
        XCTAssertEqual(parsed.content_type, "text/plain")
        XCTAssertEqual(parsed.attachments.count, 0)
        XCTAssertTrue(message.attachments.isEmpty)
        let body = try XCTUnwrap(parsed.body)
        for entry in entries { XCTAssertTrue(body.contains(" \(entry.sender)  "), entry.sender) }
        XCTAssertFalse(body.contains("These are the first"), body)
    }

    func testTemplateKeysSayWhetherTheListWasCut() throws {
        let template = try NotificationTemplate(
            text: "{{entryCount}} {{inlineCount}} {{moreCount}} {{attachedCount}} {{attachmentName}} "
                + "{{#listCut}}cut{{/listCut}}{{^listCut}}whole{{/listCut}} "
                + "{{senderToldCount}}/{{#senderToldEntries}}t{{/senderToldEntries}} {{#entries}}[{{sender}}]{{/entries}}",
            path: "keys.mustache")
        let entries = Self.entries(7)
        XCTAssertEqual(template.render(Self.context(entries: entries, inlineLimit: 2)),
                       "7 2 5 7 lost-mails.log cut 3/tt [sender0@example-0.de][sender1@example-1.de]")
        XCTAssertEqual(template.render(Self.context(entries: entries, inlineLimit: 7)),
                       "7 7 0 0 lost-mails.log whole 3/ttt " + entries.map { "[\($0.sender)]" }.joined())
        XCTAssertEqual(template.render(Self.context(entries: entries, inlineLimit: nil)),
                       template.render(Self.context(entries: entries, inlineLimit: 7)))
    }

    func testACutListWithoutFileLinesIsRefused() throws {
        var entries = Self.entries(4)
        entries[3].line = nil
        let template = try NotificationTemplate(path: NotificationTemplateTests.shippedTemplate("en"))
        let composer = NotificationComposer(template: template, from: "noc@schwarzwald-hosting.de")
        XCTAssertThrowsError(try composer.compose(Self.context(entries: entries, inlineLimit: 2), to: ["a@b.de"],
                                                  subject: "x")) { error in
            XCTAssertEqual((error as? MessageBuildError)?.reason, .missingFileLine)
            XCTAssertTrue("\(error)".contains("entry 4"), "\(error)")
        }
        // Inline, the lines are not needed.
        XCTAssertNoThrow(try composer.compose(Self.context(entries: entries, inlineLimit: 4), to: ["a@b.de"], subject: "x"))
    }

    func testAnAttachmentNameThatIsNoPlainFileNameIsRefused() {
        for name in ["", "../x.log", "a b.log", "lost\r\nX: y"] {
            XCTAssertThrowsError(try MIMEMessageBuilder(from: "noc@example.org", to: ["a@b.de"], subject: "x", body: "y",
                                                        attachments: [MIMEAttachment(filename: name, content: "z\n")]).build(),
                                 name.debugDescription)
        }
    }
}
