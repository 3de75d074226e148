/// One reply of an SMTP server: a three-digit code and its text lines.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    /// The reply code, e.g. 250.
    public let code: Int
    /// The text of each line, without code and separator.
    public let lines: [String]

    /// Creates a reply.
    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// The text lines joined by a space.
    public var text: String { lines.joined(separator: " ") }

    /// 2xx: the command was accepted.
    public var isPositive: Bool { (200..<300).contains(code) }
    /// 3xx: the server waits for more (354 after DATA, 334 during AUTH).
    public var isIntermediate: Bool { (300..<400).contains(code) }
    /// 4xx: temporary failure, try again later.
    public var isTransient: Bool { (400..<500).contains(code) }
    /// 5xx: permanent failure.
    public var isPermanent: Bool { (500..<600).contains(code) }

    public var description: String { "\(code) \(text)" }
}

/// A command sent and the reply received, as recorded for a receipt or error.
public struct SMTPTranscriptEntry: Sendable, Equatable, CustomStringConvertible {
    /// The command as logged (credentials redacted); nil for the greeting, `<message>` for the body.
    public let command: String?
    /// The server's reply.
    public let reply: SMTPReply

    /// Creates an entry.
    public init(command: String?, reply: SMTPReply) {
        self.command = command
        self.reply = reply
    }

    public var description: String { "\(command ?? "<connect>") -> \(reply)" }
}
