/// Base64 (RFC 4648, `=` padding) written straight into a message buffer in lines of at most
/// 76 characters (RFC 2045), each ending in CRLF: one pass, no intermediate text.
enum Base64Lines {
    /// Characters per full line (57 input bytes).
    static let lineLength = 76
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Appends the encoded lines of `bytes` to `out`; nothing for no bytes.
    static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let count = bytes.count
        guard count > 0 else { return }
        let encodedLength = (count + 2) / 3 * 4
        let lines = (encodedLength + lineLength - 1) / lineLength
        let start = out.count
        let total = encodedLength + 2 * lines
        out.append(contentsOf: repeatElement(0, count: total))
        out.withUnsafeMutableBufferPointer { buffer in
            alphabet.withUnsafeBufferPointer { table in
                var o = start
                var column = 0
                var i = 0
                while i + 3 <= count {
                    let b0 = Int(bytes[i]), b1 = Int(bytes[i + 1]), b2 = Int(bytes[i + 2])
                    buffer[o] = table[b0 >> 2]
                    buffer[o + 1] = table[((b0 & 0x03) << 4) | (b1 >> 4)]
                    buffer[o + 2] = table[((b1 & 0x0F) << 2) | (b2 >> 6)]
                    buffer[o + 3] = table[b2 & 0x3F]
                    o += 4
                    i += 3
                    column += 4
                    if column == lineLength {
                        buffer[o] = 0x0D
                        buffer[o + 1] = 0x0A
                        o += 2
                        column = 0
                    }
                }
                let rest = count - i
                if rest > 0 {
                    let b0 = Int(bytes[i]), b1 = rest > 1 ? Int(bytes[i + 1]) : 0
                    buffer[o] = table[b0 >> 2]
                    buffer[o + 1] = table[((b0 & 0x03) << 4) | (b1 >> 4)]
                    buffer[o + 2] = rest > 1 ? table[(b1 & 0x0F) << 2] : 0x3D
                    buffer[o + 3] = 0x3D
                    o += 4
                    column += 4
                }
                if column > 0 {
                    buffer[o] = 0x0D
                    buffer[o + 1] = 0x0A
                }
            }
        }
    }
}
