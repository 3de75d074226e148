import Foundation

extension Duration {
    /// The duration in seconds, fractions included: the one conversion of a `Duration` into the
    /// `TimeInterval` that Foundation, Dispatch (`DispatchTime.now() + seconds`, which clamps)
    /// and the SSH layer's timeouts take.
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) * 1e-18
    }
}
