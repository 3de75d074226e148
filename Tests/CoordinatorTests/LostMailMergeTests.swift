import Foundation
import XCTest
@testable import Coordinator

final class LostMailMergeTests: XCTestCase {
    let a = "Tue May 26 13:41:02 2020 from=shop@customer.de to=anna@external.de"
    let b = "Tue May 26 14:10:00 2020 from=info@customer.de to=bob@external.de"
    let c = "Tue May 26 15:30:00 2020 from=info@customer.de to=carl@external.de"

    func testRunningAgainAddsNothing() {
        let first = mergeLostMailLines(existing: [], new: [c, a, b])
        XCTAssertEqual(first, [a, b, c], "sorted by time")
        XCTAssertEqual(mergeLostMailLines(existing: first, new: [a, b, c]), first)
        XCTAssertEqual(mergeLostMailLines(existing: first, new: [b]), first, "a narrower run removes nothing")
    }

    func testIdenticalLinesOfDistinctDeliveriesBothStay() {
        let once = mergeLostMailLines(existing: [], new: [b, b, a])
        XCTAssertEqual(once, [a, b, b])
        XCTAssertEqual(mergeLostMailLines(existing: once, new: [b, b, a]), [a, b, b])
        XCTAssertEqual(mergeLostMailLines(existing: once, new: [b, b, b]), [a, b, b, b],
                       "count = max(existing, new): a third identical delivery is added once")
        XCTAssertEqual(mergeLostMailLines(existing: [a, b, b, b], new: [b]), [a, b, b, b])
    }

    func testExistingLinesAreKeptAndNewOnesMergedInTimeOrder() {
        let manual = "operator note without a time stamp"
        let merged = mergeLostMailLines(existing: [c, manual, a], new: [b])
        XCTAssertEqual(merged, [a, b, c, manual], "undated lines go last, dated ones by time")
    }

    func testEqualTimesKeepExistingThenNewOrder() {
        let x1 = "Tue May 26 14:10:00 2020 from=z@customer.de to=1@external.de"
        let x2 = "Tue May 26 14:10:00 2020 from=a@customer.de to=2@external.de"
        XCTAssertEqual(mergeLostMailLines(existing: [x1], new: [x2, x1]), [x1, x2])
        XCTAssertEqual(mergeLostMailLines(existing: [x2], new: [x1]), [x2, x1])
    }

    func testTimeStampOrderAcrossDaysMonthsAndPaddedDays() {
        let early = "Wed Jun  3 09:00:00 2020 from=a to=b"
        let late = "Tue Jun 30 08:00:00 2020 from=a to=b"
        let lastYear = "Tue Dec 31 23:59:59 2019 from=a to=b"
        XCTAssertEqual(mergeLostMailLines(existing: [late, early], new: [lastYear, c]), [lastYear, c, early, late])
        XCTAssertNil(LostMailLineTime(line: Array("Tue Foo 26 13:41:02 2020 x".utf8)))
        XCTAssertNil(LostMailLineTime(line: Array("Tue May 26 13:41 2020 x".utf8)))
        XCTAssertNotNil(LostMailLineTime(line: Array(early.utf8)))
    }

    func testFileMergeKeepsForeignBytesAndCompletesLastLine() throws {
        var existing = Data(a.utf8)
        existing.append(contentsOf: [0x0A, 0xFF, 0xFE, 0x0D, 0x0A])  // a; a non-UTF-8 line with CR
        existing.append(Data(b.utf8))  // no final LF
        let merged = try mergeLostMailFile(existing: existing, new: [b, c])
        var expected = Data((a + "\n" + b + "\n" + c + "\n").utf8)
        expected.append(contentsOf: [0xFF, 0xFE, 0x0D, 0x0A])
        XCTAssertEqual(merged, expected)
        XCTAssertEqual(try mergeLostMailFile(existing: merged, new: [c, a]), merged)
        XCTAssertEqual(try mergeLostMailFile(existing: Data(), new: []), Data())
    }

    func testNewLineWithLineFeedIsRejected() {
        XCTAssertThrowsError(try mergeLostMailFile(existing: Data(), new: [a + "\nforged line"])) {
            XCTAssertTrue("\($0)".contains("line feed"))
        }
        XCTAssertNoThrow(try mergeLostMailFile(existing: Data(), new: [a + "\r"]))
    }
}
