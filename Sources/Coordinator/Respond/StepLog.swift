import Foundation

/// Runs one host's steps through the journal: each step is recorded as started before it runs
/// and as done (with its result) after, so a resumed run returns the recorded result instead
/// of doing the step again. Without a journal (`--check`), steps simply run.
struct StepLog: Sendable {
    let journal: Journal?
    let run: Int64
    let host: String

    /// The step's recorded result if it is done; otherwise runs `body` and records its result.
    func perform<Result: Codable & Sendable>(_ name: String, key: String = "",
                                             _ body: () throws -> Result) throws -> Result {
        guard let journal else { return try body() }
        let step = StepKey(run: run, host: host, name: name, key: key)
        if try journal.step(run: run, host: host, name: name, key: key) == .done,
           let recorded = try journal.detail(step, as: Result.self) {
            return recorded
        }
        try journal.markStarted(step)
        do {
            let result = try body()
            try journal.markDone(step, detail: result)
            return result
        } catch {
            try? journal.markFailed(step, error: String(describing: error))
            throw error
        }
    }
}
