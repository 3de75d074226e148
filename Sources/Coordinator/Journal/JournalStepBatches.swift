import Foundation
import GRDB

extension Journal {
    /// The records of `steps` (absent: never recorded), read in one transaction.
    public func stepRecords(_ steps: [StepKey]) throws -> [StepKey: StepRecord] {
        try read("read steps") { db in
            var records: [StepKey: StepRecord] = [:]
            for step in steps { if let record = try Self.fetch(step, db) { records[step] = record } }
            return records
        }
    }

    /// ``markStarted(_:at:)`` for many steps, in one transaction. With `reopen`, a done step
    /// starts again (as ``reopen(_:)`` then ``markStarted(_:at:)`` would); without it a done
    /// step throws ``JournalError/stepAlreadyDone(_:)`` and nothing is recorded.
    public func markStarted(_ steps: [StepKey], reopen: Bool = false, at date: Date = Date()) throws {
        try write("mark steps started") { db in
            for step in steps {
                var record = try Self.fetchOrInsert(step, db)
                guard record.state != .done || reopen else { throw JournalError.stepAlreadyDone(step) }
                record.state = .started
                record.attempts += 1
                record.startedAt = date
                record.finishedAt = nil
                record.error = nil
                try record.update(db)
            }
        }
    }

    /// Records the outcome of many started steps in one transaction: done with the success's
    /// detail (stored as JSON), or failed with the error's description.
    public func markFinished<Detail: Encodable & Sendable>(_ outcomes: [(StepKey, Result<Detail, any Error>)],
                                                           at date: Date = Date()) throws {
        let rows = try outcomes.map { step, outcome -> (StepKey, StepState, String?, String?) in
            switch outcome {
            case .success(let detail):
                return (step, .done, nil, String(decoding: try Self.encodeDetail(detail), as: UTF8.self))
            case .failure(let error):
                return (step, .failed, String(describing: error), nil)
            }
        }
        try write("mark steps finished") { db in
            for (step, state, error, detail) in rows {
                guard var record = try Self.fetch(step, db) else { throw JournalError.noSuchStep(step) }
                record.state = state
                record.error = error
                if state == .done { record.detail = detail }
                record.finishedAt = date
                try record.update(db)
            }
        }
    }
}
