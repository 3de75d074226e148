/// One lost mail as shown to the account owner.
public struct NotificationEntry: Sendable, Equatable {
    /// When the delivery failed, already formatted for the reader (e.g. local time).
    public var time: String
    /// The envelope sender.
    public var sender: String
    /// The envelope recipient.
    public var recipient: String

    /// Creates an entry.
    public init(time: String, sender: String, recipient: String) {
        self.time = time
        self.sender = sender
        self.recipient = recipient
    }
}

/// Everything a notification template can show. Rendered by ``NotificationTemplate``.
///
/// Template keys: `account`, `host`, `filePath`, `announcementURL`, `windowFrom`, `windowUntil`,
/// `language`, `entryCount`, and the list `entries` whose items have `time`, `sender`,
/// `recipient`. Values are inserted as plain text (no HTML escaping).
public struct NotificationContext: Sendable, Equatable {
    /// The hosting account (Unix user), e.g. `web1`.
    public var account: String
    /// The host the account lives on.
    public var host: String
    /// The lost mails of this account.
    public var entries: [NotificationEntry]
    /// Where the account's log file was written, as the owner sees it (e.g. `~/logs/lost-mails.log`).
    public var filePath: String
    /// Link to the public announcement of the incident.
    public var announcementURL: String
    /// Start of the incident window, formatted for the reader.
    public var windowFrom: String
    /// End of the incident window, formatted for the reader.
    public var windowUntil: String
    /// Language code of the template (`de`, `en`).
    public var language: String

    /// Creates a context.
    public init(account: String, host: String, entries: [NotificationEntry], filePath: String,
                announcementURL: String, windowFrom: String, windowUntil: String, language: String) {
        self.account = account
        self.host = host
        self.entries = entries
        self.filePath = filePath
        self.announcementURL = announcementURL
        self.windowFrom = windowFrom
        self.windowUntil = windowUntil
        self.language = language
    }

    /// The context as the key/value tree the Mustache renderer walks.
    var templateValues: [String: Any] {
        [
            "account": account, "host": host, "filePath": filePath,
            "announcementURL": announcementURL, "windowFrom": windowFrom, "windowUntil": windowUntil,
            "language": language, "entryCount": entries.count,
            "entries": entries.map { ["time": $0.time, "sender": $0.sender, "recipient": $0.recipient] },
        ]
    }
}
