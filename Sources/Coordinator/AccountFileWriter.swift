import Foundation

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

/// Updates `~account/logs/lost-mails.log` on a host, as the account: look the account up with
/// `getent passwd`, read the file, merge the run's lines in (``mergeLostMailFile(existing:new:)``)
/// and write it back only if the content changed. Running again with the same lines writes
/// nothing; a write interrupted by a crash is simply redone (the merge is idempotent).
public struct AccountFileWriter: Sendable {
    public let host: any RemoteHost
    /// The file's mode (default 0600).
    public var mode: UInt16
    /// Limit for each command on the host.
    public var timeout: Duration

    public init(host: any RemoteHost, mode: UInt16 = 0o600, timeout: Duration = .seconds(120)) {
        self.host = host
        self.mode = mode
        self.timeout = timeout
    }

    /// The account's passwd entry on the host.
    public func lookup(account: String) throws -> PasswdEntry {
        let result = try host.run(arguments: try PasswdEntry.lookupArguments(account: account),
                                  stdin: Data(), timeout: timeout)
        let output = String(decoding: result.stdout, as: UTF8.self)
        guard result.status == 0, let entry = PasswdEntry(line: output), entry.name == account else {
            let reason = result.status == 2 ? "getent: not found"
                : "getent exit \(result.status): \(result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))"
            throw AccountFileError.noSuchAccount(account: account, host: host.name, message: reason)
        }
        return entry
    }

    /// Merges `lines` into the account's file, writing only if something changes.
    public func update(account: String, lines: [String]) throws -> AccountFileUpdate {
        let entry = try lookup(account: account)
        let read = try AccountFileCommand.read(account: account, uid: entry.uid, gid: entry.gid,
                                               home: entry.home)
        let current = try host.run(arguments: read.arguments, stdin: Data(), timeout: timeout)
        if let error = AccountFileError.check(account: account, status: current.status,
                                              stderr: current.stderrText) { throw error }
        let merged = try mergeLostMailFile(existing: current.stdout, new: lines)
        let path = entry.home + "/logs/lost-mails.log"
        let before = Self.lineCount(current.stdout)
        let after = Self.lineCount(merged)
        guard merged != current.stdout else {
            return AccountFileUpdate(account: account, path: path, previousLines: before,
                                     addedLines: 0, written: false)
        }
        let write = try AccountFileCommand.write(account: account, uid: entry.uid, gid: entry.gid,
                                                 home: entry.home, mode: mode, size: merged.count)
        let result = try host.run(arguments: write.arguments, stdin: merged, timeout: timeout)
        if let error = AccountFileError.check(account: account, status: result.status,
                                              stderr: result.stderrText) { throw error }
        return AccountFileUpdate(account: account, path: path, previousLines: before,
                                 addedLines: after - before, written: true)
    }

    static func lineCount(_ data: Data) -> Int {
        guard !data.isEmpty else { return 0 }
        return data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } + (data.last == 0x0A ? 0 : 1)
    }
}
