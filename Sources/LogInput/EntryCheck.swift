#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a directory entry named like a log file really is, following symlinks: log
/// directories are root's, so a rotation symlinked elsewhere (`@...s -> ../keep/@...s`) is
/// read like the file it points to. Anything that is not, in the end, a regular file is refused
/// with the reason, never read (a FIFO or a device would block or never end).
public enum EntryCheck {
    /// Nil when `path` is (or links to) a regular file; otherwise why it cannot be read as a log.
    public static func problem(at path: String) -> String? {
        var link = stat()
        guard lstat(path, &link) == 0 else { return Errno.message(errno) }
        var target = stat()
        if stat(path, &target) != 0 {
            let code = errno
            let destination = linkTarget(path).map { " to \(DisplayPath.quote($0))" } ?? ""
            switch code {
            case ELOOP: return "a symlink loop\(destination)"
            case ENOENT: return "a dangling symlink\(destination)"
            default: return "a symlink\(destination) that cannot be followed: \(Errno.message(code))"
            }
        }
        let via = (link.st_mode & S_IFMT) == S_IFLNK
            ? " (through the symlink to \(DisplayPath.quote(linkTarget(path) ?? "?")))" : ""
        return describe(mode: target.st_mode).map { "\($0)\(via), not a regular file" }
    }

    /// Nil for a regular file's mode; otherwise what the file is ("a directory", "a FIFO", ...).
    static func describe(mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }

    private static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path, &buffer, 4096)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
