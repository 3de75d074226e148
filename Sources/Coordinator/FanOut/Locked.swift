import Foundation

/// A value guarded by a lock: the one lock box of the package, for state shared between
/// threads (fan-out hosts, SSH sessions, progress displays, workers of the benchmarks).
public final class Locked<Value>: @unchecked Sendable {  // every access to `value` goes through `lock`
    private let lock = NSLock()
    private var value: Value

    /// Guards `value`.
    public init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access to the value.
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
