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
        var encoded: [UInt8] = []
        encode(text, into: &encoded)
        // Every line, the last one too, ends in CRLF; none contains CR or LF otherwise.
        var lines: [String] = []
        var start = 0
        for index in encoded.indices where encoded[index] == 0x0A {
            lines.append(String(decoding: encoded[start..<(index - 1)], as: UTF8.self))
            start = index + 1
        }
        return lines
    }

    /// Encodes `text` with CRLF line endings (no CRLF after the last line).
    public static func encode(_ text: String) -> String {
        var encoded: [UInt8] = []
        encode(text, into: &encoded)
        return String(decoding: encoded.dropLast(2), as: UTF8.self)
    }

    /// Appends the encoded lines of `text` to `out` in one pass, each line ending in CRLF (the
    /// last one too): the lines ``encodeLines(_:)`` returns, as a message body has them.
    public static func encode(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { encode($0, into: &out) }
    }

    /// Appends the encoded lines of the UTF-8 bytes `bytes` to `out`, each ending in CRLF.
    static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        // Most bytes stay as they are; room for a few escapes and the soft breaks.
        out.reserveCapacity(out.count + bytes.count + bytes.count / 8 + 16)
        let count = bytes.count
        guard count > 0 else {
            out.append(0x0D); out.append(0x0A)
            return
        }
        var start = 0
        while start < count {
            var end = start
            while end < count && bytes[end] != 0x0A && bytes[end] != 0x0D { end += 1 }
            encodeLine(bytes, from: start, to: end, into: &out)
            if end == count { break }
            // A line break: CRLF, or a lone LF or CR. A final one ends the last line.
            start = bytes[end] == 0x0D && end + 1 < count && bytes[end + 1] == 0x0A ? end + 2 : end + 1
        }
    }

    /// Encodes the logical line `bytes[from..<to]` into physical lines, each ending in CRLF.
    private static func encodeLine(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int, into out: inout [UInt8]) {
        var column = 0
        var index = from
        while index < to {
            let byte = bytes[index]
            let isLast = index == to - 1
            let literal = (byte >= 33 && byte <= 126 && byte != 0x3D) || ((byte == 0x20 || byte == 0x09) && !isLast)
            let width = literal ? 1 : 3
            // The final piece may use all 76 characters; others leave room for the soft break.
            if column + width > (isLast ? maxLineLength : maxLineLength - 1) {
                out.append(0x3D); out.append(0x0D); out.append(0x0A)
                column = 0
            }
            if literal {
                out.append(byte)
            } else {
                out.append(0x3D); out.append(hex[Int(byte >> 4)]); out.append(hex[Int(byte & 0x0F)])
            }
            column += width
            index += 1
        }
        out.append(0x0D); out.append(0x0A)
    }
}
