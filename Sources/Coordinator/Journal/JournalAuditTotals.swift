import Foundation
import GRDB

/// What the journal knows across audits, for monitoring (`lostmail audit --metrics`).
extension Journal {
    /// Findings recorded by every audit of this state directory, per host and signature,
    /// sorted by host, then signature.
    public func findingTotals() throws -> [AuditFindingTotal] {
        try read("count findings") { db in
            try Row.fetchAll(db, sql: """
                SELECT host, signature, COUNT(*) AS count FROM findings GROUP BY host, signature ORDER BY host, signature
                """).map { AuditFindingTotal(host: $0["host"], signature: $0["signature"], count: $0["count"]) }
        }
    }

    /// When the latest audit that read every host completely finished; nil before the first.
    public func lastCompleteAudit() throws -> Date? {
        try read("read last complete audit") { db in
            try Date.fetchOne(db, sql: """
                SELECT finishedAt FROM runs WHERE kind = ? AND status = ? AND finishedAt IS NOT NULL
                ORDER BY finishedAt DESC LIMIT 1
                """, arguments: [RunKind.audit.rawValue, RunStatus.done.rawValue])
        }
    }
}

/// How many findings all audits recorded for one host and signature.
public struct AuditFindingTotal: Sendable, Equatable, Codable {
    public var host: String
    public var signature: String
    public var count: Int
}
