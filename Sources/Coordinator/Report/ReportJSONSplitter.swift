/// Splits one JSON object, fed in pieces of any size, into its members (key and value bytes),
/// and the members named in `streamed` whose value is an array further into that array's
/// elements, so a stored host report is read without its whole text, or a parse of all of it,
/// in memory (``HostReportReader``).
///
/// It tracks only what structure needs: the nesting depth, strings and their escapes. Bytes
/// are passed on as they are, without the whitespace between tokens (so every piece is valid
/// JSON when the input is); whether a value is well formed is left to whoever decodes it.
struct ReportJSONSplitter {
    /// A piece of the object, handed out as soon as it is complete.
    enum Piece: Equatable {
        /// A member other than a streamed array: its key as written between the quotes
        /// (escapes kept), and its value.
        case member(key: [UInt8], value: [UInt8])
        /// One element of the streamed array member `key`.
        case element(key: [UInt8], value: [UInt8])
        /// The streamed array member `key` ended (after its last element; also when it is empty).
        case arrayEnd(key: [UInt8])
    }

    /// The input is no JSON object, something follows it, or it ended before the object did.
    enum Malformed: Error, CustomStringConvertible, Equatable {
        /// The byte at this offset does not fit.
        case unexpected(offset: UInt64)
        /// The input ended after this many bytes, inside the object.
        case unfinished(bytes: UInt64)

        var description: String {
            switch self {
            case .unexpected(let offset): return "not a JSON object at byte \(offset)"
            case .unfinished(let bytes): return "the JSON object is not finished after \(bytes) bytes"
            }
        }
    }

    private let streamed: Set<[UInt8]>
    /// Containers open around the current byte (1: inside the object itself).
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// Inside the object, at the start or after a comma: the next string is a key.
    private var expectKey = false
    private var readingKey = false
    /// The current member is a streamed array, and depth 2 is its inside.
    private var streaming = false
    private var finished = false
    private var key: [UInt8] = []
    private var value: [UInt8] = []
    private var offset: UInt64 = 0

    /// A splitter that hands out the elements of the array members named in `streamed`.
    init(streamed: [String]) {
        self.streamed = Set(streamed.map { Array($0.utf8) })
    }

    /// Whether the object's closing brace has been read.
    var isComplete: Bool { finished }

    /// Throws ``Malformed/unfinished(bytes:)`` unless the object's closing brace has been read.
    func checkComplete() throws {
        guard finished else { throw Malformed.unfinished(bytes: offset) }
    }

    /// Reads `bytes`, calling `piece` for every member, element and array end completed in them.
    /// - Throws: ``Malformed`` when the input is not one object; what `piece` throws.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ piece: (Piece) throws -> Void) throws {
        for byte in bytes {
            try step(byte, piece)
            offset += 1
        }
    }

    private mutating func step(_ byte: UInt8, _ piece: (Piece) throws -> Void) throws {
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
                if readingKey {
                    readingKey = false
                    expectKey = false
                    return
                }
            }
            if readingKey { key.append(byte) } else { value.append(byte) }
            return
        }
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
            return
        case _ where finished || (depth == 0 && byte != UInt8(ascii: "{")):
            throw Malformed.unexpected(offset: offset)
        case UInt8(ascii: "\""):
            inString = true
            if depth == 1 && expectKey { readingKey = true } else { value.append(byte) }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            depth += 1
            if depth == 1 {
                expectKey = true
            } else if depth == 2 && byte == UInt8(ascii: "[") && value.isEmpty && streamed.contains(key) {
                streaming = true
            } else {
                value.append(byte)
            }
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            depth -= 1
            if depth == 0 {
                try endMember(piece)
                finished = true
            } else if depth == 1 && streaming {
                try endElement(piece)
                try piece(.arrayEnd(key: key))
                streaming = false
                key = []
            } else {
                value.append(byte)
            }
        case UInt8(ascii: ","):
            if depth == 1 {
                try endMember(piece)
                expectKey = true
            } else if depth == 2 && streaming {
                try endElement(piece)
            } else {
                value.append(byte)
            }
        case UInt8(ascii: ":") where depth == 1:
            return
        default:
            value.append(byte)
        }
    }

    private mutating func endMember(_ piece: (Piece) throws -> Void) throws {
        defer { key = []; value = [] }
        guard !value.isEmpty else { return }
        try piece(.member(key: key, value: value))
    }

    private mutating func endElement(_ piece: (Piece) throws -> Void) throws {
        defer { value.removeAll(keepingCapacity: true) }
        guard !value.isEmpty else { return }
        try piece(.element(key: key, value: value))
    }
}
