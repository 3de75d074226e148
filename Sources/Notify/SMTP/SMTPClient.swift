import NIOCore
import NIOPosix

/// Sends notification messages to a relay over SMTP (SwiftNIO + NIOSSL).
///
/// `send` opens a connection per message; ``withSession(_:)`` keeps one connection for
/// several messages, and ``SMTPConnectionReuse`` keeps connections across `send`s. The password is held only in the configuration and never logged.
public struct SMTPClient: MailTransport {
    /// The relay and how to talk to it.
    public let configuration: SMTPClientConfiguration
    private let group: EventLoopGroup

    /// Creates a client; by default it uses NIO's shared event loop group.
    public init(configuration: SMTPClientConfiguration, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// Opens a session, runs `body` with it, and closes it (QUIT) afterwards, also on error.
    public func withSession<T: Sendable>(_ body: (SMTPSession) async throws -> T) async throws -> T {
        let session = try await SMTPSession.open(configuration, group: group)
        do {
            let result = try await body(session)
            await session.close()
            return result
        } catch {
            await session.close()
            throw error
        }
    }

    /// Sends one message over its own connection.
    public func send(_ message: MIMEMessage, envelopeFrom: MailAddress, recipients: [MailAddress]) async throws -> DeliveryReceipt {
        try await withSession { session in
            try await session.send(message, envelopeFrom: envelopeFrom, recipients: recipients)
        }
    }
}
