/// The compressed side of a decompressor: a 1 MiB buffer refilled from the file, and the
/// offset in the file of the next byte the decoder has not consumed yet.
final class CompressedInput {
    /// The file being decompressed.
    let source: any ByteSource
    private let storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private(set) var reachedEnd = false
    /// File offset of the first unconsumed byte.
    private(set) var consumed: UInt64 = 0

    init(source: any ByteSource, capacity: Int = 1 << 20) {
        self.source = source
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    /// Bytes buffered and not consumed yet.
    var available: Int { end - start }

    /// The first unconsumed byte (valid while `available > 0`).
    var next: UnsafeMutablePointer<UInt8> {
        storage.baseAddress!.advanced(by: start).assumingMemoryBound(to: UInt8.self)
    }

    /// Makes sure some input is buffered. Returns false once the file is exhausted.
    func fill() throws -> Bool {
        if available > 0 { return true }
        if reachedEnd { return false }
        // The buffer changes only once the read returned: a source that throws (a stream
        // whose next piece has not arrived yet) leaves the decoder's state as it was.
        let count = try source.read(into: storage)
        start = 0
        end = count
        if end == 0 { reachedEnd = true }
        return end > 0
    }

    /// Marks `count` buffered bytes as used by the decoder.
    func consume(_ count: Int) {
        start += count
        consumed += UInt64(count)
    }
}
