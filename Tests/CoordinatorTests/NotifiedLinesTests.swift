import Foundation
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
        XCTAssertEqual(try journal.notifiedLines(host: "h1", account: "alice", excludingRun: run1), [])
        XCTAssertEqual(try journal.notifiedLines(host: "h1", account: "alice", excludingRun: run2).count, 2)
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
}
