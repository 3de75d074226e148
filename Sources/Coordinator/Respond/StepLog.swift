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
        let step = StepKey(run: run, host: host, name: name, key: key)
        if let journal, try journal.step(run: run, host: host, name: name, key: key) == .done {
            if redo {
                try journal.reopen(step)
            } else if let recorded = try journal.detail(step, as: Result.self) {
                return recorded
            }
        }
        try journal?.markStarted(step)
        do {
            let result = try body()
            try journal?.markDone(step, detail: result)
            return result
        } catch {
            try? journal?.markFailed(step, error: String(describing: error))
            throw error
        }
    }

    /// ``perform(_:key:redo:_:)`` for the steps `name` of many keys at once: a done key returns
    /// its recorded result (unless `redo`); the others are marked started together, handed to
    /// `body` together, and each is recorded done or failed with its own outcome (a key
    /// `body` gives no outcome for fails). Two journal transactions for the lot, not three a key.
    func performEach<Result: Codable & Sendable>(
        _ name: String, keys: [String], redo: Bool = false,
        _ body: ([String]) -> [String: Swift.Result<Result, any Error>]
    ) throws -> [String: Swift.Result<Result, any Error>] {
        let steps = keys.map { StepKey(run: run, host: host, name: name, key: $0) }
        guard let journal else { return body(keys) }
        var outcomes: [String: Swift.Result<Result, any Error>] = [:]
        var todo: [StepKey] = []
        let records = try journal.stepRecords(steps)
        for step in steps {
            if !redo, records[step]?.state == .done, let recorded = try journal.detail(step, as: Result.self) {
                outcomes[step.key] = .success(recorded)
            } else {
                todo.append(step)
            }
        }
        guard !todo.isEmpty else { return outcomes }
        try journal.markStarted(todo, reopen: redo)
        let done = body(todo.map(\.key))
        let finished = todo.map { step in
            (step, done[step.key] ?? .failure(RespondHostError(host: host, message: "\(name) \(step.key): no outcome")))
        }
        try journal.markFinished(finished)
        for (step, outcome) in finished { outcomes[step.key] = outcome }
        return outcomes
    }

    /// True when the step is recorded as failed (false without a journal).
    func failed(_ name: String, key: String = "") throws -> Bool {
        try journal?.stepRecord(StepKey(run: run, host: host, name: name, key: key))?.state == .failed
    }

    /// The recorded result of a done step (nil when it is not done, or without a journal).
    func recorded<Result: Decodable>(_ name: String, key: String = "", as type: Result.Type) throws -> Result? {
        let step = StepKey(run: run, host: host, name: name, key: key)
        guard let journal, try journal.stepRecord(step)?.state == .done else { return nil }
        return try journal.detail(step, as: Result.self)
    }
}
