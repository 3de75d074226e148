import Foundation
import LogInput
import QmailLog

/// What a host's account-file writes came to: each account's record or error.
struct AccountWrites: Sendable {
    var writes: [AccountWriteRecord]
    var failures: [String: String]
}

extension HostPipeline {
    /// Writes each account's file (a `write` step per account in the journal; the done ones
    /// keep their recorded result). One `getent` for the accounts still to write and a few
    /// batch commands for all of them (``AccountFileWriter/update(accounts:lost:formatter:decoder:progress:)``);
    /// a resumed host whose writes are all done is not contacted.
    /// - Parameter decoder: the compressor the host was found to have, for the batches' input.
    func writeAccounts(_ lostByAccount: LostMailsByAccount, remote: LazyRemote, decoder: Compression?,
                       redo: Bool, context: HostJobContext) throws -> AccountWrites {
        let formatter = LostMailFormatter(timeZone: plan.settings.timeZone)
        let outcomes = try steps.performEach("write", keys: lostByAccount.accounts, redo: redo) {
            accounts -> [String: Result<AccountWriteRecord, any Error>] in
            let writer: AccountFileWriter
            let entries: [String: PasswdEntry]
            do {
                writer = AccountFileWriter(host: try remote.get(), target: outputTarget, mode: outputMode,
                                           timeout: .seconds(host.timeouts.command))
                entries = try writer.lookup(accounts: accounts)
            } catch {
                return Dictionary(uniqueKeysWithValues: accounts.map { ($0, .failure(error)) })
            }
            var outcomes: [String: Result<AccountWriteRecord, any Error>] = [:]
            var found: [PasswdEntry] = []
            for account in accounts {
                if let entry = entries[account] {
                    found.append(entry)
                } else {
                    outcomes[account] = .failure(AccountFileError.noSuchAccount(
                        account: account, host: host.name, message: "getent: not found"))
                }
            }
            let updates = writer.update(accounts: found, lost: lostByAccount.entries(of:), formatter: formatter,
                                        decoder: decoder) { names in
                context.report(names.count == 1 ? "writing \(names[0])"
                               : "writing \(names[0]) … \(names[names.count - 1]) (\(names.count) accounts)")
            }
            for (account, update) in updates {
                outcomes[account] = update.map {
                    AccountWriteRecord(account: account, path: $0.path, previousLines: $0.previousLines,
                                       addedLines: $0.addedLines, written: $0.written)
                }
            }
            return outcomes
        }
        var writes: [AccountWriteRecord] = []
        var failures: [String: String] = [:]
        for account in outcomes.keys.sorted() {
            switch outcomes[account]! {
            case .success(let record): writes.append(record)
            case .failure(let error): failures[account] = String(describing: error)
            }
        }
        // A write that timed out (or lost its transport) leaves the session unusable; the
        // next use of this host connects afresh.
        if !failures.isEmpty { remote.discardIfUnusable() }
        return AccountWrites(writes: writes, failures: failures)
    }
}
