import Foundation
import GRDB

/// Where a notification email stands.
public enum NotificationState: String, Codable, Sendable, CaseIterable {
    /// Recorded (with its Message-ID) before sending; after a crash it may or may not have been
    /// accepted, and a resend must reuse the same Message-ID.
    case pending
    /// The relay accepted it (2xx after DATA).
    case accepted
    /// The relay refused it temporarily (4xx); retry later.
    case failedTemp = "failed-temp"
    /// The relay refused it permanently (5xx); do not retry.
    case failedPerm = "failed-perm"
}

/// One notification email of a run, to one recipient about one account on one host (a run
/// sends a follow-up, the next `part`, when a resumed host finds lines the first did not list).
public struct NotificationRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var runId: Int64
    public var host: String
    public var account: String
    public var recipient: String
    /// 1 for a run's first message to the recipient about the account, 2 for a follow-up in
    /// the same run (a resumed host found more), and so on.
    public var part: Int
    public var messageId: String
    public var state: NotificationState
    /// The relay's last reply (code and text), for status and the report.
    public var relayReply: String?
    public var createdAt: Date
    public var updatedAt: Date
}

extension NotificationRecord: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "notifications"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
