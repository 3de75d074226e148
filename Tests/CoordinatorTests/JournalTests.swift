import Foundation
import GRDB
import LostMailTestSupport
import XCTest
@testable import Coordinator

final class JournalTests: XCTestCase {
    var dir: TempDir!

    override func setUpWithError() throws { dir = try TempDir("journal") }
    override func tearDown() { dir.remove() }

    func testMigrationFromEmptyDirectoryCreatesSchemaInWALMode() throws {
        let state = dir.url.appendingPathComponent("not/yet/there")
        let journal = try Journal(stateDirectory: state)
        XCTAssertEqual(try journal.appliedMigrations(), ["v1", "v2", "v3", "notifiedLines", "notificationParts",
                                                        "cursorsWithoutInode", "hostReportFiles", "inventoryLists"])
        let (tables, mode) = try journal.schemaFacts()
        XCTAssertEqual(tables, ["auditHosts", "cursors", "findingMails", "findings", "notifications", "notifiedLines",
                                "runs", "steps"])
        XCTAssertEqual(mode, "wal")
        let attributes = try FileManager.default.attributesOfItem(atPath: state.path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        XCTAssertTrue(FileManager.default.fileExists(atPath: state.appendingPathComponent("journal.sqlite").path))
        XCTAssertTrue(try journal.runs().isEmpty)
        XCTAssertNil(try journal.latestRun())
    }

    func testRunsAndStepsPersistAcrossReopen() throws {
        let from = Date(timeIntervalSince1970: 1_590_493_200)
        var runId: Int64 = 0
        do {
            let journal = try Journal(stateDirectory: dir.url)
            let run = try journal.beginRun(RunRecord(
                kind: .respond, playbookPath: "Playbooks/lost-mails.yml", playbookSHA256: "ab12",
                inventoryPath: "Inventory/demo.yml", windowFrom: from,
                windowUntil: from.addingTimeInterval(8640), timeZone: "Europe/Berlin"))
            runId = try XCTUnwrap(run.id)
            let pull = StepKey(run: runId, host: "h1", name: "pull", key: "/var/log/qmail/@4000.s")
            XCTAssertEqual(try journal.step(run: runId, host: "h1", name: "pull", key: pull.key), .pending)
            try journal.markStarted(pull)
            try journal.markDone(pull, detail: ["sha256": "cafe", "size": "42"])
            let write = StepKey(run: runId, host: "h2", name: "write", key: "alice")
            try journal.markStarted(write)
            try journal.markFailed(write, error: "account alice: ~/logs is a symbolic link")
            try journal.finishRun(runId, status: .partial)
        }
        let journal = try Journal(stateDirectory: dir.url)
        let run = try XCTUnwrap(journal.latestRun(kind: .respond))
        XCTAssertEqual(run.id, runId)
        XCTAssertEqual(run.status, .partial)
        XCTAssertEqual(run.windowFrom, from)
        XCTAssertEqual(run.timeZone, "Europe/Berlin")
        XCTAssertEqual(run.playbookSHA256, "ab12")
        XCTAssertNotNil(run.finishedAt)
        XCTAssertNil(try journal.latestRun(kind: .audit))
        let pull = StepKey(run: runId, host: "h1", name: "pull", key: "/var/log/qmail/@4000.s")
        XCTAssertTrue(try journal.isDone(pull))
        XCTAssertEqual(try journal.detail(pull, as: [String: String].self), ["sha256": "cafe", "size": "42"])
        let failed = try XCTUnwrap(journal.stepRecord(StepKey(run: runId, host: "h2", name: "write", key: "alice")))
        XCTAssertEqual(failed.state, .failed)
        XCTAssertEqual(failed.error, "account alice: ~/logs is a symbolic link")
        XCTAssertEqual(failed.attempts, 1)
        let summary = try journal.summary(run: runId)
        XCTAssertEqual(summary.hosts.map(\.host), ["h1", "h2"])
        XCTAssertTrue(summary.hosts[0].isComplete)
        XCTAssertFalse(summary.hosts[1].isComplete)
        XCTAssertEqual(summary.failures.map(\.key), ["alice"])
        XCTAssertFalse(summary.isComplete)
    }

    /// A pipeline killed in the middle of an action, then resumed: every action that was done
    /// is not done again; the interrupted one is redone (idempotent); the run completes.
    func testResumeDoesOnlyWhatIsNotDone() throws {
        let hosts = ["h1", "h2", "h3"]
        let steps = ["connect", "pull", "write", "notify"]
        var performed: [String: Int] = [:]
        struct Crash: Error {}

        func pipeline(_ journal: Journal, run: Int64, crashAfter limit: Int?) throws {
            var count = 0
            for host in hosts {
                for name in steps {
                    let step = StepKey(run: run, host: host, name: name)
                    try journal.step(run: run, host: host, name: name)
                    if try journal.isDone(step) { continue }
                    try journal.markStarted(step)
                    performed["\(host)/\(name)", default: 0] += 1
                    count += 1
                    if let limit, count == limit { throw Crash() }  // killed before markDone
                    try journal.markDone(step)
                }
            }
        }

        var runId: Int64 = 0
        do {
            let journal = try Journal(stateDirectory: dir.url)
            runId = try XCTUnwrap(journal.beginRun(RunRecord(kind: .respond)).id)
            XCTAssertThrowsError(try pipeline(journal, run: runId, crashAfter: 6))
        }
        let journal = try Journal(stateDirectory: dir.url)
        let before = try journal.summary(run: runId)
        XCTAssertEqual(before.run.status, .running, "a killed run stays running")
        XCTAssertEqual(before.unfinished.filter { $0.state == .started }.map(\.stepKey),
                       [StepKey(run: runId, host: "h2", name: "pull")])
        _ = try journal.reopenRun(runId)
        try pipeline(journal, run: runId, crashAfter: nil)
        try journal.finishRun(runId, status: .done)

        var expected: [String: Int] = [:]
        for host in hosts { for name in steps { expected["\(host)/\(name)"] = 1 } }
        expected["h2/pull"] = 2  // interrupted between action and markDone: redone once
        XCTAssertEqual(performed, expected)
        let after = try journal.summary(run: runId)
        XCTAssertTrue(after.isComplete)
        XCTAssertEqual(after.hosts.map { $0.counts[.done] }, [4, 4, 4])
        XCTAssertEqual(try journal.stepRecord(StepKey(run: runId, host: "h2", name: "pull"))?.attempts, 2)
        XCTAssertThrowsError(try journal.markStarted(StepKey(run: runId, host: "h1", name: "pull"))) {
            guard case JournalError.stepAlreadyDone = $0 else { return XCTFail("\($0)") }
        }
    }

    func testSecondCoordinatorIsRefusedWithHolderNamed() throws {
        var first: Journal? = try Journal(stateDirectory: dir.url)
        let run = try XCTUnwrap(first?.beginRun(RunRecord(kind: .audit)).id)
        XCTAssertThrowsError(try Journal(stateDirectory: dir.url)) { error in
            guard case JournalError.stateDirLocked(let path, let holder) = error else {
                return XCTFail("expected stateDirLocked, got \(error)")
            }
            XCTAssertEqual(path, dir.url.appendingPathComponent("lock").path)
            XCTAssertEqual(holder, "pid \(getpid()) run \(run)")
            XCTAssertTrue("\(error)".contains("another lostmail coordinator (pid \(getpid()) run \(run))"))
        }
        first = nil  // releasing the journal releases the lock
        XCTAssertEqual(try Journal(stateDirectory: dir.url).run(run)?.kind, .audit)
    }

    func testLockIsRefusedWhileAnotherProcessHoldsItAndFreedWhenItIsKilled() throws {
        try FileManager.default.createDirectory(at: dir.url, withIntermediateDirectories: true)
        let lockPath = dir.url.appendingPathComponent("lock").path
        // flock -o: only the flock process holds the lock, not the shell it starts.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["-o", lockPath, "/bin/sh", "-c", "echo held; read x"]
        let input = Pipe(), output = Pipe()
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        defer { try? input.fileHandleForWriting.close() }  // on an early exit, end the shell
        _ = output.fileHandleForReading.availableData  // "held": the other process has the lock
        XCTAssertThrowsError(try Journal(stateDirectory: dir.url)) { error in
            guard case JournalError.stateDirLocked = error else { return XCTFail("\(error)") }
        }
        kill(holder.processIdentifier, SIGKILL)  // a coordinator killed with -9
        var reopened: Journal?
        for _ in 0..<100 where reopened == nil {  // until the kernel has finished the kill
            reopened = try? Journal(stateDirectory: dir.url)
            if reopened == nil { usleep(20_000) }
        }
        XCTAssertNotNil(reopened, "the kernel drops a dead holder's lock")
        // Foundation notices the exit once every process holding its pipe ends: end the shell.
        try input.fileHandleForWriting.close()
        holder.waitUntilExit()
        XCTAssertEqual(holder.terminationReason, .uncaughtSignal)
    }

    func testStepsFromManyFanOutThreadsAtOnce() async throws {
        let journal = try Journal(stateDirectory: dir.url)
        let run = try XCTUnwrap(journal.beginRun(RunRecord(kind: .respond)).id)
        let hosts = (1...16).map { "h\($0)" }
        let results = await FanOut(forks: 8).run(hosts: hosts) { context in
            for name in ["connect", "pull", "analyse"] {
                let step = StepKey(run: run, host: context.host, name: name)
                try journal.markStarted(step)
                try journal.markDone(step, detail: ["host": context.host])
            }
        }
        XCTAssertEqual(results.filter { $0.outcome.value == nil }.count, 0)
        let summary = try journal.summary(run: run)
        XCTAssertEqual(Set(summary.hosts.map(\.host)), Set(hosts))
        XCTAssertTrue(summary.hosts.allSatisfy { $0.counts == [.done: 3] })
        XCTAssertTrue(summary.isComplete)
    }

    func testNotificationsKeepTheirFirstMessageID() throws {
        let journal = try Journal(stateDirectory: dir.url)
        let run = try XCTUnwrap(journal.beginRun(RunRecord(kind: .respond)).id)
        let first = try journal.notification(run: run, host: "h1", account: "alice",
                                             recipient: "alice@example.org", messageId: "<1@lostmail>")
        let again = try journal.notification(run: run, host: "h1", account: "alice",
                                             recipient: "alice@example.org", messageId: "<2@lostmail>")
        XCTAssertEqual(again.messageId, "<1@lostmail>")
        XCTAssertEqual(again.id, first.id)
        try journal.markNotification(id: try XCTUnwrap(first.id), state: .accepted, relayReply: "250 2.0.0 queued")
        _ = try journal.notification(run: run, host: "h1", account: "bob", recipient: "bob@example.org",
                                     messageId: "<3@lostmail>")
        let stored = try journal.notifications(run: run)
        XCTAssertEqual(stored.map(\.state), [.accepted, .pending])
        XCTAssertEqual(stored[0].relayReply, "250 2.0.0 queued")
        XCTAssertEqual(try journal.summary(run: run).notifications, [.accepted: 1, .pending: 1])
    }

    func testJournalWithInodeCursorsFromThePreviousVersionOpensAndKeepsItsCursors() throws {
        // The schema the previous version left: every migration up to `notifiedLines`, and the
        // cursors it wrote (inode always 0).
        let path = dir.url.appendingPathComponent("journal.sqlite").path
        let then = Date(timeIntervalSince1970: 1_800_000_000)
        do {
            let old = try DatabaseQueue(path: path)
            try JournalSchema.migrator(stateDirectory: dir.url).migrate(old, upTo: "notifiedLines")
            try old.write { db in
                try db.execute(sql: """
                    INSERT INTO cursors (host, inode, firstLineHash, offset, updatedAt)
                    VALUES ('h', 0, 'a', 50, ?), ('h', 0, 'b', 7, ?), ('g', 0, 'a', 3, ?)
                    """, arguments: [then, then, then])
            }
        }
        let journal = try Journal(stateDirectory: dir.url)
        XCTAssertTrue(try journal.appliedMigrations().contains("cursorsWithoutInode"))
        let columns = try journal.db.read { try $0.columns(in: "cursors").map(\.name) }
        XCTAssertEqual(columns, ["host", "firstLineHash", "offset", "updatedAt"])
        XCTAssertEqual(try journal.cursors(host: "h"), ["a": 50, "b": 7])
        XCTAssertEqual(try journal.cursors(host: "g"), ["a": 3])
        // And the audit keeps moving them.
        let run = try XCTUnwrap(journal.beginRun(RunRecord(kind: .audit)).id)
        var state = AuditHostState()
        state.listing["/l/current"] = .init(size: 80, mtime: 1, identity: "a")
        _ = try journal.commitAudit(run: run, host: "h", state: state, cursors: ["a": 80], findings: [], at: then)
        XCTAssertEqual(try journal.cursors(host: "h"), ["a": 80, "b": 7])
    }

    func testRunOfTheVersionWithOneInventoryPathKeepsItAsTheListAndItsPlanStillLoads() throws {
        // The schema before several inventories: one `inventoryPath`, and a plan step whose JSON
        // holds `inventory`, as that version wrote them.
        let path = dir.url.appendingPathComponent("journal.sqlite").path
        let then = Date(timeIntervalSince1970: 1_800_000_000)
        let plan = #"{"from":"2027-01-15T08:00:00Z","hosts":["h1","h2"],"inventory":"/etc/lostmail/inventory.yml","#
            + #""limit":"mx","playbook":"/etc/lostmail/lost-mails.yml","timeZone":"UTC","until":"2027-01-15T09:20:00Z"}"#
        do {
            let old = try DatabaseQueue(path: path)
            try JournalSchema.migrator(stateDirectory: dir.url).migrate(old, upTo: "cursorsWithoutInode")
            try old.write { db in
                try db.execute(sql: """
                    INSERT INTO runs (id, kind, playbookPath, inventoryPath, startedAt, status)
                    VALUES (1, 'respond', '/etc/lostmail/lost-mails.yml', '/etc/lostmail/inventory.yml', ?, 'partial'),
                           (2, 'audit', '/etc/lostmail/audit.yml', NULL, ?, 'done')
                    """, arguments: [then, then])
                try db.execute(sql: """
                    INSERT INTO steps (runId, host, name, key, state, attempts, createdAt, detail)
                    VALUES (1, '*', 'plan', '', 'done', 1, ?, ?)
                    """, arguments: [then, plan])
            }
        }
        let journal = try Journal(stateDirectory: dir.url)
        XCTAssertEqual(try journal.appliedMigrations().last, "inventoryLists")
        let run = try XCTUnwrap(journal.run(1))
        XCTAssertEqual(run.inventoryPaths, ["/etc/lostmail/inventory.yml"])
        XCTAssertEqual(run.inventoryPath, "/etc/lostmail/inventory.yml")
        XCTAssertNil(try XCTUnwrap(journal.run(2)).inventoryPaths)
        let migrated = try XCTUnwrap(journal.detail(StepKey(run: 1, host: "*", name: "plan"), as: RunPlan.self))
        XCTAssertEqual(migrated.inventories, ["/etc/lostmail/inventory.yml"])
        XCTAssertEqual(migrated.hosts, ["h1", "h2"])
        XCTAssertEqual(migrated.limit, "mx")
        XCTAssertEqual(migrated.from, Date(timeIntervalSince1970: 1_800_000_000))
        // A new run records its list and reads it back.
        let new = try journal.beginRun(RunRecord(kind: .respond, inventoryPaths: ["/a/hosts", "/b/dir"]))
        let stored = try XCTUnwrap(journal.run(try XCTUnwrap(new.id)))
        XCTAssertEqual(stored.inventoryPaths, ["/a/hosts", "/b/dir"])
        XCTAssertEqual(stored.inventoryPath, "/a/hosts")
    }

    func testStepOfUnknownRunIsAnError() throws {
        let journal = try Journal(stateDirectory: dir.url)
        XCTAssertThrowsError(try journal.step(run: 99, host: "h", name: "pull")) {
            XCTAssertEqual("\($0)", "the journal has no run 99")
        }
        XCTAssertThrowsError(try journal.summary(run: 99))
    }
}
