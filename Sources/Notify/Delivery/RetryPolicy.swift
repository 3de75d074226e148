/// When to try again after a temporary (4xx) failure: exponential backoff with a cap.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts, the first included.
    public var maxAttempts: Int
    /// Wait before the second attempt.
    public var initialDelay: Duration
    /// Factor applied to the delay after each further attempt.
    public var multiplier: Int
    /// Longest wait between two attempts.
    public var maxDelay: Duration

    /// Creates a policy (defaults: 5 attempts, 1 min, doubling, at most 30 min).
    public init(maxAttempts: Int = 5, initialDelay: Duration = .seconds(60), multiplier: Int = 2,
                maxDelay: Duration = .seconds(1800)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.multiplier = max(1, multiplier)
        self.maxDelay = maxDelay
    }

    /// No retries.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// The wait before attempt number `attempt` (2 for the first retry), or nil when no
    /// attempt with that number is allowed.
    public func delay(beforeAttempt attempt: Int) -> Duration? {
        guard attempt >= 2, attempt <= maxAttempts else { return nil }
        var delay = initialDelay
        for _ in 2..<attempt {
            delay = delay * multiplier
            if delay >= maxDelay { return maxDelay }
        }
        return min(delay, maxDelay)
    }
}
