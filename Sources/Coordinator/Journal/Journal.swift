import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The run journal: every run, every step of every host, notifications and audit cursors, in
/// SQLite (`<stateDir>/journal.sqlite`, WAL mode), so a killed run resumes doing only what is
/// not done.
///
/// Protocol for each action: `step(...)` (records it pending), skip it if `isDone`, else
/// `markStarted` BEFORE acting and `markDone`/`markFailed` AFTER. A step found `started` on
/// resume was interrupted: its action must be idempotent (see ``StepState/started``).
///
/// Opening takes an exclusive lock on the state directory (``StateDirLock``) held until the
/// journal is released, so two coordinators never share a state directory.
public final class Journal: Sendable {
    /// The state directory.
    public let directory: URL
    /// The database file.
    public let path: String
    let db: DatabaseQueue
    /// Nil for a journal opened only to read (``init(readingStateDirectory:)``).
    private let lock: StateDirLock?

    /// Opens (creating if needed) the journal in `stateDirectory`, migrating it to the current
    /// schema. Throws ``JournalError/stateDirLocked(path:holder:)`` if another coordinator has it.
    public init(stateDirectory: URL) throws {
        let path = stateDirectory.appendingPathComponent("journal.sqlite").path
        directory = stateDirectory
        self.path = path
        do {
            try PrivateFiles.makeDirectory(stateDirectory)
        } catch {
            throw JournalError.database(operation: "create state directory",
                                        path: stateDirectory.path, message: "\(error)")
        }
        lock = try StateDirLock(directory: stateDirectory)
        try Self.makePrivate(databasePath: path)
        var config = Configuration()
        config.journalMode = .wal
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(5)
        do {
            db = try DatabaseQueue(path: path, configuration: config)
            try JournalSchema.migrator(stateDirectory: stateDirectory).migrate(db)
        } catch {
            throw JournalError.database(operation: "open and migrate", path: path,
                                        message: "\(error)")
        }
    }

    /// Opens an existing journal only to read it, without the state directory's lock, so a
    /// run in progress can be looked at (`lostmail report`). Nothing is created or migrated.
    public init(readingStateDirectory stateDirectory: URL) throws {
        let path = stateDirectory.appendingPathComponent("journal.sqlite").path
        directory = stateDirectory
        self.path = path
        lock = nil
        guard FileManager.default.fileExists(atPath: path) else {
            throw JournalError.database(operation: "open to read", path: path, message: "no journal there")
        }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        do {
            db = try DatabaseQueue(path: path, configuration: config)
            let applied = try db.read { try JournalSchema.migrator(stateDirectory: stateDirectory).appliedIdentifiers($0) }
            let known = Set(JournalSchema.migrator(stateDirectory: stateDirectory).migrations)
            guard applied == known else {
                throw JournalError.database(operation: "open to read", path: path, message:
                    "the journal's schema is not this version's (migrations \(applied.sorted()); run another command first to migrate it)")
            }
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError.database(operation: "open to read", path: path, message: "\(error)")
        }
    }

    /// Creates the database file 0600 before SQLite opens it (SQLite gives `-wal` and `-shm` the
    /// database file's mode), and makes existing journal files written by older versions 0600.
    private static func makePrivate(databasePath path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError.io(operation: "create journal", path: path, errno: errno) }
        close(fd)
        for file in [path, path + "-wal", path + "-shm", path + "-journal"] {
            do { try PrivateFiles.tighten(file) } catch let error as PrivateFileError {
                throw JournalError.io(operation: error.operation, path: error.path, errno: error.errno)
            }
        }
    }

    /// Runs a write transaction, mapping database errors to ``JournalError/database``.
    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try db.write(body)
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError.database(operation: operation, path: path, message: "\(error)")
        }
    }

    /// Runs a read, mapping database errors to ``JournalError/database``.
    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try db.read(body)
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError.database(operation: operation, path: path, message: "\(error)")
        }
    }

    /// The journal's migrations applied so far (for status and tests).
    public func appliedMigrations() throws -> [String] {
        try read("read migrations") { try JournalSchema.migrator(stateDirectory: directory).appliedMigrations($0) }
    }

    /// The journal's tables and SQLite journal mode (for tests and `status`).
    func schemaFacts() throws -> (tables: [String], journalMode: String?) {
        try read("read schema") { db in
            (try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table'
                AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name
                """),
             try String.fetchOne(db, sql: "PRAGMA journal_mode"))
        }
    }

    // MARK: Runs

    /// Records a new run (status `running`) and returns it with its id.
    public func beginRun(_ run: RunRecord) throws -> RunRecord {
        var run = run
        run.status = .running
        run.finishedAt = nil
        let inserted = try write("begin run") { db -> RunRecord in
            try run.insert(db)
            return run
        }
        if let id = inserted.id { try lock?.record(run: id) }
        return inserted
    }

    /// Marks a run `running` again for `resume` (clears its finish time).
    public func reopenRun(_ id: Int64) throws -> RunRecord {
        let run = try write("reopen run") { db -> RunRecord in
            guard var run = try RunRecord.fetchOne(db, key: id) else {
                throw JournalError.noSuchRun(id)
            }
            run.status = .running
            run.finishedAt = nil
            try run.update(db)
            return run
        }
        try lock?.record(run: id)
        return run
    }

    /// Records the end of a run.
    public func finishRun(_ id: Int64, status: RunStatus, at date: Date = Date()) throws {
        try write("finish run") { db in
            guard var run = try RunRecord.fetchOne(db, key: id) else {
                throw JournalError.noSuchRun(id)
            }
            run.status = status
            run.finishedAt = date
            try run.update(db)
        }
    }

    /// One run, or nil.
    public func run(_ id: Int64) throws -> RunRecord? {
        try read("read run") { try RunRecord.fetchOne($0, key: id) }
    }

    /// Every run, oldest first.
    public func runs() throws -> [RunRecord] {
        try read("list runs") { try RunRecord.order(Column("id")).fetchAll($0) }
    }

    /// The most recent run, of `kind` if given.
    public func latestRun(kind: RunKind? = nil) throws -> RunRecord? {
        try read("read latest run") { db in
            var request = RunRecord.order(Column("id").desc)
            if let kind { request = request.filter(Column("kind") == kind.rawValue) }
            return try request.fetchOne(db)
        }
    }
}
