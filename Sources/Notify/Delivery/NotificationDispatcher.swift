/// Sends messages through a transport, keeping the rate limit and retrying recipients that
/// failed temporarily (4xx) with backoff. Permanent failures and local errors are not retried.
///
/// `onReceipt` is called after every attempt, right after the relay answered, so a caller can
/// record accepted recipients before anything else happens.
public actor NotificationDispatcher {
    private let transport: any MailTransport
    private let retry: RetryPolicy
    private let clock: any NotifyClock
    private var limiter: RateLimiter

    /// The final outcome of one message after all attempts.
    public struct Result: Sendable {
        /// The final outcome per recipient (the last attempt's for retried ones).
        public let outcomes: [RecipientOutcome]
        /// Every attempt's receipt, in order.
        public let receipts: [DeliveryReceipt]
        /// Errors of attempts that reached no relay decision.
        public let errors: [String]
    }

    /// Creates a dispatcher.
    public init(transport: any MailTransport, rateLimiter: RateLimiter = RateLimiter(messagesPerMinute: nil),
                retry: RetryPolicy = RetryPolicy(), clock: any NotifyClock = SystemNotifyClock()) {
        self.transport = transport
        self.limiter = rateLimiter
        self.retry = retry
        self.clock = clock
    }

    /// Delivers `message`, retrying temporary failures as the policy allows.
    public func deliver(_ message: MIMEMessage, envelopeFrom: MailAddress, recipients: [MailAddress],
                        onReceipt: @Sendable (DeliveryReceipt) async -> Void = { _ in }) async -> Result {
        var final: [String: RecipientOutcome] = [:]
        var pending = recipients
        var receipts: [DeliveryReceipt] = []
        var errors: [String] = []
        var attempt = 1
        while !pending.isEmpty {
            if attempt > 1 {
                guard let backoff = retry.delay(beforeAttempt: attempt) else { break }
                try? await clock.sleep(for: backoff)
            }
            let wait = limiter.reserve(at: clock.now())
            if wait > .zero { try? await clock.sleep(for: wait) }
            var retryable: [MailAddress] = []
            do {
                let receipt = try await transport.send(message, envelopeFrom: envelopeFrom, recipients: pending)
                receipts.append(receipt)
                await onReceipt(receipt)
                for (address, outcome) in zip(pending, receipt.outcomes) {
                    final[address.address] = outcome
                    if outcome.status == .temporaryFailure { retryable.append(address) }
                }
            } catch {
                errors.append(String(describing: error))
                let transient = (error as? SMTPError)?.isTransient ?? false
                for address in pending {
                    final[address.address] = RecipientOutcome(
                        recipient: address.address, status: transient ? .temporaryFailure : .localError,
                        reply: (error as? SMTPError)?.reply, detail: String(describing: error))
                }
                if transient { retryable = pending }
            }
            pending = retryable
            attempt += 1
        }
        let outcomes = recipients.compactMap { final[$0.address] }
        return Result(outcomes: outcomes, receipts: receipts, errors: errors)
    }
}
