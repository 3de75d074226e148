/// What a reading pass went through: files, bytes, lines and the issues met.
public struct ReadingSummary: Sendable {
    /// Per-file figures.
    public struct FileFigures: Sendable {
        /// The file.
        public var file: LogFile
        /// Bytes consumed from disk (compressed bytes for archives).
        public var rawBytes: UInt64
        /// Bytes after decompression.
        public var decompressedBytes: UInt64
        /// Lines seen (delivered or skipped).
        public var lines: Int
        /// False when the file could not be read to its end.
        public var complete: Bool
    }

    /// Each file read, in order.
    public var files: [FileFigures] = []
    /// Issues met, in order.
    public var issues: [InputIssue] = []

    /// Creates an empty summary.
    public init() {}

    /// Bytes consumed from disk.
    public var rawBytes: UInt64 { files.reduce(0) { $0 + $1.rawBytes } }
    /// Bytes after decompression.
    public var decompressedBytes: UInt64 { files.reduce(0) { $0 + $1.decompressedBytes } }
    /// Lines seen in all files.
    public var lines: Int { files.reduce(0) { $0 + $1.lines } }
    /// Lines skipped because they were too long.
    public var skippedLines: Int { issues.filter { $0.kind == .lineTooLong }.count }
    /// Files that could not be read to their end.
    public var incompleteFiles: Int { files.filter { !$0.complete }.count }

    /// Adds another pass's figures (for example another host's) after this one's.
    public mutating func append(_ other: ReadingSummary) {
        files += other.files
        issues += other.issues
    }
}
