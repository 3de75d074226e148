import CCompression

/// gzip (one or more concatenated members) with zlib's inflate.
final class GzipDecoder: StreamDecoder {
    private let path: String
    private let stream: UnsafeMutablePointer<z_stream>
    private var memberOpen = false

    init(path: String) throws {
        self.path = path
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: a gzip wrapper with the largest window (zlib's documented convention).
        let code = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard code == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw InputError(kind: .decoderSetup, path: path, code: code, message: "zlib inflateInit2 failed")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    func decode(into out: UnsafeMutablePointer<UInt8>, capacity: Int, produced: inout Int,
                from input: CompressedInput) throws -> Bool {
        while produced < capacity {
            guard try input.fill() else {
                if memberOpen {
                    throw InputError(kind: .truncatedStream, path: path, offset: input.consumed,
                                     message: "the gzip member ends before its trailer")
                }
                return true
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
                if used == 0 && produced == before { throw failure(code, input) }
            case Z_STREAM_END:
                memberOpen = false
                inflateReset(stream)
            default:
                throw failure(code, input)
            }
        }
        return false
    }

    private func failure(_ code: Int32, _ input: CompressedInput) -> InputError {
        let detail = stream.pointee.msg.map { String(cString: $0) } ?? "inflate error"
        let kind: InputError.Kind = code == Z_MEM_ERROR ? .decoderSetup : .corruptData
        return InputError(kind: kind, path: path, offset: input.consumed, code: code, message: "zlib: \(detail)")
    }
}
