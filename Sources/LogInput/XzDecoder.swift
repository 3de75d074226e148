import CCompression

/// xz (one or more concatenated streams) with liblzma's stream decoder.
final class XzDecoder: StreamDecoder {
    private let path: String
    private let stream: UnsafeMutablePointer<lzma_stream>

    init(path: String) throws {
        self.path = path
        stream = .allocate(capacity: 1)
        stream.initialize(to: lzma_stream())
        // 0x08 is LZMA_CONCATENATED (a UINT32_C macro Swift does not import): decode every
        // stream of a concatenated file, not just the first.
        let code = lzma_stream_decoder(stream, UInt64.max, 0x08)
        guard code == LZMA_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw InputError(kind: .decoderSetup, path: path, code: Int32(code.rawValue),
                             message: "lzma_stream_decoder failed")
        }
    }

    deinit {
        lzma_end(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    func decode(into out: UnsafeMutablePointer<UInt8>, capacity: Int, produced: inout Int,
                from input: CompressedInput) throws -> Bool {
        while produced < capacity {
            let hasInput = try input.fill()
            let offered = hasInput ? input.available : 0
            stream.pointee.next_in = hasInput ? UnsafePointer(input.next) : nil
            stream.pointee.avail_in = offered
            stream.pointee.next_out = out + produced
            stream.pointee.avail_out = capacity - produced
            let code = lzma_code(stream, hasInput ? LZMA_RUN : LZMA_FINISH)
            input.consume(offered - stream.pointee.avail_in)
            produced = capacity - stream.pointee.avail_out
            if code == LZMA_STREAM_END { return true }
            if code == LZMA_OK { continue }
            if !hasInput && code == LZMA_BUF_ERROR {
                throw InputError(kind: .truncatedStream, path: path, offset: input.consumed,
                                 code: Int32(code.rawValue), message: "the xz stream ends before its footer")
            }
            throw failure(code, input)
        }
        return false
    }

    private func failure(_ code: lzma_ret, _ input: CompressedInput) -> InputError {
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
