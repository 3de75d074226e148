import Foundation
import GRDB

extension Journal {
    /// Returns a step's state, recording it `pending` if it is new.
    @discardableResult
    public func step(run: Int64, host: String, name: String, key: String = "") throws -> StepState {
        try record(StepKey(run: run, host: host, name: name, key: key)).state
    }

    /// Returns a step's record, recording it `pending` if it is new.
    @discardableResult
    public func record(_ step: StepKey) throws -> StepRecord {
        try write("record step") { db in try Self.fetchOrInsert(step, db) }
    }

    /// True if the step is recorded as done.
    public func isDone(_ step: StepKey) throws -> Bool {
        try stepRecord(step)?.state == .done
    }

    /// The step's record, or nil if it was never recorded.
    public func stepRecord(_ step: StepKey) throws -> StepRecord? {
        try read("read step") { try Self.fetch(step, $0) }
    }

    /// Sets a done step back to `pending`, so it runs again (a host whose input was not all
    /// read redoes its listing, analysis and account writes on resume; all are idempotent).
    public func reopen(_ step: StepKey) throws {
        try write("reopen step") { db in
            var record = try Self.fetchOrInsert(step, db)
            guard record.state == .done else { return }
            record.state = .pending
            try record.update(db)
        }
    }

    /// Records that the step's action begins. Call BEFORE acting. Throws
    /// ``JournalError/stepAlreadyDone(_:)`` for a done step: resume must skip it.
    public func markStarted(_ step: StepKey, at date: Date = Date()) throws {
        try markStarted([step], at: date)
    }

    /// Records that the step's action completed, with optional detail (stored as JSON).
    public func markDone(_ step: StepKey, detail: (any Encodable & Sendable)? = nil,
                         at date: Date = Date()) throws {
        let json = try detail.map { String(decoding: try Self.encodeDetail($0), as: UTF8.self) }
        try finish(step, state: .done, error: nil, detail: json, at: date)
    }

    /// Records that the step's action completed, with detail already encoded by ``encodeDetail(_:)``
    /// (so a large detail the caller also needs as JSON is encoded once).
    public func markDone(_ step: StepKey, encodedDetail: Data, at date: Date = Date()) throws {
        try finish(step, state: .done, error: nil, detail: String(decoding: encodedDetail, as: UTF8.self), at: date)
    }

    /// The JSON form step details are stored in: compact, keys sorted, ISO 8601 dates.
    public static func encodeDetail(_ detail: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(detail)
    }

    /// Records that the step's action failed with `error` (its description is stored).
    public func markFailed(_ step: StepKey, error: String, at date: Date = Date()) throws {
        try finish(step, state: .failed, error: error, detail: nil, at: date)
    }

    /// Decodes the detail stored with `markDone`, or nil if none.
    public func detail<D: Decodable>(_ step: StepKey, as type: D.Type) throws -> D? {
        try encodedDetail(step).map { try Self.decodeDetail(D.self, from: $0) }
    }

    /// The detail stored with `markDone`, as the JSON it was stored as, or nil if none.
    public func encodedDetail(_ step: StepKey) throws -> Data? {
        try stepRecord(step)?.detail.map { Data($0.utf8) }
    }

    static func decodeDetail<D: Decodable>(_ type: D.Type, from json: Data) throws -> D {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(D.self, from: json)
    }

    /// Every step of a run, or of one host of it, in the order they were recorded.
    public func steps(run: Int64, host: String? = nil) throws -> [StepRecord] {
        try read("list steps") { db in
            var request = StepRecord.filter(Column("runId") == run)
            if let host { request = request.filter(Column("host") == host) }
            return try request.order(Column("id")).fetchAll(db)
        }
    }

    private func finish(_ step: StepKey, state: StepState, error: String?, detail: String?,
                        at date: Date) throws {
        try write("mark step \(state.rawValue)") { db in
            guard var record = try Self.fetch(step, db) else {
                throw JournalError.noSuchStep(step)
            }
            record.state = state
            record.error = error
            if detail != nil || state == .done { record.detail = detail }
            record.finishedAt = date
            try record.update(db)
        }
    }

    static func fetch(_ step: StepKey, _ db: Database) throws -> StepRecord? {
        try StepRecord
            .filter(Column("runId") == step.run && Column("host") == step.host
                    && Column("name") == step.name && Column("key") == step.key)
            .fetchOne(db)
    }

    static func fetchOrInsert(_ step: StepKey, _ db: Database) throws -> StepRecord {
        if let existing = try fetch(step, db) { return existing }
        guard try RunRecord.exists(db, key: step.run) else { throw JournalError.noSuchRun(step.run) }
        var record = StepRecord(id: nil, runId: step.run, host: step.host, name: step.name,
                                key: step.key, state: .pending, error: nil, attempts: 0,
                                createdAt: Date(), startedAt: nil, finishedAt: nil, detail: nil)
        try record.insert(db)
        return record
    }
}
