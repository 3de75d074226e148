#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain file read with read(2) straight into the caller's buffer (no per-chunk copies).
public final class FileSource: ByteSource {
    /// The file being read.
    public let path: String
    /// Bytes read so far.
    public private(set) var rawBytesRead: UInt64 = 0
    private let descriptor: Int32

    /// Opens `path` for sequential reading: a regular file (symlinks followed), nothing else.
    /// - Throws: `InputError` of kind `.open` with errno and its message, or naming what the
    ///   path is when it is not a regular file (a FIFO, a device: never read, never waited on).
    public init(path: String) throws {
        self.path = path
        descriptor = try Self.openRegular(path)
        #if canImport(Glibc)
        _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
    }

    /// Opens `path` read-only without blocking (a FIFO without writer would block open(2)) and
    /// checks with fstat that it is a regular file; returns the descriptor.
    static func openRegular(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            throw InputError(kind: .open, path: path, code: code, message: Errno.message(code))
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw InputError(kind: .open, path: path, code: code, message: Errno.message(code))
        }
        if let what = EntryCheck.describe(mode: info.st_mode) {
            close(fd)
            throw InputError(kind: .open, path: path, message: "\(what), not a regular file; not read")
        }
        return fd
    }

    deinit {
        close(descriptor)
    }

    /// Reads up to `buffer.count` bytes; retries on EINTR.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = systemRead(descriptor, base, buffer.count)
            if count >= 0 {
                rawBytesRead += UInt64(count)
                return count
            }
            let code = errno
            if code == EINTR { continue }
            throw InputError(kind: .read, path: path, offset: rawBytesRead, code: code,
                             message: Errno.message(code))
        }
    }
}

/// read(2) under a name that does not clash with `FileSource.read(into:)`.
private func systemRead(_ fd: Int32, _ base: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, base, count)
}
