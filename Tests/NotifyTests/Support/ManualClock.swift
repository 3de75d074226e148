import Foundation
@testable import Notify

/// A clock that never really waits: `sleep` advances `now` and records the duration.
final class ManualClock: NotifyClock, @unchecked Sendable {
    // @unchecked Sendable: all state is guarded by `lock`.
    private let lock = NSLock()
    private var current: Duration = .zero
    private var slept: [Duration] = []

    func now() -> Duration { lock.withLock { current } }

    func sleep(for duration: Duration) async throws {
        lock.withLock {
            slept.append(duration)
            current += duration
        }
    }

    var sleeps: [Duration] { lock.withLock { slept } }
}
