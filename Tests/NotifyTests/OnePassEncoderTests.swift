import Foundation
import XCTest
@testable import Notify

/// The one-pass encoders against the line-by-line ones they replaced, on edge cases and on
/// many generated texts (line ends of every kind, spaces before them, `=`, `.`, umlauts,
/// control bytes, lines around the 76-character limit).
final class OnePassEncoderTests: XCTestCase {
    private static let pieces = ["a", "Z", " ", "\t", "=", ".", "ä", "ß", "€", "😀", "\n", "\r\n", "\r", "\u{1}",
                                 "from=alice@example.de", String(repeating: "x", count: 70), "~", "\u{7F}"]

    private static func texts() -> [String] {
        var random = SystemRandomNumberGenerator()
        var texts = ["", "\n", "\r\n", "\r", "a", "a\n", "a \n", ".\n.", " ", "=", String(repeating: "é", count: 40)]
        texts += (70...80).map { String(repeating: "x", count: $0) + " " }
        texts += (70...80).map { String(repeating: "y", count: $0) + "ü" }
        for _ in 0..<2000 {
            let count = Int.random(in: 0..<40, using: &random)
            texts.append((0..<count).map { _ in pieces.randomElement(using: &random)! }.joined())
        }
        return texts
    }

    func testQuotedPrintableMatchesTheLineByLineEncoder() {
        for text in Self.texts() {
            let want = LineByLineEncoders.quotedPrintable(text)
            XCTAssertEqual(QuotedPrintable.encodeLines(text), want, text.debugDescription)
            var bytes: [UInt8] = []
            QuotedPrintable.encode(text, into: &bytes)
            XCTAssertEqual(bytes, Array(want.map { $0 + "\r\n" }.joined().utf8), text.debugDescription)
            XCTAssertEqual(QuotedPrintable.encode(text), want.joined(separator: "\r\n"), text.debugDescription)
        }
    }

    func testBase64LinesMatchTheLineByLineEncoder() {
        var texts = Self.texts()
        texts += (0..<120).map { String(repeating: "b", count: $0) }
        for text in texts {
            var bytes: [UInt8] = []
            MIMEAttachment(filename: "x.log", content: text).writeBody(into: &bytes)
            XCTAssertEqual(bytes, Array(LineByLineEncoders.base64(text).map { $0 + "\r\n" }.joined().utf8),
                           text.debugDescription)
            XCTAssertEqual(bytes.count, MIMEAttachment(filename: "x.log", content: text).encodedSize)
        }
    }

    func testDotStuffingMatchesTheByteByByteEncoder() {
        for text in Self.texts() + [".", "..", "\n.", "a\n\n.b", "x\r"] {
            let bytes = Array(text.utf8)
            XCTAssertEqual(DotStuffing.encode(bytes), LineByLineEncoders.dotStuffed(bytes), text.debugDescription)
        }
    }
}
