/// Something in the input that was skipped or may be incomplete; reading went on.
public struct InputIssue: Sendable, Hashable, CustomStringConvertible {
    /// The kind of trouble.
    public enum Kind: String, Sendable {
        /// A line longer than the limit: skipped (never buffered whole).
        case lineTooLong
        /// The file's last line has no newline: delivered, but it may be cut.
        case missingFinalNewline
        /// A `.u` file: multilog did not finish it, its end may be missing.
        case unfinishedFile
        /// The file could not be opened, read or decompressed (from the given line on).
        case unreadable
        /// An entry named like a log file that is not one: a directory, a FIFO, a device, a
        /// dangling or looping symlink. Not read.
        case notRegularFile
    }

    /// The file concerned.
    public var path: String
    /// The line concerned (1-based), or for `.unreadable` the last complete line delivered.
    public var line: Int?
    /// The kind of trouble.
    public var kind: Kind
    /// Details for the operator (length, error text).
    public var detail: String

    /// Creates an issue.
    public init(path: String, line: Int?, kind: Kind, detail: String) {
        self.path = path
        self.line = line
        self.kind = kind
        self.detail = detail
    }

    /// True when input was not read at all from here on (the results may lack mail):
    /// `.unreadable` and `.notRegularFile`; false for line-level issues.
    public var losesInput: Bool { kind == .unreadable || kind == .notRegularFile }

    /// `file:line: kind: detail`.
    public var description: String {
        let place = line.map { "\(DisplayPath.quote(path)):\($0)" } ?? DisplayPath.quote(path)
        return "\(place): \(kind.rawValue): \(detail)"
    }
}
