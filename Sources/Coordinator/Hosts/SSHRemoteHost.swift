import Foundation
import SSHClient
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ``RemoteHost`` reached over SSH: one authenticated `SSHSession`, owned by this value.
///
/// Threading: `SSHSession` is not thread-safe. Make the host inside the thread that uses it
/// (the fan-out gives every host its own thread) and do not hand it to another host's job.
/// `RemoteHost` must be `Sendable`, so every call still takes a lock: a second thread that
/// calls in by mistake waits instead of corrupting the session.
///
/// Errors: SFTP and local file failures become ``RemoteHostError/fileSystem(host:operation:path:message:)``
/// (as the tests' local host throws them), an empty or NUL-carrying argv becomes
/// ``RemoteHostError/launchFailed(host:program:message:)``; everything else (timeouts,
/// transport, channel) is an ``SSHRemoteHostError`` naming the inventory host and the endpoint.
/// After a timeout or transport failure the session is unusable: connect a new host value.
public final class SSHRemoteHost: RemoteHost, Sendable {
    /// The inventory name.
    public let name: String
    /// `address:port` the session is connected to.
    public let endpoint: String
    /// SHA256 fingerprint of the host key the server presented (OpenSSH style).
    public let hostKeyFingerprint: String
    /// The negotiated host key algorithm, e.g. "ssh-ed25519".
    public let hostKeyAlgorithm: String

    /// The session is only touched under its lock.
    private let session: Locked<SSHSession>

    /// Wraps an open session; the host owns it from now on (closing it in `close()` or deinit).
    public init(name: String, session: SSHSession) {
        self.name = name
        self.session = Locked(session)
        self.endpoint = session.options.endpoint
        self.hostKeyFingerprint = session.hostKeyFingerprint
        self.hostKeyAlgorithm = session.hostKeyAlgorithm
    }

    /// Connects with `options` (TCP, handshake, host key check, authentication).
    /// Throws ``SSHRemoteHostError`` naming `name` when any step fails.
    public convenience init(name: String, options: SSHConnectOptions) throws {
        let session: SSHSession
        do {
            session = try SSHSession(options)
        } catch let error as SSHError {
            throw SSHRemoteHostError(host: name, operation: "connect", underlying: error)
        }
        self.init(name: name, session: session)
    }

    /// False after a timeout or transport failure (or `close()`): connect a new host value.
    public var isUsable: Bool { session.withLock { $0.isUsable } }

    /// Sends an SSH disconnect; later calls fail with a `.disconnected` error.
    public func close() {
        session.withLock { $0.close() }
    }

    public func run(arguments: [String], stdin: Data, timeout: Duration) throws -> CommandResult {
        var output = Data()
        var result = try run(arguments: arguments, stdin: stdin, timeout: timeout) { output.append($0) }
        result.stdout = output
        return result
    }

    public func run(arguments: [String], stdin: Data, timeout: Duration,
                    stdout consumer: (Data) throws -> Void) throws -> CommandResult {
        let program = arguments.first ?? ""
        // The command line is built by ShellQuote only (SSHSession.run quotes the same way);
        // checking here first turns an unusable argv into the same error a local host gives.
        do {
            _ = try ShellQuote.commandLine(arguments)
        } catch {
            throw RemoteHostError.launchFailed(host: name, program: program, message: error.description)
        }
        let result: SSHClient.CommandResult
        do {
            result = try session.withLock { session in
                try session.run(arguments, stdin: stdin, timeout: timeout.timeInterval, stdout: consumer)
            }
        } catch let error as SSHError {
            throw SSHRemoteHostError(host: name, operation: "run \(program)", underlying: error)
        }
        if let name = result.exitSignal {
            let number = Self.signalNumber(name)
            return CommandResult(stdout: result.stdout, stderr: result.stderr, status: 128 + number, signal: number)
        }
        // No exit status and no signal: the server said nothing; 255 as OpenSSH's ssh reports it.
        return CommandResult(stdout: result.stdout, stderr: result.stderr, status: result.exitStatus ?? 255)
    }

    public func list(directory: String) throws -> [RemoteFileInfo] {
        let entries: [SSHClient.RemoteFileInfo]
        do {
            entries = try session.withLock { try $0.list(directory) }
        } catch let error as SSHError {
            throw map(error, operation: "list", path: directory)
        }
        return entries.sorted { $0.name < $1.name }.map { Self.info($0, path: Self.join(directory, $0.name)) }
    }

    public func stat(path: String) throws -> RemoteFileInfo? {
        do {
            let entry = try session.withLock { try $0.stat(path) }
            return Self.info(entry, path: path)
        } catch let error as SSHError {
            // SSH_FX_NO_SUCH_FILE: nothing there (or a dangling symlink).
            if error.kind == .sftp && error.sftpStatus == 2 { return nil }
            throw map(error, operation: "stat", path: path)
        }
    }

    private static func info(_ entry: SSHClient.RemoteFileInfo, path: String) -> RemoteFileInfo {
        let kind: RemoteFileInfo.Kind = entry.isSymlink ? .symlink : entry.isDirectory ? .directory
            : entry.isRegularFile ? .file : .other
        return RemoteFileInfo(name: entry.name, path: path, kind: kind,
                              size: entry.size, mtime: Int64(entry.mtime.timeIntervalSince1970))
    }

    public func download(path: String, to local: URL, resume: Bool) throws -> DownloadResult {
        try download(path: path, to: local, resume: resume, progress: { _ in })
    }

    public func download(path: String, to local: URL, resume: Bool,
                         progress: @escaping (UInt64) -> Void) throws -> DownloadResult {
        let transferred: UInt64
        do {
            transferred = try session.withLock { session in
                try session.download(path, to: local, resume: resume, progress: { progress($0) })
            }
        } catch let error as SSHError {
            throw map(error, operation: "download", path: path)
        }
        var info = Glibc.stat()
        guard followingStat(local.path, &info) == 0 else {
            throw RemoteHostError.fileSystem(host: name, operation: "stat", path: local.path,
                                             message: String(cString: strerror(errno)))
        }
        let size = UInt64(info.st_size)
        return DownloadResult(size: size, transferred: transferred, resumedFrom: size - min(size, transferred))
    }

    /// File errors as every RemoteHost reports them; session-level failures as SSHRemoteHostError.
    private func map(_ error: SSHError, operation: String, path: String) -> any Error {
        switch error.kind {
        case .sftp, .localFile:
            return RemoteHostError.fileSystem(host: name, operation: operation, path: path,
                                              message: error.description)
        default:
            return SSHRemoteHostError(host: name, operation: "\(operation) \(path)", underlying: error)
        }
    }

    private static func join(_ directory: String, _ entry: String) -> String {
        directory.hasSuffix("/") ? directory + entry : directory + "/" + entry
    }

    /// The number of a signal named as SSH reports it ("KILL", "TERM"); 0 when unknown.
    static func signalNumber(_ name: String) -> Int32 {
        let table: [String: Int32] = [
            "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "ILL": SIGILL, "TRAP": SIGTRAP,
            "ABRT": SIGABRT, "BUS": SIGBUS, "FPE": SIGFPE, "KILL": SIGKILL, "USR1": SIGUSR1,
            "SEGV": SIGSEGV, "USR2": SIGUSR2, "PIPE": SIGPIPE, "ALRM": SIGALRM, "TERM": SIGTERM,
        ]
        return table[name] ?? 0
    }
}

/// stat(2) under a name the hosts' own `stat(path:)` does not shadow.
private func followingStat(_ path: String, _ info: inout stat) -> Int32 {
    stat(path, &info)
}

/// An SSH failure on a named inventory host.
public struct SSHRemoteHostError: Error, CustomStringConvertible, Sendable {
    /// The inventory name of the host.
    public let host: String
    /// What LostMail was doing, e.g. "connect", "run uname", "download /var/log/qmail/current".
    public let operation: String
    /// The SSH layer's error (kind, libssh2 code and message, `address:port`).
    public let underlying: SSHError

    public init(host: String, operation: String, underlying: SSHError) {
        self.host = host
        self.operation = operation
        self.underlying = underlying
    }

    /// The SSH failure kind, for callers that branch on it.
    public var kind: SSHError.Kind { underlying.kind }

    public var description: String { "host \(host): \(underlying.description)" }
}
