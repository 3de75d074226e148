import XCTest
@testable import Notify

final class QuotedPrintableTests: XCTestCase {
    func testPlainASCIIIsUnchanged() {
        XCTAssertEqual(QuotedPrintable.encodeLines("Hello world"), ["Hello world"])
    }

    func testUmlautsAndEqualsAreEscaped() {
        XCTAssertEqual(QuotedPrintable.encode("Grüße a=b"), "Gr=C3=BC=C3=9Fe a=3Db")
    }

    func testTrailingWhitespaceIsEncoded() {
        XCTAssertEqual(QuotedPrintable.encodeLines("end \nnext\t"), ["end=20", "next=09"])
    }

    func testLineEndingsBecomeSeparateLines() {
        XCTAssertEqual(QuotedPrintable.encodeLines("a\r\nb\rc\n\nd"), ["a", "b", "c", "", "d"])
    }

    func testLongLinesAreSoftBrokenWithinLimit() {
        let text = String(repeating: "Übermäßig lange Zeile ", count: 20) + "Ende"
        let lines = QuotedPrintable.encodeLines(text)
        XCTAssertGreaterThan(lines.count, 1)
        for line in lines {
            XCTAssertLessThanOrEqual(line.utf8.count, 76, line)
        }
        for line in lines.dropLast() {
            XCTAssertTrue(line.hasSuffix("="), "soft break missing: \(line)")
        }
        XCTAssertEqual(TestDecoding.quotedPrintable(lines), text)
    }

    func testEscapesAreNeverSplit() {
        for length in 70...80 {
            let text = String(repeating: "x", count: length) + "äöüß" + String(repeating: "y", count: 3)
            let lines = QuotedPrintable.encodeLines(text)
            for line in lines {
                let body = line.hasSuffix("=") ? String(line.dropLast()) : line
                // A '=' must be followed by two hex digits within the same line.
                var chars = Array(body)[...]
                while let c = chars.popFirst() {
                    if c == "=" {
                        XCTAssertGreaterThanOrEqual(chars.count, 2, "split escape in \(line)")
                        chars = chars.dropFirst(2)
                    }
                }
            }
            XCTAssertEqual(TestDecoding.quotedPrintable(lines), text)
        }
    }

    func testRoundTripOfMultiLineGermanText() {
        let text = "Guten Tag,\n\nIhre E-Mail an bäcker@example.de wurde nicht zugestellt.\n.Punkt am Anfang\nEnde "
        XCTAssertEqual(TestDecoding.quotedPrintable(QuotedPrintable.encodeLines(text)), text)
    }
}
