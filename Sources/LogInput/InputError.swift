/// A failure while listing or reading log input, with the file and position it concerns.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong.
    public enum Kind: String, Sendable {
        /// The directory could not be listed.
        case listDirectory
        /// The file could not be opened or inspected.
        case open
        /// A read(2) on the file failed.
        case read
        /// The decompressor could not be set up (for example out of memory).
        case decoderSetup
        /// The compressed data is corrupt (or is not of the expected format).
        case corruptData
        /// The compressed stream ends in the middle (a cut file).
        case truncatedStream
        /// The file uses a compression this tool does not read (lz4, compress).
        case unsupportedCompression
    }

    /// What went wrong.
    public var kind: Kind
    /// The file (or directory) concerned.
    public var path: String
    /// Byte offset in the file where reading stopped (compressed bytes for archives).
    public var offset: UInt64?
    /// Number of complete lines delivered from this file before the failure, when known.
    public var linesDelivered: Int?
    /// The library's or the system's return code (errno, zlib, libbz2 or liblzma code).
    public var code: Int32?
    /// The underlying message (strerror, the library's own text, or ours).
    public var message: String

    /// Creates an error; `code` and `offset` are optional context.
    public init(kind: Kind, path: String, offset: UInt64? = nil, linesDelivered: Int? = nil,
                code: Int32? = nil, message: String) {
        self.kind = kind
        self.path = path
        self.offset = offset
        self.linesDelivered = linesDelivered
        self.code = code
        self.message = message
    }

    /// One operator-readable sentence.
    public var description: String {
        var text: String
        switch kind {
        case .listDirectory: text = "cannot list log directory \(DisplayPath.quote(path))"
        case .open: text = "cannot open log file \(DisplayPath.quote(path))"
        case .read: text = "reading \(DisplayPath.quote(path)) failed"
        case .decoderSetup: text = "cannot set up the decompressor for \(DisplayPath.quote(path))"
        case .corruptData: text = "compressed data in \(DisplayPath.quote(path)) is corrupt"
        case .truncatedStream: text = "compressed stream in \(DisplayPath.quote(path)) is cut off"
        case .unsupportedCompression:
            text = "\(DisplayPath.quote(path)) uses a compression LostMail does not read"
        }
        if let offset { text += " at byte \(offset)" }
        if let linesDelivered { text += " (after line \(linesDelivered))" }
        text += ": \(message)"
        if let code { text += " (code \(code))" }
        return text
    }
}
