/// The SMTP client conversation as a value-type state machine, free of I/O.
///
/// The driver feeds it replies and events and performs the ``Action`` it returns:
/// greeting -> EHLO (HELO fallback) -> STARTTLS -> EHLO -> AUTH -> ready; then per message
/// (RSET) -> MAIL FROM -> RCPT TO... -> DATA -> message -> ready; finally QUIT.
public struct SMTPStateMachine: Sendable {
    /// What the driver must do next.
    public enum Action: Sendable, Equatable {
        /// Send this command and feed the reply to ``receive(_:)``.
        case send(SMTPCommand)
        /// Install TLS on the connection, then call ``tlsEstablished()``.
        case startTLS
        /// Send the dot-stuffed message data and terminator, then feed the reply.
        case sendMessageData
        /// The session is ready for ``begin(envelopeFrom:recipients:messageID:)``.
        case ready
        /// The transaction finished (whatever the outcomes); the session is ready again.
        case transactionComplete(DeliveryReceipt)
        /// QUIT was answered: close the connection.
        case close
        /// The session cannot continue: close the connection and report.
        case fail(SMTPError.Kind, SMTPReply?)
    }

    /// Where the conversation stands.
    public enum State: Sendable, Equatable {
        case awaitingGreeting
        case awaitingEHLO
        case awaitingHELO
        case awaitingStartTLS
        case tlsHandshake
        case awaitingAuthPlain
        case awaitingAuthLoginUsernamePrompt
        case awaitingAuthLoginPasswordPrompt
        case awaitingAuthLoginResult
        case ready
        case awaitingReset(Transaction)
        case awaitingMailFrom(Transaction)
        case awaitingRecipient(Transaction)
        case awaitingDataGo(Transaction)
        case awaitingDataEnd(Transaction)
        case awaitingQuit
        case closed
        case failed
    }

    /// One message's envelope and the replies collected so far.
    public struct Transaction: Sendable, Equatable {
        public let messageID: String
        public let envelopeFrom: String
        public let recipients: [String]
        /// Replies to RCPT TO, in order.
        public var recipientReplies: [SMTPReply] = []
        /// Commands and replies of this transaction.
        public var transcript: [SMTPTranscriptEntry] = []
    }

    /// The current state.
    public private(set) var state: State = .awaitingGreeting
    /// The capabilities of the last EHLO.
    public private(set) var capabilities: SMTPCapabilities = .none
    /// True once TLS is on (implicit TLS or after STARTTLS).
    public private(set) var tlsActive: Bool
    /// Every command and reply of the session (credentials redacted).
    public private(set) var transcript: [SMTPTranscriptEntry] = []
    private let configuration: SMTPSessionPolicy
    private var lastCommand: SMTPCommand?
    private var transactionsStarted = 0

    /// Creates a machine; `tlsActive` is true for implicit TLS.
    public init(policy: SMTPSessionPolicy, tlsActive: Bool) {
        self.configuration = policy
        self.tlsActive = tlsActive
    }

    // MARK: - Events

    /// Feeds a server reply.
    public mutating func receive(_ reply: SMTPReply) -> Action {
        let entry = SMTPTranscriptEntry(command: loggedLastCommand(), reply: reply)
        transcript.append(entry)
        switch state {
        case .awaitingGreeting:
            guard reply.code == 220 else { return fail(.greetingRejected, reply) }
            return send(.ehlo(configuration.heloName), next: .awaitingEHLO)
        case .awaitingEHLO:
            if reply.isPositive {
                capabilities = SMTPCapabilities(ehloReply: reply)
                return afterGreeting()
            }
            if reply.isPermanent && !tlsActive { return send(.helo(configuration.heloName), next: .awaitingHELO) }
            return fail(.ehloRejected, reply)
        case .awaitingHELO:
            guard reply.isPositive else { return fail(.ehloRejected, reply) }
            capabilities = .none
            return afterGreeting()
        case .awaitingStartTLS:
            if reply.code == 220 { state = .tlsHandshake; return .startTLS }
            if configuration.tls == .required { return fail(.startTLSRejected, reply) }
            return authenticateOrReady()
        case .awaitingAuthPlain, .awaitingAuthLoginResult:
            guard reply.code == 235 else { return fail(.authenticationFailed, reply) }
            return becomeReady()
        case .awaitingAuthLoginUsernamePrompt:
            guard reply.code == 334, let credentials = configuration.credentials else {
                return fail(.authenticationFailed, reply)
            }
            return send(.authLoginUsername(credentials.username), next: .awaitingAuthLoginPasswordPrompt)
        case .awaitingAuthLoginPasswordPrompt:
            guard reply.code == 334, let credentials = configuration.credentials else {
                return fail(.authenticationFailed, reply)
            }
            return send(.authLoginPassword(credentials.password), next: .awaitingAuthLoginResult)
        case .awaitingReset(var transaction):
            transaction.transcript.append(entry)
            guard reply.isPositive else { return fail(.unexpectedReply("RSET"), reply) }
            return send(.mailFrom(transaction.envelopeFrom), next: .awaitingMailFrom(transaction))
        case .awaitingMailFrom(var transaction):
            transaction.transcript.append(entry)
            guard reply.isPositive else { return finish(transaction, everyoneGets: reply) }
            return send(.rcptTo(transaction.recipients[0]), next: .awaitingRecipient(transaction))
        case .awaitingRecipient(var transaction):
            transaction.transcript.append(entry)
            transaction.recipientReplies.append(reply)
            let next = transaction.recipientReplies.count
            if next < transaction.recipients.count {
                return send(.rcptTo(transaction.recipients[next]), next: .awaitingRecipient(transaction))
            }
            if transaction.recipientReplies.contains(where: \.isPositive) {
                return send(.data, next: .awaitingDataGo(transaction))
            }
            return finish(transaction, dataReply: nil)
        case .awaitingDataGo(var transaction):
            transaction.transcript.append(entry)
            if reply.code == 354 {
                lastCommand = nil
                state = .awaitingDataEnd(transaction)
                return .sendMessageData
            }
            return finish(transaction, dataReply: reply)
        case .awaitingDataEnd(var transaction):
            transaction.transcript.append(entry)
            return finish(transaction, dataReply: reply)
        case .awaitingQuit:
            state = .closed
            return .close
        case .tlsHandshake, .ready, .closed, .failed:
            return fail(.unexpectedReply("no command outstanding"), reply)
        }
    }

    /// Reports that the TLS handshake after STARTTLS is complete; EHLO is sent again.
    public mutating func tlsEstablished() -> Action {
        guard state == .tlsHandshake else { return fail(.protocolMisuse("TLS established outside STARTTLS"), nil) }
        tlsActive = true
        capabilities = .none
        return send(.ehlo(configuration.heloName), next: .awaitingEHLO)
    }

    /// Starts a transaction for one message; RSET first unless it is the session's first.
    public mutating func begin(envelopeFrom: String, recipients: [String], messageID: String) -> Action {
        guard state == .ready else { return fail(.protocolMisuse("message started while the session is not ready"), nil) }
        guard !recipients.isEmpty else { return fail(.protocolMisuse("message without recipients"), nil) }
        let transaction = Transaction(messageID: messageID, envelopeFrom: envelopeFrom, recipients: recipients)
        transactionsStarted += 1
        if transactionsStarted > 1 { return send(.reset, next: .awaitingReset(transaction)) }
        return send(.mailFrom(envelopeFrom), next: .awaitingMailFrom(transaction))
    }

    /// Ends the session politely.
    public mutating func quit() -> Action {
        switch state {
        case .closed, .failed, .awaitingQuit: return .close
        default: return send(.quit, next: .awaitingQuit)
        }
    }

    // MARK: - Steps

    private mutating func afterGreeting() -> Action {
        if !tlsActive && configuration.tls != .none {
            if capabilities.supportsStartTLS { return send(.startTLS, next: .awaitingStartTLS) }
            if configuration.tls == .required { return fail(.startTLSUnavailable, nil) }
        }
        return authenticateOrReady()
    }

    private mutating func authenticateOrReady() -> Action {
        guard let credentials = configuration.credentials else { return becomeReady() }
        if !tlsActive && !configuration.allowAuthWithoutTLS { return fail(.authRequiresTLS, nil) }
        let offered = capabilities.authMechanisms
        let mechanism: SMTPAuthMechanism
        switch configuration.authMechanism {
        case .plain, .login:
            mechanism = configuration.authMechanism
        case .automatic:
            if offered.contains("PLAIN") { mechanism = .plain }
            else if offered.contains("LOGIN") { mechanism = .login }
            else { return fail(.authUnavailable, nil) }
        }
        if mechanism == .plain {
            return send(.authPlain(username: credentials.username, password: credentials.password), next: .awaitingAuthPlain)
        }
        return send(.authLogin, next: .awaitingAuthLoginUsernamePrompt)
    }

    private mutating func becomeReady() -> Action {
        lastCommand = nil
        state = .ready
        return .ready
    }

    private mutating func send(_ command: SMTPCommand, next: State) -> Action {
        lastCommand = command
        state = next
        return .send(command)
    }

    private mutating func fail(_ kind: SMTPError.Kind, _ reply: SMTPReply?) -> Action {
        state = .failed
        return .fail(kind, reply)
    }

    private func loggedLastCommand() -> String? {
        if case .awaitingDataEnd = state { return "<message data>" }
        return lastCommand?.loggedText
    }

    /// Completes a transaction whose MAIL FROM was refused: every recipient gets that reply.
    private mutating func finish(_ transaction: Transaction, everyoneGets reply: SMTPReply) -> Action {
        let outcomes = transaction.recipients.map {
            RecipientOutcome(recipient: $0, status: RecipientOutcome.status(for: reply), reply: reply,
                             detail: "MAIL FROM refused: \(reply)")
        }
        return complete(transaction, outcomes: outcomes, dataReply: nil)
    }

    /// Completes a transaction after RCPT (no DATA), DATA refusal, or the end of data.
    private mutating func finish(_ transaction: Transaction, dataReply: SMTPReply?) -> Action {
        var outcomes: [RecipientOutcome] = []
        for (recipient, rcptReply) in zip(transaction.recipients, transaction.recipientReplies) {
            if !rcptReply.isPositive {
                outcomes.append(RecipientOutcome(recipient: recipient, status: RecipientOutcome.status(for: rcptReply),
                                                 reply: rcptReply, detail: "RCPT TO refused: \(rcptReply)"))
            } else if let dataReply {
                let stage = transaction.transcript.last?.command == "DATA" ? "DATA" : "end of data"
                outcomes.append(RecipientOutcome(recipient: recipient, status: RecipientOutcome.status(for: dataReply),
                                                 reply: dataReply, detail: "\(stage): \(dataReply)"))
            } else {
                outcomes.append(RecipientOutcome(recipient: recipient, status: .localError, reply: nil,
                                                 detail: "no data sent"))
            }
        }
        let finalReply = transaction.transcript.last?.command == "<message data>" ? dataReply : nil
        return complete(transaction, outcomes: outcomes, dataReply: finalReply)
    }

    private mutating func complete(_ transaction: Transaction, outcomes: [RecipientOutcome], dataReply: SMTPReply?) -> Action {
        lastCommand = nil
        state = .ready
        return .transactionComplete(DeliveryReceipt(
            messageID: transaction.messageID, envelopeFrom: transaction.envelopeFrom,
            outcomes: outcomes, dataReply: dataReply, transcript: transaction.transcript))
    }
}
