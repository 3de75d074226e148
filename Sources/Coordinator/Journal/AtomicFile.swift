import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replacing a file all at once: readers see the old file or the new one, never a part.
enum AtomicFile {
    /// Writes `data` to a temporary file beside `url` (a hidden name ending in `.tmp`, so a
    /// reader collecting `*.prom` or similar never picks it up), gives it exactly `mode`
    /// (`fchmod`, so the umask does not change it), flushes it and renames it over `url`.
    static func write(_ data: Data, to url: URL, mode: mode_t) throws {
        try write(to: url, mode: mode) { fd, temp in
            let written = data.withUnsafeBytes { FileOps.writeAll(fd, $0) }
            if !written { throw PrivateFileError(operation: "write", path: temp, errno: errno) }
        }
    }

    /// The same with the bytes `body` writes to the temporary file's descriptor (given with its
    /// path, for errors), so a large file is streamed into place. The temporary file is created
    /// 0600 and gets `mode` only once complete; a `body` that throws leaves `url` as it was.
    static func write<T>(to url: URL, mode: mode_t, _ body: (_ fd: Int32, _ tempPath: String) throws -> T) throws -> T {
        let path = url.path
        let directory = (path as NSString).deletingLastPathComponent
        let temp = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).\(UUID().uuidString).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PrivateFileError(operation: "create", path: temp, errno: errno) }
        let result: T
        do {
            result = try body(fd, temp)
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        var failure: PrivateFileError?
        if fchmod(fd, mode) != 0 { failure = PrivateFileError(operation: "chmod", path: temp, errno: errno) }
        else if fsync(fd) != 0 { failure = PrivateFileError(operation: "fsync", path: temp, errno: errno) }
        close(fd)
        if failure == nil, rename(temp, path) != 0 {
            failure = PrivateFileError(operation: "rename \(temp) to", path: path, errno: errno)
        }
        if let failure {
            unlink(temp)
            throw failure
        }
        return result
    }
}
