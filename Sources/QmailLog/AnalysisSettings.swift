import Foundation

/// The outcome qmail-send logged for one delivery attempt.
public enum DeliveryResultKind: String, Codable, Sendable, CaseIterable {
    /// `delivery N: success: ...`
    case success
    /// `delivery N: failure: ...` (permanent; qmail-send bounces it)
    case failure
    /// `delivery N: deferral: ...` (temporary; qmail-send retries it)
    case deferral
}

/// What makes a delivery count as lost: its result kind and a substring of its report text.
///
/// The report text is matched as logged, i.e. after qmail's log escaping
/// (spaces are `_`, newlines are `/`).
public struct Signature: Codable, Sendable, Hashable {
    /// The delivery result the signature applies to.
    public var kind: DeliveryResultKind
    /// A substring of the logged report text (byte-wise, case-sensitive).
    public var text: String

    /// Creates a signature from a result kind and a report substring.
    public init(kind: DeliveryResultKind, text: String) {
        self.kind = kind
        self.text = text
    }

    /// The incident's signature: a permanent failure with `Unable_to_run_qmail-remote`.
    public static let unableToRunQmailRemote = Signature(kind: .failure, text: "Unable_to_run_qmail-remote")
}

/// Parameters of one analysis: the incident window, signatures and time zones.
public struct AnalysisSettings: Sendable {
    /// Start of the incident window (inclusive): failures at or after it are losses.
    public var from: Date
    /// End of the incident window (exclusive).
    public var until: Date
    /// Time zone of the output lines (ctime form).
    public var timeZone: TimeZone
    /// Delivery results that count as lost mail.
    public var signatures: [Signature]
    /// Time zone of lines already converted by `tai64nlocal` (`2020-05-26 15:30:00.123456789`).
    public var logTimeZone: TimeZone
    /// How long (log time) a `qp` join (forward copy, bounce) stays possible; qp values are
    /// process ids and get reused, so joins only hold inside this window.
    public var joinWindow: TimeInterval
    /// At most this many line issues are kept as examples (all are counted).
    public var maxIssueExamples: Int
    /// The timeline (deliveries per minute) starts this long before the window...
    public var timelineLead: TimeInterval = 12 * 3600
    /// ...and ends this long after it (the defaults are the log listing's margins).
    public var timelineTail: TimeInterval = 2 * 3600

    /// Creates settings; defaults: the incident signature, UTC log time, 10 minute joins.
    public init(from: Date, until: Date, timeZone: TimeZone,
                signatures: [Signature] = [.unableToRunQmailRemote],
                logTimeZone: TimeZone = TimeZone(identifier: "UTC")!,
                joinWindow: TimeInterval = 600, maxIssueExamples: Int = 100) {
        self.from = from
        self.until = until
        self.timeZone = timeZone
        self.signatures = signatures
        self.logTimeZone = logTimeZone
        self.joinWindow = joinWindow
        self.maxIssueExamples = maxIssueExamples
    }
}

/// A point in log time: nanoseconds since the Unix epoch (UTC, leap seconds ignored).
public typealias LogNanos = Int64

extension Date {
    /// The date as whole nanoseconds since the Unix epoch.
    /// Clamped to the representable range (so `.distantPast`/`.distantFuture` work as open ends).
    var logNanos: LogNanos {
        let n = (timeIntervalSince1970 * 1_000_000_000).rounded()
        guard n.isFinite else { return n > 0 ? .max : .min }
        if n >= 9.2e18 { return .max }
        if n <= -9.2e18 { return .min }
        return LogNanos(n)
    }

    /// A date from nanoseconds since the Unix epoch.
    public init(logNanos: LogNanos) {
        self.init(timeIntervalSince1970: Double(logNanos / 1_000_000_000)
                  + Double(logNanos % 1_000_000_000) / 1_000_000_000)
    }
}
