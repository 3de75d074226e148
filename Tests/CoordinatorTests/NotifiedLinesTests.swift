import Foundation
import GRDB
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// What each account was told, across runs: the journal's record of the lines an accepted
/// notification listed, and the pure rule that leaves only the new lines to tell.
final class NotifiedLinesTests: XCTestCase {
    var dir: TempDir!

    override func setUpWithError() throws { dir = try TempDir("notified") }
    override func tearDown() { dir.remove() }

    let a = "Sun Nov 29 06:13:54 2026 from=alice@a.example to=x@b.example"
    let b = "Sun Nov 29 06:14:11 2026 from=alice@a.example to=y@b.example"
    let c = "Sun Nov 29 06:15:05 2026 from=bob@c.example to=z@b.example"

    func testOnlyAcceptedNotificationsCountAsTold() throws {
        let journal = try Journal(stateDirectory: dir.url)
        let run1 = try XCTUnwrap(journal.beginRun(RunRecord(kind: .respond)).id)
        let run2 = try XCTUnwrap(journal.beginRun(RunRecord(kind: .respond)).id)
        let told = try journal.notification(run: run1, host: "h1", account: "alice", recipient: "alice@h1",
                                            messageId: "m1")
        let failed = try journal.notification(run: run1, host: "h1", account: "bob", recipient: "bob@h1",
                                              messageId: "m2")
        try journal.markNotificationAccepted(id: try XCTUnwrap(told.id), relayReply: "250 ok", lines: [a, b, a])
        try journal.markNotification(id: try XCTUnwrap(failed.id), state: .failedTemp, relayReply: "451")
        XCTAssertEqual(try journal.notifications(run: run1).map(\.state), [.accepted, .failedTemp])
        XCTAssertEqual(try journal.notifications(run: run1).first?.relayReply, "250 ok")

        let alice = try journal.notifiedLines(host: "h1", account: "alice")
        XCTAssertEqual(Set(alice.map(\.lineDigest)), [NotifiedLine.digest(a), NotifiedLine.digest(b)])
        XCTAssertEqual(alice.first { $0.lineDigest == NotifiedLine.digest(a) }?.count, 2)
        XCTAssertTrue(alice.allSatisfy { $0.run == run1 })
        XCTAssertEqual(try journal.notifiedLines(host: "h1", account: "bob"), [], "a failed message told nothing")
        XCTAssertEqual(try journal.notifiedLines(host: "h2", account: "alice"), [], "another host's account")
        XCTAssertEqual(try journal.notifications(run: run2), [], "run 2 recorded nothing")
    }

    /// A run's follow-up is its next part: a new record with its own Message-ID, while the first
    /// keeps its state and lines; asking again returns the latest part, and both parts' lines
    /// count as told.
    func testAFollowUpIsTheNextPartAndBothPartsCountAsTold() throws {
        let journal = try Journal(stateDirectory: dir.url)
        let run = try XCTUnwrap(journal.beginRun(RunRecord(kind: .respond)).id)
        let first = try journal.notification(run: run, host: "h1", account: "alice", recipient: "alice@h1",
                                             messageId: "m1")
        XCTAssertEqual(first.part, 1)
        try journal.markNotificationAccepted(id: try XCTUnwrap(first.id), relayReply: "250 ok", lines: [a])
        let accepted = try journal.notification(run: run, host: "h1", account: "alice", recipient: "alice@h1",
                                                messageId: "unused")
        XCTAssertEqual(accepted.messageId, "m1")
        XCTAssertEqual(accepted.state, .accepted)

        let second = try journal.followUp(after: accepted, messageId: "m2")
        XCTAssertEqual(second.part, 2)
        XCTAssertEqual(second.state, .pending)
        XCTAssertNotEqual(second.id, accepted.id)
        XCTAssertEqual(try journal.followUp(after: accepted, messageId: "m3").messageId, "m2", "one follow-up, not two")
        XCTAssertEqual(try journal.notification(run: run, host: "h1", account: "alice", recipient: "alice@h1",
                                                messageId: "unused").messageId, "m2", "the latest part")
        try journal.markNotificationAccepted(id: try XCTUnwrap(second.id), relayReply: "250 ok", lines: [b])
        XCTAssertEqual(try journal.notifications(run: run).map(\.part), [1, 2])
        XCTAssertEqual(Set(try journal.notifiedLines(host: "h1", account: "alice").map(\.lineDigest)),
                       [NotifiedLine.digest(a), NotifiedLine.digest(b)])
        XCTAssertEqual(NotificationDelta(lines: [a, b, c], told: try journal.notifiedLines(host: "h1", account: "alice")).newLines,
                       [c])
    }

    func testDeltaKeepsOnlyLinesNotToldBeforeInOrder() {
        let told = [NotifiedLine(lineDigest: NotifiedLine.digest(a), run: 1, count: 1),
                    NotifiedLine(lineDigest: NotifiedLine.digest(c), run: 3, count: 1)]
        let delta = NotificationDelta(lines: [a, b, c, a], told: told)
        XCTAssertEqual(delta.newLines, [b, a], "one told occurrence covers one line; the second `a` is new")
        XCTAssertEqual(delta.toldByRun, [1: 1, 3: 1])
        XCTAssertEqual(delta.summary, "2 new lost mails, 2 already told in runs 1 and 3")

        let nothing = NotificationDelta(lines: [a], told: told)
        XCTAssertEqual(nothing.newLines, [])
        XCTAssertEqual(nothing.summary, "1 lost mail already told in run 1, no mail")

        let fresh = NotificationDelta(lines: [b], told: [])
        XCTAssertEqual(fresh.newLines, [b])
        XCTAssertEqual(fresh.alreadyTold, 0)
        XCTAssertEqual(fresh.summary, "1 new lost mail")
    }

    /// A journal written before follow-ups (no `part`, one message per run and account) opens
    /// with its notifications and their told lines intact: each is part 1, and its lines still
    /// count as told, so the upgrade mails nobody again.
    func testJournalFromBeforeFollowUpsKeepsItsNotificationsAndLines() throws {
        let path = dir.url.appendingPathComponent("journal.sqlite").path
        do {
            var config = Configuration()
            config.foreignKeysEnabled = true
            let old = try DatabaseQueue(path: path, configuration: config)
            try JournalSchema.migrator(stateDirectory: dir.url).migrate(old, upTo: "notifiedLines")
            try old.write { db in
                try db.execute(sql: """
                    INSERT INTO runs (id, kind, startedAt, status) VALUES (1, 'respond', '2026-11-30 10:00:00', 'done');
                    INSERT INTO notifications (id, runId, host, account, recipient, messageId, state, relayReply, createdAt, updatedAt)
                    VALUES (7, 1, 'h1', 'alice', 'alice@h1', 'lostmail.1.old', 'accepted', '250 ok',
                            '2026-11-30 10:00:00', '2026-11-30 10:00:00');
                    """)
                try db.execute(sql: "INSERT INTO notifiedLines (host, account, lineDigest, notificationId, count) VALUES (?, ?, ?, 7, 1)",
                               arguments: ["h1", "alice", NotifiedLine.digest(a)])
            }
        }
        let journal = try Journal(stateDirectory: dir.url)
        XCTAssertTrue(try journal.appliedMigrations().contains("notificationParts"))
        let kept = try journal.notifications(run: 1)
        XCTAssertEqual(kept.map(\.messageId), ["lostmail.1.old"])
        XCTAssertEqual(kept.map(\.part), [1])
        XCTAssertEqual(kept.map(\.state), [.accepted])
        XCTAssertEqual(try journal.notifiedLines(host: "h1", account: "alice"),
                       [NotifiedLine(lineDigest: NotifiedLine.digest(a), run: 1, count: 1)])
        let followUp = try journal.followUp(after: try XCTUnwrap(kept.first), messageId: "lostmail.1.new")
        XCTAssertEqual(followUp.part, 2)
    }
}
