import Foundation

/// A file in the evidence store, named by the SHA-256 of its bytes.
public struct EvidenceObject: Sendable, Equatable {
    /// Lower-case hex SHA-256 of the content.
    public var sha256: String
    public var size: UInt64
    /// Where the (read-only) file is.
    public var url: URL
}

/// One line of a host's evidence index: this remote file, at this size and mtime, is stored
/// under this hash.
public struct EvidenceIndexEntry: Codable, Sendable, Equatable {
    public var host: String
    public var remotePath: String
    public var size: UInt64
    /// The remote file's modification time, seconds since the epoch.
    public var mtime: Int64
    public var sha256: String
    public var storedAt: Date

    public init(host: String, remotePath: String, size: UInt64, mtime: Int64, sha256: String,
                storedAt: Date = Date()) {
        self.host = host
        self.remotePath = remotePath
        self.size = size
        self.mtime = mtime
        self.sha256 = sha256
        self.storedAt = storedAt
    }
}

/// Errors of the evidence store.
public enum EvidenceError: Error, CustomStringConvertible {
    case io(operation: String, path: String, errno: Int32)
    case failed(operation: String, path: String, message: String)
    case notRegularFile(path: String)
    case invalidHash(String)

    public var description: String {
        switch self {
        case .io(let operation, let path, let code):
            return "evidence store: \(operation) \(path) failed: "
                + "\(String(cString: strerror(code))) (errno \(code))"
        case .failed(let operation, let path, let message):
            return "evidence store: \(operation) \(path) failed: \(message)"
        case .notRegularFile(let path):
            return "evidence store: \(path) is not a regular file"
        case .invalidHash(let text):
            return "evidence store: \(text.debugDescription) is not a SHA-256 in hex"
        }
    }
}
