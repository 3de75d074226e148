/// A sender or recipient as logged (made safe as `SafeText` does), kept by an open message or
/// delivery. Up to 48 bytes are stored inline, so keeping the address of a message in flight
/// allocates nothing (a `String` over 15 bytes is a heap object, made and freed per log line;
/// with 32 bytes inline, 126k of the 723k recipients of the 304 MB test log still made one);
/// longer texts are kept as a `String`. Encodes as that string.
struct LogText: Sendable, Equatable {
    /// Longest text stored inline.
    static let inlineCapacity = 48
    private var inline: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    /// Inline length, or `UInt8.max` when `long` holds the text.
    private var length: UInt8 = 0
    private var long = ""

    /// The empty text.
    init() {}

    /// The text of `p[range]`, made safe (see `SafeText`).
    init(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        let slice = UnsafeBufferPointer(rebasing: p[range])
        if slice.count <= Self.inlineCapacity, SafeText.allPlain(slice) {
            length = UInt8(slice.count)
            withUnsafeMutableBytes(of: &inline) { raw in
                raw.copyMemory(from: UnsafeRawBufferPointer(slice))
            }
        } else {
            length = .max
            long = SafeText.make(p, range)
        }
    }

    /// `text` (already safe).
    init(_ text: String) {
        var text = text
        let stored: Bool = text.withUTF8 { bytes in
            guard bytes.count <= Self.inlineCapacity else { return false }
            length = UInt8(bytes.count)
            withUnsafeMutableBytes(of: &inline) { raw in raw.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
            return true
        }
        if !stored {
            length = .max
            long = text
        }
    }

    /// Calls `body` with the text's UTF-8 bytes.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if length == .max {
            var text = long
            return text.withUTF8(body)
        }
        var copy = inline
        return withUnsafeBytes(of: &copy) { raw in
            body(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: Int(length)))
        }
    }

    /// The text as a `String`.
    var string: String {
        length == .max ? long : withBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the text is empty (the null sender `<>`).
    var isEmpty: Bool { length == 0 }

    /// Whether the text is `#@[]`, the sender of a double bounce (one compare: the inline
    /// bytes after the text are zero).
    var isDoubleBounceSender: Bool {
        length == 4 && inline.0 == UInt64(littleEndian: 0x5D5B_4023)  // "#@[]"
    }

    static func == (a: LogText, b: LogText) -> Bool {
        a.withBytes { x in b.withBytes { y in x.elementsEqual(y) } }
    }
}

extension LogText: Codable {
    init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(string)
    }
}
