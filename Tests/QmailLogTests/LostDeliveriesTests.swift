import Foundation
@testable import QmailLog
import XCTest

/// The compact storage of lost deliveries gives back exactly what was stored.
final class LostDeliveriesTests: XCTestCase {
    func testArenaInternsEachDistinctStringOnceAndGivesItBack() {
        var arena = StringArena()
        var ids: [Int32] = []
        let texts = (0..<5_000).map { "user\($0)@example-\($0 % 7).de" } + ["", "ä\u{1F600}/var/log/qmail/send/current"]
        for t in texts { ids.append(arena.intern(t)) }   // grows the hash table many times
        XCTAssertEqual(Set(ids).count, texts.count, "distinct strings get distinct ids")
        for (t, id) in zip(texts, ids) {
            XCTAssertEqual(arena.string(id), t)
            XCTAssertEqual(arena.intern(t), id, "a repeated string gets its first id")
        }
        XCTAssertEqual(arena.count, texts.count)
    }

    func testElementsFatesAttributionsAndCodableRoundTrip() throws {
        var lost = LostDeliveries()
        let web1 = Attribution(account: "web1", reason: .senderDomain("alice-example.de"))
        let web2 = Attribution(account: "web2", reason: .forward(recipient: "f@bob.de", qp: 7, uid: 1002))
        for i in 0..<300 {
            lost.append(LostDelivery(
                time: 1_795_929_242_394_321_500 + Int64(i), sender: i % 3 == 0 ? nil : "s\(i % 5)@alice-example.de",
                recipient: "r\(i)@ext.de", remote: i % 2 == 0, messageID: 1000 + i, qp: i, uid: 1000 + i % 4,
                deliveryNumber: i % 40, report: "Unable_to_run_qmail-remote./", file: "@4000.s", line: i + 1,
                kind: i % 10 == 0 ? .bounce : .mail, attributions: i % 2 == 0 ? [web1] : [],
                fate: .noBounceYet, bounceOf: -1, sequence: 99))
        }
        lost.setFate(.discarded, at: 4)
        lost.addAttributions([web2, web1], at: 4)
        lost.addAttributions([web2], at: 5)
        XCTAssertEqual(lost.count, 300)
        let d = lost[4]
        XCTAssertEqual(d.sender, "s4@alice-example.de")
        XCTAssertEqual(d.recipient, "r4@ext.de")
        XCTAssertEqual(d.fate, .discarded)
        XCTAssertEqual(d.attributions, [web1, web2], "existing ones kept first, duplicates not added")
        XCTAssertEqual(lost[5].attributions, [web2])
        XCTAssertEqual(lost[6].attributions, [web1], "other deliveries sharing the list are untouched")
        XCTAssertEqual(lost[6].fate, .noBounceYet)
        XCTAssertNil(lost[3].sender)
        XCTAssertEqual(lost[10].kind, .bounce)
        XCTAssertEqual(lost.map(\.sequence), Array(0..<300), "sequence is the position")
        XCTAssertEqual(lost[299].time, 1_795_929_242_394_321_799)
        XCTAssertEqual(lost[299].line, 300)

        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = try encoder.encode(lost)
        XCTAssertTrue(try JSONSerialization.jsonObject(with: json) is [Any], "encodes as a plain array")
        let decoded = try JSONDecoder().decode(LostDeliveries.self, from: json)
        XCTAssertEqual(try encoder.encode(decoded), json)
    }

    /// The address tallies the incident page takes its domains from count what the elements say.
    func testAddressCountsAgreeWithTheElements() {
        var lost = LostDeliveries()
        for i in 0..<1_000 {
            // A recipient that is also some delivery's sender: the same stored string, counted apart.
            lost.append(LostDelivery(
                time: 1_795_929_242_394_321_500 + Int64(i), sender: i % 7 == 0 ? nil : (i % 11 == 0 ? "" : "s\(i % 13)@a.de"),
                recipient: i % 5 == 0 ? "s1@a.de" : "r\(i % 17)@ext.de", remote: true, messageID: i, qp: i, uid: 1000,
                deliveryNumber: i, report: "Unable_to_run_qmail-remote./", file: "current", line: i + 1,
                kind: i % 4 == 0 ? .bounce : .mail, attributions: [], fate: .discarded, bounceOf: -1, sequence: i))
        }
        for kind in [MessageKind.mail, .bounce] {
            let mails = lost.filter { $0.kind == kind }
            var senders: [String?: Int] = [:]
            var recipients: [String: Int] = [:]
            for d in mails {
                senders[d.sender, default: 0] += 1
                recipients[d.recipient, default: 0] += 1
            }
            let counts = lost.addressCounts(of: kind)
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: counts.senders.map { ($0.address, $0.count) }), senders)
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: counts.recipients.map { ($0.address, $0.count) }), recipients)
            XCTAssertEqual(lost.count(of: kind), mails.count)
        }
    }

    /// The account lines a report lists, formatted into bytes, are the lines `line(_:at:)` gives,
    /// across Berlin's autumn change and with an unseen sender and an escaped address.
    func testLinesFormattedIntoBytesEqualTheTextLines() {
        var lost = LostDeliveries()
        let start: Int64 = 1_792_890_000 - 3_000  // 2026-10-25, Berlin turns its clock back at 01:00 UTC
        for i in 0..<500 {
            lost.append(LostDelivery(
                time: (start + Int64(i) * 13) * 1_000_000_000 + Int64(i), sender: i % 9 == 0 ? nil : "s\(i % 4)@a.de",
                recipient: i % 50 == 0 ? "x\\x5cy@b.de" : "r\(i)@ext.de", remote: true, messageID: i, qp: i, uid: 1000,
                deliveryNumber: i, report: "Unable_to_run_qmail-remote./", file: "current", line: i + 1, kind: .mail,
                attributions: [], fate: .discarded, bounceOf: -1, sequence: i))
        }
        for zone in ["Europe/Berlin", "Asia/Kolkata", "UTC"] {
            let formatter = LostMailFormatter(timeZone: TimeZone(identifier: zone)!)
            let order = Array(lost.indices.reversed())
            var lines: [String] = []
            formatter.forEachLine(lost, at: order) { lines.append(String(decoding: $0, as: UTF8.self)) }
            XCTAssertEqual(lines, order.map { formatter.line(lost, at: $0) }, zone)
        }
    }
}
