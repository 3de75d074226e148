import Foundation

/// Independent decoders used only by the tests to check what the module encodes.
enum TestDecoding {
    /// Decodes quoted-printable lines (soft breaks joined, hard breaks become LF).
    static func quotedPrintable(_ lines: [String]) -> String {
        var bytes: [UInt8] = []
        for line in lines {
            var chars = Array(line.utf8)[...]
            var soft = false
            if chars.last == UInt8(ascii: "=") { soft = true; chars = chars.dropLast() }
            while let c = chars.popFirst() {
                if c == UInt8(ascii: "="), chars.count >= 2,
                   let v = UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16) {
                    bytes.append(v)
                    chars = chars.dropFirst(2)
                } else {
                    bytes.append(c)
                }
            }
            if !soft { bytes.append(0x0A) }
        }
        if bytes.last == 0x0A { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes a sequence of `=?UTF-8?B?...?=` words separated by folding whitespace.
    static func encodedWords(_ text: String) -> String? {
        var bytes: [UInt8] = []
        for word in text.split(whereSeparator: \.isWhitespace) {
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { return nil }
            guard let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) else { return nil }
            bytes.append(contentsOf: data)
        }
        return String(bytes: bytes, encoding: .utf8)
    }
}
