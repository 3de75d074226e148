import Foundation

/// Reads the time stamp at the start of a log line, in one of three forms:
/// TAI64N (`@4000000065a1b2c3...` as written by multilog), `tai64nlocal` output
/// (`2020-05-26 15:30:00.123456789`, in a given time zone) and qmailanalog's
/// fractional Unix seconds (`1590499800.123456`). Works on raw bytes, no allocation.
struct StampParser {
    /// Times must fit nanoseconds in an Int64 (until the year 2255).
    static let maxSeconds = TAI64N.maxSeconds
    let logTimeZone: TimeZone
    /// Cache for local-time conversion: civil hour (seconds / 3600) -> UTC offset.
    private var cachedHour: Int64 = .min
    private var cachedOffset: Int64 = 0
    /// The 16 seconds digits of the last TAI64N stamp decoded (as two unaligned loads read
    /// them) and its seconds: lines of one second share them, so only the nanoseconds are
    /// decoded again.
    private var lastSecondsText: (UInt64, UInt64) = (0, 0)
    private var lastSeconds: Int64 = -1

    init(logTimeZone: TimeZone) {
        self.logTimeZone = logTimeZone
    }

    /// Parses the stamp; on success returns the time and the index of the first text byte
    /// (after the single separating space).
    @inline(__always)
    mutating func parse(_ p: UnsafeBufferPointer<UInt8>) -> (LogNanos, Int)? {
        guard let first = p.first else { return nil }
        if first == UInt8(ascii: "@") { return parseTAI64N(p) }
        guard isDigit(first) else { return nil }
        if p.count > 4 && p[4] == UInt8(ascii: "-") { return parseLocal(p) }
        return parseFractional(p)
    }

    @inline(__always)
    private mutating func parseTAI64N(_ p: UnsafeBufferPointer<UInt8>) -> (LogNanos, Int)? {
        guard p.count >= 26, p[25] == UInt8(ascii: " "), let base = p.baseAddress else { return nil }
        let digits = UnsafeRawPointer(base + 1)
        let text = (digits.loadUnaligned(as: UInt64.self), digits.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        if lastSeconds >= 0, text == lastSecondsText {
            // The same seconds digits as a stamp decoded (and checked) before.
            guard let nano = TAI64N.hex8(base + 17), nano < 1_000_000_000 else { return nil }
            return (lastSeconds * 1_000_000_000 + LogNanos(nano), 26)
        }
        guard let time = TAI64N.decode(base + 1) else { return nil }
        lastSecondsText = text
        lastSeconds = time / 1_000_000_000
        return (time, 26)
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
