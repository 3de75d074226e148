/// The time source for rate limiting and retries; inject a manual one in tests.
public protocol NotifyClock: Sendable {
    /// Time elapsed since an arbitrary, fixed origin.
    func now() -> Duration
    /// Waits for `duration`.
    func sleep(for duration: Duration) async throws
}

/// The real clock (monotonic).
public struct SystemNotifyClock: NotifyClock {
    private let origin = ContinuousClock.now

    /// Creates a clock whose origin is now.
    public init() {}

    public func now() -> Duration { ContinuousClock.now - origin }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}
