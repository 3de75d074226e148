/// Argument vectors that write or read an account's output file (``AccountFileTarget``, by
/// default `~account/logs/lost-mails.log`) on a host as the account.
///
/// The vector drops privileges with `setpriv --reuid U --regid G --clear-groups --reset-env
/// --no-new-privs` (the account's own uid and primary group are all it takes to write in its
/// home; no supplementary groups, and no group database lookup per account) and runs a
/// constant script (``AccountFileScript``) with `/bin/sh -c`; the home, uid, account and mode
/// follow as positional arguments, then the file's path relative to the home and the size limit. Run it as root through
/// ``RemoteHost/run(arguments:stdin:timeout:)`` (each element must reach `execve` as one
/// argument: the SSH layer quotes each for the remote shell). Everything is validated before a
/// vector is built, so a hostile account name never reaches a host.
public struct AccountFileCommand: Sendable, Equatable {
    /// The argument vector, `arguments[0]` being the program.
    public let arguments: [String]
    /// The account it acts for.
    public let account: String

    /// The command that replaces the account's file with its stdin (mode `mode`, atomically).
    ///
    /// - Parameters:
    ///   - account: the account (unix user) name, used in messages only.
    ///   - uid: the account's uid (not 0, not -1).
    ///   - gid: the account's primary gid (not 0, not -1).
    ///   - home: the account's home directory from `getent passwd`, absolute.
    ///   - target: the file (relative to the home) and the largest existing file read back.
    ///   - mode: the file's permission bits (default 0600).
    ///   - size: the exact byte count of the content sent on stdin; when given, a shorter or
    ///     longer input is refused and the file stays as it was.
    ///   - onlyIfAbsent: write only if the account has no file yet; if it has one, the command
    ///     prints it and exits 89 (``AccountFileError/Refusal/fileExists``). Needs `size`.
    public static func write(account: String, uid: UInt32, gid: UInt32, home: String,
                             target: AccountFileTarget = .standard, mode: UInt16 = 0o600, size: Int? = nil,
                             onlyIfAbsent: Bool = false) throws -> AccountFileCommand {
        guard mode <= 0o777 else { throw AccountFileError.invalidMode(mode) }
        precondition(!onlyIfAbsent || size != nil, "a create-only write passes the size")
        return try AccountFileCommand(
            account: account, uid: uid, gid: gid, home: home, target: target,
            script: AccountFileScript.write, name: AccountFileScript.writeName,
            extra: [octal(mode)] + (size.map { [String($0)] } ?? []) + (onlyIfAbsent ? ["new"] : []))
    }

    /// The command that prints the account's file (nothing if it or a directory on the way
    /// does not exist); a file over `target.maxSize` is refused (``AccountFileError/Refusal/fileTooLarge``).
    public static func read(account: String, uid: UInt32, gid: UInt32, home: String,
                            target: AccountFileTarget = .standard) throws -> AccountFileCommand {
        try AccountFileCommand(
            account: account, uid: uid, gid: gid, home: home, target: target,
            script: AccountFileScript.read, name: AccountFileScript.readName, extra: [])
    }

    private init(account: String, uid: UInt32, gid: UInt32, home: String, target: AccountFileTarget,
                 script: String, name: String, extra: [String]) throws {
        try Self.validate(PasswdEntry(name: account, uid: uid, gid: gid, home: home))
        self.account = account
        arguments = [
            "/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups",
            "--reset-env", "--no-new-privs", "--",
            "/bin/sh", "-c", script, name, home, String(uid), account,
            target.relativePath, String(target.maxSize),
        ] + extra
    }

    /// The mode as the scripts take it: four octal digits.
    static func octal(_ mode: UInt16) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Accepts an entry a command may act as: a valid name, not root's or -1's ids, a clean
    /// absolute home.
    static func validate(_ entry: PasswdEntry) throws {
        try validate(account: entry.name)
        guard entry.uid != 0, entry.gid != 0, entry.uid != UInt32.max, entry.gid != UInt32.max else {
            throw AccountFileError.privilegedID(account: entry.name, uid: entry.uid, gid: entry.gid)
        }
        try validate(home: entry.home, account: entry.name)
    }

    /// Accepts 1 to 32 of letters, digits, '.', '_', '-', not starting with '-' or '.'.
    public static func validate(account: String) throws {
        let bytes = Array(account.utf8)
        let allowed = { (b: UInt8) in
            (0x61...0x7A).contains(b) || (0x41...0x5A).contains(b) || (0x30...0x39).contains(b)
                || b == 0x2E || b == 0x5F || b == 0x2D
        }
        guard (1...32).contains(bytes.count), bytes.allSatisfy(allowed),
              bytes[0] != 0x2D, bytes[0] != 0x2E
        else { throw AccountFileError.invalidAccountName(account) }
    }

    /// Accepts an absolute path without NUL, newline, '.' or '..' components.
    static func validate(home: String, account: String) throws {
        let components = home.split(separator: "/", omittingEmptySubsequences: true)
        guard home.hasPrefix("/"), !home.utf8.contains(0), !home.utf8.contains(0x0A),
              !components.contains(where: { $0 == "." || $0 == ".." })
        else { throw AccountFileError.invalidHome(account: account, home: home) }
    }
}
