/// One lost mail as shown to the account owner.
public struct NotificationEntry: Sendable, Equatable {
    /// Whether the sender learnt that the mail was not delivered.
    public enum Fate: String, Sendable {
        /// The bounce reached the sender: they know, and may send again.
        case senderTold
        /// No bounce reached the sender (at most the postmaster was told): nobody warned them.
        case senderNotTold
        /// No bounce had finished when the log ends: not known yet.
        case unknown
    }

    /// When the delivery failed, already formatted for the reader (e.g. local time).
    public var time: String
    /// The envelope sender.
    public var sender: String
    /// The envelope recipient.
    public var recipient: String
    /// Whether the sender was told.
    public var fate: Fate
    /// The entry's line in the account's file (`lost-mails.log`), for the attached list; nil
    /// when the caller has none (then the list cannot be attached and must fit inline).
    public var line: String?

    /// Creates an entry.
    public init(time: String, sender: String, recipient: String, fate: Fate = .unknown, line: String? = nil) {
        self.time = time
        self.sender = sender
        self.recipient = recipient
        self.fate = fate
        self.line = line
    }
}

/// Everything a notification template can show. Rendered by ``NotificationTemplate``.
///
/// Template keys: `account`, `host`, `filePath`, `announcementURL`, `windowFrom`, `windowUntil`,
/// `language`, `entryCount`, and the list `entries` whose items have `time`, `sender`,
/// `recipient`, `fate` (`senderTold`, `senderNotTold`, `unknown`) and one flag of the same names
/// set for sections (`{{#senderTold}}...{{/senderTold}}`); per fate the counts
/// `senderToldCount`, `senderNotToldCount`, `unknownCount`, the same flags on the context when the
/// count is not zero, and the lists `senderToldEntries`, `senderNotToldEntries`, `unknownEntries`.
/// With an `inlineLimit`, `entries` and the per-fate lists hold at most that many entries;
/// `entryCount` and the per-fate counts stay complete, `inlineCount` is how many are inline,
/// `listCut` is true (and `moreCount` not zero) when some are not, and then the complete list
/// is attached as `attachmentName` (`lost-mails.log`) with `attachedCount` lines.
/// Values are inserted as plain text (no HTML escaping).
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
    /// At most this many entries are shown in the text; the complete list is then attached.
    /// Nil: every entry inline, nothing attached.
    public var inlineLimit: Int?

    /// The name of the attached list, as the account's file is named.
    public static let attachmentName = "lost-mails.log"

    /// Creates a context.
    public init(account: String, host: String, entries: [NotificationEntry], filePath: String,
                announcementURL: String, windowFrom: String, windowUntil: String, language: String,
                inlineLimit: Int? = nil) {
        self.account = account
        self.host = host
        self.entries = entries
        self.filePath = filePath
        self.announcementURL = announcementURL
        self.windowFrom = windowFrom
        self.windowUntil = windowUntil
        self.language = language
        self.inlineLimit = inlineLimit
    }

    /// How many entries the text shows.
    public var inlineCount: Int { min(entries.count, max(0, inlineLimit ?? entries.count)) }
    /// True when the text shows fewer entries than there are: the complete list is attached.
    public var isListCut: Bool { inlineCount < entries.count }

    /// The complete list as the account's file has it (one line per entry, each ending in LF),
    /// when the text is cut; nil otherwise. Throws when an entry has no file line.
    public func attachment() throws(MessageBuildError) -> MIMEAttachment? {
        guard isListCut else { return nil }
        var content = ""
        content.reserveCapacity(entries.reduce(0) { $0 + ($1.line?.utf8.count ?? 0) + 1 })
        for (index, entry) in entries.enumerated() {
            guard let line = entry.line else {
                throw MessageBuildError(account: account, field: "entry \(index + 1) of the attached list",
                                        value: "\(entry.time) \(entry.sender) \(entry.recipient)", reason: .missingFileLine)
            }
            content.append(line)
            content.append("\n")
        }
        return MIMEAttachment(filename: Self.attachmentName, content: content)
    }

    /// The context as the key/value tree the Mustache renderer walks.
    var templateValues: [String: Any] {
        let shown = inlineCount
        return [
            "account": account, "host": host, "filePath": filePath,
            "announcementURL": announcementURL, "windowFrom": windowFrom, "windowUntil": windowUntil,
            "language": language, "entryCount": entries.count,
            "entries": entries.prefix(shown).map(Self.values),
            "inlineCount": shown, "moreCount": entries.count - shown, "listCut": isListCut,
            "attachedCount": isListCut ? entries.count : 0, "attachmentName": Self.attachmentName,
        ].merging(Self.fateValues(entries, limit: inlineLimit)) { a, _ in a }
    }

    private static func values(_ entry: NotificationEntry) -> [String: Any] {
        // Every flag is set on each entry: a key an entry lacked would be looked up on the context.
        ["time": entry.time, "sender": entry.sender, "recipient": entry.recipient, "fate": entry.fate.rawValue,
         "senderTold": entry.fate == .senderTold, "senderNotTold": entry.fate == .senderNotTold,
         "unknown": entry.fate == .unknown]
    }

    private static func fateValues(_ entries: [NotificationEntry], limit: Int?) -> [String: Any] {
        // One pass: every fate's count, and its first `limit` entries as template values.
        let fates: [NotificationEntry.Fate] = [.senderTold, .senderNotTold, .unknown]
        var counts = [0, 0, 0]
        var lists: [[[String: Any]]] = [[], [], []]
        let shown = max(0, limit ?? entries.count)
        for index in entries.indices {
            // By index: only the fate is read, the entry is copied only when it is shown.
            let slot: Int
            switch entries[index].fate {
            case .senderTold: slot = 0
            case .senderNotTold: slot = 1
            case .unknown: slot = 2
            }
            counts[slot] += 1
            if lists[slot].count < shown { lists[slot].append(values(entries[index])) }
        }
        var out: [String: Any] = [:]
        for (slot, fate) in fates.enumerated() {
            out[fate.rawValue + "Count"] = counts[slot]
            out[fate.rawValue + "Entries"] = lists[slot]
            out[fate.rawValue] = counts[slot] > 0
        }
        return out
    }
}
