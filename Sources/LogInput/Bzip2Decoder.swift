import CCompression

/// bzip2 (one or more concatenated streams, as pbzip2 writes) with libbz2.
final class Bzip2Decoder: StreamDecoder {
    private let path: String
    private let stream: UnsafeMutablePointer<bz_stream>
    private var decoderLive = false
    private var streamOpen = false

    init(path: String) throws {
        self.path = path
        stream = .allocate(capacity: 1)
        stream.initialize(to: bz_stream())
        do {
            try startDecoder(offset: 0)
        } catch {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw error
        }
    }

    deinit {
        if decoderLive { BZ2_bzDecompressEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    private func startDecoder(offset: UInt64) throws {
        stream.pointee = bz_stream()
        let code = BZ2_bzDecompressInit(stream, 0, 0)
        guard code == BZ_OK else {
            throw InputError(kind: .decoderSetup, path: path, offset: offset, code: code,
                             message: "BZ2_bzDecompressInit failed")
        }
        decoderLive = true
    }

    func decode(into out: UnsafeMutablePointer<UInt8>, capacity: Int, produced: inout Int,
                from input: CompressedInput) throws -> Bool {
        while produced < capacity {
            guard try input.fill() else {
                if streamOpen {
                    throw InputError(kind: .truncatedStream, path: path, offset: input.consumed,
                                     message: "the bzip2 stream ends before its end marker")
                }
                return true
            }
            if !decoderLive {
                guard input.next.pointee == UInt8(ascii: "B") else {
                    throw InputError(kind: .corruptData, path: path, offset: input.consumed,
                                     message: "trailing data after the last bzip2 stream is not bzip2 "
                                         + "(every line before it was read)")
                }
                try startDecoder(offset: input.consumed)
            }
            streamOpen = true
            let offered = min(input.available, Int(UInt32.max))
            stream.pointee.next_in = UnsafeMutableRawPointer(input.next).assumingMemoryBound(to: CChar.self)
            stream.pointee.avail_in = UInt32(offered)
            stream.pointee.next_out = UnsafeMutableRawPointer(out + produced).assumingMemoryBound(to: CChar.self)
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
                throw failure(code, input)
            }
        }
        return false
    }

    private func failure(_ code: Int32, _ input: CompressedInput) -> InputError {
        let detail: String
        switch code {
        case BZ_DATA_ERROR_MAGIC: detail = "not bzip2 data (bad magic)"
        case BZ_DATA_ERROR: detail = "data integrity error"
        case BZ_MEM_ERROR: detail = "out of memory"
        default: detail = "decompression error"
        }
        let kind: InputError.Kind = code == BZ_MEM_ERROR ? .decoderSetup : .corruptData
        return InputError(kind: kind, path: path, offset: input.consumed, code: code, message: "libbz2: \(detail)")
    }
}
