import Foundation
import QmailLog
import XCTest

/// The incident corpus: per-account lines equal `expected/<account>/lost-mails.log`.
final class CorpusEqualityTests: XCTestCase {
    func analyzeCorpus() throws -> HostAnalysis {
        try Corpus.skipIfMissing()
        let host = Corpus.url("host")
        var analyzer = Analyzer(settings: Corpus.incidentSettings(), accounts: try Corpus.accounts(host: host))
        try analyzer.feed(logDirectory: host.appendingPathComponent("var/log/qmail/send"))
        return analyzer.finish()
    }

    func testLinesEqualExpectedFilesByteForByte() throws {
        let result = try analyzeCorpus()
        let expectedDir = Corpus.url("expected")
        let accounts = try FileManager.default.contentsOfDirectory(atPath: expectedDir.path).sorted()
        XCTAssertEqual(accounts, ["web1", "web2", "web3", "web4"])
        var total = 0
        for account in accounts {
            let expected = try Data(contentsOf: expectedDir.appendingPathComponent("\(account)/lost-mails.log"))
            let produced = result.lostMailLines(for: account).map { $0 + "\n" }.joined()
            XCTAssertEqual(produced, String(decoding: expected, as: UTF8.self), "lines of \(account)")
            XCTAssertEqual(Data(produced.utf8), expected, "bytes of \(account)")
            total += result.lostMailLines(for: account).count
        }
        XCTAssertEqual(total, 110)
        for account in accounts {
            XCTAssertEqual(result.lostDeliveries(for: account).count, result.lostMailLines(for: account).count)
        }
        // web1: 16 forwards of outside mail to alice.mueller@gmail.com, nobody told (README).
        XCTAssertEqual(result.lostDeliveries(for: "web1").filter {
            $0.recipient == "alice.mueller@gmail.com" && $0.fate == .discarded }.count, 16)
        XCTAssertEqual(Set(result.linesByAccount.keys), Set(accounts), "no other account gets lines")
    }

    func testCountsMatchTheCorpusReadme() throws {
        let r = try analyzeCorpus()
        XCTAssertEqual(r.counts.linesRead, 7119)
        XCTAssertEqual(r.counts.linesSkipped, 0)
        XCTAssertEqual(r.issueCount, 0)
        XCTAssertEqual(r.counts.messagesStarted, 883)
        XCTAssertEqual(r.counts.messagesFinished, 881)
        XCTAssertEqual(r.counts.deliveriesStarted, 1061)
        XCTAssertEqual(r.counts.successes, 778)
        XCTAssertEqual(r.counts.failures, 227)
        XCTAssertEqual(r.counts.deferrals, 56)
        XCTAssertEqual(r.counts.bounces, 184)
        XCTAssertEqual(r.counts.tripleBounces, 38)
        XCTAssertEqual(r.counts.restarts, 3)
        XCTAssertEqual(r.counts.signatureMatches, 186)
        XCTAssertEqual(r.counts.lostInWindow, 186)
        XCTAssertEqual(r.counts.unmatchedResults, 0)
        XCTAssertEqual(r.openMessages, 2, "the two messages to voll@gmx.net stay queued")
    }

    func testForwardsAreTracedAndFatesFollowTheBounceChain() throws {
        let r = try analyzeCorpus()
        let mail = r.lost.filter { $0.kind == .mail }
        XCTAssertTrue(r.unattributed.isEmpty, "every lost mail is attributed: \(r.unattributed.map(\.reason))")
        // Forwards from outside senders through an account to outside addresses.
        let forwarded = mail.filter { l in l.attributions.contains { if case .forward = $0.reason { true } else { false } } }
        let external = forwarded.filter { l in !l.attributions.contains { if case .senderDomain = $0.reason { true } else { false } } }
        XCTAssertEqual(external.count, 40)
        for l in external {
            guard let f = l.attributions.first(where: { if case .forward = $0.reason { true } else { false } }),
                  case let .forward(_, qp, uid) = f.reason else { continue }
            XCTAssertEqual(qp, l.qp, "forward traced through the copy's qp")
            XCTAssertEqual(uid, l.uid, "copy's uid recorded")
        }
        // The README's example: msg 1032761 (qp 29848) forwarded by web1, bounce and double
        // bounce failed, discarded by `triple bounce`.
        let example = try XCTUnwrap(mail.first { $0.messageID == 1032761 && $0.qp == 29848 })
        XCTAssertEqual(example.fate, .discarded)
        XCTAssertEqual(example.attributions.map(\.account).sorted(), ["web1", "web1"])
        // Outside senders' lost mail: nobody was told (38 ground-truth rows, 34 of them here:
        // the other 4 are unknown-user mail whose own failure is no signature match).
        let discardedMail = mail.filter { $0.fate == .discarded }
        XCTAssertEqual(Set(discardedMail.map { "\($0.qp)/\($0.recipient)" }).count, discardedMail.count)
        XCTAssertEqual(discardedMail.count, 34)
        // Local senders got their bounce; so did the 6 outside senders to team@dave-consulting.de,
        // whose bounce left only after the fix (README, ground truth).
        let bounced = mail.filter { $0.fate == .bounceDelivered }
        let outsideBounced = bounced.filter { l in !l.attributions.contains { if case .senderDomain = $0.reason { true } else { false } } }
        XCTAssertEqual(outsideBounced.count, 6)
        XCTAssertTrue(outsideBounced.allSatisfy { $0.recipient == "d.krause@t-online.de" && $0.attributions.map(\.account).contains("web4") })
        XCTAssertEqual(bounced.count + discardedMail.count, mail.count, "every lost mail's bounce chain is resolved")
        XCTAssertEqual(mail.count + r.lost.filter { $0.kind != .mail }.count, 186)
        let bounceLosses = r.lost.filter { $0.kind == .doubleBounce }
        XCTAssertTrue(bounceLosses.allSatisfy { $0.fate == .discarded }, "every failed double bounce was discarded")
    }
}
