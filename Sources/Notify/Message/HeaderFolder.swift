import Foundation

/// Writes header fields within the RFC 5322 line limits (78 recommended, 998 hard).
enum HeaderFolder {
    static let softLimit = 78
    static let hardLimit = 998

    /// Folds an unstructured field (such as Subject). Non-ASCII text becomes RFC 2047
    /// encoded-words, one per line. Returns the physical lines without CRLF.
    static func unstructured(name: String, value: String, account: String?) throws(MessageBuildError) -> [String] {
        try ControlCharacterCheck.require(value, field: name, account: account)
        let head = "\(name): "
        if !EncodedWord.isPlainASCII(value) {
            let words = EncodedWord.encode(value, firstWordLimit: softLimit - head.count)
            return [head + words[0]] + words.dropFirst().map { " " + $0 }
        }
        // Plain ASCII: fold at spaces so that lines stay within 78 where words allow.
        var lines: [String] = []
        var current = head
        var first = true
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            let piece = first ? String(word) : " " + word
            if !first && current.count + piece.count > softLimit && current != head {
                lines.append(current)
                current = piece
            } else {
                current += piece
            }
            first = false
        }
        lines.append(current)
        if lines.contains(where: { $0.utf8.count > hardLimit }) {
            throw MessageBuildError(account: account, field: name, value: value, reason: .lineTooLong)
        }
        return lines
    }

    /// Writes an address list field, folding between words so lines stay within 78 characters.
    static func addresses(name: String, _ list: [MailAddress]) -> [String] {
        var tokens: [String] = []
        for (i, address) in list.enumerated() {
            var parts = render(address)
            if i < list.count - 1 { parts[parts.count - 1] += "," }
            tokens.append(contentsOf: parts)
        }
        return fold(head: "\(name):", tokens: tokens)
    }

    /// Packs space-separated tokens after `head`, starting a continuation line (" token")
    /// whenever the next token would pass the 78-character soft limit.
    static func fold(head: String, tokens: [String]) -> [String] {
        var lines: [String] = []
        var current = head
        for token in tokens {
            if current.utf8.count + 1 + token.utf8.count > softLimit {
                lines.append(current)
                current = " " + token
            } else {
                current += " " + token
            }
        }
        lines.append(current)
        return lines
    }

    /// The words of `Name <local@domain>`, with the name quoted or encoded as needed.
    static func render(_ address: MailAddress) -> [String] {
        let angle = "<\(address.address)>"
        guard let name = address.displayName else { return [address.address] }
        if !EncodedWord.isPlainASCII(name) {
            return EncodedWord.encode(name, firstWordLimit: 60) + [angle]
        }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return ["\"\(escaped)\"", angle]
    }
}
