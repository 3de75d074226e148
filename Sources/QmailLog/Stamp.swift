import Foundation

/// Reads the time stamp at the start of a log line, in one of three forms:
/// TAI64N (`@4000000065a1b2c3...` as written by multilog), `tai64nlocal` output
/// (`2020-05-26 15:30:00.123456789`, in a given time zone) and qmailanalog's
/// fractional Unix seconds (`1590499800.123456`). Works on raw bytes, no allocation.
struct StampParser {
    /// TAI64 label of the Unix epoch (leap seconds ignored, as tai64nlocal does).
    static let taiEpoch: UInt64 = 0x4000_0000_0000_000A
    /// Times must fit nanoseconds in an Int64 (until the year 2255).
    static let maxSeconds: Int64 = 9_000_000_000
    let logTimeZone: TimeZone
    /// Cache for local-time conversion: civil hour (seconds / 3600) -> UTC offset.
    private var cachedHour: Int64 = .min
    private var cachedOffset: Int64 = 0

    init(logTimeZone: TimeZone) {
        self.logTimeZone = logTimeZone
    }

    /// Parses the stamp; on success returns the time and the index of the first text byte
    /// (after the single separating space).
    mutating func parse(_ p: UnsafeBufferPointer<UInt8>) -> (LogNanos, Int)? {
        guard let first = p.first else { return nil }
        if first == UInt8(ascii: "@") { return parseTAI64N(p) }
        guard isDigit(first) else { return nil }
        if p.count > 4 && p[4] == UInt8(ascii: "-") { return parseLocal(p) }
        return parseFractional(p)
    }

    private func parseTAI64N(_ p: UnsafeBufferPointer<UInt8>) -> (LogNanos, Int)? {
        guard p.count >= 26, p[25] == UInt8(ascii: " "), let base = p.baseAddress,
              let high = Self.hex8(base + 1), let low = Self.hex8(base + 9), let nano = Self.hex8(base + 17)
        else { return nil }
        let label = high << 32 | low
        guard nano < 1_000_000_000, label >= Self.taiEpoch,
              label - Self.taiEpoch < UInt64(Self.maxSeconds) else { return nil }
        return (LogNanos(label - Self.taiEpoch) * 1_000_000_000 + LogNanos(nano), 26)
    }

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

    private func parseFractional(_ p: UnsafeBufferPointer<UInt8>) -> (LogNanos, Int)? {
        var i = 0
        var secs: Int64 = 0
        while i < p.count && isDigit(p[i]) {
            guard i < 11 else { return nil }
            secs = secs * 10 + Int64(p[i] &- 48)
            i += 1
        }
        var nanos: Int64 = 0
        if i < p.count && p[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < p.count && isDigit(p[i]) {
                if digits < 9 { nanos = nanos * 10 + Int64(p[i] &- 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if digits < 9 { for _ in digits..<9 { nanos *= 10 } }
        }
        guard i < p.count, p[i] == UInt8(ascii: " "), secs < Self.maxSeconds else { return nil }
        return (secs * 1_000_000_000 + nanos, i + 1)
    }

    /// `YYYY-MM-DD HH:MM:SS[.fffffffff] `
    private mutating func parseLocal(_ p: UnsafeBufferPointer<UInt8>) -> (LogNanos, Int)? {
        guard p.count >= 20, p[4] == 45, p[7] == 45, p[10] == 32, p[13] == 58, p[16] == 58,
              let year = number(p, 0, 4), let month = number(p, 5, 2), let day = number(p, 8, 2),
              let hour = number(p, 11, 2), let minute = number(p, 14, 2), let second = number(p, 17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var nanos: Int64 = 0
        if p[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < p.count && isDigit(p[i]) {
                if digits < 9 { nanos = nanos * 10 + Int64(p[i] &- 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if digits < 9 { for _ in digits..<9 { nanos *= 10 } }
        }
        guard i < p.count, p[i] == UInt8(ascii: " ") else { return nil }
        let civil = CivilDate.daysFromCivil(year: year, month: month, day: day) * 86_400
            + Int64(hour * 3600 + minute * 60 + second)
        let utc = civil - offset(forCivil: civil)
        guard utc > -Self.maxSeconds, utc < Self.maxSeconds else { return nil }
        return (utc * 1_000_000_000 + nanos, i + 1)
    }

    /// UTC offset of the log time zone for a local civil time (cached per civil hour).
    private mutating func offset(forCivil civil: Int64) -> Int64 {
        let hour = civil >= 0 ? civil / 3600 : (civil - 3599) / 3600
        if hour == cachedHour { return cachedOffset }
        let guess = Int64(logTimeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(civil))))
        let offset = Int64(logTimeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(civil - guess))))
        cachedHour = hour
        cachedOffset = offset
        return offset
    }

    private func number(_ p: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Int? {
        var v = 0
        for i in at..<(at + count) {
            guard isDigit(p[i]) else { return nil }
            v = v * 10 + Int(p[i] &- 48)
        }
        return v
    }
}

@inline(__always) func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }

@inline(__always) func hexValue(_ b: UInt8) -> UInt8? {
    if b &- 48 < 10 { return b &- 48 }
    let lower = b | 0x20
    if lower &- 97 < 6 { return lower &- 87 }
    return nil
}
