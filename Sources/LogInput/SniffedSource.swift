/// A stream whose first bytes were read ahead (to recognise its compression) and are handed
/// out again before the rest, so any `ByteSource` (a pipe, an SSH channel) can be decoded.
public final class SniffedSource: ByteSource {
    /// What the first bytes say.
    public let compression: Compression
    private let source: any ByteSource
    private var head: [UInt8]
    private var headOffset = 0

    /// Reads up to 6 bytes from `source` and detects its format.
    public init(source: any ByteSource) throws {
        self.source = source
        var head = [UInt8](repeating: 0, count: 6)
        var filled = 0
        while filled < head.count {
            let count = try head.withUnsafeMutableBytes { buffer in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            }
            if count == 0 { break }
            filled += count
        }
        head.removeSubrange(filled...)
        self.head = head
        compression = Compression.detect(prefix: head)
    }

    /// The underlying stream's path.
    public var path: String { source.path }
    /// Bytes taken from the underlying stream.
    public var rawBytesRead: UInt64 { source.rawBytesRead - UInt64(head.count - headOffset) }

    /// The read-ahead bytes first, then the rest of the stream.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if headOffset < head.count {
            let count = min(buffer.count, head.count - headOffset)
            head.withUnsafeBytes { bytes in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[headOffset..<headOffset + count]))
            }
            headOffset += count
            return count
        }
        return try source.read(into: buffer)
    }

    /// `source` decoded according to its first bytes: plain, gzip, bzip2, xz or zstd.
    /// - Throws: `InputError` (`.unsupportedCompression` for lz4 and compress).
    public static func decoding(_ source: any ByteSource) throws -> any ByteSource {
        let sniffed = try SniffedSource(source: source)
        return try sniffed.compression.decoding(sniffed)
    }
}
