import Foundation

/// Work run on a thread of its own while the caller does something else; ``wait()`` returns
/// its result (or rethrows its error) once it is done.
final class BackgroundTask<Value: Sendable>: @unchecked Sendable {  // `outcome` is written before `done` is signalled, read after
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<Value, any Error>?

    init(name: String, _ work: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            self.outcome = Result { try work() }
            self.done.signal()
        }
        thread.name = name
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// Waits for the work and returns its result; a second call returns at once.
    func wait() throws -> Value {
        done.wait()
        done.signal()
        return try outcome!.get()
    }
}
