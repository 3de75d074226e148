import CCompression

/// zstd (one or more concatenated frames, skippable frames included) with libzstd's streaming
/// decoder. A frame's content checksum, when the compressor wrote one (zstd's CLI does by
/// default), is checked by libzstd at the frame's end.
final class ZstdDecoder: StreamDecoder {
    private let path: String
    private let context: OpaquePointer
    /// True while a frame has started and not ended (libzstd's hint was not 0).
    private var frameOpen = false

    init(path: String) throws {
        self.path = path
        guard let context = ZSTD_createDCtx() else {
            throw InputError(kind: .decoderSetup, path: path, message: "ZSTD_createDCtx failed")
        }
        self.context = context
    }

    deinit {
        ZSTD_freeDCtx(context)
    }

    func decode(into out: UnsafeMutablePointer<UInt8>, capacity: Int, produced: inout Int,
                from input: CompressedInput) throws -> Bool {
        while produced < capacity {
            guard try input.fill() else {
                if frameOpen {
                    throw InputError(kind: .truncatedStream, path: path, offset: input.consumed,
                                     message: "the zstd frame ends before its end")
                }
                return true
            }
            var source = ZSTD_inBuffer(src: input.next, size: input.available, pos: 0)
            var target = ZSTD_outBuffer(dst: out + produced, size: capacity - produced, pos: 0)
            let hint = ZSTD_decompressStream(context, &target, &source)
            input.consume(source.pos)
            produced += target.pos
            if ZSTD_isError(hint) != 0 {
                let detail = String(cString: ZSTD_getErrorName(hint))
                throw InputError(kind: .corruptData, path: path, offset: input.consumed,
                                 message: "libzstd: \(detail)")
            }
            // 0: a frame is completely decoded and flushed; anything else: more is to come.
            frameOpen = hint != 0
        }
        return false
    }
}
