import Foundation
import LostMailTestSupport
import XCTest

/// Mails that tell the truth (issue 14): each entry of an owner's notification says whether its
/// sender got a bounce, checked against the corpus ground truth (not LostMail's own output).
final class NotifyFateTests: NotifyTestCase {
    /// The ground truth's word on undelivered mail: per `sender recipient` (envelope sender, final
    /// destination), whether a bounce reached the sender (`sender_notified` yes/no).
    static func senderNotified() throws -> [String: Bool] {
        let text = try String(contentsOf: TestPaths.corpus.appendingPathComponent("ground-truth.tsv"), encoding: .utf8)
        var rows = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let header = rows.removeFirst()
        func column(_ name: String) throws -> Int { try XCTUnwrap(header.firstIndex(of: name), "ground truth has no \(name)") }
        let sender = try column("envelope_sender"), destination = try column("final_destination")
        let status = try column("dest_status"), notified = try column("sender_notified")
        var result: [String: Set<Bool>] = [:]
        for row in rows where row.count == header.count && row[status] == "not_delivered" {
            result["\(row[sender]) \(row[destination])", default: []].insert(row[notified].hasPrefix("yes"))
        }
        return try result.mapValues { values in
            XCTAssertEqual(values.count, 1, "the ground truth is not one answer per sender and recipient")
            return try XCTUnwrap(values.first)
        }
    }

    /// Each entry line of a de body with the line after it (its fate).
    static func entriesWithFates(_ body: String) -> [(entry: String, fate: String)] {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines.indices.filter { lines[$0].hasPrefix("  ") && lines[$0].contains("  von ") && lines[$0].contains("  an ") }
            .map { (lines[$0], $0 + 1 < lines.count ? lines[$0 + 1] : "") }
    }

    func testEachEntrySaysWhetherTheSenderWasTold() throws {
        let fleet = try self.fleet
        let relay = try startRelay()
        let state = try fleet.fleet.freshStateDir(#function)
        let run = try fleet.respond(state: state, relay: relay)
        XCTAssertEqual(run.status, 0, "\(run)")
        let messages = try relay.messages()
        let notified = try Self.senderNotified()
        let expectedLines = String(decoding: try XCTUnwrap(SSHTestFleet.expectedFiles()["web1"]), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        let expectedFates = try expectedLines.map { line -> String in
            let from = try XCTUnwrap(line.range(of: " from=")), to = try XCTUnwrap(line.range(of: " to="))
            let key = "\(line[from.upperBound..<to.lowerBound]) \(line[to.upperBound...])"
            let told = try XCTUnwrap(notified[key], "no ground truth for \(key)")
            return told ? "    -> Absender hat eine Fehlermeldung erhalten" : "    -> Absender wurde nicht benachrichtigt"
        }
        XCTAssertEqual(expectedFates.filter { $0.contains("Fehlermeldung erhalten") }.count, 20, "ground truth: bounced to the sender")
        XCTAssertEqual(expectedFates.filter { $0.contains("nicht benachrichtigt") }.count, 16, "ground truth: nobody told")

        for host in 1...fleet.fleet.hosts {
            let message = try XCTUnwrap(messages.first { $0.to == "web1@host\(host)" }, "no mail to web1@host\(host)")
            let body = try XCTUnwrap(message.body)
            let got = Self.entriesWithFates(body)
            XCTAssertEqual(got.map(\.entry), expectedLines.map(NotifyFleet.rendered), "host\(host): entries")
            XCTAssertEqual(got.map(\.fate), expectedFates, "host\(host): each entry's fate")
            XCTAssertTrue(body.contains("Bei 20 der E-Mails hat der Absender eine Fehlermeldung erhalten"), body)
            XCTAssertTrue(body.contains("Bei 16 der E-Mails hat der Absender keine Fehlermeldung"), body)
            XCTAssertFalse(body.contains("steht noch nicht fest"), "every bounce of the corpus finished: \(body)")
            XCTAssertFalse(body.contains("ohne dass der Absender eine Fehlermeldung erhalten hat"), "the old claim")
        }
        // The account file keeps the seed's format: exactly the expected lines.
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: fleet.fleet.accountFile(1, "web1"))),
                       try SSHTestFleet.expectedFiles()["web1"])
    }
}
