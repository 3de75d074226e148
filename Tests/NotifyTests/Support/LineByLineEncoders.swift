import Foundation

/// The encoders as they were before composition wrote into one buffer: token by token, line by
/// line, as strings. Kept as the oracle the one-pass encoders must match byte for byte.
enum LineByLineEncoders {
    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Quoted-printable lines (without CRLF) of `text`.
    static func quotedPrintable(_ text: String) -> [String] {
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
        return lines.flatMap(encodeLine)
    }

    private static func encodeLine(_ line: [UInt8]) -> [String] {
        var tokens: [[UInt8]] = []
        for (i, b) in line.enumerated() {
            let isLast = i == line.count - 1
            let literal = (b >= 33 && b <= 126 && b != 0x3D) || ((b == 0x20 || b == 0x09) && !isLast)
            tokens.append(literal ? [b] : [0x3D, hex[Int(b >> 4)], hex[Int(b & 0x0F)]])
        }
        var result: [String] = []
        var current: [UInt8] = []
        for (i, token) in tokens.enumerated() {
            let limit = i == tokens.count - 1 ? 76 : 75
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

    /// Base64 lines (without CRLF) of `content`, 76 characters each but the last.
    static func base64(_ content: String) -> [String] {
        let encoded = Data(content.utf8).base64EncodedString()
        var lines: [String] = []
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[start..<end]))
            start = end
        }
        return lines
    }

    /// SMTP data of `message`, byte by byte.
    static func dotStuffed(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var atLineStart = true
        var previous: UInt8 = 0
        for byte in message {
            if atLineStart && byte == 0x2E { out.append(0x2E) }
            if byte == 0x0A && previous != 0x0D { out.append(0x0D) }
            out.append(byte)
            atLineStart = byte == 0x0A
            previous = byte
        }
        if !out.isEmpty && !atLineStart { out.append(contentsOf: [0x0D, 0x0A]) }
        out.append(contentsOf: [0x2E, 0x0D, 0x0A])
        return out
    }
}
