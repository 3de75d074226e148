/// Keeps sending within a number of messages per minute (sliding 60-second window).
///
/// A value type: ask ``reserve(at:)`` before each message and wait for the returned delay.
public struct RateLimiter: Sendable, Equatable {
    /// Messages allowed in any 60-second window; nil or 0 means unlimited.
    public let messagesPerMinute: Int?
    /// Window length (60 s).
    public static let window: Duration = .seconds(60)
    private var sent: [Duration] = []

    /// Creates a limiter.
    public init(messagesPerMinute: Int?) {
        self.messagesPerMinute = messagesPerMinute.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Reserves a slot for a message about to be sent at `now`; returns how long to wait first
    /// (zero when a slot is free). The slot is booked at `now + delay`.
    public mutating func reserve(at now: Duration) -> Duration {
        guard let limit = messagesPerMinute else { return .zero }
        sent.removeAll { $0 + Self.window <= now }
        var delay: Duration = .zero
        if sent.count >= limit {
            let oldestInWindow = sent[sent.count - limit]
            delay = max(.zero, oldestInWindow + Self.window - now)
        }
        sent.append(now + delay)
        return delay
    }
}
