import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files and folders only their owner may read: the state directory holds customers'
/// addresses (journal, evidence, runs, reports), and so do `--json` reports.
///
/// Every file is created 0600 and every folder 0700 by construction (the mode is given to
/// `open(2)`/`mkdir(2)`, which the umask can only narrow), never by Foundation's defaults.
public enum PrivateFiles {
    /// Creates `url` and any missing parents; each folder created here gets mode 0700 (existing
    /// folders are left as they are).
    public static func makeDirectory(_ url: URL) throws {
        let path = url.standardizedFileURL.path
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw PrivateFileError(operation: "create directory", path: path, errno: ENOTDIR)
            }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try makeDirectory(URL(fileURLWithPath: parent)) }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw PrivateFileError(operation: "create directory", path: path, errno: errno)
        }
    }

    /// Writes `data` to `url` atomically (a 0600 temporary file beside it, fsynced, renamed over
    /// it), so the file is 0600 whatever was there before and whatever the umask.
    public static func write(_ data: Data, to url: URL) throws {
        try AtomicFile.write(data, to: url, mode: 0o600)
    }

    /// Writes `url` atomically as ``write(_:to:)`` does, with the bytes `body` writes to the
    /// temporary file's descriptor (given with the temporary file's path, for errors): a file
    /// too large to hold in memory is streamed into place. A `body` that throws leaves `url` as
    /// it was.
    public static func write<T>(to url: URL, _ body: (_ fd: Int32, _ tempPath: String) throws -> T) throws -> T {
        try AtomicFile.write(to: url, mode: 0o600, body)
    }

    /// Creates the state directory (0700) if needed, or makes an existing one 0700 when group or
    /// others have access. Returns the mode it had when it was changed (for the caller to say
    /// so), nil otherwise.
    public static func prepareStateDirectory(_ url: URL) throws -> mode_t? {
        try makeDirectory(url)
        return try tighten(url.standardizedFileURL.path)
    }

    /// Makes an existing file or folder private (0600 / 0700) when group or others have any
    /// access. Returns the mode it had when it was changed, nil when it was private already or
    /// does not exist. A symlink is not followed.
    @discardableResult
    public static func tighten(_ path: String) throws -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw PrivateFileError(operation: "stat", path: path, errno: errno)
        }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFDIR || kind == S_IFREG else { return nil }
        let mode = info.st_mode & 0o7777
        guard mode & 0o077 != 0 else { return nil }
        let wanted: mode_t = kind == S_IFDIR ? 0o700 : 0o600
        guard chmod(path, (mode & 0o700) | wanted) == 0 else {
            throw PrivateFileError(operation: "chmod \(String(wanted, radix: 8))", path: path, errno: errno)
        }
        return mode
    }
}

/// A private file or folder could not be created, written or made private.
public struct PrivateFileError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What was done, e.g. "create", "write", "chmod 700".
    public var operation: String
    /// The file or folder.
    public var path: String
    /// The system's error number.
    public var errno: Int32

    public var description: String {
        "\(operation) \(path) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
