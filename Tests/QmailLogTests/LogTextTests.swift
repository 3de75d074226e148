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
