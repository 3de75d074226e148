import Foundation
import GRDB

/// The journal's audit records: each host's state and cursors, and the findings.
extension Journal {
    /// The host's state after its last successful audit, or nil before its first.
    public func auditState(host: String) throws -> AuditHostState? {
        let row = try read("read audit state") { db in
            try Row.fetchOne(db, sql: "SELECT state, analyzer FROM auditHosts WHERE host = ?", arguments: [host])
        }
        guard let row, let blob: Data = row["state"] else { return nil }
        do {
            var state = try JSONDecoder().decode(AuditHostState.self, from: blob)
            state.analyzer = row["analyzer"]
            return state
        } catch {
            throw JournalError.database(operation: "decode the audit state of host \(host)", path: path,
                                        message: "\(error)")
        }
    }

    /// The host's read offsets, by file identity.
    public func cursors(host: String) throws -> [String: Int64] {
        try read("read cursors") { db in
            var cursors: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT firstLineHash, offset FROM cursors WHERE host = ?",
                                        arguments: [host]) {
                cursors[row["firstLineHash"]] = row["offset"]
            }
            return cursors
        }
    }

    /// Records one host's audit in one transaction: the findings not recorded before (by host,
    /// file identity, offset and signature), the moved cursors and the host's new state.
    /// With `toMail` the new findings are recorded as waiting for the operators' mail.
    /// Returns the findings that are new.
    public func commitAudit(run: Int64, host: String, state: AuditHostState, cursors: [String: Int64],
                            findings: [AuditFinding], toMail: Bool = false,
                            at date: Date = Date()) throws -> [AuditFinding] {
        let blob: Data
        do { blob = try JSONEncoder().encode(state) } catch {
            throw JournalError.database(operation: "encode the audit state of host \(host)", path: path,
                                        message: "\(error)")
        }
        return try write("commit audit of host \(host)") { db in
            var fresh: [AuditFinding] = []
            for finding in findings {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO findings
                    (runId, host, signature, kind, logTime, file, identity, offset, line, detail, foundAt, mailState)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [run, finding.host, finding.signature, finding.kind.rawValue, finding.logTime,
                                     finding.file, finding.identity, finding.offset, finding.line, finding.detail,
                                     date, toMail ? "pending" : nil])
                if db.changesCount > 0 { fresh.append(finding) }
            }
            for (identity, offset) in cursors {
                try db.execute(sql: """
                    INSERT INTO cursors (host, firstLineHash, offset, updatedAt) VALUES (?, ?, ?, ?)
                    ON CONFLICT(host, firstLineHash) DO UPDATE SET offset = excluded.offset,
                    updatedAt = excluded.updatedAt
                    """, arguments: [host, identity, offset, date])
            }
            // Cursors of files gone from every listing for 30 days: nothing (not even an archive
            // made from the file) will need them any more.
            let listed = Array(Set(state.listing.values.compactMap(\.identity)))
            let marks = listed.isEmpty ? "" : " AND firstLineHash NOT IN (\(listed.map { _ in "?" }.joined(separator: ",")))"
            var arguments: [(any DatabaseValueConvertible)?] = [host, date.addingTimeInterval(-Self.cursorRetention)]
            arguments += listed.map { $0 }
            try db.execute(sql: "DELETE FROM cursors WHERE host = ? AND updatedAt < ?" + marks,
                           arguments: StatementArguments(arguments))
            try db.execute(sql: """
                INSERT INTO auditHosts (host, state, analyzer, updatedAt) VALUES (?, ?, ?, ?)
                ON CONFLICT(host) DO UPDATE SET state = excluded.state, analyzer = excluded.analyzer,
                updatedAt = excluded.updatedAt
                """, arguments: [host, blob, state.analyzer, date])
            return fresh
        }
    }

    /// How long the cursor of a file no longer listed is kept (30 days).
    static let cursorRetention: TimeInterval = 30 * 86_400

    /// The findings recorded by run `run` (every run when nil), in the order they were found.
    public func findings(run: Int64? = nil) throws -> [AuditFinding] {
        try read("read findings") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM findings \(run == nil ? "" : "WHERE runId = ?") ORDER BY id
                """, arguments: run.map { [$0] } ?? [])
            return rows.map(Self.finding)
        }
    }

    /// A `findings` row as a finding.
    static func finding(_ row: Row) -> AuditFinding {
        AuditFinding(host: row["host"], signature: row["signature"],
                     kind: AuditFinding.Kind(rawValue: row["kind"]) ?? .delivery, logTime: row["logTime"],
                     file: row["file"], identity: row["identity"], offset: row["offset"],
                     line: row["line"], detail: row["detail"])
    }

    /// Records the span of an audit's new findings as the run's window.
    public func setWindow(run: Int64, from: Date, until: Date) throws {
        try write("set run window") { db in
            try db.execute(sql: "UPDATE runs SET windowFrom = ?, windowUntil = ?, timeZone = 'UTC' WHERE id = ?",
                           arguments: [from, until, run])
        }
    }
}
