import Foundation
import GRDB

/// A finding waiting for the operators' mail, with its journal ids.
public struct PendingFinding: Sendable, Equatable {
    /// The `findings` row.
    public var id: Int64
    /// The audit run that found it.
    public var run: Int64
    public var finding: AuditFinding
}

/// One message of an audit to the operators, as the journal has it.
public struct FindingMailRecord: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Recorded before sending; still pending after a crash between record and answer.
        case pending
        /// The relay took the message (250 to DATA) for at least one operator.
        case accepted
        /// No relay took it; its findings stay pending for the next audit.
        case failed
    }

    public var id: Int64
    public var run: Int64
    /// The Message-ID's local part.
    public var messageId: String
    /// The operators, comma-separated.
    public var recipients: String
    /// How many findings the message lists.
    public var findings: Int
    public var state: State
    /// The relay's answer or the error.
    public var relayReply: String?
}

/// The journal's records of the audit's mail to the operators (migration v3).
///
/// A finding recorded with `toMail` is `pending` until a message listing it is accepted; it is
/// then `mailed`, in the same transaction as the message's `accepted`. So a message that failed
/// leaves its findings for the next audit, and an accepted finding is never listed again.
extension Journal {
    /// Every finding waiting for the operators' mail, oldest first (earlier audits' included).
    public func findingsToMail() throws -> [PendingFinding] {
        try read("read findings to mail") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM findings WHERE mailState = 'pending' ORDER BY id").map { row in
                PendingFinding(id: row["id"], run: row["runId"], finding: Self.finding(row))
            }
        }
    }

    /// Records a message about to be sent (state `pending`) and returns its id.
    public func beginFindingMail(run: Int64, messageId: String, recipients: [String], findings: Int,
                                 at date: Date = Date()) throws -> Int64 {
        try write("record the findings mail") { db in
            try db.execute(sql: """
                INSERT INTO findingMails (runId, messageId, recipients, findings, state, createdAt, updatedAt)
                VALUES (?, ?, ?, ?, 'pending', ?, ?)
                """, arguments: [run, messageId, recipients.joined(separator: ","), findings, date, date])
            return db.lastInsertedRowID
        }
    }

    /// The relay accepted message `mail`: it and the findings it lists are marked in one transaction.
    public func markFindingMailAccepted(_ mail: Int64, findings: [Int64], relayReply: String?,
                                        at date: Date = Date()) throws {
        try write("mark the findings mail accepted") { db in
            try db.execute(sql: "UPDATE findingMails SET state = 'accepted', relayReply = ?, updatedAt = ? WHERE id = ?",
                           arguments: [relayReply, date, mail])
            for chunk in stride(from: 0, to: findings.count, by: 500) {
                let ids = findings[chunk..<min(chunk + 500, findings.count)]
                try db.execute(sql: """
                    UPDATE findings SET mailState = 'mailed', mailId = ?
                    WHERE mailState = 'pending' AND id IN (\(ids.map { _ in "?" }.joined(separator: ",")))
                    """, arguments: StatementArguments([mail] + Array(ids)))
            }
        }
    }

    /// No relay took message `mail`; its findings stay pending.
    public func markFindingMailFailed(_ mail: Int64, reason: String, at date: Date = Date()) throws {
        try write("mark the findings mail failed") { db in
            try db.execute(sql: "UPDATE findingMails SET state = 'failed', relayReply = ?, updatedAt = ? WHERE id = ?",
                           arguments: [reason, date, mail])
        }
    }

    /// Every message to the operators, oldest first.
    public func findingMails() throws -> [FindingMailRecord] {
        try read("list findings mails") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM findingMails ORDER BY id").map { row in
                FindingMailRecord(id: row["id"], run: row["runId"], messageId: row["messageId"],
                                  recipients: row["recipients"], findings: row["findings"],
                                  state: FindingMailRecord.State(rawValue: row["state"]) ?? .pending,
                                  relayReply: row["relayReply"])
            }
        }
    }
}
