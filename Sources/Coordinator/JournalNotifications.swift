import Foundation
import GRDB

extension Journal {
    /// Returns the notification for (run, host, account, recipient), recording it `pending` with
    /// `messageId` if it is new. An existing record keeps its first Message-ID, so a resend after
    /// a crash carries the same Message-ID and the recipient's side can deduplicate.
    @discardableResult
    public func notification(run: Int64, host: String, account: String, recipient: String,
                             messageId: String) throws -> NotificationRecord {
        try write("record notification") { db in
            let existing = try NotificationRecord
                .filter(Column("runId") == run && Column("host") == host
                        && Column("account") == account && Column("recipient") == recipient)
                .fetchOne(db)
            if let existing { return existing }
            let now = Date()
            var record = NotificationRecord(
                id: nil, runId: run, host: host, account: account, recipient: recipient,
                messageId: messageId, state: .pending, relayReply: nil,
                createdAt: now, updatedAt: now)
            try record.insert(db)
            return record
        }
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
