/// Decompresses a stream that arrives in pieces, as an SSH channel delivers a remote
/// compressor's output: ``feed(_:to:)`` each piece as it comes, then ``finish(to:)``, which
/// throws unless the compressed stream ended whole. The decoded bytes go to a closure as they
/// come out, through one 256 KiB buffer, so memory does not grow with the stream.
///
/// The decoders are the ones log files are read with (gzip, bzip2, xz, zstd); `.none` passes
/// the bytes through. Not `Sendable`: one stream, one thread.
public final class StreamingDecompressor {
    /// The format being decoded.
    public let compression: Compression
    private let input: PieceSource
    private let decoded: any ByteSource
    private let buffer: UnsafeMutableRawBufferPointer
    /// Decoded bytes handed out so far.
    public private(set) var decodedBytes: UInt64 = 0
    /// Compressed bytes fed so far.
    public var compressedBytes: UInt64 { input.received }

    /// A decoder for `compression`; `path` names the stream in errors (e.g. `host:/path`).
    /// - Throws: `InputError` (`.unsupportedCompression` for lz4 and compress).
    public init(compression: Compression, path: String) throws {
        self.compression = compression
        input = PieceSource(path: path)
        decoded = try compression.decoding(input)
        buffer = .allocate(byteCount: 256 << 10, alignment: 64)
    }

    deinit {
        buffer.deallocate()
    }

    /// Decodes `piece` (and whatever earlier pieces left pending) and hands every decoded
    /// byte to `output`.
    /// - Throws: `InputError` for corrupt data (naming the stream and the compressed offset),
    ///   or what `output` throws.
    public func feed(_ piece: UnsafeRawBufferPointer, to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        input.offer(piece)
        defer { input.release() }
        try drain(output)
    }

    /// The stream is over: decodes the rest and checks the stream ended where its format says.
    /// - Throws: `InputError` of kind `.truncatedStream` when it was cut (a frame, member or
    ///   stream not finished), `.corruptData` for bad bytes, or what `output` throws.
    public func finish(to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        input.end()
        try drain(output)
    }

    private func drain(_ output: (UnsafeRawBufferPointer) throws -> Void) throws {
        while true {
            let count: Int
            do {
                count = try decoded.read(into: buffer)
            } catch is AwaitingInput {
                return
            }
            if count == 0 { return }
            decodedBytes += UInt64(count)
            try output(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}

/// Thrown by a source whose next bytes have not arrived yet (never past this module).
struct AwaitingInput: Error {}

/// The pieces fed to a ``StreamingDecompressor``, as a `ByteSource`: it hands out the current
/// piece, then throws ``AwaitingInput`` until the next piece comes, and reports the end (0)
/// only once the stream was declared over.
final class PieceSource: ByteSource {
    let path: String
    private var piece: UnsafeRawBufferPointer?
    private var offset = 0
    private var ended = false
    private(set) var received: UInt64 = 0
    private(set) var rawBytesRead: UInt64 = 0

    init(path: String) { self.path = path }

    /// The next piece; valid until the decoder has taken it (within `feed`).
    func offer(_ bytes: UnsafeRawBufferPointer) {
        piece = bytes
        offset = 0
        received += UInt64(bytes.count)
    }

    /// Forgets the current piece (its memory belongs to the caller of `feed`).
    func release() {
        piece = nil
    }

    func end() {
        piece = nil
        ended = true
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let piece, offset < piece.count else {
            piece = nil
            if ended { return 0 }
            throw AwaitingInput()
        }
        let count = min(buffer.count, piece.count - offset)
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: piece[offset..<offset + count]))
        offset += count
        rawBytesRead += UInt64(count)
        return count
    }
}
