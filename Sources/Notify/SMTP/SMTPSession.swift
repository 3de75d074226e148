import NIOCore
import NIOPosix
import NIOSSL

/// One open connection to a relay, ready to send messages one after another (RSET between).
///
/// Obtain one from ``SMTPClient/withSession(_:)``. Each ``send(_:envelopeFrom:recipients:)``
/// returns as soon as the relay has answered the end of the message data, so a caller can
/// record the message as sent before the next one starts. A session is itself a
/// ``MailTransport`` (for a ``NotificationDispatcher`` over one connection; it does not reconnect).
public actor SMTPSession: MailTransport {
    private let channel: Channel
    private let configuration: SMTPClientConfiguration
    private let sslContext: NIOSSLContext?
    private var machine: SMTPStateMachine
    /// True from installing TLS until the first reply over it: a failure then is a TLS failure.
    private var awaitingFirstTLSReply: Bool
    /// True once the data of the last message begun went out (or started to): a failure after
    /// that may have reached the relay, one before it did not.
    public private(set) var sentDataOfLastTransaction = false

    private init(channel: Channel, configuration: SMTPClientConfiguration, sslContext: NIOSSLContext?) {
        self.channel = channel
        self.configuration = configuration
        self.sslContext = sslContext
        self.machine = SMTPStateMachine(policy: configuration.policy, tlsActive: configuration.policy.tls == .implicit)
        self.awaitingFirstTLSReply = configuration.policy.tls == .implicit
    }

    /// Connects, reads the greeting, and runs EHLO, STARTTLS and AUTH as configured.
    static func open(_ configuration: SMTPClientConfiguration, group: EventLoopGroup) async throws -> SMTPSession {
        let relay = configuration.relay
        let sslContext: NIOSSLContext?
        do {
            sslContext = configuration.policy.tls == .none ? nil : try SMTPTLS.makeContext(configuration)
        } catch {
            throw SMTPError(kind: .tlsFailed(String(describing: error)), relay: relay, reply: nil, transcript: [])
        }
        let implicitTLS = configuration.policy.tls == .implicit
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(configuration.timeouts.connect))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if implicitTLS, let sslContext {
                        try sync.addHandler(SMTPTLS.makeHandler(context: sslContext, configuration: configuration))
                    }
                    try sync.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                    try sync.addHandler(SMTPClientHandler())
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw SMTPError(kind: .connectFailed(ConnectFailure.plainWords(error)), relay: relay, reply: nil, transcript: [])
        }
        let session = SMTPSession(channel: channel, configuration: configuration, sslContext: sslContext)
        try await session.start()
        return session
    }

    private func start() async throws {
        let greeting = try await exchange(nil, timeout: configuration.timeouts.command, label: "connect")
        let action = try await run(machine.receive(greeting))
        guard action == .ready else { throw misuse("session did not become ready") }
    }

    /// Sends one message in this session and returns its receipt.
    ///
    /// Relay refusals (4xx/5xx for MAIL, RCPT, DATA or the data) are outcomes in the receipt;
    /// an error is thrown only when the session itself fails (timeout, connection lost).
    public func send(_ message: MIMEMessage, envelopeFrom: MailAddress, recipients: [MailAddress]) async throws -> DeliveryReceipt {
        let data = DotStuffing.encode(message.bytes)
        sentDataOfLastTransaction = false
        let first = machine.begin(envelopeFrom: envelopeFrom.address, recipients: recipients.map(\.address),
                                  messageID: message.messageID)
        let action = try await run(first, data: data)
        guard case .transactionComplete(let receipt) = action else { throw misuse("transaction did not complete") }
        return receipt
    }

    /// Sends QUIT and closes the connection.
    public func close() async {
        _ = try? await run(machine.quit())
        try? await channel.close()
    }

    /// The whole session's transcript so far (credentials redacted).
    public var transcript: [SMTPTranscriptEntry] { machine.transcript }

    /// Performs actions until one needs the caller (ready, complete, close).
    private func run(_ start: SMTPStateMachine.Action, data: [UInt8] = []) async throws -> SMTPStateMachine.Action {
        var action = start
        while true {
            switch action {
            case .send(let command):
                var timeout = command.timeoutClass == .dataInitiation
                    ? configuration.timeouts.dataInitiation : configuration.timeouts.command
                // Nothing depends on the answer to QUIT: don't let a stalled relay hold us long.
                if command == .quit { timeout = min(timeout, .seconds(10)) }
                var buffer = channel.allocator.buffer(capacity: command.wireText.utf8.count + 2)
                buffer.writeString(command.wireText + "\r\n")
                action = machine.receive(try await exchange(buffer, timeout: timeout, label: command.loggedText))
            case .startTLS:
                try await installTLS()
                action = machine.tlsEstablished()
            case .sendMessageData:
                sentDataOfLastTransaction = true
                let buffer = channel.allocator.buffer(bytes: data)
                action = machine.receive(try await exchange(buffer, timeout: configuration.timeouts.dataTermination,
                                                            label: "end of message data"))
            case .ready, .transactionComplete, .close:
                return action
            case .fail(let kind, let reply):
                try? await channel.close()
                throw SMTPError(kind: kind, relay: configuration.relay, reply: reply, transcript: machine.transcript)
            }
        }
    }

    private func exchange(_ payload: ByteBuffer?, timeout: Duration, label: String) async throws -> SMTPReply {
        let promise = channel.eventLoop.makePromise(of: SMTPReply.self)
        let request = SMTPRequest(payload: payload ?? channel.allocator.buffer(capacity: 0),
                                  timeout: TimeAmount(timeout), promise: promise)
        // If the channel is already closed the request never reaches the handler: fail the
        // reply promise from the write's failure (a second completion is ignored).
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in
            promise.fail((error as? SMTPChannelError) ?? .closed)
        }
        channel.writeAndFlush(request, promise: written)
        do {
            let reply = try await promise.futureResult.get()
            awaitingFirstTLSReply = false
            return reply
        } catch let error as SMTPChannelError {
            try? await channel.close()
            let kind: SMTPError.Kind
            switch error {
            case .timeout: kind = .timeout(label)
            case .closed: kind = awaitingFirstTLSReply
                ? .tlsFailed("the connection was closed during the TLS handshake") : .connectionClosed
            case .malformed(let detail): kind = .malformedReply(detail)
            case .tls(let detail): kind = .tlsFailed(detail)
            case .transport(let detail): kind = awaitingFirstTLSReply ? .tlsFailed(detail) : .connectFailed("connection lost (\(detail))")
            }
            throw SMTPError(kind: kind, relay: configuration.relay, reply: nil, transcript: machine.transcript)
        }
    }

    private func installTLS() async throws {
        guard let sslContext else { throw misuse("STARTTLS without a TLS context") }
        let configuration = configuration
        let channel = channel
        awaitingFirstTLSReply = true
        do {
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(
                    SMTPTLS.makeHandler(context: sslContext, configuration: configuration), position: .first)
            }.get()
        } catch {
            throw SMTPError(kind: .tlsFailed(String(describing: error)), relay: configuration.relay, reply: nil,
                            transcript: machine.transcript)
        }
    }

    private func misuse(_ detail: String) -> SMTPError {
        SMTPError(kind: .protocolMisuse(detail), relay: configuration.relay, reply: nil, transcript: machine.transcript)
    }
}
