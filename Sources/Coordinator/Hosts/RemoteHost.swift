import Foundation

/// What a command run on a host produced.
public struct CommandResult: Sendable, Equatable {
    public var stdout: Data
    public var stderr: Data
    /// The exit status, or 128 + signal number if the command was killed by a signal.
    public var status: Int32
    /// The signal that ended the command, if any.
    public var signal: Int32?

    public init(stdout: Data, stderr: Data, status: Int32, signal: Int32? = nil) {
        self.stdout = stdout
        self.stderr = stderr
        self.status = status
        self.signal = signal
    }

    /// stderr as text (invalid UTF-8 replaced), for messages.
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// One entry of a remote directory listing.
public struct RemoteFileInfo: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case file, directory, symlink, other }
    /// The entry's name in its directory.
    public var name: String
    /// The directory path joined with the name.
    public var path: String
    public var kind: Kind
    public var size: UInt64
    /// Modification time, seconds since the epoch.
    public var mtime: Int64

    public init(name: String, path: String, kind: Kind, size: UInt64, mtime: Int64) {
        self.name = name
        self.path = path
        self.kind = kind
        self.size = size
        self.mtime = mtime
    }
}

/// What a download did.
public struct DownloadResult: Sendable, Equatable {
    /// The local file's size at the end (equal to the remote file's size).
    public var size: UInt64
    /// Bytes transferred by this call (less than `size` when it resumed).
    public var transferred: UInt64
    /// The offset the download resumed from (0 if it started fresh).
    public var resumedFrom: UInt64
    /// The local file's SHA-256 (lower-case hex) when the download hashed the bytes it wrote
    /// (a compressed pull does), so the evidence store need not read the file again.
    public var sha256: String? = nil
}

/// A host the respond pipeline works on: run a command, list a directory, download a file.
///
/// Implementations: ``SSHRemoteHost`` (and, in the tests, a local host and counting or
/// failing wrappers). Calls block; the fan-out runs each host on its own thread.
/// One host value is used by one thread at a time.
public protocol RemoteHost: Sendable {
    /// The host's name (inventory name), for messages and the journal.
    var name: String { get }

    /// Runs `arguments` (program first; each element one argv entry, never re-split or
    /// interpreted by a shell) with `stdin` as standard input; waits at most `timeout`.
    func run(arguments: [String], stdin: Data, timeout: Duration) throws -> CommandResult

    /// ``run(arguments:stdin:timeout:)`` that hands each stdout chunk to `consumer` as it
    /// arrives (the result's `stdout` stays empty); a throwing consumer aborts the command.
    /// The default implementation runs the command and hands its whole stdout over once.
    func run(arguments: [String], stdin: Data, timeout: Duration,
             stdout consumer: (Data) throws -> Void) throws -> CommandResult

    /// Lists a directory (not recursive, without "." and ".."), sorted by name. Entries are
    /// described as they are (lstat): a symlink is `.symlink`, a FIFO or device `.other`.
    func list(directory: String) throws -> [RemoteFileInfo]

    /// What `path` names, following symlinks (kind, size and mtime of the target); nil when
    /// nothing is there (no such file, or a dangling symlink). A symlink loop throws.
    func stat(path: String) throws -> RemoteFileInfo?

    /// Downloads a regular file to `local`. With `resume`, an existing shorter local file is
    /// continued from its size; otherwise it is replaced. The final size is checked against
    /// the remote file's size.
    func download(path: String, to local: URL, resume: Bool) throws -> DownloadResult

    /// ``download(path:to:resume:)`` that calls `progress` with the local file's size as the
    /// transfer goes on (from the host's thread). The default implementation reports nothing.
    func download(path: String, to local: URL, resume: Bool,
                  progress: @escaping (UInt64) -> Void) throws -> DownloadResult

    /// False once a failure (a timeout, a lost transport) left the connection unable to run
    /// anything more; the caller connects afresh. The default implementation is always true.
    var isUsable: Bool { get }
}

extension RemoteHost {
    /// Hosts that cannot follow paths (test doubles) say so.
    public func stat(path: String) throws -> RemoteFileInfo? {
        throw RemoteHostError.fileSystem(host: name, operation: "stat", path: path,
                                         message: "this host cannot follow paths")
    }

    public var isUsable: Bool { true }

    public func run(arguments: [String], stdin: Data, timeout: Duration,
                    stdout consumer: (Data) throws -> Void) throws -> CommandResult {
        var result = try run(arguments: arguments, stdin: stdin, timeout: timeout)
        try consumer(result.stdout)
        result.stdout = Data()
        return result
    }

    public func download(path: String, to local: URL, resume: Bool,
                         progress: @escaping (UInt64) -> Void) throws -> DownloadResult {
        try download(path: path, to: local, resume: resume)
    }
}

/// Errors of a ``RemoteHost``.
public enum RemoteHostError: Error, CustomStringConvertible {
    case launchFailed(host: String, program: String, message: String)
    case timedOut(host: String, program: String, timeout: Duration)
    case fileSystem(host: String, operation: String, path: String, message: String)
    case sizeMismatch(host: String, path: String, expected: UInt64, actual: UInt64)

    public var description: String {
        switch self {
        case .launchFailed(let host, let program, let message):
            return "host \(host): cannot start \(program): \(message)"
        case .timedOut(let host, let program, let timeout):
            return "host \(host): \(program) did not finish within \(timeout); it was killed"
        case .fileSystem(let host, let operation, let path, let message):
            return "host \(host): \(operation) \(path) failed: \(message)"
        case .sizeMismatch(let host, let path, let expected, let actual):
            return "host \(host): download of \(path) has \(actual) bytes, the file has \(expected)"
        }
    }
}

extension RemoteHost {
    /// The file at `path` as its directory lists it, or nil if there is no such regular file.
    func regularFile(at path: String) throws -> RemoteFileInfo? {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        return try list(directory: directory).first { $0.name == name && $0.kind == .file }
    }
}
