/// Finished deliveries per time bucket (success, failure, deferral) and the lost ones, over the
/// incident window widened by a lead and a tail: what the incident report draws per host.
///
/// Memory is the buckets alone (at most ``maxBuckets`` per series, fixed when the timeline is
/// made); counting a delivery is a subtraction, a division and an increment, no allocation.
public struct Timeline: Codable, Sendable, Equatable {
    /// Start of the first bucket (Unix seconds, inclusive).
    public private(set) var start: Int64
    /// Width of one bucket in seconds (60, or a multiple of 60 for very long spans).
    public private(set) var bucketSeconds: Int64
    /// Successful deliveries per bucket.
    public private(set) var successes: [Int]
    /// Permanently failed deliveries per bucket (the lost ones included).
    public private(set) var failures: [Int]
    /// Deferred deliveries per bucket.
    public private(set) var deferrals: [Int]
    /// Deliveries matching a signature inside the window (the `lostInWindow` count) per bucket.
    public private(set) var lost: [Int]

    /// The most buckets a timeline has: one day of minutes.
    public static let maxBuckets = 1440

    /// Buckets covering `from - lead ..< until + tail`, one minute wide unless that makes more
    /// than ``maxBuckets``. Nil when the span is empty or not a real time range.
    public init?(from: Int64, until: Int64, lead: Int64, tail: Int64) {
        // Within about ±126 years of 1970 (an open window end is not), so nanoseconds fit.
        let limit: Int64 = 4_000_000_000
        guard from < until, lead >= 0, tail >= 0, lead < limit, tail < limit,
              from > -limit, until < limit, from - lead > -limit, until + tail < limit else { return nil }
        let first = (from - lead).floorDiv(60) * 60
        let end = until + tail
        let minutes = (end - first + 59) / 60
        let perBucket = max(1, (minutes + Int64(Self.maxBuckets) - 1) / Int64(Self.maxBuckets))
        start = first
        bucketSeconds = perBucket * 60
        let count = Int((end - first + bucketSeconds - 1) / bucketSeconds)
        successes = Array(repeating: 0, count: count)
        failures = successes
        deferrals = successes
        lost = successes
        startNanos = first * 1_000_000_000
        bucketNanos = bucketSeconds * 1_000_000_000
    }

    /// Number of buckets.
    public var count: Int { successes.count }

    /// Start of bucket `index` (Unix seconds).
    public func bucketStart(_ index: Int) -> Int64 { start + Int64(index) * bucketSeconds }

    /// Counts one finished delivery at log time `time` (ignored outside the span).
    @inline(__always)
    mutating func count(_ kind: DeliveryResultKind, at time: LogNanos) {
        guard let i = index(time) else { return }
        switch kind {
        case .success: successes[i] += 1
        case .failure: failures[i] += 1
        case .deferral: deferrals[i] += 1
        }
    }

    /// Counts one lost delivery at log time `time`.
    @inline(__always)
    mutating func countLost(at time: LogNanos) {
        guard let i = index(time) else { return }
        lost[i] += 1
    }

    @inline(__always)
    private func index(_ time: LogNanos) -> Int? {
        let offset = time &- startNanos
        guard offset >= 0 else { return nil }
        let i = Int(offset / bucketNanos)
        return i < successes.count ? i : nil
    }

    // Not encoded: derived from `start` and `bucketSeconds`.
    private var startNanos: Int64
    private var bucketNanos: Int64

    enum CodingKeys: String, CodingKey {
        case start, bucketSeconds, successes, failures, deferrals, lost
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        start = try c.decode(Int64.self, forKey: .start)
        bucketSeconds = try c.decode(Int64.self, forKey: .bucketSeconds)
        successes = try c.decode([Int].self, forKey: .successes)
        failures = try c.decode([Int].self, forKey: .failures)
        deferrals = try c.decode([Int].self, forKey: .deferrals)
        lost = try c.decode([Int].self, forKey: .lost)
        guard bucketSeconds > 0, bucketSeconds < 4_000_000_000, abs(start) < 4_000_000_000,
              failures.count == successes.count, deferrals.count == successes.count, lost.count == successes.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath,
                debugDescription: "timeline: bucketSeconds must be positive and all series of one length"))
        }
        startNanos = start * 1_000_000_000
        bucketNanos = bucketSeconds * 1_000_000_000
    }
}

extension Int64 {
    /// Division rounding towards negative infinity.
    func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
