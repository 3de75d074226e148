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

    /// Writes an address list field, one address per line after the first.
    static func addresses(name: String, _ list: [MailAddress]) -> [String] {
        var lines: [String] = []
        for (i, address) in list.enumerated() {
            let rendered = render(address) + (i < list.count - 1 ? "," : "")
            lines.append(i == 0 ? "\(name): \(rendered)" : " \(rendered)")
        }
        return lines
    }

    /// `Name <local@domain>`, with the name quoted or encoded as needed.
    static func render(_ address: MailAddress) -> String {
        guard let name = address.displayName else { return address.address }
        if !EncodedWord.isPlainASCII(name) {
            return EncodedWord.encode(name).joined(separator: " ") + " <\(address.address)>"
        }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\" <\(address.address)>"
    }
}
