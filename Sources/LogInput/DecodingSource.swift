/// One compression format's decoder, driven by ``DecodingSource``: it owns the C stream and
/// decodes from the buffered compressed input into the caller's buffer.
protocol StreamDecoder: AnyObject {
    /// Sets the C decoder up for the file at `path` (named in errors).
    init(path: String) throws

    /// Decodes from `input` into `out[produced..<capacity]`, advancing `produced` as bytes come
    /// out (also when it then throws). Returns true when the data has ended for good.
    func decode(into out: UnsafeMutablePointer<UInt8>, capacity: Int, produced: inout Int,
                from input: CompressedInput) throws -> Bool
}

/// The decompressed bytes of a compressed ``ByteSource`` (gzip, bzip2 or xz by `Decoder`).
///
/// An error comes after the last good bytes: the call that meets it returns what was decoded
/// before it, and the next call throws it. Reading after the end or an error returns 0 / throws
/// the same error again.
final class DecodingSource<Decoder: StreamDecoder>: ByteSource {
    private let input: CompressedInput
    private let decoder: Decoder
    private var finished = false
    private var pendingError: InputError?

    /// The compressed file.
    var path: String { input.source.path }
    /// Compressed bytes consumed so far.
    var rawBytesRead: UInt64 { input.consumed }

    /// Wraps `source` (usually a `FileSource`) in a decoder.
    init(source: any ByteSource) throws {
        input = CompressedInput(source: source)
        decoder = try Decoder(path: source.path)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let pendingError { throw pendingError }
        guard !finished, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        // zlib and libbz2 count in 32 bits.
        let capacity = min(buffer.count, Int(UInt32.max))
        var produced = 0
        do {
            if try decoder.decode(into: base.assumingMemoryBound(to: UInt8.self), capacity: capacity,
                                  produced: &produced, from: input) {
                finished = true
            }
        } catch let error as InputError {
            finished = true
            pendingError = error
            if produced > 0 { return produced }
            throw error
        } catch is AwaitingInput {
            // The input has no more bytes yet (see `StreamingDecompressor`): hand out what was
            // decoded; the next call asks the input again.
            if produced > 0 { return produced }
            throw AwaitingInput()
        }
        return produced
    }
}
