import ArgumentParser
import Coordinator

/// Exit statuses of `lostmail`, for schedulers and scripts (see README.md).
enum ExitCodes {
    /// Everything done (audit: nothing new found).
    static let done = ExitCode(0)
    /// Some hosts failed (ping), or a check failed.
    static let hostsFailed = ExitCode(1)
    /// An error before any work: bad inventory, playbook, options or state directory.
    static let unusable = ExitCode(2)
    /// Audit: something new was found.
    static let found = ExitCode(3)
    /// Finished with hosts or accounts failed; `lostmail resume` completes the run.
    /// Audit: nothing new, but hosts were not read or the findings' mail failed (the next audit catches up).
    static let resumable = ExitCode(4)
    /// `analyze`: finished, but some log input could not be read (not a regular file, or not
    /// opened, read or decompressed); the output names it and the results may lack its mail.
    static let inputNotRead = ExitCode(4)
    /// Another coordinator holds the state directory; nothing was done.
    static let stateDirectoryBusy = ExitCode(5)
    /// `respond`/`resume`: done, but some owners could not be told (a permanent SMTP failure
    /// or no address for the account); nothing is left for `resume`, the report names them.
    static let ownersNotTold = ExitCode(6)

    /// The exit status of a finished `respond` or `resume` run.
    static func of(_ outcome: RespondOutcome) -> ExitCode {
        if !outcome.isComplete { return resumable }
        let untold = outcome.notifications.contains { $0.state == .permanentFailure || $0.state == .refused }
        return untold ? ownersNotTold : done
    }
}

/// Prints an error met before any work and returns the exit status for it:
/// `stateDirectoryBusy` when another coordinator holds the state directory, else `unusable`.
func failBeforeWork(_ error: any Error) -> ExitCode {
    if let journal = error as? JournalError, case .stateDirLocked = journal {
        FileHandleOutput.standardError("lostmail: not started: \(error)")
        return ExitCodes.stateDirectoryBusy
    }
    FileHandleOutput.standardError("lostmail: \(error)")
    return ExitCodes.unusable
}
