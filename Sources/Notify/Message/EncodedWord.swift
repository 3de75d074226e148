import Foundation

/// RFC 2047 encoded-words (`=?UTF-8?B?...?=`) for header text that is not plain ASCII.
public enum EncodedWord {
    /// The longest encoded-word RFC 2047 allows.
    public static let maxWordLength = 75
    private static let prefix = "=?UTF-8?B?"
    private static let suffix = "?="

    /// True when `text` can go into a header as is: printable ASCII and spaces only, and no
    /// sequence that a reader could take for an encoded-word.
    public static func isPlainASCII(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F } && !text.contains("=?")
    }

    /// Splits `text` into encoded-words. The first word fits in `firstWordLimit` characters,
    /// the others in ``maxWordLength``. Words never split a UTF-8 character.
    public static func encode(_ text: String, firstWordLimit: Int = maxWordLength) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        var limit = min(firstWordLimit, maxWordLength)
        func capacity(_ limit: Int) -> Int {
            // Raw bytes whose base64 fits into the space left by prefix and suffix.
            ((limit - prefix.count - suffix.count) / 4) * 3
        }
        for character in text {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > capacity(limit) {
                words.append(word(chunk))
                chunk = []
                limit = maxWordLength
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words
    }

    private static func word(_ bytes: [UInt8]) -> String {
        prefix + Data(bytes).base64EncodedString() + suffix
    }
}
