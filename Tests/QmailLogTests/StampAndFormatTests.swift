import Foundation
import QmailLog
import XCTest

/// Stamp forms and the ctime output format.
final class StampAndFormatTests: XCTestCase {
    let texts = [
        "new msg 7",
        "info msg 7: bytes 10 from <x@outside.org> qp 70 uid 995",
        "starting delivery 1: msg 7 to remote y@ext.de",
        "delivery 1: failure: Unable_to_run_qmail-remote./",
    ]
    let base = Int64(Corpus.isoDate("2026-11-29T05:14:06Z").timeIntervalSince1970)

    func analyze(_ lines: [String], logTimeZone: TimeZone = TimeZone(identifier: "UTC")!) -> HostAnalysis {
        let s = AnalysisSettings(from: Corpus.isoDate("2026-11-29T05:00:00Z"), until: Corpus.isoDate("2026-11-29T06:00:00Z"),
                                 timeZone: TimeZone(identifier: "Europe/Berlin")!, logTimeZone: logTimeZone)
        var a = Analyzer(settings: s, accounts: AccountMap())
        a.feed(lines: lines)
        return a.finish()
    }

    func testThreeStampFormsGiveTheSameTimes() throws {
        let tai = texts.enumerated().map { LogBuilder.tai64n(unix: base, nanos: Int64($0.offset) * 1000 + 663_000_000) + " " + $0.element }
        let frac = texts.enumerated().map { "\(base).\(String(format: "%06d", $0.offset + 663_000)) \($0.element)" }
        // tai64nlocal output in Europe/Berlin (UTC+1 in November), 9 fraction digits.
        let local = texts.enumerated().map { "2026-11-29 06:14:06.663\(String(format: "%06d", $0.offset * 1000)) \($0.element)" }
        let a = analyze(tai), b = analyze(frac), c = analyze(local, logTimeZone: TimeZone(identifier: "Europe/Berlin")!)
        for r in [a, b, c] {
            XCTAssertEqual(r.counts.linesSkipped, 0)
            XCTAssertEqual(r.lost.count, 1)
        }
        XCTAssertEqual(a.lost[0].time, base * 1_000_000_000 + 663_003_000)
        XCTAssertEqual(b.lost[0].time, a.lost[0].time)
        XCTAssertEqual(c.lost[0].time, a.lost[0].time)
        let line = LostMailFormatter(timeZone: TimeZone(identifier: "Europe/Berlin")!).line(a.lost[0])
        XCTAssertEqual(line, "Sun Nov 29 06:14:06 2026 from=x@outside.org to=y@ext.de")
    }

    func testTai64nLocalAcrossDaylightSavingChange() {
        // 2026-03-29 03:30 CEST = 01:30 UTC (Berlin switched at 01:00 UTC).
        let r = analyze(texts.map { "2026-03-29 03:30:00.000000000 \($0)" }, logTimeZone: TimeZone(identifier: "Europe/Berlin")!)
        XCTAssertEqual(r.counts.linesSkipped, 0)
        XCTAssertEqual(r.counts.failures, 1)
        // Outside the analysis window, so no loss, but the signature was seen.
        XCTAssertEqual(r.counts.signatureMatches, 1)
        XCTAssertTrue(r.lost.isEmpty)
    }

    func testCTimeMatchesCFormatForManyTimes() {
        let zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "EEE MMM d HH:mm:ss yyyy"
        var seed: UInt64 = 42
        for zone in zones {
            let tz = TimeZone(identifier: zone)!
            f.timeZone = tz
            let ours = CTimeFormatter(timeZone: tz)
            for _ in 0..<300 {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                let t = Int64(seed >> 33) % 4_102_444_800  // 1970 ... 2100
                var expected = f.string(from: Date(timeIntervalSince1970: Double(t)))
                // C's %e pads the day with a space.
                let parts = expected.split(separator: " ")
                if parts[2].count == 1 { expected = "\(parts[0]) \(parts[1])  \(parts[2]) \(parts[3]) \(parts[4])" }
                XCTAssertEqual(ours.string(unixSeconds: t), expected, "t=\(t) zone=\(zone)")
            }
        }
        XCTAssertEqual(CTimeFormatter(timeZone: TimeZone(identifier: "UTC")!).string(unixSeconds: 0), "Thu Jan  1 00:00:00 1970")
        XCTAssertEqual(CTimeFormatter(timeZone: TimeZone(identifier: "UTC")!).string(1_795_929_246_999_999_999),
                       "Sun Nov 29 05:14:06 2026", "truncated, not rounded")
    }

    func testSortedByTimeThenLogOrderAndDuplicatesKept() {
        var log = LogBuilder()
        for (n, to) in ["b@ext.de", "a@ext.de", "b@ext.de"].enumerated() {
            log.add("new msg \(10 + n)", advance: 0)
            log.add("info msg \(10 + n): bytes 1 from <alice@alice-example.de> qp \(n) uid 1003", advance: 0)
            log.add("starting delivery \(n + 1): msg \(10 + n) to remote \(to)", advance: 0)
        }
        log.add("delivery 3: failure: Unable_to_run_qmail-remote./", advance: 0)
        log.add("delivery 1: failure: Unable_to_run_qmail-remote./", advance: 1)
        log.add("delivery 2: failure: Unable_to_run_qmail-remote./", advance: 0)
        let map = AccountMap(virtualdomains: .init(name: "vd", contents: "alice-example.de:web1\n"), locals: nil,
                             assign: .init(name: "assign", contents: "+web1-:web1:1003:1005:/home/web1:-::\n.\n"), passwd: nil)
        let s = AnalysisSettings(from: Corpus.isoDate("2026-11-29T05:00:00Z"), until: Corpus.isoDate("2026-11-29T06:00:00Z"),
                                 timeZone: TimeZone(identifier: "UTC")!)
        var a = Analyzer(settings: s, accounts: map)
        a.feed(lines: log.lines)
        XCTAssertEqual(a.finish().lostMailLines(for: "web1"), [
            "Sun Nov 29 05:14:00 2026 from=alice@alice-example.de to=b@ext.de",
            "Sun Nov 29 05:14:00 2026 from=alice@alice-example.de to=b@ext.de",
            "Sun Nov 29 05:14:01 2026 from=alice@alice-example.de to=a@ext.de",
        ])
    }
}
