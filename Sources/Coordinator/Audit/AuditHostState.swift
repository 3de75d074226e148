import Foundation
import QmailLog

/// What an audit keeps about one host between audits (stored as JSON in the journal's
/// `auditHosts` table, in the same transaction as the host's cursors and findings).
///
/// The read offsets themselves live in the journal's `cursors` table, keyed by file identity
/// (``LogIdentity``); this holds the last directory listing, so a file whose name, size and
/// modification time did not change costs nothing but the listing.
public struct AuditHostState: Codable, Sendable {
    /// One file of the last listing.
    public struct ListedFile: Codable, Sendable, Equatable {
        public var size: UInt64
        public var mtime: Int64
        /// The file's identity, nil while it had no complete first line.
        public var identity: String?
    }

    /// The last listing, by full path on the host.
    public var listing: [String: ListedFile] = [:]
    /// Lines read so far per file identity (for line numbers in messages).
    public var lines: [String: Int] = [:]
    /// The analyser's open messages and deliveries (a `PendingState` as JSON), so messages
    /// spanning audits are joined; nil before the first audit. Kept encoded and stored in its
    /// own column: it is decoded (on the host's thread) only when the host has new lines.
    public var analyzer: Data?
    /// The deferral-rate history.
    public var spikes = DeferralSpikeDetector()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case listing, lines, spikes
    }
}
