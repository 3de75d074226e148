import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a state directory, so two coordinators never use it at once.
///
/// `flock(LOCK_EX|LOCK_NB)` on `<stateDir>/lock`. The kernel drops the lock when the process
/// dies (even by kill -9), so a crashed coordinator never leaves a stale lock. The file holds
/// the holder's pid (and run once known) so a refused coordinator can name it.
public final class StateDirLock: Sendable {
    /// The lock file's path.
    public let path: String
    private let fd: Int32

    /// Takes the lock, or throws ``JournalError/stateDirLocked(path:holder:)`` naming the holder.
    public init(directory: URL) throws {
        path = directory.appendingPathComponent("lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw JournalError.io(operation: "open lock file", path: path, errno: errno)
        }
        guard fchmod(fd, 0o600) == 0 else {  // a lock file left by an older version may be 0644
            let code = errno
            close(fd)
            throw JournalError.io(operation: "chmod 600 lock file", path: path, errno: code)
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let holder = StateDirLock.readHolder(fd: fd)
            close(fd)
            if code == EWOULDBLOCK {
                throw JournalError.stateDirLocked(path: path, holder: holder)
            }
            throw JournalError.io(operation: "flock", path: path, errno: code)
        }
        self.fd = fd
        try write(holder: "pid \(getpid())")
    }

    /// Records the run this coordinator works on, for the message another one gets.
    public func record(run: Int64) throws {
        try write(holder: "pid \(getpid()) run \(run)")
    }

    private func write(holder: String) throws {
        let bytes = Array((holder + "\n").utf8)
        guard ftruncate(fd, 0) == 0,
              bytes.withUnsafeBytes({ pwrite(fd, $0.baseAddress, $0.count, 0) }) == bytes.count
        else { throw JournalError.io(operation: "write lock file", path: path, errno: errno) }
    }

    private static func readHolder(fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return "unknown process" }
        let text = String(decoding: buffer[..<count], as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
