import Foundation

extension Playbook {
    /// Emails to the owners of affected accounts.
    public struct Notification: Sendable, Hashable, Codable {
        /// How to reach an account's owner.
        public enum Recipient: Sendable, Hashable, Codable {
            /// `address_template`: e.g. `{{account}}@{{host}}`; placeholders `account`, `host`, `domain`.
            case addressTemplate(String)
            /// `mapping_file`: a file mapping accounts to addresses (absolute).
            case mappingFile(URL)
        }

        /// `enabled` (default true).
        public var enabled: Bool
        /// `templates`: Mustache template file per language code, absolute.
        public var templates: [String: URL]
        /// `language`: the language used when an account has none (one of `templates`' keys).
        public var language: String
        /// `from`: the sender, `addr@example.org` or `Name <addr@example.org>`.
        public var from: String
        /// `subject`: one subject per template language.
        public var subject: [String: String]
        /// `recipient`.
        public var recipient: Recipient
        /// `announcement_url`: where to read more (offered to templates).
        public var announcementURL: URL?
        /// `relay`: the SMTP relay; nil when `sendmail` is used or `--relay` must be given.
        public var relay: Relay?
        /// `rate_per_minute`: at most this many messages a minute; nil means no limit.
        public var ratePerMinute: Int?
        /// `sendmail`: send through this local `sendmail -t -i` instead of a relay (absolute).
        public var sendmail: URL?
        /// `inline_entries`: at most this many lost mails are listed in the text of a message;
        /// a message with more lists the first ones and attaches the complete list.
        public var inlineEntries: Int

        /// `inline_entries` when the playbook does not set it.
        public static let defaultInlineEntries = 50

        public init(enabled: Bool = true, templates: [String: URL], language: String, from: String,
                    subject: [String: String], recipient: Recipient, announcementURL: URL? = nil,
                    relay: Relay? = nil, ratePerMinute: Int? = nil, sendmail: URL? = nil,
                    inlineEntries: Int = Notification.defaultInlineEntries) {
            self.enabled = enabled
            self.templates = templates
            self.language = language
            self.from = from
            self.subject = subject
            self.recipient = recipient
            self.announcementURL = announcementURL
            self.relay = relay
            self.ratePerMinute = ratePerMinute
            self.sendmail = sendmail
            self.inlineEntries = inlineEntries
        }
    }

    /// An SMTP relay.
    public struct Relay: Sendable, Hashable, Codable {
        /// How TLS is used on the connection.
        public enum TLSMode: String, Sendable, Codable, CaseIterable {
            /// Plain SMTP.
            case none
            /// STARTTLS when the relay offers it.
            case starttls
            /// STARTTLS, and refuse to send without it.
            case starttlsRequired = "starttls-required"
            /// TLS from the first byte (SMTPS).
            case implicit
        }

        /// Where a password comes from: never from the playbook itself.
        public enum PasswordSource: Sendable, Hashable, Codable {
            /// `password_env`: the name of an environment variable.
            case environment(String)
            /// `password_file`: a file whose first line is the password (absolute).
            case file(URL)
        }

        public var host: String
        /// `port` (default 465 with implicit TLS, else 25).
        public var port: Int
        /// `tls` (default starttls).
        public var tls: TLSMode
        /// `username` for SMTP AUTH; nil means no AUTH.
        public var username: String?
        /// Set exactly when `username` is.
        public var password: PasswordSource?
        /// `timeout` in seconds for each SMTP step (default 30).
        public var timeout: TimeInterval

        public init(host: String, port: Int, tls: TLSMode = .none, username: String? = nil,
                    password: PasswordSource? = nil, timeout: TimeInterval = 30) {
            self.host = host
            self.port = port
            self.tls = tls
            self.username = username
            self.password = password
            self.timeout = timeout
        }
    }
}
