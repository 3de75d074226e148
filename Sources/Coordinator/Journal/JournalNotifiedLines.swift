import Foundation
import GRDB

/// Lost-mail lines an account was told about by one run's accepted notification.
public struct NotifiedLine: Sendable, Equatable {
    /// ``digest(_:)`` of the line.
    public var lineDigest: String
    /// The run whose notification listed it.
    public var run: Int64
    /// How many times that notification listed it (two lost deliveries may print alike).
    public var count: Int

    public init(lineDigest: String, run: Int64, count: Int) {
        self.lineDigest = lineDigest
        self.run = run
        self.count = count
    }

    /// What the journal keeps of a line: the SHA-256 (hex) of its UTF-8 bytes.
    public static func digest(_ line: String) -> String { FileOps.sha256(Data(line.utf8)) }
}

extension Journal {
    /// Marks notification `id` accepted with the relay's reply and records the lines its
    /// message listed, in one transaction (so a line counts as told exactly when its message
    /// counts as accepted).
    public func markNotificationAccepted(id: Int64, relayReply: String?, lines: [String]) throws {
        try write("mark notification accepted") { db in
            guard var record = try NotificationRecord.fetchOne(db, key: id) else {
                throw JournalError.database(operation: "mark notification accepted", path: path,
                                            message: "no notification \(id)")
            }
            record.state = .accepted
            record.relayReply = relayReply
            record.updatedAt = Date()
            try record.update(db)
            var counts: [String: Int] = [:]
            for line in lines { counts[NotifiedLine.digest(line), default: 0] += 1 }
            for (digest, count) in counts {
                try db.execute(
                    sql: """
                        INSERT INTO notifiedLines (host, account, lineDigest, notificationId, count)
                        VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT(host, account, lineDigest, notificationId) DO UPDATE SET count = excluded.count
                        """,
                    arguments: [record.host, record.account, digest, id, count])
            }
        }
    }

    /// The lines accepted notifications told `account` on `host` about, per run, oldest run
    /// first (a run's follow-ups are counted with its first message).
    public func notifiedLines(host: String, account: String) throws -> [NotifiedLine] {
        try read("read notified lines") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT l.lineDigest AS digest, n.runId AS run, SUM(l.count) AS count
                    FROM notifiedLines l JOIN notifications n ON n.id = l.notificationId
                    WHERE l.host = ? AND l.account = ? AND n.state = 'accepted'
                    GROUP BY l.lineDigest, n.runId ORDER BY n.runId, l.lineDigest
                    """,
                arguments: [host, account]
            ).map { NotifiedLine(lineDigest: $0["digest"], run: $0["run"], count: $0["count"]) }
        }
    }
}
