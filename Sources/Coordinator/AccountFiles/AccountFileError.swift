import Foundation

/// Errors writing or reading an account's `lost-mails.log`.
public enum AccountFileError: Error, CustomStringConvertible, Equatable {
    /// The account name has characters an account name never has; nothing was run.
    case invalidAccountName(String)
    /// uid or gid is root (0) or -1; the command would not drop privileges.
    case privilegedID(account: String, uid: UInt32, gid: UInt32)
    /// The home directory is not an absolute, clean path.
    case invalidHome(account: String, home: String)
    /// The mode is not a permission mode (0...0o777).
    case invalidMode(UInt16)
    /// The file's path is not a clean path relative to the home (see ``AccountFileTarget``).
    case invalidPath(String)
    /// The size limit is not between 1 byte and 1 GiB.
    case invalidMaxSize(Int)
    /// `getent passwd` on the host does not know the account (or gave a malformed entry).
    case noSuchAccount(account: String, host: String, message: String)
    /// The command could not run or finish on the host (timeout, lost connection, ...);
    /// `message` is the SSH or host error, which names the host.
    case commandFailed(account: String, path: String, message: String)
    /// The command ran and refused or failed on the host.
    case refused(account: String, refusal: Refusal, status: Int32, message: String)

    /// Why the remote script refused (from its exit status).
    public enum Refusal: Int32, Sendable, Equatable {
        /// The existing file is not writable by the account (it would be replaced regardless).
        case fileNotWritable = 87
        /// The existing file is larger than the limit (``AccountFileTarget/maxSize``); not read.
        case fileTooLarge = 88
        /// A create-only write found a file already there (not an error for the writer: it
        /// printed the file, which is merged and written with a second command).
        case fileExists = 89
        case notRunningAsAccount = 90
        case homeNotAbsolute = 91
        case homeMissing = 92
        case logsIsSymlink = 93
        case logsNotDirectory = 94
        case fileIsSymlink = 95
        case fileNotRegular = 96
        case fileHasHardLinks = 97
        case writeFailed = 98
        /// Any other non-zero status (setpriv failed, unknown user, signal, ...).
        case other = -1
    }

    /// The error for a finished script run, or nil if it succeeded.
    public static func check(account: String, status: Int32, stderr: String) -> AccountFileError? {
        guard status != 0 else { return nil }
        let message = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return .refused(account: account, refusal: Refusal(rawValue: status) ?? .other,
                        status: status, message: message)
    }

    public var description: String {
        switch self {
        case .invalidAccountName(let name):
            return "refusing account name \(String(name.prefix(80)).debugDescription): "
                + "only letters, digits, '.', '_' and '-' (not first), at most 32 characters"
        case .privilegedID(let account, let uid, let gid):
            return "account \(account): refusing uid \(uid) gid \(gid): "
                + "writing as root or with id -1 would not drop privileges"
        case .invalidHome(let account, let home):
            return "account \(account): home directory \(home.debugDescription) "
                + "is not an absolute path without '.' or '..' components"
        case .invalidMode(let mode):
            return "file mode \(String(mode, radix: 8)) is not a permission mode (0 to 777)"
        case .invalidPath(let path):
            return "output path \(String(path.prefix(200)).debugDescription) is not a path relative to the home "
                + "without control characters or empty, '.' or '..' components"
        case .invalidMaxSize(let size):
            return "output size limit \(size) is not between 1 byte and 1 GiB"
        case .noSuchAccount(let account, let host, let message):
            return "account \(account): host \(host) has no such account (\(message))"
        case .commandFailed(let account, let path, let message):
            return "account \(account): \(path) not handled: \(message)"
        case .refused(let account, let refusal, let status, let message):
            let text = message.isEmpty ? "no message" : message
            return "account \(account): lost-mails.log not handled (\(refusal), exit \(status)): \(text)"
        }
    }
}
