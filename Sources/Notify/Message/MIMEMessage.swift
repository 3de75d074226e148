import Foundation

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
    /// The body lines as written (quoted-printable, or the multipart's parts; without CRLF).
    public let bodyLines: [String]
    /// The attached files, in order.
    public let attachments: [MIMEAttachment]

    init(from: MailAddress, to: [MailAddress], subject: String, body: String, messageID: String,
         date: String, headerLines: [String], bodyLines: [String], attachments: [MIMEAttachment] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.date = date
        self.headerLines = headerLines
        self.bodyLines = bodyLines
        self.attachments = attachments
    }

    /// The whole message, headers, blank line and body, each line ending in CRLF.
    /// This is the message as stored; SMTP dot-stuffing is applied by the transport.
    public var rendered: String {
        (headerLines + [""] + bodyLines).map { $0 + "\r\n" }.joined()
    }

    /// ``rendered`` as bytes.
    public var bytes: [UInt8] { Array(rendered.utf8) }
}
