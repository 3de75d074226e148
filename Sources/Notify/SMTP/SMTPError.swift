/// An SMTP session that could not reach a relay decision for a message.
public struct SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The connection could not be made or was lost: why, in plain words (`connection refused`).
        case connectFailed(String)
        case greetingRejected
        case ehloRejected
        case startTLSUnavailable
        case startTLSRejected
        case tlsFailed(String)
        case authRequiresTLS
        case authUnavailable
        case authenticationFailed
        case unexpectedReply(String)
        case malformedReply(String)
        case timeout(String)
        case connectionClosed
        case protocolMisuse(String)
    }

    /// What went wrong.
    public let kind: Kind
    /// The relay, as `host:port`.
    public let relay: String
    /// The reply that caused the failure, if any.
    public let reply: SMTPReply?
    /// The session so far (credentials redacted).
    public let transcript: [SMTPTranscriptEntry]

    /// Creates an error.
    public init(kind: Kind, relay: String, reply: SMTPReply?, transcript: [SMTPTranscriptEntry]) {
        self.kind = kind
        self.relay = relay
        self.reply = reply
        self.transcript = transcript
    }

    /// True when a later attempt may succeed (4xx reply, timeout, connection problem).
    public var isTransient: Bool {
        if let reply { return reply.isTransient }
        switch kind {
        case .connectFailed, .timeout, .connectionClosed, .tlsFailed: return true
        default: return false
        }
    }

    public var description: String {
        let what: String
        switch kind {
        case .connectFailed(let detail): what = detail
        case .greetingRejected: what = "the relay refused the connection"
        case .ehloRejected: what = "the relay refused EHLO and HELO"
        case .startTLSUnavailable: what = "STARTTLS is required but the relay does not offer it"
        case .startTLSRejected: what = "the relay refused STARTTLS"
        case .tlsFailed(let detail): what = "TLS failed (\(detail))"
        case .authRequiresTLS: what = "refusing to send credentials over an unencrypted connection"
        case .authUnavailable: what = "the relay offers no supported AUTH mechanism (PLAIN, LOGIN)"
        case .authenticationFailed: what = "authentication failed"
        case .unexpectedReply(let stage): what = "unexpected reply at \(stage)"
        case .malformedReply(let detail): what = "malformed reply (\(detail))"
        case .timeout(let command): what = "timed out waiting for the reply to \(command)"
        case .connectionClosed: what = "the relay closed the connection"
        case .protocolMisuse(let detail): what = "client misuse: \(detail)"
        }
        let answer = reply.map { "; relay said \($0)" } ?? ""
        return "SMTP relay \(relay): \(what)\(answer)"
    }
}
