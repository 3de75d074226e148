import Foundation
import QmailLog
import XCTest

/// QmailLog's public line surface: a line's stamp and event (what audits match signatures
/// on), and the one TAI64N decoder (also used for multilog file names).
final class QmailLineParserTests: XCTestCase {
    private let stamp = "@400000006b0bb3f6330de0ac"
    /// The stamp above: label 0x400000006b0bb3f6, 0x330de0ac nanoseconds.
    private let stampNanos = LogNanos(0x6b0bb3f6 - 10) * 1_000_000_000 + 0x330de0ac

    func testLinesBecomeEventsWithTheirTime() throws {
        var parser = QmailLineParser()
        let resultLine = Array("\(stamp) delivery 9: failure: Unable_to_run_qmail-remote./".utf8)
        let result = try XCTUnwrap(parser.parse(resultLine))
        XCTAssertEqual(result.time, stampNanos)
        guard case let .result(number, kind, text) = result.event else { return XCTFail("\(result.event)") }
        XCTAssertEqual(number, 9)
        XCTAssertEqual(kind, .failure)
        XCTAssertEqual(resultLine.withUnsafeBufferPointer { QmailLine.text(text, in: $0) }, "Unable_to_run_qmail-remote./")

        let info = Array("\(stamp) info msg 5: bytes 10 from <a b@c.d> qp 7 uid 1000".utf8)
        guard case let .infoMsg(id, bytes, sender, qp, uid)? = parser.parse(info)?.event else { return XCTFail() }
        XCTAssertEqual([id, bytes, qp, uid], [5, 10, 7, 1000])
        XCTAssertEqual(info.withUnsafeBufferPointer { QmailLine.text(sender, in: $0) }, "a b@c.d")

        XCTAssertEqual(parser.parse(Array("\(stamp) triple bounce: discarding bounce/42".utf8))?.event, .tripleBounce(msg: 42))
        XCTAssertEqual(parser.parse(Array("\(stamp) status: exiting".utf8))?.event, .exiting)
        guard case .unknown? = parser.parse(Array("\(stamp) delivery 9: fail".utf8))?.event else {
            return XCTFail("a result word qmail never writes is no result")
        }
        XCTAssertNil(parser.parse(Array("delivery 9: failure: no stamp".utf8)))
        XCTAssertNil(parser.parse(Array("@400000006b0bb3f6330de0aX delivery 9: failure: x".utf8)))
    }

    func testTai64nlocalStampsAreReadInTheLogTimeZone() throws {
        var parser = QmailLineParser(logTimeZone: try XCTUnwrap(TimeZone(secondsFromGMT: 3600)))
        let line = try XCTUnwrap(parser.parse(Array("2030-01-01 01:00:03.5 triple bounce: discarding bounce/5".utf8)))
        XCTAssertEqual(line.time, 1_893_456_003_500_000_000)
        XCTAssertEqual(line.date, Date(timeIntervalSince1970: 1_893_456_003.5))
    }

    func testTheTAI64NDecoderReadsNameStampsAndRefusesWhatIsNoStamp() {
        XCTAssertEqual(TAI64N.nanos(hex: stamp.dropFirst()), stampNanos)
        XCTAssertEqual(TAI64N.nanos(hex: stamp.dropFirst().uppercased()), stampNanos)
        XCTAssertEqual(TAI64N.date(hex: "400000000000000a00000000"), Date(timeIntervalSince1970: 0))
        XCTAssertEqual(TAI64N.unixEpochLabel, 0x4000_0000_0000_000A)
        XCTAssertNil(TAI64N.nanos(hex: "4000000000000009ffffffff"), "before 1970")
        XCTAssertNil(TAI64N.nanos(hex: "400000006b0bb3f63b9aca00"), "a billion nanoseconds")
        XCTAssertNil(TAI64N.nanos(hex: "400000006b0bb3f6330de0a"), "23 digits")
        XCTAssertNil(TAI64N.nanos(hex: "400000006b0bb3f6330de0ag"))
    }
}
