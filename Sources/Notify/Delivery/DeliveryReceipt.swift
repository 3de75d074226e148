/// The outcome for one recipient of one message.
public struct RecipientOutcome: Sendable, Equatable, CustomStringConvertible {
    /// How delivery to this recipient ended.
    public enum Status: Sendable, Equatable {
        /// The relay took responsibility (250 after the message data), or sendmail exited 0.
        case accepted
        /// A 4xx reply (or sendmail's EX_TEMPFAIL): try again later, with backoff.
        case temporaryFailure
        /// A 5xx reply (or a permanent sendmail exit): do not retry; report it.
        case permanentFailure
        /// Nothing reached a relay decision: a local problem (process, connection, protocol).
        case localError
    }

    /// The envelope recipient.
    public let recipient: String
    /// The outcome.
    public let status: Status
    /// The reply that decided the outcome, if a relay answered.
    public let reply: SMTPReply?
    /// A human-readable explanation (reply text, exit status, error).
    public let detail: String

    /// Creates an outcome.
    public init(recipient: String, status: Status, reply: SMTPReply?, detail: String) {
        self.recipient = recipient
        self.status = status
        self.reply = reply
        self.detail = detail
    }

    /// Maps a reply to a status: 2xx accepted, 4xx temporary, 5xx permanent, other local error.
    public static func status(for reply: SMTPReply) -> Status {
        if reply.isPositive { return .accepted }
        if reply.isTransient { return .temporaryFailure }
        if reply.isPermanent { return .permanentFailure }
        return .localError
    }

    public var description: String { "\(recipient): \(status) (\(detail))" }
}

/// What happened to one message: per-recipient outcomes and the relay's replies.
///
/// Mark a notification as sent only when ``messageAccepted`` is true: the relay answered 2xx
/// to the end of the message data. Recipients with ``RecipientOutcome/Status/temporaryFailure``
/// may be retried later; others must not be.
public struct DeliveryReceipt: Sendable, Equatable {
    /// The Message-ID of the message.
    public let messageID: String
    /// The envelope sender.
    public let envelopeFrom: String
    /// One outcome per envelope recipient, in the order given.
    public let outcomes: [RecipientOutcome]
    /// The reply to the end of the message data, if the data was sent.
    public let dataReply: SMTPReply?
    /// Every command and reply of this message's transaction (credentials redacted).
    public let transcript: [SMTPTranscriptEntry]

    /// Creates a receipt.
    public init(messageID: String, envelopeFrom: String, outcomes: [RecipientOutcome],
                dataReply: SMTPReply?, transcript: [SMTPTranscriptEntry]) {
        self.messageID = messageID
        self.envelopeFrom = envelopeFrom
        self.outcomes = outcomes
        self.dataReply = dataReply
        self.transcript = transcript
    }

    /// True when the relay accepted the message for at least one recipient.
    public var messageAccepted: Bool { outcomes.contains { $0.status == .accepted } }
    /// True when every recipient was accepted.
    public var allAccepted: Bool { outcomes.allSatisfy { $0.status == .accepted } }
    /// The recipients that may be retried later.
    public var temporarilyFailed: [String] {
        outcomes.filter { $0.status == .temporaryFailure }.map(\.recipient)
    }
    /// The recipients that failed for good.
    public var permanentlyFailed: [String] {
        outcomes.filter { $0.status == .permanentFailure }.map(\.recipient)
    }
}
