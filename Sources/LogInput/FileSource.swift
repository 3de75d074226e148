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

    /// Opens `path` for sequential reading.
    /// - Throws: `InputError` of kind `.open` with errno and its message.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw InputError(kind: .open, path: path, code: code, message: Errno.message(code))
        }
        descriptor = fd
        #if canImport(Glibc)
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
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
