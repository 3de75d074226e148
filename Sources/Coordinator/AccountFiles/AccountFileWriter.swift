import Foundation
import LostMailConfig
import QmailLog

/// What updating one account's `lost-mails.log` did.
public struct AccountFileUpdate: Sendable, Equatable {
    public var account: String
    /// The file's path on the host.
    public var path: String
    /// Lines the file had before.
    public var previousLines: Int
    /// Lines the merge added (0 when the run found nothing new).
    public var addedLines: Int
    /// False when the merged content equals the file's: nothing was written.
    public var written: Bool
}

/// Updates an account's output file (``target``, by default `~account/logs/lost-mails.log`) on
/// a host, as the account: look the account up with
/// `getent passwd`, create the file if there is none, else read it, merge the run's lines in
/// (``mergeLostMailFile(existing:new:)``) and write it back only if the content changed. Running again with the same lines writes
/// nothing; a write interrupted by a crash is simply redone (the merge is idempotent).
public struct AccountFileWriter: Sendable {
    public let host: any RemoteHost
    /// The file (relative to the home) and the largest existing file read back.
    public var target: AccountFileTarget
    /// The file's mode (default 0600).
    public var mode: UInt16
    /// Limit for each command on the host (respond passes `lostmail_command_timeout`).
    public var timeout: Duration

    public init(host: any RemoteHost, target: AccountFileTarget = .standard, mode: UInt16 = 0o600,
                timeout: Duration = .seconds(HostTimeouts.defaults.command)) {
        self.host = host
        self.target = target
        self.mode = mode
        self.timeout = timeout
    }

    /// The account's passwd entry on the host.
    public func lookup(account: String) throws -> PasswdEntry {
        guard let entry = try lookup(accounts: [account])[account] else {
            throw AccountFileError.noSuchAccount(account: account, host: host.name, message: "getent: not found")
        }
        return entry
    }

    /// The passwd entries of `accounts` on the host, with one `getent` for all of them. An
    /// account the host does not know is absent from the result (getent exits 2 then).
    public func lookup(accounts: [String]) throws -> [String: PasswdEntry] {
        guard !accounts.isEmpty else { return [:] }
        let result = try host.run(arguments: try PasswdEntry.lookupArguments(accounts: accounts),
                                  stdin: Data(), timeout: timeout)
        guard result.status == 0 || result.status == 2 else {
            let message = "getent exit \(result.status): "
                + result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            throw AccountFileError.noSuchAccount(account: accounts.joined(separator: ","), host: host.name,
                                                 message: message)
        }
        let wanted = Set(accounts)
        var entries: [String: PasswdEntry] = [:]
        for line in String(decoding: result.stdout, as: UTF8.self).split(separator: "\n") {
            guard let entry = PasswdEntry(line: String(line)), wanted.contains(entry.name),
                  entries[entry.name] == nil else { continue }
            entries[entry.name] = entry
        }
        return entries
    }

    /// Merges `lines` into the account's file, writing only if something changes.
    public func update(account: String, lines: [String]) throws -> AccountFileUpdate {
        try update(entry: try lookup(account: account), lines: lines)
    }

    /// Merges `lines` into the file of the account `entry` describes (from ``lookup(accounts:)``).
    ///
    /// The first command writes the new lines if the account has no file yet (one command per
    /// account on a first run); if it has one, that command prints it instead, and the merge is
    /// written with a second command only if it differs.
    public func update(entry: PasswdEntry, lines: [String]) throws -> AccountFileUpdate {
        try update(entry: entry, hasNew: !lines.isEmpty) { try mergeLostMailFile(existing: $0, new: lines) }
    }

    /// Merges a run's lost mails into the file of the account `entry` describes: each becomes
    /// the file's line (`formatter`) here, where the file is written.
    public func update(entry: PasswdEntry, lost: [LostMailEntry], formatter: LostMailFormatter) throws -> AccountFileUpdate {
        try update(entry: entry, hasNew: !lost.isEmpty) {
            try mergeLostMailFile(existing: $0, new: lost, formatter: formatter)
        }
    }

    /// The update: `merge` turns the file's current content into the new one.
    private func update(entry: PasswdEntry, hasNew: Bool, merge: (Data) throws -> Data) throws -> AccountFileUpdate {
        let account = entry.name
        let path = target.path(home: entry.home)
        let current: Data
        if !hasNew {
            let read = try AccountFileCommand.read(account: account, uid: entry.uid, gid: entry.gid,
                                                   home: entry.home, target: target)
            let result = try run(read, stdin: Data(), path: path)
            if let error = AccountFileError.check(account: account, status: result.status,
                                                  stderr: result.stderrText) { throw error }
            current = result.stdout
        } else {
            let fresh = try merge(Data())
            let create = try AccountFileCommand.write(account: account, uid: entry.uid, gid: entry.gid,
                                                      home: entry.home, target: target, mode: mode,
                                                      size: fresh.count, onlyIfAbsent: true)
            let result = try run(create, stdin: fresh, path: path)
            if result.status == 0 {
                return AccountFileUpdate(account: account, path: path, previousLines: 0,
                                         addedLines: Self.lineCount(fresh), written: true)
            }
            guard result.status == AccountFileError.Refusal.fileExists.rawValue else {
                throw AccountFileError.check(account: account, status: result.status, stderr: result.stderrText)!
            }
            current = result.stdout
        }
        // The script refuses a file over the limit before reading it and prints at most one byte
        // more; that byte means the file grew past the limit after the check.
        guard current.count <= target.maxSize else {
            throw AccountFileError.refused(account: account, refusal: .fileTooLarge,
                                           status: AccountFileError.Refusal.fileTooLarge.rawValue,
                                           message: "\(path) grew past the limit of \(target.maxSize) bytes while being read")
        }
        let merged = try merge(current)
        let before = Self.lineCount(current)
        let after = Self.lineCount(merged)
        guard merged != current else {
            return AccountFileUpdate(account: account, path: path, previousLines: before,
                                     addedLines: 0, written: false)
        }
        let write = try AccountFileCommand.write(account: account, uid: entry.uid, gid: entry.gid,
                                                 home: entry.home, target: target, mode: mode,
                                                 size: merged.count)
        let result = try run(write, stdin: merged, path: path)
        if let error = AccountFileError.check(account: account, status: result.status,
                                              stderr: result.stderrText) { throw error }
        return AccountFileUpdate(account: account, path: path, previousLines: before,
                                 addedLines: after - before, written: true)
    }

    /// Runs one account command; a failure to run or finish it names the account and file.
    private func run(_ command: AccountFileCommand, stdin: Data, path: String) throws -> CommandResult {
        do {
            return try host.run(arguments: command.arguments, stdin: stdin, timeout: timeout)
        } catch {
            throw AccountFileError.commandFailed(account: command.account, path: path,
                                                 message: String(describing: error))
        }
    }

    static func lineCount(_ data: Data) -> Int {
        guard !data.isEmpty else { return 0 }
        // Over the bytes, not Data's iterator (a host's first write counts megabytes here).
        let feeds = data.withUnsafeBytes { bytes in bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }
        return feeds + (data.last == 0x0A ? 0 : 1)
    }
}
