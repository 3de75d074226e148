import NIOCore
import NIOPosix

/// Sends messages to one relay over as few connections as it can, as MTAs do: one session
/// carries message after message (RSET between), up to ``Limits/messagesPerConnection``, and a
/// session left unused longer than ``Limits/idle`` is closed before the next message.
///
/// A kept connection may have been closed by the relay meanwhile (its idle timeout, its own
/// message limit, a `421` to MAIL FROM). When that shows before any of a message's data was
/// sent, nothing of it reached the relay, so it is sent once more over a new connection; once
/// the data went out, the outcome stands as it is (sending again could deliver it twice).
/// Call ``close()`` at the end to QUIT the last session.
public actor SMTPConnectionReuse: MailTransport {
    /// When a kept session is replaced by a new one.
    public struct Limits: Sendable, Equatable {
        /// Messages sent over one connection before it is closed and a new one opened.
        public var messagesPerConnection: Int
        /// A session unused this long is closed rather than used again (relays drop idle
        /// clients after a few minutes; RFC 5321 section 4.5.3.2 suggests 5).
        public var idle: Duration

        /// Creates limits; `messagesPerConnection` below 1 counts as 1.
        public init(messagesPerConnection: Int = 100, idle: Duration = .seconds(60)) {
            self.messagesPerConnection = max(1, messagesPerConnection)
            self.idle = idle
        }
    }

    /// The relay and how to talk to it.
    public let configuration: SMTPClientConfiguration
    private let limits: Limits
    private let group: EventLoopGroup
    private let clock = ContinuousClock()
    private var session: SMTPSession?
    private var sentOnSession = 0
    private var lastUse: ContinuousClock.Instant?
    /// Connections opened so far (each one a TCP connection, greeting, EHLO, TLS, AUTH).
    public private(set) var connectionsOpened = 0

    /// Creates a transport; nothing connects before the first message.
    public init(configuration: SMTPClientConfiguration, limits: Limits = Limits(),
                group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.limits = limits
        self.group = group
    }

    public func send(_ message: MIMEMessage, envelopeFrom: MailAddress, recipients: [MailAddress]) async throws -> DeliveryReceipt {
        let (current, reused) = try await usableSession()
        let receipt: DeliveryReceipt
        do {
            receipt = try await current.send(message, envelopeFrom: envelopeFrom, recipients: recipients)
        } catch {
            let dataSent = await current.sentDataOfLastTransaction
            await drop()
            guard reused, !dataSent else { throw error }
            return try await sendOnNewSession(message, envelopeFrom: envelopeFrom, recipients: recipients)
        }
        sentOnSession += 1
        lastUse = clock.now
        guard Self.relayIsClosing(receipt) else { return receipt }
        // 421: the relay ends this connection. Before the data nothing was taken: a new
        // connection may take it (a relay closing a kept connection on its own limit).
        await drop()
        guard reused, receipt.dataReply == nil else { return receipt }
        return try await sendOnNewSession(message, envelopeFrom: envelopeFrom, recipients: recipients)
    }

    /// QUITs the open session, if any. Later messages open a new one.
    public func close() async {
        await drop()
    }

    /// The kept session if it may carry another message, else a new one; and whether it was kept.
    private func usableSession() async throws -> (SMTPSession, reused: Bool) {
        if let session {
            let idleTooLong = lastUse.map { clock.now - $0 > limits.idle } ?? false
            if sentOnSession < limits.messagesPerConnection && !idleTooLong { return (session, true) }
            await drop()
        }
        return (try await open(), false)
    }

    private func sendOnNewSession(_ message: MIMEMessage, envelopeFrom: MailAddress,
                                  recipients: [MailAddress]) async throws -> DeliveryReceipt {
        let fresh = try await open()
        do {
            let receipt = try await fresh.send(message, envelopeFrom: envelopeFrom, recipients: recipients)
            sentOnSession += 1
            lastUse = clock.now
            if Self.relayIsClosing(receipt) { await drop() }
            return receipt
        } catch {
            await drop()
            throw error
        }
    }

    private func open() async throws -> SMTPSession {
        let opened = try await SMTPSession.open(configuration, group: group)
        connectionsOpened += 1
        session = opened
        sentOnSession = 0
        lastUse = nil
        return opened
    }

    private func drop() async {
        guard let session else { return }
        self.session = nil
        sentOnSession = 0
        await session.close()
    }

    /// True when a reply of the transaction is 421: the relay is closing the connection.
    static func relayIsClosing(_ receipt: DeliveryReceipt) -> Bool {
        receipt.dataReply?.code == 421 || receipt.outcomes.contains { $0.reply?.code == 421 }
    }
}
