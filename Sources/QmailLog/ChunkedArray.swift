/// An append-only array kept in fixed-size chunks, so it never reallocates and copies what
/// it holds: a plain array of 50,000 lost deliveries briefly holds old and new buffer when
/// it doubles (about 8 MB instead of 4 at that moment), and the freed blocks leave holes.
struct ChunkedArray<Element> {
    /// Elements per chunk (a power of two).
    private static var chunkShift: Int { 12 }
    private static var chunkSize: Int { 1 << chunkShift }
    private var chunks: [[Element]] = []
    private(set) var count = 0

    init() {}

    mutating func append(_ element: Element) {
        if count & (Self.chunkSize - 1) == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }

    subscript(index: Int) -> Element {
        get {
            precondition(index >= 0 && index < count, "ChunkedArray index out of range")
            return chunks[index >> Self.chunkShift][index & (Self.chunkSize - 1)]
        }
        set {
            precondition(index >= 0 && index < count, "ChunkedArray index out of range")
            chunks[index >> Self.chunkShift][index & (Self.chunkSize - 1)] = newValue
        }
    }
}

extension ChunkedArray: Sendable where Element: Sendable {}
