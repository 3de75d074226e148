import Notify

/// A transport that notes when each message was handed to the real one: the moment the
/// dispatcher's rate limit governs, so the bench can check the limit on those instants.
actor StartRecordingTransport: MailTransport {
    private let inner: any MailTransport
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    /// Seconds since creation at which each `send` began, in order.
    private(set) var starts: [Double] = []

    init(_ inner: any MailTransport) {
        self.inner = inner
        origin = clock.now
    }

    func send(_ message: MIMEMessage, envelopeFrom: MailAddress, recipients: [MailAddress]) async throws -> DeliveryReceipt {
        let elapsed = clock.now - origin
        starts.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        return try await inner.send(message, envelopeFrom: envelopeFrom, recipients: recipients)
    }

    func close() async { await inner.close() }
}
