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
    static let lineLength = Base64Lines.lineLength

    /// Refuses a file name that is empty, long, or has anything but letters, digits, `.-_`.
    func checkName(account: String?) throws(MessageBuildError) {
        guard !filename.isEmpty, filename.count <= 200,
              filename.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0)) }) else {
            throw MessageBuildError(account: account, field: "attachment file name", value: filename,
                                    reason: .invalidFileName)
        }
    }

    /// The part's header lines (without CRLF); the body follows a blank line.
    var headerLines: [String] {
        ["Content-Type: text/plain; charset=UTF-8; name=\"\(filename)\"",
         "Content-Disposition: attachment; filename=\"\(filename)\"",
         "Content-Transfer-Encoding: base64"]
    }

    /// How many bytes the part's base64 lines take, CRLFs included.
    var encodedSize: Int {
        let encoded = (content.utf8.count + 2) / 3 * 4
        return encoded + 2 * ((encoded + Self.lineLength - 1) / Self.lineLength)
    }

    /// Appends the content's base64 lines, each ending in CRLF.
    func writeBody(into out: inout [UInt8]) {
        var text = content
        text.withUTF8 { Base64Lines.encode($0, into: &out) }
    }
}
