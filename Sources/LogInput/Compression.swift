#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a log file is stored, as told by its first bytes (magic numbers), not by its name.
public enum Compression: Sendable, Hashable, CustomStringConvertible {
    /// Plain text.
    case none
    /// gzip (`1f 8b`), read with zlib.
    case gzip
    /// bzip2 (`BZh1`..`BZh9`), read with libbz2.
    case bzip2
    /// xz (`fd 37 7a 58 5a 00`), read with liblzma.
    case xz
    /// zstd (`28 b5 2f fd`), read with libzstd.
    case zstd
    /// Recognised but not readable here: lz4 or Unix compress (`.Z`).
    case unsupported(String)

    /// Short name for messages.
    public var description: String {
        switch self {
        case .none: "plain"
        case .gzip: "gzip"
        case .bzip2: "bzip2"
        case .xz: "xz"
        case .zstd: "zstd"
        case .unsupported(let name): name
        }
    }

    /// The format whose magic number starts `prefix`; `.none` for anything else.
    public static func detect(prefix: some Collection<UInt8>) -> Compression {
        let bytes = Array(prefix.prefix(6))
        func starts(_ magic: [UInt8]) -> Bool { bytes.starts(with: magic) }
        if starts([0x1f, 0x8b]) { return .gzip }
        if starts([0x42, 0x5a, 0x68]), bytes.count >= 4, (0x31...0x39).contains(bytes[3]) { return .bzip2 }
        if starts([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { return .xz }
        if starts([0x28, 0xb5, 0x2f, 0xfd]) { return .zstd }
        if starts([0x04, 0x22, 0x4d, 0x18]) { return .unsupported("lz4") }
        if starts([0x1f, 0x9d]) { return .unsupported("compress (.Z)") }
        return .none
    }

    /// Reads the first bytes of the file at `path` and detects its format.
    /// - Throws: `InputError` of kind `.open` (also when it is not a regular file) or `.read`.
    public static func detect(path: String) throws -> Compression {
        let fd = try FileSource.openRegular(path)
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 6)
        let count = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 6, 0) }
        guard count >= 0 else {
            let code = errno
            throw InputError(kind: .read, path: path, offset: 0, code: code, message: Errno.message(code))
        }
        return detect(prefix: head.prefix(count))
    }

    /// Opens `path` as a stream of decompressed bytes.
    /// - Throws: `InputError` (`.unsupportedCompression` for lz4 and compress).
    public func openSource(path: String) throws -> any ByteSource {
        try decoding(FileSource(path: path))
    }

    /// `source` (bytes in this format) as a stream of decompressed bytes.
    /// - Throws: `InputError` (`.unsupportedCompression` for lz4 and compress).
    public func decoding(_ source: any ByteSource) throws -> any ByteSource {
        switch self {
        case .none: return source
        case .gzip: return try DecodingSource<GzipDecoder>(source: source)
        case .bzip2: return try DecodingSource<Bzip2Decoder>(source: source)
        case .xz: return try DecodingSource<XzDecoder>(source: source)
        case .zstd: return try DecodingSource<ZstdDecoder>(source: source)
        case .unsupported(let name):
            throw InputError(kind: .unsupportedCompression, path: source.path,
                             message: "\(name) is not supported; decompress it first")
        }
    }
}
