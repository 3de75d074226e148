import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A host logged in to as a non-root user (`ansible_become: true`): every command runs as root
/// through `sudo -n --` (argv only; sudo never asks, so a host without passwordless sudo fails
/// at once with ``SudoError``), and listings, stats and downloads, which SFTP would do as the
/// login user, are commands too (``SudoScripts``), so root-only logs and maps are read.
///
/// Account writes keep dropping to each account: their `setpriv` vector runs under sudo as
/// root, then becomes the account. Downloads stream `dd` output into the local file and keep
/// the SFTP download's rules (resume from the local size, the final size checked against the
/// remote file), so the evidence store's hashing and resume work unchanged.
public struct SudoRemoteHost: RemoteHost {
    /// The logged-in host (an ``SSHRemoteHost`` in production).
    public let inner: any RemoteHost
    /// The login user, for messages.
    public let user: String
    /// Deadline of a listing or stat, and the base deadline of a download.
    public let commandTimeout: Duration

    public init(_ inner: any RemoteHost, user: String, commandTimeout: Duration) {
        self.inner = inner
        self.user = user
        self.commandTimeout = commandTimeout
    }

    public var name: String { inner.name }
    public var isUsable: Bool { inner.isUsable }

    public func run(arguments: [String], stdin: Data, timeout: Duration) throws -> CommandResult {
        try checked(inner.run(arguments: ["sudo", "-n", "--"] + arguments, stdin: stdin, timeout: timeout))
    }

    public func run(arguments: [String], stdin: Data, timeout: Duration,
                    stdout consumer: (Data) throws -> Void) throws -> CommandResult {
        try checked(inner.run(arguments: ["sudo", "-n", "--"] + arguments, stdin: stdin, timeout: timeout,
                              stdout: consumer))
    }

    /// Throws when sudo itself refused (a password needed, not permitted, not installed).
    private func checked(_ result: CommandResult) throws -> CommandResult {
        let text = result.stderrText
        if result.status == 1, text.contains("sudo: a password is required") {
            throw SudoError.passwordRequired(host: name, user: user)
        }
        if result.status == 1, text.hasPrefix("sudo: ") || text.contains("\nsudo: "),
           text.contains("is not in the sudoers file") || text.contains("is not allowed to execute") {
            throw SudoError.notPermitted(host: name, user: user,
                                         message: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if result.status == 127, text.contains("sudo: not found") || text.contains("sudo: command not found") {
            throw SudoError.notInstalled(host: name)
        }
        return result
    }

    public func list(directory: String) throws -> [RemoteFileInfo] {
        let result = try run(arguments: SudoScripts.list(directory), stdin: Data(), timeout: commandTimeout)
        guard result.status == 0 else {
            throw RemoteHostError.fileSystem(host: name, operation: "list", path: directory,
                                             message: SudoScripts.message(result))
        }
        return try SudoScripts.parseListing(result.stdout, directory: directory, host: name)
    }

    public func stat(path: String) throws -> RemoteFileInfo? {
        let result = try run(arguments: SudoScripts.stat(path), stdin: Data(), timeout: commandTimeout)
        if result.status == SudoScripts.absent { return nil }
        guard result.status == 0 else {
            throw RemoteHostError.fileSystem(host: name, operation: "stat", path: path,
                                             message: SudoScripts.message(result))
        }
        return try SudoScripts.parseStat(result.stdout, path: path, host: name)
    }

    public func download(path: String, to local: URL, resume: Bool) throws -> DownloadResult {
        try download(path: path, to: local, resume: resume, progress: { _ in })
    }

    public func download(path: String, to local: URL, resume: Bool,
                         progress: @escaping (UInt64) -> Void) throws -> DownloadResult {
        guard let remote = try stat(path: path), remote.kind == .file else {
            throw RemoteHostError.fileSystem(host: name, operation: "download", path: path,
                                             message: "no regular file there")
        }
        let fd = open(local.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)  // pulled logs name customers
        guard fd >= 0 else { throw localError("open", local) }
        defer { close(fd) }
        var offset: UInt64 = 0
        if resume {
            var info = Glibc.stat()
            guard fstat(fd, &info) == 0 else { throw localError("stat", local) }
            offset = UInt64(info.st_size)
            if offset > remote.size { offset = 0 }
        }
        guard ftruncate(fd, off_t(offset)) == 0, lseek(fd, off_t(offset), SEEK_SET) >= 0 else {
            throw localError("truncate", local)
        }
        var localSize = offset
        let count = remote.size - offset
        // A total deadline (an exec channel has no idle timeout): the command timeout, plus a
        // second per MiB so a large log at 1 MiB/s or faster always fits.
        let timeout = commandTimeout + .seconds(Int64(count >> 20))
        let arguments = ["sudo", "-n", "--"] + SudoScripts.read(path, from: offset, count: count)
        let result = try inner.run(arguments: arguments, stdin: Data(), timeout: timeout) { chunk in
            guard chunk.withUnsafeBytes({ FileOps.writeAll(fd, $0) }) else { throw localError("write", local) }
            localSize += UInt64(chunk.count)
            progress(localSize)
        }
        _ = try checked(result)
        guard result.status == 0 else {
            throw RemoteHostError.fileSystem(host: name, operation: "download", path: path,
                                             message: SudoScripts.message(result))
        }
        guard localSize == remote.size else {
            throw RemoteHostError.sizeMismatch(host: name, path: path, expected: remote.size, actual: localSize)
        }
        return DownloadResult(size: localSize, transferred: localSize - offset, resumedFrom: offset)
    }

    private func localError(_ operation: String, _ local: URL) -> RemoteHostError {
        RemoteHostError.fileSystem(host: name, operation: operation, path: local.path,
                                   message: String(cString: strerror(errno)))
    }
}

/// sudo refused to run a command for a host's login user.
public enum SudoError: Error, CustomStringConvertible, Sendable, Equatable {
    case passwordRequired(host: String, user: String)
    case notPermitted(host: String, user: String, message: String)
    case notInstalled(host: String)

    public var description: String {
        switch self {
        case .passwordRequired(let host, let user):
            return "host \(host): sudo -n: a password is required for \(user) (ansible_become: true); LostMail "
                + "never types one: give \(user) passwordless sudo (NOPASSWD) on the host or log in as root"
        case .notPermitted(let host, let user, let message):
            return "host \(host): \(user) may not run commands as root with sudo (ansible_become: true): \(message)"
        case .notInstalled(let host):
            return "host \(host): sudo is not installed, and ansible_become: true needs it"
        }
    }
}
