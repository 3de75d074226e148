/// SMTP data transparency (RFC 5321 section 4.5.2): a line starting with `.` gets another `.`,
/// bare LF becomes CRLF, and the data ends with `CRLF . CRLF`.
public enum DotStuffing {
    /// Returns the bytes to send after the 354 reply, terminator included.
    public static func encode(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 64 + 5)
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
