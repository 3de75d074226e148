@testable import QmailLog
import XCTest

/// The stamp parser decodes a TAI64N stamp's seconds once per run of lines with the same
/// seconds digits; each line's time must still be what decoding it alone gives.
final class StampCacheTests: XCTestCase {
    /// Lines of one second, then the next, with valid and invalid nanoseconds, upper- and
    /// lower-case digits and broken seconds digits, parsed in sequence by one parser.
    func testEveryLineDecodesAsOnItsOwn() {
        let seconds = ["400000006b0bb3c6", "400000006B0BB3C6", "400000006b0bb3c7", "400000006b0bb3cg",
                       "3fffffff6b0bb3c6", "400000006b0bb3c6"]
        let nanos = ["261c5edc", "00000000", "3b9ac9ff", "3b9aca00", "ffffffff", "261c5edZ", "261C5EDC"]
        var parser = StampParser(logTimeZone: TimeZone(identifier: "UTC")!)
        var seed: UInt64 = 5
        var decoded = 0
        for _ in 0..<5_000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            // Mostly the same seconds as the line before, as in a real log.
            let s = seconds[Int(seed >> 60) < 12 ? 0 : Int(seed >> 33) % seconds.count]
            let n = nanos[Int(seed >> 40) % nanos.count]
            let line = Array("@\(s)\(n) status: local 0/10 remote 0/20".utf8)
            let expected = TAI64N.nanos(hex: s + n)
            let got = line.withUnsafeBufferPointer { parser.parse($0) }
            XCTAssertEqual(got?.0, expected, s + n)
            if let got {
                XCTAssertEqual(got.1, 26)
                decoded += 1
            }
        }
        XCTAssertGreaterThan(decoded, 1_000)
    }
}

/// The per-line eviction test compares a time with a precomputed start instead of dividing;
/// it must never skip a line the full test would pick, and pick the same lines from 1970 on.
final class EvictionCheckTests: XCTestCase {
    func testStartIsExactFrom1970AndALowerBoundBefore() {
        let e: LogNanos = 150
        func due(_ time: LogNanos, after last: LogNanos) -> Bool {
            time / 1_000_000_000 - last / 1_000_000_000 > e || time < last
        }
        var seed: UInt64 = 11
        func random(_ range: ClosedRange<LogNanos>) -> LogNanos {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return range.lowerBound + LogNanos(seed >> 2) % (range.upperBound - range.lowerBound + 1)
        }
        let lasts: [LogNanos] = [0, 1, 999_999_999, 1_000_000_000, 1_795_929_323_260_254_500, -1, -1_500_000_000,
                                 TAI64N.maxSeconds * 1_000_000_000 - 1]
        for last in lasts {
            let start = Analyzer.evictionCheckStart(after: last, seconds: e)
            var probes: [LogNanos] = [start, start - 1, start + 1, last, last - 1, last + 1]
            for _ in 0..<2_000 { probes.append(last &+ random(-400_000_000_000...400_000_000_000)) }
            for time in probes where time > -TAI64N.maxSeconds * 1_000_000_000 {
                if due(time, after: last) {
                    XCTAssertTrue(time >= start || time < last, "last \(last) time \(time)")
                }
                if last >= 0 && time >= last {
                    XCTAssertEqual(due(time, after: last), time >= start, "last \(last) time \(time)")
                }
            }
        }
        XCTAssertEqual(Analyzer.evictionCheckStart(after: .min, seconds: e), .min)
    }
}
