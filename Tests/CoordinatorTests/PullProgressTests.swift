import XCTest
@testable import Coordinator

/// The live line of a pull: bytes, rate since the pull began, and time left at that rate.
final class PullProgressTests: XCTestCase {
    func testLineShowsBytesRateAndTimeLeftAtMostFourTimesASecond() {
        var progress = PullProgress(total: 304_600_000)
        XCTAssertNil(progress.line(bytes: 0, nanos: 1_000_000_000), "the first report starts the clock")
        XCTAssertNil(progress.line(bytes: 1_000_000, nanos: 1_100_000_000), "within 250 ms of the last line")
        // 12.5 MB in 1 s: 12.5 MB/s, 292.1 MB left = 23.4 s, said as 24 s.
        XCTAssertEqual(progress.line(bytes: 12_500_000, nanos: 2_000_000_000), "12.5/304.6 MB, 12.5 MB/s, 24 s left")
        XCTAssertNil(progress.line(bytes: 13_000_000, nanos: 2_200_000_000))
        XCTAssertEqual(progress.line(bytes: 304_600_000, nanos: 25_000_000_000), "304.6/304.6 MB, 12.7 MB/s")
    }

    func testAResumedPullCountsOnlyTheBytesItMoves() {
        var progress = PullProgress(total: 200_000_000)
        _ = progress.line(bytes: 100_000_000, nanos: 0)  // half was there from the killed run
        XCTAssertEqual(progress.line(bytes: 110_000_000, nanos: 1_000_000_000), "110.0/200.0 MB, 10.0 MB/s, 9 s left")
        XCTAssertEqual(progress.line(bytes: 110_000_000, nanos: 1_300_000_000), "110.0/200.0 MB, 7.7 MB/s, 12 s left")
    }

    func testDurationsReadAsSecondsMinutesOrHours() {
        XCTAssertEqual(PullProgress.duration(0.2), "1 s")
        XCTAssertEqual(PullProgress.duration(59), "59 s")
        XCTAssertEqual(PullProgress.duration(185), "3 min 05 s")
        XCTAssertEqual(PullProgress.duration(7_620), "2 h 07 min")
    }
}
