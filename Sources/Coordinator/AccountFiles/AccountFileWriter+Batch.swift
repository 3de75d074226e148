import Foundation
import LogInput
import QmailLog

extension AccountFileWriter {
    /// Merges each account's lost mails into its file, as ``update(entry:lost:formatter:)`` does
    /// for one, with a few commands for all of them (``AccountFileScript/batch``): one command
    /// per up to 64 accounts creates the files that do not exist yet and prints back those that
    /// do; the merged content of those that changed goes out with a second one. Each file is
    /// still written by its own account. An account the batch gave no answer for (the batch
    /// cut short, an existing file too large to print back) is done with its own commands, so
    /// every account ends with its own result or error.
    ///
    /// - Parameters:
    ///   - accounts: each account's entry and its lost mails (not empty).
    ///   - decoder: a decompressor the host has (`.zstd` or `.gzip`): the batch's input goes
    ///     compressed; nil sends it as it is.
    ///   - progress: called before each command with the accounts it writes.
    /// - Returns: each account's update or error, by account name.
    public func update(accounts: [(entry: PasswdEntry, lost: [LostMailEntry])], formatter: LostMailFormatter,
                       decoder: Compression?, progress: ([String]) -> Void = { _ in })
        -> [String: Result<AccountFileUpdate, any Error>] {
        var outcomes: [String: Result<AccountFileUpdate, any Error>] = [:]
        var lostByAccount: [String: [LostMailEntry]] = [:]
        var creates: [AccountFileBatchItem] = []
        for (entry, lost) in accounts {
            lostByAccount[entry.name] = lost
            do {
                // A bad entry (a hostile home from getent) fails alone, not the batch it would be in.
                try AccountFileCommand.validate(entry)
                creates.append(AccountFileBatchItem(entry: entry, content: try mergeLostMailFile(
                    existing: Data(), new: lost, formatter: formatter), createOnly: true))
            } catch {
                outcomes[entry.name] = .failure(error)
            }
        }
        // Files that exist: merged here, written by the second batch if the merge changed them.
        var replaces: [AccountFileBatchItem] = []
        var previous: [String: Int] = [:]
        var alone: [PasswdEntry] = []
        for chunk in AccountFileBatch.chunks(creates) {
            progress(chunk.map(\.entry.name))
            let answers = runBatch(chunk, decoder: decoder)
            for item in chunk {
                let account = item.entry.name
                let path = target.path(home: item.entry.home)
                switch answers[account] {
                case .success(let answer)?:
                    if answer.status == 0 {
                        outcomes[account] = .success(AccountFileUpdate(
                            account: account, path: path, previousLines: 0,
                            addedLines: Self.lineCount(item.content), written: true))
                    } else if answer.status == AccountFileError.Refusal.fileExists.rawValue, let current = answer.stdout {
                        do {
                            let merged = try mergeLostMailFile(existing: current, new: lostByAccount[account] ?? [],
                                                               formatter: formatter)
                            let before = Self.lineCount(current)
                            if merged == current {
                                outcomes[account] = .success(AccountFileUpdate(
                                    account: account, path: path, previousLines: before, addedLines: 0, written: false))
                            } else {
                                previous[account] = before
                                replaces.append(AccountFileBatchItem(entry: item.entry, content: merged, createOnly: false))
                            }
                        } catch {
                            outcomes[account] = .failure(error)
                        }
                    } else if answer.status == AccountFileError.Refusal.fileExists.rawValue {
                        alone.append(item.entry)
                    } else {
                        outcomes[account] = .failure(AccountFileError.check(account: account, status: answer.status,
                                                                            stderr: answer.stderr)!)
                    }
                case .failure(let error)?:
                    outcomes[account] = .failure(error)
                case nil:
                    alone.append(item.entry)
                }
            }
        }
        for chunk in AccountFileBatch.chunks(replaces) {
            progress(chunk.map(\.entry.name))
            let answers = runBatch(chunk, decoder: decoder)
            for item in chunk {
                let account = item.entry.name
                switch answers[account] {
                case .success(let answer)?:
                    if let error = AccountFileError.check(account: account, status: answer.status, stderr: answer.stderr) {
                        outcomes[account] = .failure(error)
                    } else {
                        let before = previous[account] ?? 0
                        outcomes[account] = .success(AccountFileUpdate(
                            account: account, path: target.path(home: item.entry.home), previousLines: before,
                            addedLines: Self.lineCount(item.content) - before, written: true))
                    }
                case .failure(let error)?:
                    outcomes[account] = .failure(error)
                case nil:
                    alone.append(item.entry)
                }
            }
        }
        for entry in alone {
            progress([entry.name])
            outcomes[entry.name] = Result {
                try update(entry: entry, lost: lostByAccount[entry.name] ?? [], formatter: formatter)
            }
        }
        return outcomes
    }

    /// Runs one batch. An account with a line in the output has its answer; when the command
    /// could not run or finish, every account without an answer gets that error (naming the
    /// account and file); an account the output does not mention is absent (redo it alone).
    private func runBatch(_ items: [AccountFileBatchItem], decoder: Compression?)
        -> [String: Result<AccountFileBatchResult, any Error>] {
        let seconds = max(1, Int(timeout.components.seconds))
        var output = AccountFileBatchOutput()
        var failure: (any Error)?
        do {
            let arguments = try AccountFileBatch.arguments(target: target, mode: mode, decoder: decoder,
                                                           secondsPerAccount: seconds)
            let input = try AccountFileBatch.input(items, decoder: decoder)
            // Each account's write has the whole timeout on the host; the command has them all.
            let whole = Duration.seconds((seconds + 3) * items.count) + timeout
            _ = try host.run(arguments: arguments, stdin: input, timeout: whole) { try output.feed($0) }
        } catch {
            failure = error
        }
        var answers: [String: Result<AccountFileBatchResult, any Error>] = [:]
        for item in items {
            guard let answer = output.results[item.entry.name] else { continue }
            answers[item.entry.name] = AccountFileBatch.timedOut.contains(answer.status)
                ? .failure(AccountFileError.commandFailed(
                    account: item.entry.name, path: target.path(home: item.entry.home),
                    message: "host \(host.name): the write did not finish within \(seconds) s and was stopped there"))
                : .success(answer)
        }
        if let failure, !(failure is AccountFileBatchOutput.Malformed) {
            for item in items where answers[item.entry.name] == nil {
                answers[item.entry.name] = .failure(AccountFileError.commandFailed(
                    account: item.entry.name, path: target.path(home: item.entry.home),
                    message: String(describing: failure)))
            }
        }
        return answers
    }
}
