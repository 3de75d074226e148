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
    /// An account's content is made when its batch is (`lost` is asked then), so at most one
    /// batch's files are in memory, never a host's.
    ///
    /// - Parameters:
    ///   - accounts: the accounts' entries (from ``lookup(accounts:)``).
    ///   - lost: an account's lost mails (not empty), asked for when its content is made.
    ///   - decoder: a decompressor the host has (`.zstd` or `.gzip`): the batches' input goes
    ///     compressed; nil sends it as it is.
    ///   - progress: called before each command with the accounts it writes.
    /// - Returns: each account's update or error, by account name.
    public func update(accounts: [PasswdEntry], lost: (String) -> [LostMailEntry], formatter: LostMailFormatter,
                       decoder: Compression?, progress: ([String]) -> Void = { _ in })
        -> [String: Result<AccountFileUpdate, any Error>] {
        withoutActuallyEscaping(lost) { lost in
            withoutActuallyEscaping(progress) { progress in
                batches(accounts: accounts, lost: lost, formatter: formatter, decoder: decoder, progress: progress)
            }
        }
    }

    private func batches(accounts: [PasswdEntry], lost: @escaping (String) -> [LostMailEntry],
                         formatter: LostMailFormatter, decoder: Compression?,
                         progress: @escaping ([String]) -> Void) -> [String: Result<AccountFileUpdate, any Error>] {
        var state = BatchRun(writer: self, lost: lost, formatter: formatter, decoder: decoder, progress: progress)
        var creates = AccountFileBatchQueue()
        for entry in accounts {
            do {
                // A bad entry (a hostile home from getent) fails alone, not the batch it would be in.
                try AccountFileCommand.validate(entry)
                let content = try mergeLostMailFile(existing: Data(), new: lost(entry.name), formatter: formatter)
                if let full = creates.add(AccountFileBatchItem(entry: entry, content: content, createOnly: true)) {
                    state.run(full)
                }
            } catch {
                state.outcomes[entry.name] = .failure(error)
            }
        }
        state.run(creates.drain())
        state.run(state.pendingReplaces.drain())
        for entry in state.alone {
            progress([entry.name])
            state.outcomes[entry.name] = Result { try update(entry: entry, lost: lost(entry.name), formatter: formatter) }
        }
        return state.outcomes
    }
}

/// The state of one ``AccountFileWriter/update(accounts:lost:formatter:decoder:progress:)``.
private struct BatchRun {
    let writer: AccountFileWriter
    let lost: (String) -> [LostMailEntry]
    let formatter: LostMailFormatter
    let decoder: Compression?
    let progress: ([String]) -> Void
    var outcomes: [String: Result<AccountFileUpdate, any Error>] = [:]
    /// Existing files whose merge changed them, for the second kind of batch.
    var pendingReplaces = AccountFileBatchQueue()
    /// Lines each of those had.
    var previous: [String: Int] = [:]
    /// Accounts the batches gave no answer for: done with their own commands at the end.
    var alone: [PasswdEntry] = []

    /// Runs a batch (create-only writes or replacements) and takes in each account's answer;
    /// an account without one is left for its own commands.
    mutating func run(_ items: [AccountFileBatchItem]) {
        guard !items.isEmpty else { return }
        progress(items.map(\.entry.name))
        let answers = writer.runBatch(items, decoder: decoder)
        for item in items {
            switch answers[item.entry.name] {
            case .success(let answer)?: item.createOnly ? created(item, answer) : replaced(item, answer)
            case .failure(let error)?: outcomes[item.entry.name] = .failure(error)
            case nil: alone.append(item.entry)
            }
        }
    }

    /// A create-only write's answer: written, or the existing file to merge.
    private mutating func created(_ item: AccountFileBatchItem, _ answer: AccountFileBatchResult) {
        let account = item.entry.name
        let path = writer.target.path(home: item.entry.home)
        if answer.status == 0 {
            outcomes[account] = .success(AccountFileUpdate(
                account: account, path: path, previousLines: 0,
                addedLines: AccountFileWriter.lineCount(item.content), written: true))
        } else if answer.status == AccountFileError.Refusal.fileExists.rawValue, let current = answer.stdout {
            merge(item.entry, current: current, path: path)
        } else if answer.status == AccountFileError.Refusal.fileExists.rawValue {
            alone.append(item.entry)  // too large to print back
        } else {
            outcomes[account] = .failure(AccountFileError.check(account: account, status: answer.status,
                                                                stderr: answer.stderr)!)
        }
    }

    /// Merges the run's lines into an existing file; a changed one waits for a replace batch.
    private mutating func merge(_ entry: PasswdEntry, current: Data, path: String) {
        let account = entry.name
        do {
            let merged = try mergeLostMailFile(existing: current, new: lost(account), formatter: formatter)
            let before = AccountFileWriter.lineCount(current)
            if merged == current {
                outcomes[account] = .success(AccountFileUpdate(account: account, path: path, previousLines: before,
                                                               addedLines: 0, written: false))
            } else {
                previous[account] = before
                if let full = pendingReplaces.add(AccountFileBatchItem(entry: entry, content: merged, createOnly: false)) {
                    run(full)
                }
            }
        } catch {
            outcomes[account] = .failure(error)
        }
    }

    /// A replacement's answer: the merged file written, or why not.
    private mutating func replaced(_ item: AccountFileBatchItem, _ answer: AccountFileBatchResult) {
        let account = item.entry.name
        if let error = AccountFileError.check(account: account, status: answer.status, stderr: answer.stderr) {
            outcomes[account] = .failure(error)
        } else {
            let before = previous[account] ?? 0
            outcomes[account] = .success(AccountFileUpdate(
                account: account, path: writer.target.path(home: item.entry.home), previousLines: before,
                addedLines: AccountFileWriter.lineCount(item.content) - before, written: true))
        }
    }
}

extension AccountFileWriter {
    /// Runs one batch. An account with a line in the output has its answer; when the command
    /// could not run or finish, every account without an answer gets that error (naming the
    /// account and file); an account the output does not mention is absent (redo it alone).
    fileprivate func runBatch(_ items: [AccountFileBatchItem], decoder: Compression?)
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
