/// A complete, validated notification message: RFC 5322 headers and a UTF-8 text body in
/// quoted-printable (with attachments: a `multipart/mixed` of that text and the files), with
/// CRLF line endings. Build one with ``MIMEMessageBuilder``.
public struct MIMEMessage: Sendable, Equatable {
    /// The author (`From:`).
    public let from: MailAddress
    /// The recipients (`To:`).
    public let to: [MailAddress]
    /// The subject as given (unencoded).
    public let subject: String
    /// The body as given (unencoded, any line endings).
    public let body: String
    /// The `Message-ID` value including angle brackets.
    public let messageID: String
    /// The `Date` header value.
    public let date: String
    /// The header lines as written (folded, without CRLF).
    public let headerLines: [String]
    /// The attached files, in order.
    public let attachments: [MIMEAttachment]
    /// The whole message, headers, blank line and body, each line ending in CRLF: the message
    /// as stored, built once; SMTP dot-stuffing is applied by the transport.
    public let bytes: [UInt8]
    /// Where the body starts in ``bytes`` (after the blank line).
    private let bodyStart: Int

    init(from: MailAddress, to: [MailAddress], subject: String, body: String, messageID: String,
         date: String, headerLines: [String], bytes: [UInt8], bodyStart: Int, attachments: [MIMEAttachment] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.date = date
        self.headerLines = headerLines
        self.bytes = bytes
        self.bodyStart = bodyStart
        self.attachments = attachments
    }

    /// The body lines as written (quoted-printable, or the multipart's parts; without CRLF).
    public var bodyLines: [String] {
        var lines: [String] = []
        var start = bodyStart
        for index in bodyStart..<bytes.count where bytes[index] == 0x0A {
            lines.append(String(decoding: bytes[start..<(index - 1)], as: UTF8.self))
            start = index + 1
        }
        return lines
    }

    /// ``bytes`` as text.
    public var rendered: String { String(decoding: bytes, as: UTF8.self) }
}
