import Foundation
import QmailLog
import XCTest

/// Inode reuse, qmail-send restarts and chunked analysis.
final class ReconstructionTests: XCTestCase {
    let accounts = AccountMap(
        virtualdomains: .init(name: "virtualdomains", contents: "alice-example.de:web1\nbobs-shop.de:web2\n"),
        locals: .init(name: "locals", contents: "localhost\n"),
        assign: .init(name: "assign", contents: "+web1-:web1:1003:1005:/home/web1:-::\n+web2-:web2:1004:1006:/home/web2:-::\n.\n"),
        passwd: .init(name: "passwd", contents: "web1:x:1003:1005::/home/web1:/bin/sh\nweb2:x:1004:1006::/home/web2:/bin/sh\nqmaild:x:995:1003::/var/qmail:/usr/sbin/nologin\n"))

    func settings() -> AnalysisSettings {
        AnalysisSettings(from: Corpus.isoDate("2026-11-29T05:00:00Z"), until: Corpus.isoDate("2026-11-29T06:00:00Z"),
                         timeZone: TimeZone(identifier: "UTC")!)
    }

    func run(_ lines: [String]) -> HostAnalysis {
        var a = Analyzer(settings: settings(), accounts: accounts)
        a.feed(lines: lines)
        return a.finish()
    }

    func testInodeReuseDropsTheStaleMessage() {
        var log = LogBuilder()
        log.add("new msg 100")
        log.add("info msg 100: bytes 10 from <a@alice-example.de> qp 1 uid 1003")
        // The end of message 100 is missing; inode 100 comes back for a new message.
        log.add("new msg 100")
        log.add("info msg 100: bytes 20 from <someone@outside.org> qp 2 uid 995")
        log.add("starting delivery 2: msg 100 to remote z@ext.de")
        log.add("delivery 2: failure: Unable_to_run_qmail-remote./")
        log.add("end msg 100")
        let r = run(log.lines)
        XCTAssertEqual(r.counts.staleMessagesDropped, 1)
        XCTAssertEqual(r.lost.count, 1)
        XCTAssertEqual(r.lost.first?.sender, "someone@outside.org")
        XCTAssertEqual(r.lost.first?.qp, 2)
        XCTAssertTrue(r.linesByAccount.isEmpty, "not web1's: the web1 message was a stale one")
        XCTAssertEqual(r.unattributed.count, 1)
        XCTAssertEqual(r.openMessages, 0)
    }

    /// matchup would join `delivery 5` after the restart to the old process's delivery 5
    /// (alice's message); here the old delivery died with qmail-send.
    func testRestartForgetsOpenDeliveries() {
        var log = LogBuilder()
        log.add("new msg 200")
        log.add("info msg 200: bytes 10 from <alice@alice-example.de> qp 10 uid 1003")
        log.add("starting delivery 5: msg 200 to remote x@ext.de")
        log.add("status: local 0/10 remote 1/20")
        log.add("status: exiting")
        log.add("status: local 0/10 remote 0/20")
        log.add("new msg 201")
        log.add("info msg 201: bytes 10 from <bob@bobs-shop.de> qp 11 uid 1004")
        log.add("delivery 5: failure: Unable_to_run_qmail-remote./")
        log.add("starting delivery 1: msg 200 to remote x@ext.de")
        log.add("delivery 1: failure: Unable_to_run_qmail-remote./")
        let r = run(log.lines)
        XCTAssertEqual(r.counts.restarts, 1)
        XCTAssertEqual(r.counts.abandonedDeliveries, 1)
        XCTAssertEqual(r.counts.unmatchedResults, 1)
        XCTAssertEqual(r.issueCount, 1, "the orphan signature match is reported")
        XCTAssertEqual(r.lost.map(\.deliveryNumber), [1])
        XCTAssertEqual(r.lostMailLines(for: "web1"), ["Sun Nov 29 05:14:10 2026 from=alice@alice-example.de to=x@ext.de"])
        XCTAssertEqual(r.lostMailLines(for: "web2"), [])
    }

    func testFreshZeroStatusWithoutExitingAlsoEndsOpenDeliveries() {
        var log = LogBuilder()
        log.add("new msg 300")
        log.add("info msg 300: bytes 10 from <alice@alice-example.de> qp 10 uid 1003")
        log.add("starting delivery 7: msg 300 to remote x@ext.de")
        log.add("status: local 0/10 remote 0/20")
        log.add("delivery 7: failure: Unable_to_run_qmail-remote./")
        let r = run(log.lines)
        XCTAssertEqual(r.counts.abandonedDeliveries, 1)
        XCTAssertEqual(r.counts.unmatchedResults, 1)
        XCTAssertTrue(r.lost.isEmpty)
    }

    func testForwardTracedWhenCopyInfoComesAfterTheSuccessLine() {
        var log = LogBuilder()
        log.add("new msg 400")
        log.add("info msg 400: bytes 10 from <x@outside.org> qp 40 uid 995")
        log.add("starting delivery 1: msg 400 to local web2-orders@bobs-shop.de")
        log.add("delivery 1: success: did_0+1+0/qp_41/")
        log.add("new msg 401")
        log.add("info msg 401: bytes 10 from <x@outside.org> qp 41 uid 1004")
        log.add("starting delivery 2: msg 401 to remote lager@partner.de")
        log.add("delivery 2: failure: Unable_to_run_qmail-remote./")
        log.add("bounce msg 401 qp 42")
        log.add("new msg 402")
        log.add("info msg 402: bytes 10 from <> qp 42 uid 990")
        log.add("starting delivery 3: msg 402 to remote x@outside.org")
        log.add("delivery 3: failure: Unable_to_run_qmail-remote./")
        log.add("bounce msg 402 qp 43")
        log.add("new msg 403")
        log.add("info msg 403: bytes 10 from <#@[]> qp 43 uid 990")
        log.add("starting delivery 4: msg 403 to remote postmaster@noc.example")
        log.add("delivery 4: failure: Unable_to_run_qmail-remote./")
        log.add("triple bounce: discarding bounce/403")
        let r = run(log.lines)
        XCTAssertEqual(r.lost.count, 3)
        let mail = r.lost[0]
        XCTAssertEqual(mail.kind, .mail)
        XCTAssertEqual(mail.fate, .discarded)
        XCTAssertTrue(mail.attributions.contains(Attribution(account: "web2",
            reason: .forward(recipient: "web2-orders@bobs-shop.de", qp: 41, uid: 1004))))
        XCTAssertEqual(r.lost[1].kind, .bounce)
        XCTAssertEqual(r.lost[1].fate, .discarded)
        XCTAssertEqual(r.lost[2].kind, .doubleBounce)
        XCTAssertEqual(r.lostMailLines(for: "web2").count, 1, "bounces are not listed")
    }

    func testBounceDeliveredToSender() {
        var log = LogBuilder()
        log.add("new msg 500")
        log.add("info msg 500: bytes 10 from <bob@bobs-shop.de> qp 50 uid 1004")
        log.add("starting delivery 1: msg 500 to remote y@ext.de")
        log.add("delivery 1: failure: Unable_to_run_qmail-remote./")
        log.add("bounce msg 500 qp 51")
        log.add("end msg 500")
        log.add("new msg 501")
        log.add("info msg 501: bytes 10 from <> qp 51 uid 990")
        log.add("starting delivery 2: msg 501 to local web2-bob@bobs-shop.de")
        log.add("delivery 2: success: did_1+0+0/")
        log.add("end msg 501")
        let r = run(log.lines)
        XCTAssertEqual(r.lost.map(\.fate), [.bounceDelivered])
        XCTAssertEqual(r.openMessages, 0)
    }

    func testDeliveryBelongsToEveryAccountInvolved() {
        var log = LogBuilder()
        log.add("new msg 600")
        // Sent by web1's domain, injected under web2's uid, to a web2 domain handled remotely.
        log.add("info msg 600: bytes 10 from <Alice@Alice-Example.DE> qp 60 uid 1004")
        log.add("starting delivery 1: msg 600 to remote someone@bobs-shop.de")
        log.add("delivery 1: failure: Unable_to_run_qmail-remote./")
        let r = run(log.lines)
        XCTAssertEqual(Set(r.lost[0].attributions), [
            Attribution(account: "web1", reason: .senderDomain("alice-example.de")),
            Attribution(account: "web2", reason: .injectingUID(1004)),
            Attribution(account: "web2", reason: .recipientDomain("bobs-shop.de")),
        ])
        let line = "Sun Nov 29 05:14:03 2026 from=Alice@Alice-Example.DE to=someone@bobs-shop.de"
        XCTAssertEqual(r.lostMailLines(for: "web1"), [line], "addresses printed as logged")
        XCTAssertEqual(r.lostMailLines(for: "web2"), [line], "listed once per account")
    }

    func testChunkedAnalysisEqualsOnePass() throws {
        try Corpus.skipIfMissing()
        let host = Corpus.url("host")
        let map = try Corpus.accounts(host: host)
        let files = try Corpus.logFiles(in: host.appendingPathComponent("var/log/qmail/send"))
        var whole = Analyzer(settings: Corpus.incidentSettings(), accounts: map)
        for f in files { whole.feed(try Data(contentsOf: f), file: f.lastPathComponent) }
        let one = whole.finish()

        // A chunk per file, state passed on through JSON, plus one split in mid-file.
        var state: PendingState?
        for (i, f) in files.enumerated() {
            let data = try Data(contentsOf: f)
            var parts: [(Data, Int)] = [(data, 1)]
            if i == 2, let nl = data[(data.startIndex + data.count / 2)...].firstIndex(of: 10) {
                let head = Data(data[..<(nl + 1)])
                parts = [(head, 1), (Data(data[(nl + 1)...]), head.filter { $0 == 10 }.count + 1)]
            }
            for (part, first) in parts {
                var a = state.map { Analyzer(settings: Corpus.incidentSettings(), accounts: map, resuming: $0) }
                    ?? Analyzer(settings: Corpus.incidentSettings(), accounts: map)
                a.feed(part, file: f.lastPathComponent, firstLine: first)
                let json = try JSONEncoder().encode(a.exportState())
                state = try JSONDecoder().decode(PendingState.self, from: json)
            }
        }
        let chunked = Analyzer(settings: Corpus.incidentSettings(), accounts: map, resuming: try XCTUnwrap(state)).finish()
        XCTAssertEqual(chunked.counts, one.counts)
        XCTAssertEqual(chunked.linesByAccount, one.linesByAccount)
        XCTAssertEqual(chunked.lost.map(\.fate), one.lost.map(\.fate))
        XCTAssertEqual(chunked.lost.map(\.line), one.lost.map(\.line))
        XCTAssertEqual(chunked.openMessages, 2)
        XCTAssertEqual(chunked.linesByAccount.values.map(\.count).reduce(0, +), 110)
    }
}
