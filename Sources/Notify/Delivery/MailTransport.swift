/// Something that delivers a built message: SMTP to a relay, or the local sendmail.
public protocol MailTransport: Sendable {
    /// Delivers `message` to `recipients` with envelope sender `envelopeFrom`.
    ///
    /// Returns a receipt with one outcome per recipient; relay refusals are outcomes, not
    /// errors. Throws when no relay decision was reached at all (connection, TLS,
    /// authentication, timeout, process failure).
    func send(_ message: MIMEMessage, envelopeFrom: MailAddress, recipients: [MailAddress]) async throws -> DeliveryReceipt

    /// Ends what the transport keeps open between messages (an SMTP session); call it once no
    /// more messages follow. The default does nothing.
    func close() async
}

extension MailTransport {
    public func close() async {}
}
