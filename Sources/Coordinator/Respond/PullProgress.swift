import Foundation

/// The live line of one pull: bytes so far of the file's size, the rate since the pull began
/// and the time left at that rate, a few times a second:
/// `144.4/304.6 MB, 11.8 MB/s, 14 s left`.
///
/// Pure: the caller hands in the clock (nanoseconds, monotonic) with each byte count.
struct PullProgress: Sendable {
    /// The file's size in bytes.
    let total: UInt64
    /// Least time between two lines.
    let interval: UInt64
    private var start: (nanos: UInt64, bytes: UInt64)?
    private var lastLine: UInt64?

    init(total: UInt64, interval: UInt64 = 250_000_000) {
        self.total = total
        self.interval = interval
    }

    /// The line for `bytes` done at `nanos`, or nil when the last line is more recent than
    /// `interval`. The first call only starts the clock (a resumed pull's bytes already there
    /// do not count towards the rate).
    mutating func line(bytes: UInt64, nanos: UInt64) -> String? {
        guard let start else {
            self.start = (nanos, bytes)
            lastLine = nanos
            return nil
        }
        if let lastLine, nanos &- lastLine < interval { return nil }
        lastLine = nanos
        var text = String(format: "%.1f/%.1f MB", Double(bytes) / 1e6, Double(total) / 1e6)
        let seconds = Double(nanos &- start.nanos) / 1e9
        guard seconds > 0, bytes > start.bytes else { return text }
        let rate = Double(bytes - start.bytes) / seconds
        text += String(format: ", %.1f MB/s", rate / 1e6)
        if total > bytes { text += ", " + Self.duration(Double(total - bytes) / rate) + " left" }
        return text
    }

    /// `14 s`, `3 min 05 s`, `2 h 07 min`.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return String(format: "%d min %02d s", whole / 60, whole % 60) }
        return String(format: "%d h %02d min", whole / 3600, (whole % 3600) / 60)
    }
}
