import Foundation
import LogInput
import XCTest

/// Line splitting: chunk boundaries, binary junk, NUL bytes, over-long lines, missing newline.
final class LineReaderTests: XCTestCase {
    /// Lines straddling every possible chunk boundary come out whole and in order.
    func testLinesAcrossSmallChunks() throws {
        let text = (1...500).map { "@4000000000000000000000\($0) line \($0) " + String(repeating: "x", count: $0 % 37) }
        let bytes = Array((text.joined(separator: "\n") + "\n").utf8)
        for piece in [1, 3, 7, 64, 1000] {
            let read = TestSupport.readAll(MemorySource(bytes, piece: piece), bufferSize: 256)
            XCTAssertNil(read.error)
            XCTAssertEqual(read.lines.map { String(decoding: $0, as: UTF8.self) }, text, "piece \(piece)")
            XCTAssertEqual(read.reader.lineCount, 500)
            XCTAssertEqual(read.reader.byteCount, UInt64(bytes.count))
        }
    }

    /// Empty lines are lines; NUL and high bytes pass through untouched.
    func testBinaryJunkAndNulBytesPassThrough() {
        var bytes: [UInt8] = Array("first\n\n".utf8)
        let junk: [UInt8] = [0x00, 0xff, 0xfe, 0x00, 0x01, 0x7f, 0x80, 0x00]
        bytes += junk + [0x0a] + Array("@4000 after junk\n".utf8)
        let read = TestSupport.readAll(MemorySource(bytes, piece: 5))
        XCTAssertEqual(read.lines, [Array("first".utf8), [], junk, Array("@4000 after junk".utf8)])
        XCTAssertEqual(read.numbers, [1, 2, 3, 4])
        XCTAssertTrue(read.reader.issues.isEmpty)
    }

    /// A 1 MB line is skipped and reported with its line number and length; the lines
    /// around it are delivered; the buffer never holds it whole.
    func testMegabyteLineIsSkippedAndReported() {
        let long = [UInt8](repeating: UInt8(ascii: "A"), count: 1_000_000)
        let bytes = Array("before\n".utf8) + long + [0x0a] + Array("after\n".utf8)
        let read = TestSupport.readAll(MemorySource(bytes, piece: 4096), maxLineLength: 1024, bufferSize: 8192)
        XCTAssertEqual(read.lines, [Array("before".utf8), Array("after".utf8)])
        XCTAssertEqual(read.numbers, [1, 3])
        XCTAssertEqual(read.reader.issues.count, 1)
        let issue = read.reader.issues[0]
        XCTAssertEqual(issue.kind, .lineTooLong)
        XCTAssertEqual(issue.line, 2)
        XCTAssertEqual(issue.path, "memory")
        XCTAssertTrue(issue.detail.contains("1000000"), issue.detail)
    }

    /// With the default limit (64 KiB) and a large buffer the same holds.
    func testDefaultLimitSkipsLongLineInsideOneChunk() {
        let bytes = Array("a\n".utf8) + [UInt8](repeating: 0x41, count: 70_000) + Array("\nb\n".utf8)
        let read = TestSupport.readAll(MemorySource(bytes))
        XCTAssertEqual(read.lines, [Array("a".utf8), Array("b".utf8)])
        XCTAssertEqual(read.reader.issues.map(\.kind), [.lineTooLong])
        XCTAssertEqual(read.reader.issues.first?.line, 2)
    }

    /// A last line without newline is delivered and flagged.
    func testFinalLineWithoutNewlineIsDeliveredAndFlagged() {
        let read = TestSupport.readAll(MemorySource(Array("one\ntwo\nthree".utf8), piece: 2))
        XCTAssertEqual(read.lines.map { String(decoding: $0, as: UTF8.self) }, ["one", "two", "three"])
        XCTAssertEqual(read.reader.issues.map(\.kind), [.missingFinalNewline])
        XCTAssertEqual(read.reader.issues.first?.line, 3)
    }

    /// An over-long line at the very end, without newline, is reported, not delivered.
    func testLongUnterminatedFinalLine() {
        let bytes = Array("ok\n".utf8) + [UInt8](repeating: 0x42, count: 5000)
        let read = TestSupport.readAll(MemorySource(bytes, piece: 100), maxLineLength: 100, bufferSize: 512)
        XCTAssertEqual(read.lines, [Array("ok".utf8)])
        XCTAssertEqual(read.reader.issues.map(\.kind), [.lineTooLong])
        XCTAssertTrue(read.reader.issues[0].detail.contains("5000"))
    }

    /// An empty source gives no lines and no issues.
    func testEmptySource() {
        let read = TestSupport.readAll(MemorySource([]))
        XCTAssertTrue(read.lines.isEmpty)
        XCTAssertTrue(read.reader.issues.isEmpty)
        XCTAssertEqual(read.reader.lineCount, 0)
    }

    /// Errors thrown by the caller's closure stop the reader and come out unchanged.
    func testBodyErrorPropagates() {
        struct Stop: Error {}
        let reader = LineReader(source: MemorySource(Array("a\nb\nc\n".utf8)))
        var seen = 0
        XCTAssertThrowsError(try reader.forEachLine { _, number in
            seen += 1
            if number == 2 { throw Stop() }
        }) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(seen, 2)
    }

    /// CRLF line ends (a log copied through Windows) give the same lines as LF ends, across
    /// every chunk boundary; a carriage return inside a line is kept.
    func testCRLFLineEndsReadLikeLF() {
        let text = (1...200).map { "@4000000000000000000000\($0) delivery \($0): success: ok_\r_inside/" }
        let lf = Array((text.joined(separator: "\n") + "\n").utf8)
        let crlf = Array((text.joined(separator: "\r\n") + "\r\nlast\r").utf8)
        for piece in [1, 2, 5, 64, 1000] {
            let plain = TestSupport.readAll(MemorySource(lf, piece: piece), bufferSize: 256)
            let windows = TestSupport.readAll(MemorySource(crlf, piece: piece), bufferSize: 256)
            XCTAssertEqual(Array(windows.lines.prefix(200)), plain.lines, "piece \(piece)")
            XCTAssertEqual(windows.lines.last, Array("last".utf8), "piece \(piece)")
            XCTAssertTrue(plain.lines.allSatisfy { $0.contains(0x0d) })
        }
    }
}
