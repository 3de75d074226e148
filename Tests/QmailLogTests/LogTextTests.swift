@testable import QmailLog
import XCTest

/// `LogText` knows the double bounce sender `#@[]` by one compare, from log bytes and from a string.
final class LogTextTests: XCTestCase {
    func testDoubleBounceSender() {
        func fromLine(_ text: String) -> LogText {
            let bytes = Array(("<" + text + ">").utf8)
            return bytes.withUnsafeBufferPointer { LogText($0, 1..<(bytes.count - 1)) }
        }
        for text in ["#@[]"] {
            XCTAssertTrue(fromLine(text).isDoubleBounceSender)
            XCTAssertTrue(LogText(text).isDoubleBounceSender)
        }
        for text in ["", "#@[", "#@[]]", "x@[]", "#@[}", "#@[]\u{0}", String(repeating: "#@[]", count: 10)] {
            XCTAssertFalse(fromLine(text).isDoubleBounceSender, text)
            XCTAssertFalse(LogText(text).isDoubleBounceSender, text)
        }
    }
}

/// Texts up to 48 bytes are kept inline, longer or unsafe ones as a string; either way a
/// text reads back as `SafeText` makes it and compares by its bytes.
final class LogTextStorageTests: XCTestCase {
    func testInlineAndLongTextsReadBackAlike() {
        for length in 0...70 {
            for unsafe in [false, true] {
                var bytes = Array(repeating: UInt8(ascii: "a"), count: length)
                for k in bytes.indices { bytes[k] = UInt8(ascii: "a") + UInt8(k % 26) }
                if unsafe && length > 0 { bytes[length / 2] = UInt8(ascii: "\\") }
                let line = [UInt8(ascii: "<")] + bytes + [UInt8(ascii: ">")]
                let (text, expected) = line.withUnsafeBufferPointer { p in
                    (LogText(p, 1..<(length + 1)), SafeText.make(p, 1..<(length + 1)))
                }
                XCTAssertEqual(text.string, expected, "length \(length)")
                XCTAssertEqual(text.isEmpty, length == 0)
                XCTAssertEqual(text, LogText(expected), "length \(length)")
                var copy = text
                XCTAssertEqual(copy, text)
                copy = LogText("other")
                XCTAssertNotEqual(copy, text)
                XCTAssertEqual(text.withBytes { Array($0) }, Array(expected.utf8))
            }
        }
        XCTAssertEqual(LogText().string, "")
        XCTAssertTrue(LogText().isEmpty)
    }
}
