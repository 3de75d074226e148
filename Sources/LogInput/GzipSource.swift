import CCompression

/// Decompresses a gzip file (one or more concatenated members) with zlib's inflate.
public final class GzipSource: ByteSource {
    private let input: CompressedInput
    private let stream: UnsafeMutablePointer<z_stream>
    private var memberOpen = false
    private var finished = false
    private var pendingError: InputError?

    /// The compressed file.
    public var path: String { input.source.path }
    /// Compressed bytes consumed so far.
    public var rawBytesRead: UInt64 { input.consumed }

    /// Wraps `source` (usually a `FileSource`) in a gzip decoder.
    public init(source: any ByteSource) throws {
        input = CompressedInput(source: source)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: a gzip wrapper with the largest window (zlib's documented convention).
        let code = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard code == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw InputError(kind: .decoderSetup, path: source.path, code: code,
                             message: "zlib inflateInit2 failed")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Decodes into `buffer`; concatenated members are decoded one after the other.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let pendingError { throw pendingError }
        guard !finished, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let out = base.assumingMemoryBound(to: UInt8.self)
        let capacity = min(buffer.count, Int(UInt32.max))
        var produced = 0
        do {
            while produced < capacity {
                guard try input.fill() else {
                    finished = true
                    if memberOpen {
                        throw InputError(kind: .truncatedStream, path: path, offset: input.consumed,
                                         message: "the gzip member ends before its trailer")
                    }
                    break
                }
                if !memberOpen && input.consumed > 0 && input.next.pointee != 0x1f {
                    throw InputError(kind: .corruptData, path: path, offset: input.consumed,
                                     message: "trailing data after the last gzip member is not gzip "
                                         + "(every line before it was read)")
                }
                memberOpen = true
                let offered = min(input.available, Int(UInt32.max))
                stream.pointee.next_in = input.next
                stream.pointee.avail_in = UInt32(offered)
                stream.pointee.next_out = out + produced
                stream.pointee.avail_out = UInt32(capacity - produced)
                let before = produced
                let code = inflate(stream, Z_NO_FLUSH)
                let used = offered - Int(stream.pointee.avail_in)
                input.consume(used)
                produced = capacity - Int(stream.pointee.avail_out)
                switch code {
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress although input and output space were offered.
                    if used == 0 && produced == before { throw failure(code) }
                case Z_STREAM_END:
                    memberOpen = false
                    inflateReset(stream)
                default:
                    throw failure(code)
                }
            }
        } catch let error as InputError {
            // Hand out what was decoded; the error comes with the next call.
            finished = true
            pendingError = error
            if produced > 0 { return produced }
            throw error
        }
        return produced
    }

    private func failure(_ code: Int32) -> InputError {
        let detail = stream.pointee.msg.map { String(cString: $0) } ?? "inflate error"
        let kind: InputError.Kind = code == Z_MEM_ERROR ? .decoderSetup : .corruptData
        return InputError(kind: kind, path: path, offset: input.consumed, code: code,
                          message: "zlib: \(detail)")
    }
}
