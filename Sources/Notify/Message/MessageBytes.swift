/// Appending a message's lines to its byte buffer: the text's UTF-8 and CRLF, no intermediate
/// strings.
extension Array where Element == UInt8 {
    /// Appends `line`'s UTF-8 bytes and CRLF.
    mutating func appendLine(_ line: String) {
        append(contentsOf: line.utf8)
        append(0x0D)
        append(0x0A)
    }
}
