import Foundation
import GRDB

/// The journal's schema, built by migrations so later versions can add to it.
enum JournalSchema {
    /// The migrations of a journal in `stateDirectory` (one moves data out into files there).
    static func migrator(stateDirectory: URL) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                    .check { ["respond", "audit"].contains($0) }
                t.column("playbookPath", .text)
                t.column("playbookSHA256", .text)
                t.column("inventoryPath", .text)
                t.column("windowFrom", .datetime)
                t.column("windowUntil", .datetime)
                t.column("timeZone", .text)
                t.column("startedAt", .datetime).notNull()
                t.column("finishedAt", .datetime)
                t.column("status", .text).notNull()
                    .check { ["running", "done", "partial", "failed"].contains($0) }
            }
            try db.create(table: "steps") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runId", .integer).notNull()
                    .references("runs", onDelete: .cascade)
                t.column("host", .text).notNull()
                t.column("name", .text).notNull()
                t.column("key", .text).notNull()
                t.column("state", .text).notNull()
                    .check { ["pending", "started", "done", "failed"].contains($0) }
                t.column("error", .text)
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("createdAt", .datetime).notNull()
                t.column("startedAt", .datetime)
                t.column("finishedAt", .datetime)
                t.column("detail", .text)
                t.uniqueKey(["runId", "host", "name", "key"])
            }
            try db.create(table: "notifications") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runId", .integer).notNull()
                    .references("runs", onDelete: .cascade)
                t.column("host", .text).notNull()
                t.column("account", .text).notNull()
                t.column("recipient", .text).notNull()
                t.column("messageId", .text).notNull().unique()
                t.column("state", .text).notNull()
                    .check { ["pending", "accepted", "failed-temp", "failed-perm"].contains($0) }
                t.column("relayReply", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.uniqueKey(["runId", "host", "account", "recipient"])
            }
            try db.create(table: "cursors") { t in
                t.column("host", .text).notNull()
                t.column("inode", .integer).notNull()
                t.column("firstLineHash", .text).notNull()
                t.column("offset", .integer).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.primaryKey(["host", "inode", "firstLineHash"])
            }
        }
        // Audits: findings (deduplicated by where the line is) and each host's audit state
        // (directory listing, analyser state, deferral baseline) as JSON, written together with
        // the host's cursors in one transaction.
        migrator.registerMigration("v2") { db in
            try db.create(table: "findings") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runId", .integer).notNull()
                    .references("runs", onDelete: .cascade)
                t.column("host", .text).notNull()
                t.column("signature", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("logTime", .datetime)
                t.column("file", .text).notNull()
                t.column("identity", .text).notNull()
                t.column("offset", .integer).notNull()
                t.column("line", .text).notNull()
                t.column("detail", .text)
                t.column("foundAt", .datetime).notNull()
                t.uniqueKey(["host", "identity", "offset", "signature"])
            }
            try db.create(table: "auditHosts") { t in
                t.column("host", .text).primaryKey()
                t.column("state", .blob).notNull()
                t.column("analyzer", .blob)
                t.column("updatedAt", .datetime).notNull()
            }
        }
        // An audit's mail to the operators: one row per message, and on each finding whether it
        // is to be mailed (`pending`, set when it is recorded with a `report:` in the playbook)
        // or was (`mailed`, with the message's row). NULL: found without a report section.
        // A finding stays `pending` until a message listing it is accepted by the relay.
        migrator.registerMigration("v3") { db in
            try db.create(table: "findingMails") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runId", .integer).notNull()
                    .references("runs", onDelete: .cascade)
                t.column("messageId", .text).notNull().unique()
                t.column("recipients", .text).notNull()
                t.column("findings", .integer).notNull()
                t.column("state", .text).notNull()
                    .check { ["pending", "accepted", "failed"].contains($0) }
                t.column("relayReply", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.alter(table: "findings") { t in
                t.add(column: "mailState", .text)
                    .check { $0 == nil || ["pending", "mailed"].contains($0) }
                t.add(column: "mailId", .integer)
                    .references("findingMails", onDelete: .setNull)
            }
            try db.create(index: "findingsToMail", on: "findings", columns: ["mailState"])
        }
        // What each accepted notification told: per (host, account) the lines its message
        // listed (SHA-256 of the line, and how often it was listed), so a later run tells an
        // account only about lost mails it was not told about before. Recorded in the same
        // transaction that marks the notification `accepted`.
        migrator.registerMigration("notifiedLines") { db in
            try db.create(table: "notifiedLines") { t in
                t.column("host", .text).notNull()
                t.column("account", .text).notNull()
                t.column("lineDigest", .text).notNull()
                t.column("notificationId", .integer).notNull()
                    .references("notifications", onDelete: .cascade)
                t.column("count", .integer).notNull().check { $0 > 0 }
                t.primaryKey(["host", "account", "lineDigest", "notificationId"])
            }
        }
        // Follow-ups within a run: a resumed run that finds lost mails its own accepted message
        // did not list (a host's unreadable log fixed, then resumed) tells the account about them
        // in a second message. The notification's `part` (1, 2, ...) joins the unique key.
        // SQLite cannot change a unique key in place, so the table is rebuilt (foreign keys are
        // off during migrations: notifiedLines keeps its rows and its reference by name).
        migrator.registerMigration("notificationParts") { db in
            try db.create(table: "notificationsWithParts") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runId", .integer).notNull()
                    .references("runs", onDelete: .cascade)
                t.column("host", .text).notNull()
                t.column("account", .text).notNull()
                t.column("recipient", .text).notNull()
                t.column("part", .integer).notNull().defaults(to: 1).check { $0 >= 1 }
                t.column("messageId", .text).notNull().unique()
                t.column("state", .text).notNull()
                    .check { ["pending", "accepted", "failed-temp", "failed-perm"].contains($0) }
                t.column("relayReply", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.uniqueKey(["runId", "host", "account", "recipient", "part"])
            }
            try db.execute(sql: """
                INSERT INTO notificationsWithParts
                    (id, runId, host, account, recipient, part, messageId, state, relayReply, createdAt, updatedAt)
                SELECT id, runId, host, account, recipient, 1, messageId, state, relayReply, createdAt, updatedAt
                FROM notifications
                """)
            try db.drop(table: "notifications")
            try db.rename(table: "notificationsWithParts", to: "notifications")
        }
        // Audit cursors are keyed by (host, file identity) alone: the `inode` column was always
        // written as 0 (only a removed, test-only API wrote other values). SQLite cannot drop a
        // primary-key column, so the table is rebuilt and its inode-0 rows copied.
        migrator.registerMigration("cursorsWithoutInode") { db in
            try db.create(table: "cursorsByIdentity") { t in
                t.column("host", .text).notNull()
                t.column("firstLineHash", .text).notNull()
                t.column("offset", .integer).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.primaryKey(["host", "firstLineHash"])
            }
            try db.execute(sql: """
                INSERT INTO cursorsByIdentity (host, firstLineHash, offset, updatedAt)
                SELECT host, firstLineHash, offset, updatedAt FROM cursors WHERE inode = 0
                """)
            try db.drop(table: "cursors")
            try db.rename(table: "cursorsByIdentity", to: "cursors")
        }
        // Host reports leave the journal: an `analyze` step's detail was the host's whole report
        // (69 MB on a real-size host); it becomes a file in `<state>/reports/` named by its SHA-256
        // (the bytes unchanged: they are the stored form), and the detail a `StoredHostReport`.
        migrator.registerMigration("hostReportFiles") { db in
            let ids = try Int64.fetchAll(db, sql: """
                SELECT id FROM steps WHERE name = 'analyze' AND host != '*' AND detail IS NOT NULL ORDER BY id
                """)
            guard !ids.isEmpty else { return }
            let store = try HostReportStore(stateDirectory: stateDirectory)
            for id in ids {
                guard let detail = try String.fetchOne(db, sql: "SELECT detail FROM steps WHERE id = ?", arguments: [id])
                else { continue }
                let stored = try store.store(json: Data(detail.utf8))
                let reference = String(decoding: try Journal.encodeDetail(stored), as: UTF8.self)
                try db.execute(sql: "UPDATE steps SET detail = ? WHERE id = ?", arguments: [reference, id])
            }
        }
        // Several inventory sources (`-i` given more than once, or ANSIBLE_INVENTORY with
        // commas): a run records the list. Runs of older versions had one path: the runs table
        // gets `inventoryPaths` (a JSON array) filled from `inventoryPath`, and each respond
        // run's plan (the `plan` step's JSON) has its `inventory` string rewritten to
        // `inventories`, a one-element array, so `resume` reads old runs like new ones.
        migrator.registerMigration("inventoryLists") { db in
            try db.alter(table: "runs") { t in t.add(column: "inventoryPaths", .text) }
            try db.execute(sql: """
                UPDATE runs SET inventoryPaths = json_array(inventoryPath) WHERE inventoryPath IS NOT NULL
                """)
            try db.execute(sql: """
                UPDATE steps
                SET detail = json_remove(json_set(detail, '$.inventories', json_array(json_extract(detail, '$.inventory'))),
                                         '$.inventory')
                WHERE host = '*' AND name = 'plan' AND detail IS NOT NULL AND json_valid(detail)
                  AND json_type(detail, '$.inventory') = 'text'
                """)
        }
        return migrator
    }
}
