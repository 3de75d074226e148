import Foundation
import LostMailTestSupport
import XCTest

/// Many lost mails (issue 14): a message lists the first `notification.inline_entries` in its
/// text and attaches the complete list as `lost-mails.log`, the account file's lines exactly;
/// a follow-up attaches exactly the lost mails it tells. Real 2-host fleet, real aiosmtpd relay,
/// the received MIME read by Python's `email` package.
final class NotifyAttachmentTests: NotifyTestCase {
    static let inline = 2

    /// The corpus playbook sending to `relay`, listing at most `inline` entries in the text.
    private func playbook(_ relay: SMTPTestServer) throws -> String {
        let path = try fleet.playbookCopy(named: "attachments", relay: ["host: 127.0.0.1", "port: \(relay.port)", "tls: none"])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "  rate_per_minute: 600\n", with: "  rate_per_minute: 600\n  inline_entries: \(Self.inline)\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The account file's lines (LF-terminated text).
    private static func lines(_ data: Data) -> [String] {
        String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// `lines` without one occurrence of each of `told`, in order.
    private static func removing(_ told: [String], from lines: [String]) -> [String] {
        var left = Dictionary(told.map { ($0, 1) }, uniquingKeysWith: +)
        return lines.filter { line in
            guard let count = left[line], count > 0 else { return true }
            left[line] = count - 1
            return false
        }
    }

    /// Checks one received message telling `told` (account-file lines, in order): the first
    /// `inline` in the text, and when there are more, all of them attached byte for byte.
    private func assertMessage(_ message: SMTPTestServer.Received, tells told: [String],
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let parsed = try MIMEOracle.parse(message.raw)
        XCTAssertEqual(parsed.defects, [], message.to, file: file, line: line)
        XCTAssertEqual(NotifyFleet.entryLines(parsed.body), told.prefix(Self.inline).map(NotifyFleet.rendered),
                       "\(message.to): the text lists other entries", file: file, line: line)
        guard told.count > Self.inline else {
            XCTAssertEqual(parsed.content_type, "text/plain", message.to, file: file, line: line)
            XCTAssertEqual(parsed.attachments.count, 0, message.to, file: file, line: line)
            return
        }
        XCTAssertEqual(parsed.content_type, "multipart/mixed", message.to, file: file, line: line)
        XCTAssertTrue(parsed.body?.contains("Das sind die ersten \(Self.inline); \(told.count - Self.inline) weitere") ?? false,
                      "\(message.to): \(parsed.body ?? "")", file: file, line: line)
        XCTAssertEqual(parsed.attachments.count, 1, message.to, file: file, line: line)
        let attached = try XCTUnwrap(parsed.attachments.first, file: file, line: line)
        XCTAssertEqual(attached.filename, "lost-mails.log", file: file, line: line)
        XCTAssertEqual(attached.content_type, "text/plain", file: file, line: line)
        XCTAssertEqual(attached.charset?.lowercased(), "utf-8", file: file, line: line)
        XCTAssertEqual(attached.data, Data(told.map { $0 + "\n" }.joined().utf8),
                       "\(message.to): the attachment is not the list it tells, in the account file's format", file: file, line: line)
    }

    func testManyLostMailsAreListedInPartAndAttachedCompletely() throws {
        let fleet = try self.fleet
        let relay = try startRelay()
        let state = try fleet.fleet.freshStateDir(#function)
        let run = try fleet.respond(state: state, relay: relay, playbook: try playbook(relay))
        XCTAssertEqual(run.status, 0, "\(run)")
        let messages = Dictionary(grouping: try relay.messages(), by: \.to)
        let expected = try fleet.expectedMessages()
        XCTAssertEqual(Set(messages.keys), Set(expected.keys), "\(run)")
        var cut = 0
        for (recipient, want) in expected {
            let message = try XCTUnwrap(messages[recipient]?.first, recipient)
            // The account's file on the host, as LostMail wrote it there.
            let written = try XCTUnwrap(FileFacts(fleet.fleet.accountFile(want.host, want.account))?.data, recipient)
            try assertMessage(message, tells: Self.lines(written))
            if Self.lines(written).count > Self.inline { cut += 1 }
        }
        XCTAssertGreaterThan(cut, 0, "the corpus should give some account more than \(Self.inline) lost mails")
    }

    /// A run over part of the window, then over all of it: the follow-up lists the first new
    /// lost mails and attaches exactly the new ones.
    func testAFollowUpAttachesExactlyTheNewLostMails() throws {
        let fleet = try self.fleet
        let relay = try startRelay()
        let state = try fleet.fleet.freshStateDir(#function)
        let book = try playbook(relay)
        let narrow = try fleet.respond(state: state, relay: relay, playbook: book,
                                       extra: ["--until", NotifyAcrossRunsTests.narrowUntil])
        XCTAssertEqual(narrow.status, 0, "\(narrow)")
        let first = try relay.messages()
        let expected = try fleet.expectedMessages()
        let files = try SSHTestFleet.expectedFiles()
        var told: [String: [String]] = [:]
        for message in first {
            let want = try XCTUnwrap(expected[message.to], message.to)
            let all = Self.lines(try XCTUnwrap(files[want.account]))
            // What the narrow message told, in file form: its attachment, or the inline entries.
            let parsed = try MIMEOracle.parse(message.raw)
            let listed = parsed.attachments.first.map { Self.lines($0.data) }
                ?? all.filter { NotifyFleet.entryLines(parsed.body).contains(NotifyFleet.rendered($0)) }
            try assertMessage(message, tells: listed)
            told[message.to] = listed
        }

        let full = try fleet.respond(state: state, relay: relay, playbook: book)
        XCTAssertEqual(full.status, 0, "\(full)")
        let followUps = Dictionary(grouping: Array(try relay.messages().dropFirst(first.count)), by: \.to)
        var attachedFollowUps = 0
        for (recipient, want) in expected {
            let new = Self.removing(told[recipient] ?? [], from: Self.lines(try XCTUnwrap(files[want.account])))
            guard let message = followUps[recipient]?.first else {
                XCTAssertTrue(new.isEmpty, "\(recipient): no follow-up for \(new)")
                continue
            }
            XCTAssertEqual(followUps[recipient]?.count, 1, recipient)
            try assertMessage(message, tells: new)
            if new.count > Self.inline { attachedFollowUps += 1 }
        }
        XCTAssertGreaterThan(attachedFollowUps, 0, "some follow-up should have more than \(Self.inline) new lost mails")
    }
}
