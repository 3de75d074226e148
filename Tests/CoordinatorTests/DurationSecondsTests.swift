import Coordinator
import Foundation
import XCTest

final class DurationSecondsTests: XCTestCase {
    func testDurationsBecomeSecondsWithTheirFractions() {
        XCTAssertEqual(Duration.seconds(2).timeInterval, 2)
        XCTAssertEqual(Duration.milliseconds(1500).timeInterval, 1.5)
        XCTAssertEqual(Duration.nanoseconds(250).timeInterval, 250e-9, accuracy: 1e-15)
        XCTAssertEqual(Duration.milliseconds(-500).timeInterval, -0.5)
        XCTAssertEqual(Duration.zero.timeInterval, 0)
    }

    func testAnEndlessDeadlineStaysEndlessForDispatch() {
        // The fan-out adds the deadline to DispatchTime, which clamps: no overflow, no trap.
        let huge = Duration.seconds(Int64.max).timeInterval
        XCTAssertGreaterThan(huge, 9e18)
        XCTAssertEqual(DispatchTime.now() + huge, .distantFuture)
    }
}
