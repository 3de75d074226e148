import Foundation
import GRDB

/// What a run does.
public enum RunKind: String, Codable, Sendable, CaseIterable {
    case respond, audit
}

/// How a run stands.
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    /// Started and not finished (or killed: a run left `running` by a dead coordinator).
    case running
    /// Every host and step done.
    case done
    /// Finished with some hosts or steps failed; `resume` can complete it.
    case partial
    /// Stopped by an error before or outside any host's work.
    case failed
}

/// The state of one step of one host in a run.
public enum StepState: String, Codable, Sendable, CaseIterable {
    /// Known but not started.
    case pending
    /// Started and not finished: on resume, the action may or may not have happened, so it must
    /// be idempotent (downloads resume, file writes merge, emails reuse their Message-ID).
    case started
    case done
    case failed
}

/// One run of the coordinator, as stored in the journal.
public struct RunRecord: Codable, Sendable, Equatable, Identifiable {
    public var id: Int64?
    public var kind: RunKind
    public var playbookPath: String?
    /// SHA-256 (hex) of the playbook file's bytes when the run began.
    public var playbookSHA256: String?
    /// The first inventory source (the one column runs recorded before `inventoryLists`).
    public var inventoryPath: String?
    /// Every inventory source, in order (migration `inventoryLists`; JSON in the database).
    public var inventoryPaths: [String]?
    public var windowFrom: Date?
    public var windowUntil: Date?
    /// Time zone identifier the window was given in (e.g. Europe/Berlin).
    public var timeZone: String?
    public var startedAt: Date
    public var finishedAt: Date?
    public var status: RunStatus

    public init(id: Int64? = nil, kind: RunKind, playbookPath: String? = nil,
                playbookSHA256: String? = nil, inventoryPath: String? = nil, inventoryPaths: [String]? = nil,
                windowFrom: Date? = nil, windowUntil: Date? = nil, timeZone: String? = nil,
                startedAt: Date = Date(), finishedAt: Date? = nil, status: RunStatus = .running) {
        self.id = id
        self.kind = kind
        self.playbookPath = playbookPath
        self.playbookSHA256 = playbookSHA256
        self.inventoryPaths = inventoryPaths ?? inventoryPath.map { [$0] }
        self.inventoryPath = inventoryPath ?? inventoryPaths?.first
        self.windowFrom = windowFrom
        self.windowUntil = windowUntil
        self.timeZone = timeZone
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
    }
}

extension RunRecord: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "runs"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Names one step: a run, a host, a step name (e.g. "pull") and a key (e.g. the remote path or
/// the account; empty when the step happens once per host).
public struct StepKey: Hashable, Sendable, CustomStringConvertible {
    public var run: Int64
    public var host: String
    public var name: String
    public var key: String

    public init(run: Int64, host: String, name: String, key: String = "") {
        self.run = run
        self.host = host
        self.name = name
        self.key = key
    }

    public var description: String {
        "run \(run) host \(host) step \(name)" + (key.isEmpty ? "" : " [\(key)]")
    }
}

/// One step as stored in the journal.
public struct StepRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var runId: Int64
    public var host: String
    public var name: String
    public var key: String
    public var state: StepState
    public var error: String?
    /// How many times the step was started (more than 1 after a resume).
    public var attempts: Int
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// JSON text recorded with `markDone` (e.g. the sha256 of a pulled file).
    public var detail: String?

    /// The step's key.
    public var stepKey: StepKey { StepKey(run: runId, host: host, name: name, key: key) }
}

extension StepRecord: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "steps"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
