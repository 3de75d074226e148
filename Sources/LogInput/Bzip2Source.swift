import CCompression

/// Decompresses a bzip2 file (one or more concatenated streams, as pbzip2 writes) with libbz2.
public final class Bzip2Source: ByteSource {
    private let input: CompressedInput
    private let stream: UnsafeMutablePointer<bz_stream>
    private var decoderLive = false
    private var streamOpen = false
    private var finished = false
    private var pendingError: InputError?

    /// The compressed file.
    public var path: String { input.source.path }
    /// Compressed bytes consumed so far.
    public var rawBytesRead: UInt64 { input.consumed }

    /// Wraps `source` (usually a `FileSource`) in a bzip2 decoder.
    public init(source: any ByteSource) throws {
        input = CompressedInput(source: source)
        stream = .allocate(capacity: 1)
        stream.initialize(to: bz_stream())
        try startDecoder()
    }

    deinit {
        if decoderLive { BZ2_bzDecompressEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    private func startDecoder() throws {
        stream.pointee = bz_stream()
        let code = BZ2_bzDecompressInit(stream, 0, 0)
        guard code == BZ_OK else {
            throw InputError(kind: .decoderSetup, path: path, offset: input.consumed, code: code,
                             message: "BZ2_bzDecompressInit failed")
        }
        decoderLive = true
    }

    /// Decodes into `buffer`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let pendingError { throw pendingError }
        guard !finished, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let out = base.assumingMemoryBound(to: CChar.self)
        let capacity = min(buffer.count, Int(UInt32.max))
        var produced = 0
        do {
            while produced < capacity {
                guard try input.fill() else {
                    finished = true
                    if streamOpen {
                        throw InputError(kind: .truncatedStream, path: path, offset: input.consumed,
                                         message: "the bzip2 stream ends before its end marker")
                    }
                    break
                }
                if !decoderLive {
                    guard input.next.pointee == UInt8(ascii: "B") else {
                        throw InputError(kind: .corruptData, path: path, offset: input.consumed,
                                         message: "trailing data after the last bzip2 stream is not bzip2 "
                                             + "(every line before it was read)")
                    }
                    try startDecoder()
                }
                streamOpen = true
                let offered = min(input.available, Int(UInt32.max))
                stream.pointee.next_in = UnsafeMutableRawPointer(input.next)
                    .assumingMemoryBound(to: CChar.self)
                stream.pointee.avail_in = UInt32(offered)
                stream.pointee.next_out = out + produced
                stream.pointee.avail_out = UInt32(capacity - produced)
                let code = BZ2_bzDecompress(stream)
                input.consume(offered - Int(stream.pointee.avail_in))
                produced = capacity - Int(stream.pointee.avail_out)
                switch code {
                case BZ_OK:
                    continue
                case BZ_STREAM_END:
                    streamOpen = false
                    BZ2_bzDecompressEnd(stream)
                    decoderLive = false
                default:
                    throw failure(code)
                }
            }
        } catch let error as InputError {
            finished = true
            pendingError = error
            if produced > 0 { return produced }
            throw error
        }
        return produced
    }

    private func failure(_ code: Int32) -> InputError {
        let detail: String
        switch code {
        case BZ_DATA_ERROR_MAGIC: detail = "not bzip2 data (bad magic)"
        case BZ_DATA_ERROR: detail = "data integrity error"
        case BZ_MEM_ERROR: detail = "out of memory"
        default: detail = "decompression error"
        }
        let kind: InputError.Kind = code == BZ_MEM_ERROR ? .decoderSetup : .corruptData
        return InputError(kind: kind, path: path, offset: input.consumed, code: code,
                          message: "libbz2: \(detail)")
    }
}
