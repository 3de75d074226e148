import Foundation

/// Where a host's report of a run is on disk, as the journal's `analyze` step records it: a file
/// in the state directory's `reports/` named by its SHA-256, its size, and the form it is in.
public struct StoredHostReport: Codable, Sendable, Equatable {
    /// The form written today: the host's JSON object exactly as `report.json` holds it (compact,
    /// keys sorted), so the fleet report is the stored files spliced together.
    public static let currentFormat = 1

    /// The file's form (``currentFormat``; a reader refuses forms it does not know).
    public var format: Int
    /// SHA-256 (lower-case hex) of the file's bytes.
    public var sha256: String
    /// The file's size in bytes.
    public var size: UInt64
    /// The file's name in `reports/`.
    public var file: String
}

/// A stored host report that cannot be used, naming its file.
public enum HostReportError: Error, CustomStringConvertible, Equatable {
    /// The file is not there (or is no regular file).
    case missing(path: String)
    /// The file's bytes are not the ones recorded.
    case digestMismatch(path: String, expected: String, found: String, size: UInt64)
    /// A form this version cannot read.
    case unknownFormat(path: String, format: Int)
    /// The file could not be read or parsed.
    case unreadable(path: String, message: String)
    /// The run has no stored report for the host.
    case notAnalysed(run: Int64, host: String)

    public var description: String {
        switch self {
        case .missing(let path): return "stored host report \(path) is missing"
        case .digestMismatch(let path, let expected, let found, let size):
            return "stored host report \(path) does not match its digest (SHA-256 \(found), \(size) bytes; the journal recorded \(expected))"
        case .unknownFormat(let path, let format):
            return "stored host report \(path) is in form \(format), which this version of lostmail cannot read"
        case .unreadable(let path, let message): return "stored host report \(path) cannot be read: \(message)"
        case .notAnalysed(let run, let host): return "run \(run): host \(host) has no stored report (its analysis is not done)"
        }
    }
}
