/// SMTP data transparency (RFC 5321 section 4.5.2): a line starting with `.` gets another `.`,
/// bare LF becomes CRLF, and the data ends with `CRLF . CRLF`.
public enum DotStuffing {
    /// Returns the bytes to send after the 354 reply, terminator included.
    public static func encode(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 64 + 5)
        message.withUnsafeBufferPointer { bytes in
            // Line by line: each line's bytes are copied at once; only its start and end are looked at.
            let count = bytes.count
            var start = 0
            while start < count {
                if bytes[start] == 0x2E { out.append(0x2E) }
                var end = start
                while end < count && bytes[end] != 0x0A { end += 1 }
                if end == count {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<count]))
                    out.append(0x0D)
                    out.append(0x0A)
                    break
                }
                let bare = end == start || bytes[end - 1] != 0x0D
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                if bare { out.append(0x0D) }
                out.append(0x0A)
                start = end + 1
            }
        }
        out.append(contentsOf: [0x2E, 0x0D, 0x0A])
        return out
    }
}
