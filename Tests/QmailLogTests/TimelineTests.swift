import Foundation
import QmailLog
import XCTest

/// The analysis timeline: finished deliveries per minute by result and the lost ones, over the
/// window widened by the settings' lead and tail; nothing outside is counted.
final class TimelineTests: XCTestCase {
    let accounts = AccountMap(
        virtualdomains: .init(name: "virtualdomains", contents: "alice-example.de:web1\n"),
        locals: .init(name: "locals", contents: "localhost\n"),
        assign: .init(name: "assign", contents: "+web1-:web1:1003:1005:/home/web1:-::\n.\n"),
        passwd: .init(name: "passwd", contents: "web1:x:1003:1005::/home/web1:/bin/sh\n"))

    /// Window 05:14:00-05:16:00 UTC, 3 minutes of lead, 2 of tail: buckets 05:11 ..< 05:18.
    func settings() -> AnalysisSettings {
        var s = AnalysisSettings(from: Corpus.isoDate("2026-11-29T05:14:00Z"), until: Corpus.isoDate("2026-11-29T05:16:00Z"),
                                 timeZone: TimeZone(identifier: "UTC")!)
        s.timelineLead = 180
        s.timelineTail = 120
        return s
    }

    /// One message with one delivery whose result line is logged at `time`.
    func delivery(_ log: inout LogBuilder, id: Int, at time: String, result: String) {
        log.unix = Int64(Corpus.isoDate(time).timeIntervalSince1970)
        log.add("new msg \(id)", advance: 0)
        log.add("info msg \(id): bytes 10 from <alice@alice-example.de> qp \(id) uid 1003", advance: 0)
        log.add("starting delivery \(id): msg \(id) to remote x\(id)@ext.example", advance: 0)
        log.add("delivery \(id): \(result)", advance: 0)
        log.add("end msg \(id)", advance: 0)
    }

    func testCountsPerMinuteByResultAndLost() throws {
        var log = LogBuilder()
        delivery(&log, id: 1, at: "2026-11-29T05:10:59Z", result: "success: before_the_lead/")  // outside
        delivery(&log, id: 2, at: "2026-11-29T05:11:00Z", result: "success: first_bucket/")
        delivery(&log, id: 3, at: "2026-11-29T05:14:10Z", result: "failure: Unable_to_run_qmail-remote./")
        delivery(&log, id: 4, at: "2026-11-29T05:14:50Z", result: "failure: Unable_to_run_qmail-remote./")
        delivery(&log, id: 5, at: "2026-11-29T05:14:59Z", result: "deferral: Connection_refused/")
        delivery(&log, id: 6, at: "2026-11-29T05:15:30Z", result: "failure: Sorry,_no_mailbox_here/")
        delivery(&log, id: 7, at: "2026-11-29T05:16:10Z", result: "failure: Unable_to_run_qmail-remote./")  // after window: not lost
        delivery(&log, id: 8, at: "2026-11-29T05:17:59Z", result: "success: last_bucket/")
        delivery(&log, id: 9, at: "2026-11-29T05:18:00Z", result: "success: after_the_tail/")  // outside
        var analyzer = Analyzer(settings: settings(), accounts: accounts)
        analyzer.feed(lines: log.lines)
        let analysis = analyzer.finish()
        let t = try XCTUnwrap(analysis.timeline)
        XCTAssertEqual(t.start, Int64(Corpus.isoDate("2026-11-29T05:11:00Z").timeIntervalSince1970))
        XCTAssertEqual(t.bucketSeconds, 60)
        XCTAssertEqual(t.count, 7)
        XCTAssertEqual(t.successes, [1, 0, 0, 0, 0, 0, 1])
        XCTAssertEqual(t.failures, [0, 0, 0, 2, 1, 1, 0])
        XCTAssertEqual(t.deferrals, [0, 0, 0, 1, 0, 0, 0])
        XCTAssertEqual(t.lost, [0, 0, 0, 2, 0, 0, 0])
        XCTAssertEqual(t.lost.reduce(0, +), analysis.counts.lostInWindow)
        XCTAssertEqual(analysis.counts.successes, 4, "the analysis counts every line; the timeline only its span")
    }

    /// The corpus: every finished delivery near the window is in the timeline, and the lost
    /// per minute add up to the analysis' losses.
    func testCorpusTimelineAddsUpToTheCounts() throws {
        try Corpus.skipIfMissing()
        let host = Corpus.url("host")
        var analyzer = Analyzer(settings: Corpus.incidentSettings(), accounts: try Corpus.accounts(host: host))
        try analyzer.feed(logDirectory: host.appendingPathComponent("var/log/qmail/send"))
        let analysis = analyzer.finish()
        let t = try XCTUnwrap(analysis.timeline)
        XCTAssertLessThanOrEqual(t.count, Timeline.maxBuckets)
        XCTAssertEqual(t.lost.reduce(0, +), analysis.counts.lostInWindow)
        XCTAssertGreaterThan(analysis.counts.lostInWindow, 0)
        // The corpus covers less than the 12 h lead + window + 2 h tail: every result is in it.
        XCTAssertEqual(t.successes.reduce(0, +), analysis.counts.successes)
        XCTAssertEqual(t.failures.reduce(0, +), analysis.counts.failures)
        XCTAssertEqual(t.deferrals.reduce(0, +), analysis.counts.deferrals)
    }

    /// A long window gets wider buckets, never more than `maxBuckets`; it survives JSON.
    func testLongSpansGetWiderBucketsAndRoundTrip() throws {
        let from = Int64(Corpus.isoDate("2026-11-01T00:00:00Z").timeIntervalSince1970)
        let t = try XCTUnwrap(Timeline(from: from, until: from + 30 * 86_400, lead: 12 * 3600, tail: 2 * 3600))
        XCTAssertLessThanOrEqual(t.count, Timeline.maxBuckets)
        XCTAssertEqual(t.bucketSeconds % 60, 0)
        XCTAssertGreaterThan(t.bucketSeconds, 60)
        XCTAssertLessThanOrEqual(t.start, from - 12 * 3600)
        XCTAssertGreaterThanOrEqual(t.bucketStart(t.count), from + 30 * 86_400 + 2 * 3600)
        let decoded = try JSONDecoder().decode(Timeline.self, from: JSONEncoder().encode(t))
        XCTAssertEqual(decoded, t)
        XCTAssertNil(Timeline(from: from, until: from, lead: 0, tail: 0), "an empty window has no timeline")
        let bad = Data(#"{"start":0,"bucketSeconds":0,"successes":[],"failures":[],"deferrals":[],"lost":[]}"#.utf8)
        XCTAssertThrowsError(try JSONDecoder().decode(Timeline.self, from: bad))
    }
}
