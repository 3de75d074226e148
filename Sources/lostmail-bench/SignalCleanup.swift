import Coordinator
import Foundation

/// The write end of the signal pipe, for the handler (set once, before the handler is installed).
nonisolated(unsafe) private var signalPipeWrite: Int32 = -1  // written once before sigaction, then only read

/// Undo actions (shaping on `lo`, the fleet) that must run however the benchmark ends: the
/// caller runs them with `defer` on success and error, and SIGINT or SIGTERM runs them here
/// before the process exits with 128 + the signal. Each action runs at most once.
///
/// A sigaction(2) handler (process-wide, whichever thread the kernel picks) writes the signal's
/// number into a pipe; a thread of our own reads it and runs the actions. (A Dispatch signal
/// source is not enough on Linux: it needs the signal blocked in every thread, and the
/// concurrency runtime's threads exist before it.)
final class SignalCleanup: Sendable {
    private struct Action { var name: String; var body: @Sendable () -> Void }
    private let actions = Locked<[Int: Action]>([:])
    private let counter = Locked(0)

    /// Takes over SIGINT and SIGTERM for the rest of the process (one instance per process).
    init() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        signalPipeWrite = ends[1]
        let readEnd = ends[0]
        let reader = Thread { [self] in
            var number: UInt8 = 0
            while read(readEnd, &number, 1) < 0 && errno == EINTR {}
            FileHandle.standardError.write(Data("\nlostmail-bench: signal \(number): cleaning up\n".utf8))
            runAll()
            exit(128 + Int32(number))
        }
        reader.start()
        for number in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(signalPipeWrite, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
        }
    }

    /// Registers an action; returns its key for `run(_:)`.
    func add(_ name: String, _ body: @escaping @Sendable () -> Void) -> Int {
        let key = counter.withLock { value in value += 1; return value }
        actions.withLock { $0[key] = Action(name: name, body: body) }
        return key
    }

    /// Runs one action now (if it has not run yet) and forgets it.
    func run(_ key: Int) {
        if let action = actions.withLock({ $0.removeValue(forKey: key) }) { action.body() }
    }

    /// Drops an action without running it.
    func forget(_ key: Int) {
        _ = actions.withLock { $0.removeValue(forKey: key) }
    }

    /// Runs every action not yet run, the latest first.
    func runAll() {
        let pending = actions.withLock { all in
            defer { all.removeAll() }
            return all.sorted { $0.key > $1.key }.map(\.value)
        }
        for action in pending {
            FileHandle.standardError.write(Data("lostmail-bench: \(action.name)\n".utf8))
            action.body()
        }
    }
}
