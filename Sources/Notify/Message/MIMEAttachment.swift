import Foundation

/// A file attached to a message: a `text/plain; charset=UTF-8` part, base64-encoded so the
/// reader's saved file has exactly these bytes (line ends included).
public struct MIMEAttachment: Sendable, Equatable {
    /// The file name offered to the reader (`filename=`): letters, digits, `.`, `-`, `_` only.
    public let filename: String
    /// The file's content (UTF-8 text).
    public let content: String

    /// Creates an attachment; ``MIMEMessageBuilder/build()`` checks the name.
    public init(filename: String, content: String) {
        self.filename = filename
        self.content = content
    }

    /// The longest base64 line (RFC 2045: at most 76 characters).
    static let lineLength = 76

    /// The part's header lines and body lines (without CRLF).
    func partLines(account: String?) throws(MessageBuildError) -> [String] {
        guard !filename.isEmpty, filename.count <= 200,
              filename.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0)) }) else {
            throw MessageBuildError(account: account, field: "attachment file name", value: filename,
                                    reason: .invalidFileName)
        }
        var lines = [
            "Content-Type: text/plain; charset=UTF-8; name=\"\(filename)\"",
            "Content-Disposition: attachment; filename=\"\(filename)\"",
            "Content-Transfer-Encoding: base64",
            "",
        ]
        let encoded = Data(content.utf8).base64EncodedString()
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: Self.lineLength, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[start..<end]))
            start = end
        }
        return lines
    }
}
