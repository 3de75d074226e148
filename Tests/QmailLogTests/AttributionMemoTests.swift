import Foundation
@testable import QmailLog
import XCTest

/// The memo of loss attributions gives every loss the list the rules give it, also after
/// its tables were emptied (more distinct addresses than ``AttributionMemo/limit``) and for
/// messages that carry forward attributions (which bypass the memo).
final class AttributionMemoTests: XCTestCase {
    let accounts = AccountMap(
        virtualdomains: .init(name: "virtualdomains", contents: "alice-example.de:web1\nbobs-shop.de:web2\n"),
        locals: .init(name: "locals", contents: "localhost\n"),
        assign: .init(name: "assign", contents: "+web1-:web1:1003:1005:/home/web1:-::\n+web2-:web2:1004:1006:/home/web2:-::\n.\n"),
        passwd: .init(name: "passwd", contents: "web1:x:1003:1005::/home/web1:/bin/sh\nweb2:x:1004:1006::/home/web2:/bin/sh\nqmaild:x:995:1003::/var/qmail:/usr/sbin/nologin\n"))

    func testEveryLossGetsTheListTheRulesGive() {
        let senders = ["a@alice-example.de", "b@bobs-shop.de", "c@outside.org", ""]
        let uids = [1003, 1004, 995]
        var log = LogBuilder()
        var expected: [[Attribution]] = []
        let count = AttributionMemo.limit + 1500
        for i in 0..<count {
            let id = 1000 + i
            // Distinct recipients (the address tables fill up and are emptied), repeating senders and uids.
            let sender = senders[i % senders.count]
            let uid = uids[(i / 4) % uids.count]
            let remote = i % 5 != 0
            let recipient = remote ? "r\(i)@\(i % 3 == 0 ? "bobs-shop.de" : "ext\(i % 7).de")" : "web1-u\(i)@alice-example.de"
            log.add("new msg \(id)", advance: 0)
            log.add("info msg \(id): bytes 10 from <\(sender)> qp \(i % 30000 + 1) uid \(uid)", advance: 0)
            log.add("starting delivery \(i % 50 + 1): msg \(id) to \(remote ? "remote" : "local") \(recipient)", advance: 0)
            log.add("delivery \(i % 50 + 1): failure: Unable_to_run_qmail-remote./", advance: 0)
            log.add("end msg \(id)", advance: 0)
            guard !sender.isEmpty else { expected.append([]); continue }  // a bounce: not attributed
            var list: [Attribution] = []
            if let a = Attributor.sender(sender, accounts: accounts) { list.append(a) }
            if let owner = accounts.account(forUID: uid) {
                list.addUnique(Attribution(account: owner, reason: .injectingUID(uid)))
            }
            if let a = Attributor.recipient(recipient, remote: remote, accounts: accounts) { list.addUnique(a) }
            expected.append(list)
        }
        let settings = AnalysisSettings(from: Corpus.isoDate("2026-11-29T05:00:00Z"),
                                        until: Corpus.isoDate("2026-11-29T06:00:00Z"),
                                        timeZone: TimeZone(identifier: "UTC")!)
        var analyzer = Analyzer(settings: settings, accounts: accounts)
        analyzer.feed(lines: log.lines)
        let result = analyzer.finish()
        XCTAssertEqual(result.lost.count, count)
        for (i, loss) in result.lost.enumerated() where loss.attributions != expected[i] {
            XCTFail("loss \(i): \(loss.attributions) instead of \(expected[i])")
            break
        }
    }

    /// Reports and senders compared with the last one interned still come out as logged when
    /// they alternate.
    func testAlternatingReportsAndSendersKeepTheirTexts() {
        var log = LogBuilder()
        let reports = ["Unable_to_run_qmail-remote./", "Unable_to_run_qmail-remote_(x)./", "Unable_to_run_qmail-remote./"]
        let senders = ["a@alice-example.de", "a@alice-example.de", "b@bobs-shop.de", "", "a@alice-example.de"]
        var expected: [(String?, String)] = []
        for i in 0..<30 {
            let sender = senders[i % senders.count], report = reports[i % reports.count]
            log.add("new msg \(i + 1)", advance: 0)
            log.add("info msg \(i + 1): bytes 10 from <\(sender)> qp \(i + 100) uid 995", advance: 0)
            log.add("starting delivery 1: msg \(i + 1) to remote x\(i % 4)@ext.de", advance: 0)
            log.add("delivery 1: failure: \(report)", advance: 0)
            log.add("end msg \(i + 1)")
            expected.append((sender, report))
        }
        var analyzer = Analyzer(settings: AnalysisSettings(from: Corpus.isoDate("2026-11-29T05:00:00Z"),
                                                           until: Corpus.isoDate("2026-11-29T06:00:00Z"),
                                                           timeZone: TimeZone(identifier: "UTC")!),
                                accounts: accounts)
        analyzer.feed(lines: log.lines)
        let lost = analyzer.finish().lost
        XCTAssertEqual(lost.count, expected.count)
        for (i, loss) in lost.enumerated() {
            XCTAssertEqual(loss.sender, expected[i].0, "loss \(i)")
            XCTAssertEqual(loss.report, expected[i].1, "loss \(i)")
            XCTAssertEqual(loss.recipient, "x\(i % 4)@ext.de")
        }
    }
}
