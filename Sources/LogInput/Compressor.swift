import CCompression
import Foundation

/// Compresses bytes the coordinator sends to a host that decodes them there with its own
/// `zstd -d` or `gzip -d` (the account files a host's run writes): the formats LogInput reads,
/// written at the fastest level.
public enum Compressor {
    /// `data` as one zstd frame (with its content size and checksum) or one gzip member.
    /// - Throws: ``InputError`` of kind `.decoderSetup` when the library fails, or
    ///   `.unsupportedCompression` for a format other than zstd or gzip.
    public static func compress(_ data: Data, as format: Compression, level: Int32 = 1) throws -> Data {
        switch format {
        case .zstd: return try zstd(data, level: level)
        case .gzip: return try gzip(data, level: level)
        default:
            throw InputError(kind: .unsupportedCompression, path: "(outgoing data)",
                             message: "cannot write \(format)")
        }
    }

    private static func zstd(_ data: Data, level: Int32) throws -> Data {
        guard let context = ZSTD_createCCtx() else { throw failure("ZSTD_createCCtx failed") }
        defer { ZSTD_freeCCtx(context) }
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        var out = Data(count: ZSTD_compressBound(data.count))
        let written = out.withUnsafeMutableBytes { target in
            data.withUnsafeBytes { source in
                ZSTD_compress2(context, target.baseAddress, target.count, source.baseAddress, source.count)
            }
        }
        guard ZSTD_isError(written) == 0 else {
            throw failure("ZSTD_compress2: " + String(cString: ZSTD_getErrorName(written)))
        }
        out.count = written
        return out
    }

    private static func gzip(_ data: Data, level: Int32) throws -> Data {
        var stream = z_stream()
        // windowBits 15 + 16: a gzip header and trailer around the deflate data.
        let setup = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                  ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard setup == Z_OK else { throw failure("deflateInit2 returned \(setup)") }
        defer { deflateEnd(&stream) }
        var out = Data(count: Int(deflateBound(&stream, uLong(data.count))))
        let status = out.withUnsafeMutableBytes { target in
            data.withUnsafeBytes { source in
                stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(target.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw failure("deflate returned \(status)") }
        out.count = Int(stream.total_out)
        return out
    }

    private static func failure(_ message: String) -> InputError {
        InputError(kind: .decoderSetup, path: "(outgoing data)", message: message)
    }
}
