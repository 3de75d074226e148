import Foundation

/// Runs one host's steps through the journal: each step is recorded as started before it runs
/// and as done (with its result) after, so a resumed run returns the recorded result instead
/// of doing the step again. Without a journal (`--check`), steps simply run.
struct StepLog: Sendable {
    let journal: Journal?
    let run: Int64
    let host: String

    /// The step's recorded result if it is done; otherwise runs `body` and records its result.
    /// With `redo`, a done step runs again (its recorded result is replaced).
    func perform<Result: Codable & Sendable>(_ name: String, key: String = "", redo: Bool = false,
                                             _ body: () throws -> Result) throws -> Result {
        try performEncoded(name, key: key, redo: redo, body).0
    }

    /// True when the step is recorded as failed (false without a journal).
    func failed(_ name: String, key: String = "") throws -> Bool {
        try journal?.stepRecord(StepKey(run: run, host: host, name: name, key: key))?.state == .failed
    }

    /// ``perform(_:key:_:)`` for a result that is also needed as JSON (a host's report): returns
    /// it with its JSON, encoded once, in the journal's form (``Journal/encodeDetail(_:)``).
    func performEncoded<Result: Codable & Sendable>(_ name: String, key: String = "", redo: Bool = false,
                                                    _ body: () throws -> Result) throws -> (Result, Data) {
        let step = StepKey(run: run, host: host, name: name, key: key)
        if let journal, try journal.step(run: run, host: host, name: name, key: key) == .done {
            if redo {
                try journal.reopen(step)
            } else if let json = try journal.encodedDetail(step) {
                return (try Journal.decodeDetail(Result.self, from: json), json)
            }
        }
        try journal?.markStarted(step)
        do {
            let result = try body()
            let json = try Journal.encodeDetail(result)
            try journal?.markDone(step, encodedDetail: json)
            return (result, json)
        } catch {
            try? journal?.markFailed(step, error: String(describing: error))
            throw error
        }
    }
}
