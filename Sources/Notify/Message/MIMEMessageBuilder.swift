import Foundation

/// Builds a ``MIMEMessage`` from raw strings, refusing anything unsafe before any I/O.
///
/// Every address and header value is checked for control characters (CR, LF, NUL, ...) and
/// every address for validity; the first problem throws a ``MessageBuildError`` naming the
/// account and field. A message is either built completely or not at all.
public struct MIMEMessageBuilder: Sendable {
    /// The account the message is for; named in errors.
    public var account: String?
    /// `From:` address (also the domain of the Message-ID).
    public var from: String
    /// Optional display name for `From:`.
    public var fromName: String?
    /// `To:` addresses.
    public var to: [String]
    /// The subject; encoded as RFC 2047 words when not plain ASCII.
    public var subject: String
    /// The body text (UTF-8, any line endings).
    public var body: String
    /// The `Date:`; defaults to now.
    public var date: Date
    /// The unique part of the Message-ID (before `@`); a random one when nil.
    public var messageIDLocalPart: String?
    /// Files attached after the body; with any, the message is `multipart/mixed`.
    public var attachments: [MIMEAttachment]

    /// Creates a builder; call ``build()`` to validate and assemble.
    public init(account: String? = nil, from: String, fromName: String? = nil, to: [String],
                subject: String, body: String, date: Date = Date(), messageIDLocalPart: String? = nil,
                attachments: [MIMEAttachment] = []) {
        self.account = account
        self.from = from
        self.fromName = fromName
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
        self.messageIDLocalPart = messageIDLocalPart
        self.attachments = attachments
    }

    /// Validates every field and assembles the message.
    public func build() throws(MessageBuildError) -> MIMEMessage {
        let sender = try MailAddress(from, displayName: fromName, field: "From", account: account)
        guard !to.isEmpty else {
            throw MessageBuildError(account: account, field: "To", value: "", reason: .noRecipients)
        }
        var recipients: [MailAddress] = []
        for raw in to {
            recipients.append(try MailAddress(raw, field: "To", account: account))
        }
        let unique = messageIDLocalPart ?? Self.randomUnique(date: date)
        let idField = "Message-ID local part"
        try ControlCharacterCheck.require(unique, field: idField, account: account)
        guard !unique.isEmpty, unique.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0)) }) else {
            throw MessageBuildError(account: account, field: idField, value: unique, reason: .invalidAddress("not a dot-atom"))
        }
        let messageID = "<\(unique)@\(sender.domain)>"
        let dateValue = RFC5322Date.format(date)
        var headers: [String] = []
        headers.append("Date: \(dateValue)")
        headers.append(contentsOf: HeaderFolder.fold(head: "Message-ID:", tokens: [messageID]))
        headers.append(contentsOf: HeaderFolder.addresses(name: "From", [sender]))
        headers.append(contentsOf: HeaderFolder.addresses(name: "To", recipients))
        headers.append(contentsOf: try HeaderFolder.unstructured(name: "Subject", value: subject, account: account))
        headers.append("MIME-Version: 1.0")
        let text = ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"]
        // The boundary names the message's unique part; see below.
        let boundary = "=_lostmail." + unique
        if attachments.isEmpty {
            headers.append(contentsOf: text)
        } else {
            headers.append("Content-Type: multipart/mixed;")
            headers.append(" boundary=\"\(boundary)\"")
        }
        for attachment in attachments { try attachment.checkName(account: account) }
        // The whole message in one buffer, sized up front: headers, the body as quoted-printable
        // (mostly one byte per byte), the files as base64 lines.
        var out: [UInt8] = []
        out.reserveCapacity(headers.reduce(512) { $0 + $1.utf8.count + 2 } + body.utf8.count * 9 / 8
                            + attachments.reduce(0) { $0 + $1.encodedSize + 256 })
        for line in headers { out.appendLine(line) }
        out.appendLine("")
        let bodyStart = out.count
        if attachments.isEmpty {
            QuotedPrintable.encode(body, into: &out)
        } else {
            // "=_" cannot occur in quoted-printable (an "=" is always "=XX") nor in base64 text,
            // so no line of the parts can be taken for the boundary.
            out.appendLine("This is a message in MIME format: a text and \(attachments.count) attached file(s).")
            out.appendLine("")
            out.appendLine("--" + boundary)
            for line in text { out.appendLine(line) }
            out.appendLine("")
            QuotedPrintable.encode(body, into: &out)
            for attachment in attachments {
                out.appendLine("--" + boundary)
                for line in attachment.headerLines { out.appendLine(line) }
                out.appendLine("")
                attachment.writeBody(into: &out)
            }
            out.appendLine("--" + boundary + "--")
        }
        return MIMEMessage(from: sender, to: recipients, subject: subject, body: body, messageID: messageID,
                           date: dateValue, headerLines: headers, bytes: out, bodyStart: bodyStart,
                           attachments: attachments)
    }

    static func randomUnique(date: Date) -> String {
        let stamp = String(UInt64(max(0, date.timeIntervalSince1970)), radix: 36)
        let random = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        return "lm.\(stamp).\(random)"
    }
}
