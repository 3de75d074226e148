import Foundation
import QmailLog
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

    /// The stamp read in place agrees with the clock the formatter wrote it from, for every
    /// month, padded days and years up to 2223; a damaged stamp reads as none.
    func testStampReadInPlaceMatchesTheFormattedClock() {
        let formatter = LostMailFormatter(timeZone: TimeZone(identifier: "UTC")!)
        var seed: UInt64 = 3
        var previous: (LostMailLineTime, Int64)?
        for _ in 0..<3_000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let second = Int64(seed >> 30) % 8_000_000_000
            let entry = LostMailEntry(time: second * 1_000_000_000, sender: "a@b.de", recipient: "c@d.de",
                                      fate: .discarded, messageID: 1, deliveryNumber: 1)
            let line = formatter.line(entry)
            let time = LostMailLineTime(line: Array(line.utf8))
            XCTAssertEqual(time, LostMailLineTime(formatter.wallClock(entry.time)), line)
            if let time, let (before, beforeSecond) = previous {
                XCTAssertEqual(time < before, second < beforeSecond, line)
            }
            previous = time.map { ($0, second) }
        }
        let good = "Wed Jun  3 09:00:00 2020 from=a to=b"
        XCTAssertNotNil(LostMailLineTime(line: Array(good.utf8)))
        XCTAssertNotNil(LostMailLineTime(line: Array("Wed   Jun 3   09:00:00 2020".utf8)), "runs of spaces")
        for bad in ["Wed jun  3 09:00:00 2020 x", "Wed June 3 09:00:00 2020 x", "Wed Jun 32 09:00:00 2020 x",
                    "Wed Jun  0 09:00:00 2020 x", "Wed Jun  3 24:00:00 2020 x", "Wed Jun  3 09:60:00 2020 x",
                    "Wed Jun  3 09:00:61 2020 x", "Wed Jun  3 09.00:00 2020 x", "Wed Jun  3 9:00:00 2020 x",
                    "Wed Jun  3 09:00:00 2020123 x", "Wed Jun  3 09:00:00", "Wed Jun  3 0a:00:00 2020 x",
                    "", " ", "Wed", String(repeating: " ", count: 70) + good] {
            XCTAssertNil(LostMailLineTime(line: Array(bad.utf8)), bad)
        }
    }

    /// A file in order, one out of order and one with undated lines merge as a plain stable sort
    /// of the kept lines would have them (the merge skips the sort when nothing is out of place).
    func testMergeEqualsAStableSortOfTheKeptLines() {
        let lines = [a, b, c, "Tue May 26 14:10:00 2020 from=x@customer.de to=y@external.de", "note", ""]
        var seed: UInt64 = 9
        var merges = 0
        for _ in 0..<500 {
            func pick(_ n: Int) -> [String] {
                (0..<n).map { _ in
                    seed = seed &* 6364136223846793005 &+ 1442695040888963407
                    return lines[Int(seed >> 33) % lines.count]
                }
            }
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let existing = pick(Int(seed >> 60) % 6), new = pick(Int(seed >> 56) % 6)
            var kept = existing
            var counts: [String: Int] = [:]
            for line in new {
                counts[line, default: 0] += 1
                if counts[line]! > existing.filter({ $0 == line }).count { kept.append(line) }
            }
            let key = { (line: String) in LostMailLineTime(line: Array(line.utf8)) }
            let expected = kept.enumerated().sorted { x, y in
                switch (key(x.element), key(y.element)) {
                case let (p?, q?): return p != q ? p < q : x.offset < y.offset
                case (.some, .none): return true
                case (.none, .some): return false
                case (.none, .none): return x.offset < y.offset
                }
            }.map(\.element)
            XCTAssertEqual(mergeLostMailLines(existing: existing, new: new), expected, "\(existing) + \(new)")
            if expected.count > 2 { merges += 1 }
        }
        XCTAssertGreaterThan(merges, 100)
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

    /// A first write's content is formatted straight into bytes (``LostMailFormatter/newFileContent(_:)``);
    /// it must be byte for byte what formatting each line as text and merging gives, also across
    /// both daylight-saving changes (the autumn one turns the clock back, so UTC order and stamp
    /// order differ), in zones off the hour, with equal stamps, duplicates and an unseen sender.
    func testFirstWriteEqualsTheTextMerge() throws {
        var seed: UInt64 = 7
        func next(_ bound: Int64) -> Int64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int64(seed >> 33) % bound
        }
        // 2026-03-29 01:00 UTC and 2026-10-25 01:00 UTC: Berlin's changes; India has none.
        let starts: [Int64] = [1_774_746_000 - 5400, 1_792_890_000 - 5400, 0, 2_145_916_800]
        for zone in ["Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "UTC"] {
            let formatter = LostMailFormatter(timeZone: TimeZone(identifier: zone)!)
            for start in starts {
                var entries: [LostMailEntry] = []
                for i in 0..<400 {
                    // In UTC order by second, as account lines arrive; a few share a second.
                    let second = start + Int64(i) * 27 + next(3)
                    let sender: String? = i % 50 == 0 ? nil : "s\(next(5))@customer.de"
                    let entry = LostMailEntry(time: second * 1_000_000_000 + next(999_999_999), sender: sender,
                                              recipient: "r\(next(7))@external.de", fate: .discarded,
                                              messageID: i, deliveryNumber: i)
                    entries.append(entry)
                    if i % 97 == 0 { entries.append(entry) }
                }
                let direct = try mergeLostMailFile(existing: Data(), new: entries, formatter: formatter)
                let viaText = try mergeLostMailFile(existing: Data(), new: entries.map { formatter.line($0) })
                XCTAssertEqual(direct, viaText, "zone \(zone), start \(start)")
                XCTAssertEqual(direct.filter { $0 == 0x0A }.count, entries.count)
            }
        }
        // Berlin's autumn change: the hour 02:00-03:00 comes twice, so a later mail can have
        // an earlier stamp and comes first in the file.
        let berlin = LostMailFormatter(timeZone: TimeZone(identifier: "Europe/Berlin")!)
        let before = LostMailEntry(time: (1_792_890_000 - 60) * 1_000_000_000, sender: "a@b.de", recipient: "c@d.de",
                                   fate: .discarded, messageID: 1, deliveryNumber: 1)
        var after = before
        after.time = (1_792_890_000 + 60) * 1_000_000_000
        after.recipient = "e@f.de"
        let content = try XCTUnwrap(String(data: try mergeLostMailFile(existing: Data(), new: [before, after],
                                                                        formatter: berlin), encoding: .utf8))
        XCTAssertEqual(content, "Sun Oct 25 02:01:00 2026 from=a@b.de to=e@f.de\nSun Oct 25 02:59:00 2026 from=a@b.de to=c@d.de\n")
    }

    func testFirstWriteRefusesAnUnsafeAddress() {
        let formatter = LostMailFormatter(timeZone: TimeZone(identifier: "UTC")!)
        let entry = LostMailEntry(time: 0, sender: "a@b.de\nforged", recipient: "c@d.de", fate: .discarded,
                                  messageID: 1, deliveryNumber: 1)
        XCTAssertNil(formatter.newFileContent([entry]))
        XCTAssertThrowsError(try mergeLostMailFile(existing: Data(), new: [entry], formatter: formatter)) {
            XCTAssertTrue("\($0)".contains("line feed"))
        }
        // Merged into an existing file, the same entry is refused, named by its line.
        let fine = LostMailEntry(time: 60_000_000_000, sender: "x@b.de", recipient: "c@d.de", fate: .discarded,
                                 messageID: 2, deliveryNumber: 1)
        XCTAssertThrowsError(try mergeLostMailFile(existing: Data((a + "\n").utf8), new: [fine, entry],
                                                   formatter: formatter)) {
            XCTAssertEqual("\($0)", "\(LostMailFileError.lineContainsNewline(formatter.line(entry)))")
            XCTAssertTrue("\($0)".contains("forged"))
        }
        XCTAssertNoThrow(try mergeLostMailFile(existing: Data((a + "\n").utf8), new: [fine], formatter: formatter))
    }
}
