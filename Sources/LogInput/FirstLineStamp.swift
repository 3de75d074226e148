/// Reads the TAI64N stamp (24 hex digits after `@`) that starts a file's first line.
enum FirstLineStamp {
    /// The stamp in lower case, or nil if the file cannot be read or does not start with one.
    static func read(_ file: LogFile) -> String? {
        guard let source = try? file.openSource() else { return nil }
        var head = [UInt8](repeating: 0, count: 25)
        var filled = 0
        while filled < head.count {
            let count = head.withUnsafeMutableBytes { buffer in
                (try? source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))) ?? 0
            }
            if count == 0 { break }
            filled += count
        }
        guard filled == 25, head[0] == UInt8(ascii: "@"),
              head[1...].allSatisfy(FileNameRules.isLowerHex) else { return nil }
        return String(decoding: head[1...], as: UTF8.self).lowercased()
    }
}
