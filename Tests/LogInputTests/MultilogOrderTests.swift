import LogInput
import XCTest

/// The one multilog order, on names alone (as respond and audit get them from a remote listing).
final class MultilogOrderTests: XCTestCase {
    func testNamesAreClassifiedAndOrderedWithoutTouchingAnyFile() {
        let names = ["current", "@400000006b0bb3f6330de0ad.u", "lock", "current.2.gz", "@400000006B0BB3F6330DE0AC.s",
                     "@400000006b0bb3f6330de0ae.s.gz", "@400000006b0bb3f6330de0ae.s", "current.1", "@garbage", "current.x"]
        let ordered = MultilogOrder.order(names)
        XCTAssertEqual(ordered.files.map(\.name), ["current.2.gz", "current.1", "@400000006B0BB3F6330DE0AC.s",
                                                   "@400000006b0bb3f6330de0ad.u", "@400000006b0bb3f6330de0ae.s", "current"])
        XCTAssertEqual(ordered.files.map(\.kind), [.archive, .archive, .finished, .unfinished, .finished, .current])
        XCTAssertEqual(ordered.files.map(\.stamp), [nil, nil, "400000006b0bb3f6330de0ac", "400000006b0bb3f6330de0ad",
                                                    "400000006b0bb3f6330de0ae", nil])
        XCTAssertEqual(ordered.files.map(\.index), [2, 1, nil, nil, nil, nil])
        XCTAssertEqual(ordered.ignored.map(\.name), ["@garbage", "current.x", "lock", "@400000006b0bb3f6330de0ae.s.gz"])
        XCTAssertTrue(ordered.ignored[3].reason.contains("same rotation as @400000006b0bb3f6330de0ae.s"))
        XCTAssertNil(MultilogOrder.classify("@400000006b0bb3f6330de0ac.s~"))
        XCTAssertEqual(MultilogOrder.classify("current.3.xz")?.kind, .archive)
    }

    func testArchivesArePlacedByTheirFirstLineStampWhenTheCallerHasIt() {
        let names = ["current", "current.1", "current.2", "@400000006b0bb3f6330de0ac.s"]
        let stamps = ["current.1": "400000006b0bb3f6330de0ad", "current.2": "400000006B0BB3F6330DE0AB"]
        XCTAssertEqual(MultilogOrder.order(names) { stamps[$0] }.files.map(\.name),
                       ["current.2", "@400000006b0bb3f6330de0ac.s", "current.1", "current"])
    }
}
