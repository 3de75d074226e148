import Foundation

/// One log file to read: where it is, what multilog made of it and how it is compressed.
public struct LogFile: Sendable, Hashable {
    /// The file's role in its multilog directory.
    public enum Kind: String, Sendable {
        /// `@<tai64n>.s`: a finished, complete rotation.
        case finished
        /// `@<tai64n>.u`: a rotation multilog may not have completed (may be truncated).
        case unfinished
        /// A rotated archive under another name (`current.1`, `current.2.gz`, ...).
        case archive
        /// `current`: the file multilog is writing.
        case current
        /// A single file named by the user, not found by listing a directory.
        case single
    }

    /// The file's path.
    public var path: String
    /// Its role.
    public var kind: Kind
    /// Its format, from its magic number.
    public var compression: Compression
    /// Its size on disk in bytes (compressed size for archives).
    public var size: UInt64
    /// The 24 hex digits of the TAI64N stamp in the name (`@...`), if any.
    public var stamp: String?

    /// The last path component.
    public var name: String { (path as NSString).lastPathComponent }

    /// True for `.u` files: multilog did not finish them, so their end may be missing.
    public var mayBeTruncated: Bool { kind == .unfinished }

    /// Describes an already classified file.
    public init(path: String, kind: Kind, compression: Compression, size: UInt64, stamp: String? = nil) {
        self.path = path
        self.kind = kind
        self.compression = compression
        self.size = size
        self.stamp = stamp
    }

    /// Describes a single file given by the user: size and compression read from disk.
    /// - Throws: `InputError` if the file cannot be inspected.
    public init(path: String) throws {
        let compression = try Compression.detect(path: path)
        self.init(path: path, kind: .single, compression: compression, size: try LogFile.size(of: path))
    }

    /// Opens the file as a stream of (decompressed) bytes.
    public func openSource() throws -> any ByteSource {
        try compression.openSource(path: path)
    }

    /// The size of the file `path` names (through symlinks: a symlinked rotation's own size).
    static func size(of path: String) throws -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            throw InputError(kind: .open, path: path, code: code, message: "cannot read size: \(Errno.message(code))")
        }
        return UInt64(info.st_size)
    }
}
