import Foundation

/// A remote file chosen for the run, as listed on the host.
public struct ListedFile: Codable, Sendable, Equatable {
    /// Absolute path on the host.
    public var path: String
    /// Size when listed.
    public var size: UInt64
    /// Modification time when listed (Unix seconds).
    public var mtime: Int64
}

/// A remote file held in the evidence store.
public struct PulledFile: Codable, Sendable, Equatable {
    /// Absolute path on the host.
    public var path: String
    /// Content address in the evidence store.
    public var sha256: String
    /// Size in bytes.
    public var size: UInt64
}

/// The account maps of a host as pulled (missing ones named).
struct PulledMaps: Codable, Sendable {
    var files: [PulledFile]
    var missing: [String]
}

/// What updating one account's file did, as recorded in the journal.
public struct AccountWriteRecord: Codable, Sendable, Equatable {
    /// The account.
    public var account: String
    /// The file on the host.
    public var path: String
    /// Lines before the update.
    public var previousLines: Int
    /// Lines added.
    public var addedLines: Int
    /// False when the file already held every line (nothing written).
    public var written: Bool
}

/// One host's part of a respond run: where its report is, and the little the run's end needs
/// (the report itself is not kept: it holds every lost delivery).
public struct HostRespondResult: Sendable {
    /// The host's report (losses, attribution, counts), in the run's report store.
    public var stored: StoredHostReport
    /// The host's figures for the run's summary, taken while its report was at hand.
    public var figures: FleetSummary.HostFigures
    /// The host's figures for the incident page, taken at the same time.
    public var page: PageHostFigures
    /// The input not read (see ``HostReport/unreadInput``).
    public var unreadInput: [String]
    /// Lost mails per account with some (the lines each account file gets).
    public var lostPerAccount: [String: Int]
    /// Files pulled for the analysis.
    public var pulled: [PulledFile]
    /// Bytes transferred by this invocation (0 when everything was pulled before).
    public var transferred: UInt64
    /// Account files written or checked.
    public var writes: [AccountWriteRecord]
    /// Accounts whose file could not be written, with the error.
    public var writeFailures: [String: String]
    /// What the operator should know that is no failure (a stored report found changed and
    /// made again).
    public var notes: [String] = []
    /// How this invocation pulled the logs (`zstd`, `gzip`, `sftp`); nil when nothing was pulled.
    public var pullMethod: String?
    /// Log bytes (as on the host) this invocation pulled; `transferred` is what crossed the wire.
    public var logBytes: UInt64 = 0
    /// True when the report came from the analysis made while the logs were pulled.
    public var analysedWhilePulling = false
    /// True when some input was not read.
    public var isMissingInput: Bool { !unreadInput.isEmpty }
}
