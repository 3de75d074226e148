import Foundation
import GRDB

extension Journal {
    /// Returns the latest notification for (run, host, account, recipient), recording part 1
    /// `pending` with `messageId` if there is none. An existing record keeps its first
    /// Message-ID, so a resend after a crash carries the same Message-ID and the recipient's
    /// side can deduplicate.
    @discardableResult
    public func notification(run: Int64, host: String, account: String, recipient: String,
                             messageId: String) throws -> NotificationRecord {
        try write("record notification") { db in
            if let existing = try Self.latest(db, run: run, host: host, account: account, recipient: recipient) {
                return existing
            }
            return try Self.insert(db, run: run, host: host, account: account, recipient: recipient,
                                   part: 1, messageId: messageId)
        }
    }

    /// Records the next part after `record` (which the relay accepted) `pending` with
    /// `messageId`: a follow-up in the same run. Returns the existing next part if there is one.
    public func followUp(after record: NotificationRecord, messageId: String) throws -> NotificationRecord {
        try write("record follow-up notification") { db in
            if let existing = try Self.latest(db, run: record.runId, host: record.host, account: record.account,
                                              recipient: record.recipient), existing.part > record.part {
                return existing
            }
            return try Self.insert(db, run: record.runId, host: record.host, account: record.account,
                                   recipient: record.recipient, part: record.part + 1, messageId: messageId)
        }
    }

    private static func latest(_ db: Database, run: Int64, host: String, account: String,
                               recipient: String) throws -> NotificationRecord? {
        try NotificationRecord
            .filter(Column("runId") == run && Column("host") == host
                    && Column("account") == account && Column("recipient") == recipient)
            .order(Column("part").desc)
            .fetchOne(db)
    }

    private static func insert(_ db: Database, run: Int64, host: String, account: String, recipient: String,
                               part: Int, messageId: String) throws -> NotificationRecord {
        let now = Date()
        var record = NotificationRecord(
            id: nil, runId: run, host: host, account: account, recipient: recipient, part: part,
            messageId: messageId, state: .pending, relayReply: nil,
            createdAt: now, updatedAt: now)
        try record.insert(db)
        return record
    }

    /// Records the relay's answer for a notification.
    public func markNotification(id: Int64, state: NotificationState, relayReply: String?) throws {
        try write("update notification") { db in
            guard var record = try NotificationRecord.fetchOne(db, key: id) else {
                throw JournalError.database(operation: "update notification", path: path,
                                            message: "no notification \(id)")
            }
            record.state = state
            record.relayReply = relayReply
            record.updatedAt = Date()
            try record.update(db)
        }
    }

    /// A run's notifications, in the order they were recorded.
    public func notifications(run: Int64) throws -> [NotificationRecord] {
        try read("list notifications") {
            try NotificationRecord.filter(Column("runId") == run).order(Column("id")).fetchAll($0)
        }
    }
}
