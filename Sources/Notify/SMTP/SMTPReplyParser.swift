/// Assembles SMTP replies from response lines (`250-first`, `250 last`), free of I/O.
public struct SMTPReplyParser: Sendable {
    /// The longest line accepted (RFC 5321 allows 512; generous for chatty servers).
    public static let maxLineLength = 4096
    private var code: Int?
    private var lines: [String] = []

    /// Creates an empty parser.
    public init() {}

    /// A line that is not an SMTP reply line.
    public struct Malformed: Error, Sendable, Equatable {
        /// The offending line (escaped when shown).
        public let line: String
    }

    /// Feeds one line (without CRLF); returns the reply when `line` was its last line.
    public mutating func feed(_ line: String) throws(Malformed) -> SMTPReply? {
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (0x30...0x39).contains($0) }),
              let value = Int(String(decoding: bytes[0...2], as: UTF8.self)), (200...599).contains(value) else {
            throw Malformed(line: line)
        }
        let separator: UInt8? = bytes.count > 3 ? bytes[3] : nil
        guard separator == nil || separator == 0x20 || separator == 0x2D else { throw Malformed(line: line) }
        if let code, code != value { throw Malformed(line: line) }
        code = value
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        if separator == 0x2D { return nil }
        let reply = SMTPReply(code: value, lines: lines)
        code = nil
        lines = []
        return reply
    }
}
