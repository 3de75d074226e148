import Foundation

extension SMTPTestServer {
    /// How the test relay answers; written as the script's JSON config.
    public struct Options {
        /// RCPT answered 451 the first time each of these is named.
        public var tempfailRecipientsOnce: [String] = []
        /// RCPT answered 550.
        public var rejectRecipients: [String] = []
        /// The first DATA answered 451.
        public var tempfailDataOnce = false
        /// Seconds the relay waits after the message data before it answers.
        public var dataDelay: Double = 0
        /// The delay applies from this message of a connection on (1: every message).
        public var delayFromMessage = 1
        /// Store the message before `dataDelay` (the 250 comes after it) instead of after.
        public var storeThenDelay = false
        /// DATA to any of these answered 451 while `setTempfailing(true)` is on.
        public var tempfailRecipients: [String] = []
        /// DATA to any of these always answered 554 (nothing stored).
        public var rejectDataRecipients: [String] = []
        /// Every DATA answered 554 after the message was stored.
        public var rejectData = false
        /// TLS with this certificate: STARTTLS required, or implicit TLS with `implicitTLS`.
        public var certificate: TestCertificate?
        /// TLS from the first byte instead of STARTTLS.
        public var implicitTLS = false
        /// AUTH required (after TLS) with these credentials.
        public var auth: (username: String, password: String)?
        /// After this many messages on one connection, MAIL FROM gets 421 and the relay closes it.
        public var refuseAfterMessages: Int?
        /// After this many messages on one connection, the relay closes it without a word.
        public var dropAfterMessages: Int?

        /// Options; every parameter defaults to an always-accepting plain relay.
        public init(tempfailRecipientsOnce: [String] = [], rejectRecipients: [String] = [],
                    tempfailDataOnce: Bool = false, dataDelay: Double = 0, storeThenDelay: Bool = false,
                    tempfailRecipients: [String] = [], rejectDataRecipients: [String] = [],
                    rejectData: Bool = false, certificate: TestCertificate? = nil, implicitTLS: Bool = false,
                    auth: (username: String, password: String)? = nil,
                    refuseAfterMessages: Int? = nil, dropAfterMessages: Int? = nil, delayFromMessage: Int = 1) {
            self.tempfailRecipientsOnce = tempfailRecipientsOnce
            self.rejectRecipients = rejectRecipients
            self.tempfailDataOnce = tempfailDataOnce
            self.dataDelay = dataDelay
            self.storeThenDelay = storeThenDelay
            self.tempfailRecipients = tempfailRecipients
            self.rejectDataRecipients = rejectDataRecipients
            self.rejectData = rejectData
            self.certificate = certificate
            self.implicitTLS = implicitTLS
            self.auth = auth
            self.refuseAfterMessages = refuseAfterMessages
            self.dropAfterMessages = dropAfterMessages
            self.delayFromMessage = delayFromMessage
        }

        /// The script's config for a server working in `workdir`.
        func config(workdir: String) -> [String: Any] {
            var config: [String: Any] = [
                "workdir": workdir, "data_delay": dataDelay, "store_then_delay": storeThenDelay,
                "tempfail_rcpt_once": tempfailRecipientsOnce, "reject_rcpt": rejectRecipients,
                "tempfail_data_once": tempfailDataOnce, "reject_data": rejectData,
                "tempfail_rcpt": tempfailRecipients, "reject_data_rcpt": rejectDataRecipients,
                "implicit_tls": implicitTLS,
            ]
            if let certificate {
                config["cert"] = certificate.certificatePath
                config["key"] = certificate.keyPath
            }
            if let auth { config["auth"] = ["username": auth.username, "password": auth.password] }
            if let refuseAfterMessages { config["refuse_after_messages"] = refuseAfterMessages }
            if let dropAfterMessages { config["drop_after_messages"] = dropAfterMessages }
            config["delay_from_message"] = delayFromMessage
            return config
        }
    }

    /// A message the relay accepted, as Python's `email` package decoded it.
    /// Field names are the script's JSON keys; the headers are as decoded (RFC 2047 undone).
    public struct Received: Decodable, Sendable {
        public let mail_from: String
        public let rcpt_tos: [String]
        public let raw_b64: String
        public let subject: String
        public let from: String
        public let to: String
        public let date: String
        public let message_id: String
        public let mime_version: String
        public let content_type: String
        public let charset: String?
        public let cte: String
        /// The text/plain part, CRLF turned into LF (nil without one).
        public let body: String?
        public let defects: [String]
        public let authenticated: Bool
        public let tls: Bool
        /// The client's port: messages with the same one came over the same connection.
        public let peer_port: Int

        /// The message's bytes as they arrived.
        public var raw: [UInt8] { Array(Data(base64Encoded: raw_b64) ?? Data()) }
    }

    /// One answer to DATA (`data` when the message data arrived, then `451`, `554`, `250`, `dropped`).
    public struct Attempt: Decodable, Sendable {
        /// `data`, `451`, `554`, `250` or `dropped`.
        public let event: String
        /// The envelope recipients of the transaction.
        public let rcpt_tos: [String]
        /// Seconds since 1970 when it happened.
        public let at: Double
    }
}
