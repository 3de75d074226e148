/// Quoted-printable body encoding (RFC 2045 section 6.7) of UTF-8 text.
///
/// Line breaks in the input (LF, CRLF or CR) become hard CRLF breaks; encoded lines are at most
/// 76 characters, using soft breaks (`=` at the end) where needed. Spaces and tabs before a line
/// end are encoded, and an `=XX` escape is never split across lines.
public enum QuotedPrintable {
    /// The longest encoded line, soft-break `=` included.
    public static let maxLineLength = 76

    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Encodes `text` and returns the encoded lines (without line terminators).
    public static func encodeLines(_ text: String) -> [String] {
        var out: [String] = []
        for line in splitLines(text) {
            out.append(contentsOf: encodeLine(line))
        }
        return out
    }

    /// Encodes `text` with CRLF line endings (no CRLF after the last line).
    public static func encode(_ text: String) -> String {
        encodeLines(text).joined(separator: "\r\n")
    }

    /// Splits on LF, CRLF or lone CR, keeping empty lines; a final line break ends the last line.
    static func splitLines(_ text: String) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let b = bytes.popFirst() {
            if b == 0x0A {
                lines.append(current); current = []
            } else if b == 0x0D {
                if bytes.first == 0x0A { bytes.removeFirst() }
                lines.append(current); current = []
            } else {
                current.append(b)
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    /// Encodes one logical line into one or more physical lines.
    static func encodeLine(_ line: [UInt8]) -> [String] {
        // Encode each byte to its token first, then pack tokens into lines.
        var tokens: [[UInt8]] = []
        tokens.reserveCapacity(line.count)
        for (i, b) in line.enumerated() {
            let isLast = i == line.count - 1
            let literal = (b >= 33 && b <= 126 && b != 0x3D) || ((b == 0x20 || b == 0x09) && !isLast)
            tokens.append(literal ? [b] : [0x3D, hex[Int(b >> 4)], hex[Int(b & 0x0F)]])
        }
        var result: [String] = []
        var current: [UInt8] = []
        for (i, token) in tokens.enumerated() {
            let isLastToken = i == tokens.count - 1
            // The final line may use all 76 characters; others need room for the soft break.
            let limit = isLastToken ? maxLineLength : maxLineLength - 1
            if current.count + token.count > limit {
                current.append(0x3D)
                result.append(String(decoding: current, as: UTF8.self))
                current = []
            }
            current.append(contentsOf: token)
        }
        result.append(String(decoding: current, as: UTF8.self))
        return result
    }
}
