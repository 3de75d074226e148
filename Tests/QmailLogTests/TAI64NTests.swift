@testable import QmailLog
import XCTest

/// The TAI64N decoder (with its shortcut for the usual high half `40000000`) agrees with a
/// plain reference decoding on valid and invalid stamps.
final class TAI64NTests: XCTestCase {
    /// Reference: 24 hex digits, label at or after the Unix epoch, below the limit, nanos < 10^9.
    func reference(_ hex: String) -> LogNanos? {
        guard hex.utf8.count == 24, hex.utf8.allSatisfy({ $0 < 128 && ($0 as UInt8).isHexDigit }),
              let label = UInt64(hex.prefix(16), radix: 16), let nano = UInt64(hex.suffix(8), radix: 16),
              nano < 1_000_000_000, label >= TAI64N.unixEpochLabel,
              label - TAI64N.unixEpochLabel < UInt64(TAI64N.maxSeconds) else { return nil }
        return LogNanos(label - TAI64N.unixEpochLabel) * 1_000_000_000 + LogNanos(nano)
    }

    func testDecoderAgreesWithReference() {
        let heads = ["40000000", "40000001", "40000002", "4000000g", "4000000G", "3fffffff", "4000000 ",
                     "40000000".uppercased(), "c0000000", "00000000", "4000\u{7f}000"]
        let digits = Array("0123456789abcdefABCDEFxg ".utf8)
        var seed: UInt64 = 12345
        func next() -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int(seed >> 33)
        }
        for round in 0..<20_000 {
            var tail = ""
            for k in 0..<16 {
                // Mostly hex digits; now and then an invalid byte.
                let pick = next() % (round % 7 == 0 ? digits.count : 22)
                tail.append(Character(UnicodeScalar(k < 8 && round % 3 == 0 ? digits[next() % 10] : digits[pick])))
            }
            let hex = heads[next() % heads.count] + tail
            XCTAssertEqual(TAI64N.nanos(hex: hex), reference(hex), hex)
        }
        XCTAssertEqual(TAI64N.nanos(hex: "400000006b0bb3c6261c5edc"), reference("400000006b0bb3c6261c5edc"))
        XCTAssertNotNil(TAI64N.nanos(hex: "400000006b0bb3c6261c5edc"))
    }
}

private extension UInt8 {
    var isHexDigit: Bool { (48...57).contains(self) || (65...70).contains(self) || (97...102).contains(self) }
}
