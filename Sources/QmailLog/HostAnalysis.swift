import Foundation

/// Line and delivery counts of an analysis.
public struct AnalysisCounts: Codable, Sendable, Equatable {
    /// Lines handed to the analyzer.
    public var linesRead = 0
    /// Bytes handed to the analyzer (without line terminators).
    public var bytesRead = 0
    /// Lines skipped as unusable (no stamp, unknown text); each is an issue.
    public var linesSkipped = 0
    /// `alert:`/`warning:` lines (known, skipped).
    public var noticeLines = 0
    /// `new msg` lines.
    public var messagesStarted = 0
    /// `end msg` lines that closed a known message.
    public var messagesFinished = 0
    /// Open messages dropped because their id (inode) was reused by `new msg`.
    public var staleMessagesDropped = 0
    /// `starting delivery` lines.
    public var deliveriesStarted = 0
    /// Finished deliveries by result.
    public var successes = 0
    /// Finished deliveries that failed permanently.
    public var failures = 0
    /// Finished deliveries that were deferred.
    public var deferrals = 0
    /// Result lines whose delivery number was not open (e.g. the log starts mid-stream).
    public var unmatchedResults = 0
    /// Open deliveries abandoned because qmail-send restarted or the number was reused.
    public var abandonedDeliveries = 0
    /// qmail-send restarts seen (`status: exiting`).
    public var restarts = 0
    /// `bounce msg` lines.
    public var bounces = 0
    /// `triple bounce: discarding` lines.
    public var tripleBounces = 0
    /// Deliveries matching a signature at any time.
    public var signatureMatches = 0
    /// Deliveries matching a signature inside the window.
    public var lostInWindow = 0

    /// All-zero counts.
    public init() {}
}

/// A skipped or suspicious log line.
public struct LineIssue: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The file as named by the caller.
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// Short reason.
    public var reason: String

    /// `file:line: reason`
    public var description: String { "\(file):\(line): \(reason)" }
}

/// What became of the bounce of a lost delivery (the operator's question: was anyone told?).
public enum BounceFate: String, Codable, Sendable, CaseIterable {
    /// No `bounce msg` seen yet (message still open, or the log ends).
    case noBounceYet
    /// The bounce was injected; none of its deliveries finished yet.
    case bounceQueued
    /// The bounce reached the envelope sender.
    case bounceDelivered
    /// The bounce failed; a double bounce to the postmaster should follow.
    case bounceFailed
    /// The double bounce reached the postmaster (the sender was not told).
    case doubleBounceDelivered
    /// The double bounce failed too.
    case doubleBounceFailed
    /// `triple bounce: discarding`: nobody was ever told.
    case discarded
}

/// Which kind of message a lost delivery belonged to.
public enum MessageKind: String, Codable, Sendable {
    /// Ordinary mail (listed in account files).
    case mail
    /// A bounce (sender `<>`).
    case bounce
    /// A double bounce (sender `#@[]`).
    case doubleBounce
}

/// One delivery that matched a signature inside the window.
public struct LostDelivery: Codable, Sendable {
    /// Time of the failure line.
    public var time: LogNanos
    /// Envelope sender as logged (without `<>`), "" for bounces; nil if the info line was not seen.
    public var sender: String?
    /// Recipient as logged.
    public var recipient: String
    /// `remote` or `local` delivery.
    public var remote: Bool
    /// Queue id (inode) of the message.
    public var messageID: Int
    /// qp of the message (-1 if unknown).
    public var qp: Int
    /// uid the message was injected under (-1 if unknown).
    public var uid: Int
    /// qmail-send's delivery number.
    public var deliveryNumber: Int
    /// The report text as logged.
    public var report: String
    /// Log file and line of the failure.
    public var file: String
    /// Line number of the failure in `file`.
    public var line: Int
    /// Mail, bounce or double bounce.
    public var kind: MessageKind
    /// Accounts the delivery belongs to, with reasons (empty: unattributed).
    public var attributions: [Attribution]
    /// What became of the bounce.
    public var fate: BounceFate
    /// For a lost bounce: queue id of the message it bounced (-1 otherwise).
    public var bounceOf: Int
    /// Order of appearance, for stable sorting.
    public var sequence: Int

    /// Whether the delivery is listed in account files (ordinary mail only).
    public var listedForAccounts: Bool { kind == .mail }
}

/// A lost mail delivery that belongs to no account.
public struct UnattributedLoss: Codable, Sendable {
    /// Index into `HostAnalysis.lost`.
    public var index: Int
    /// Why no account could be found.
    public var reason: String
}

/// The result of analysing one host's qmail-send log.
public struct HostAnalysis: Codable, Sendable {
    /// Line and delivery counts.
    public var counts: AnalysisCounts
    /// Example issues (at most `settings.maxIssueExamples`); `issueCount` counts all.
    public var issues: [LineIssue]
    /// Number of issues (skipped lines and other problems).
    public var issueCount: Int
    /// Every delivery matching a signature in the window (mail and bounces), in log order.
    public var lost: LostDeliveries
    /// Lost mail deliveries without an account.
    public var unattributed: [UnattributedLoss]
    /// Per account with lines, indices into `lost` in output order (lines are built on demand).
    var lineOrder: [String: [Int]]
    /// Messages and deliveries still open at the end.
    public var openMessages: Int
    /// Deliveries still open at the end.
    public var openDeliveries: Int
    /// Zone the lines are written in.
    public var timeZone: TimeZone
    /// Finished and lost deliveries per minute around the window (nil without a bounded window).
    public var timeline: Timeline?

    /// Output lines per account (only accounts with lines). Formats every line each time it
    /// is read; `lostMailLines(for:)` formats one account's only.
    public var linesByAccount: [String: [String]] {
        let formatter = LostMailFormatter(timeZone: timeZone)
        return lineOrder.mapValues { $0.map { formatter.line(lost, at: $0) } }
    }

    /// Lost mails per account (only accounts with some), in account-file order: the typed
    /// form of `linesByAccount`.
    public var entriesByAccount: [String: [LostMailEntry]] {
        lineOrder.mapValues { $0.map { lost.entry(at: $0) } }
    }

    /// Accounts with at least one line, sorted.
    public var accountsWithLines: [String] { lineOrder.keys.sorted() }

    /// The account's `lost-mails.log` lines (empty for an account without losses).
    public func lostMailLines(for account: String) -> [String] {
        let formatter = LostMailFormatter(timeZone: timeZone)
        return (lineOrder[account] ?? []).map { formatter.line(lost, at: $0) }
    }

    /// The lost mail deliveries listed for an account (with fates and reasons), in log order.
    public func lostDeliveries(for account: String) -> [LostDelivery] {
        lost.filter { l in l.listedForAccounts && l.attributions.contains { $0.account == account } }
    }
}
