import Foundation
@testable import QmailLog
import XCTest

/// State grows with the messages in flight, not with the log: finished messages are gone
/// and qp joins are evicted after the join window of log time.
final class MemoryBoundTests: XCTestCase {
    func testStateStaysSmallOverHoursOfLog() {
        var settings = AnalysisSettings(from: Corpus.isoDate("2026-11-29T05:00:00Z"),
                                        until: Corpus.isoDate("2026-11-29T06:00:00Z"),
                                        timeZone: TimeZone(identifier: "UTC")!)
        settings.joinWindow = 300
        var a = Analyzer(settings: settings, accounts: AccountMap())
        var log = LogBuilder(start: "2026-11-29T01:00:00Z")
        var peakJoins = 0
        for n in 0..<6_000 {  // one message per second for 100 minutes, qp values never repeat
            let id = 1000 + n % 500
            log.lines.removeAll(keepingCapacity: true)
            log.add("new msg \(id)", advance: 0)
            log.add("info msg \(id): bytes 1 from <x@outside.org> qp \(n) uid 995", advance: 0)
            log.add("starting delivery \(n % 40 + 1): msg \(id) to local web1-shop@alice-example.de", advance: 0)
            log.add("delivery \(n % 40 + 1): success: did_0+1+0/qp_\(n + 1_000_000)/", advance: 0)
            log.add("end msg \(id)", advance: 1)
            a.feed(lines: log.lines)
            if n % 10 == 0 {
                let s = a.exportState()
                peakJoins = max(peakJoins, s.infoByQP.count + s.forwardByQP.count + s.bounceByQP.count)
            }
        }
        let s = a.exportState()
        XCTAssertEqual(s.messages.count, 0)
        XCTAssertEqual(s.deliveries.count, 0)
        // Joins live for the window plus up to one eviction interval (half the window).
        XCTAssertLessThanOrEqual(peakJoins, 2 * (300 + 150) + 10, "joins bounded by the window, not the log")
        XCTAssertEqual(a.finish().counts.messagesFinished, 6_000)
    }
}
