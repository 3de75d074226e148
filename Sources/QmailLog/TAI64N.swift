import Foundation

/// TAI64N, the stamp multilog writes (`@` + 24 hex digits: 16 of TAI64 seconds label, 8 of
/// nanoseconds), decoded to log time. The one decoder: line stamps (`StampParser`), multilog
/// file names (`@<tai64n>.s`, through `LogInput`'s stamp text) and audits all use it.
public enum TAI64N {
    /// TAI64 label of the Unix epoch (leap seconds ignored, as tai64nlocal does).
    public static let unixEpochLabel: UInt64 = 0x4000_0000_0000_000A
    /// Times must fit nanoseconds in an Int64 (until the year 2255).
    static let maxSeconds: Int64 = 9_000_000_000

    /// The time the 24 hex digits (either case) at `p` stand for, or nil when they are not
    /// 24 hex digits or name a time before 1970 or after 2255.
    @inline(__always)
    static func decode(_ p: UnsafePointer<UInt8>) -> LogNanos? {
        // The high half is "40000000" until the year 2106: one compare instead of a decode.
        let head = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
        let high: UInt64
        if head == epochHighText { high = 0x4000_0000 } else {
            guard let decoded = hex8(p) else { return nil }
            high = decoded
        }
        guard let low = hex8(p + 8), let nano = hex8(p + 16) else { return nil }
        let label = high << 32 | low
        guard nano < 1_000_000_000, label >= unixEpochLabel,
              label - unixEpochLabel < UInt64(maxSeconds) else { return nil }
        return LogNanos(label - unixEpochLabel) * 1_000_000_000 + LogNanos(nano)
    }

    /// The time of a stamp's 24 hex digits given as text (without the `@`, as in a multilog
    /// file name), or nil (see ``decode(_:)``).
    public static func nanos(hex: some StringProtocol) -> LogNanos? {
        var bytes = Array(hex.utf8)
        guard bytes.count == 24 else { return nil }
        return bytes.withUnsafeMutableBufferPointer { decode(UnsafePointer($0.baseAddress!)) }
    }

    /// ``nanos(hex:)`` as a date.
    public static func date(hex: some StringProtocol) -> Date? {
        nanos(hex: hex).map(Date.init(logNanos:))
    }

    /// The bytes "40000000" as one unaligned load of them reads.
    static let epochHighText = UInt64(littleEndian: 0x3030_3030_3030_3034)

    /// Eight hex digits (either case) at `p` as a number, checked and converted eight bytes
    /// at a time (SWAR); nil if any byte is not a hex digit.
    @inline(__always)
    static func hex8(_ p: UnsafePointer<UInt8>) -> UInt64? {
        let x = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        let high: UInt64 = 0x8080_8080_8080_8080
        guard x & high == 0 else { return nil }
        // Per byte b < 0x80, b + k sets bit 7 exactly when b >= 0x80 - k (no carry between bytes).
        let isDigit = (x &+ 0x5050_5050_5050_5050) & ~(x &+ 0x4646_4646_4646_4646) & high   // 0x30...0x39
        let lower = x | 0x2020_2020_2020_2020
        let isLetter = (lower &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(lower &+ 0x1919_1919_1919_1919) & high // a...f
        guard isDigit | isLetter == high else { return nil }
        let nibbles = (x & 0x0F0F_0F0F_0F0F_0F0F) &+ (isLetter >> 7) &* 9
        var v = ((nibbles << 4) | (nibbles >> 8)) & 0x00FF_00FF_00FF_00FF
        v = ((v << 8) | (v >> 16)) & 0x0000_FFFF_0000_FFFF
        return ((v << 16) | (v >> 32)) & 0xFFFF_FFFF
    }
}
