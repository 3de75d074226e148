import CCompression

/// Decompresses an xz file (one or more concatenated streams) with liblzma's stream decoder.
public final class XzSource: ByteSource {
    private let input: CompressedInput
    private let stream: UnsafeMutablePointer<lzma_stream>
    private var finished = false
    private var pendingError: InputError?

    /// The compressed file.
    public var path: String { input.source.path }
    /// Compressed bytes consumed so far.
    public var rawBytesRead: UInt64 { input.consumed }

    /// Wraps `source` (usually a `FileSource`) in an xz decoder.
    public init(source: any ByteSource) throws {
        input = CompressedInput(source: source)
        stream = .allocate(capacity: 1)
        stream.initialize(to: lzma_stream())
        // 0x08 is LZMA_CONCATENATED (a UINT32_C macro Swift does not import): decode every
        // stream of a concatenated file, not just the first.
        let code = lzma_stream_decoder(stream, UInt64.max, 0x08)
        guard code == LZMA_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw InputError(kind: .decoderSetup, path: source.path, code: Int32(code.rawValue),
                             message: "lzma_stream_decoder failed")
        }
    }

    deinit {
        lzma_end(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Decodes into `buffer`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let pendingError { throw pendingError }
        guard !finished, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let out = base.assumingMemoryBound(to: UInt8.self)
        var produced = 0
        do {
            while produced < buffer.count {
                let hasInput = try input.fill()
                let offered = hasInput ? input.available : 0
                stream.pointee.next_in = hasInput ? UnsafePointer(input.next) : nil
                stream.pointee.avail_in = offered
                stream.pointee.next_out = out + produced
                stream.pointee.avail_out = buffer.count - produced
                let code = lzma_code(stream, hasInput ? LZMA_RUN : LZMA_FINISH)
                input.consume(offered - stream.pointee.avail_in)
                produced = buffer.count - stream.pointee.avail_out
                if code == LZMA_STREAM_END {
                    finished = true
                    break
                }
                if code == LZMA_OK { continue }
                if !hasInput && code == LZMA_BUF_ERROR {
                    throw InputError(kind: .truncatedStream, path: path, offset: input.consumed,
                                     code: Int32(code.rawValue),
                                     message: "the xz stream ends before its footer")
                }
                throw failure(code)
            }
        } catch let error as InputError {
            finished = true
            pendingError = error
            if produced > 0 { return produced }
            throw error
        }
        return produced
    }

    private func failure(_ code: lzma_ret) -> InputError {
        let detail: String
        var kind = InputError.Kind.corruptData
        switch code {
        case LZMA_FORMAT_ERROR: detail = "not xz data"
        case LZMA_DATA_ERROR: detail = "corrupt data"
        case LZMA_OPTIONS_ERROR: detail = "unsupported xz options"
        case LZMA_MEM_ERROR: detail = "out of memory"; kind = .decoderSetup
        case LZMA_BUF_ERROR: detail = "no progress possible (truncated input?)"
        default: detail = "decoder error"
        }
        return InputError(kind: kind, path: path, offset: input.consumed, code: Int32(code.rawValue),
                          message: "liblzma: \(detail)")
    }
}
