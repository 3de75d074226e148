import Foundation
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// Audits over a real fleet of two sshd hosts loaded with the incident corpus.
final class AuditFleetTests: XCTestCase {
    static let shared = ClassFleet()
    var temp: TempDir!
    var inventory: URL!
    var state: URL { temp.url.appendingPathComponent("state") }

    override class func setUp() { shared.start(SSHTestFleet.audit(hosts: 2)) }

    override class func tearDown() { shared.stop() }

    override func setUpWithError() throws {
        let fleet = try Self.shared.require()
        for host in 1...fleet.hosts { try? fleet.resume(host); try fleet.start(host) }
        try fleet.resetLogs()
        temp = try TempDir("audit")
        inventory = temp.url.appendingPathComponent("inventory.yml")
        try fleet.writeAuditInventory(to: inventory)
    }

    override func tearDown() { temp?.remove() }

    private func audit() async throws -> AuditOutcome {
        try await Audit.run(Self.shared.require().request(inventory: inventory, state: state))
    }

    private func summary(_ outcome: AuditOutcome, _ host: String) throws -> AuditHostSummary {
        try XCTUnwrap(outcome.hosts.first { $0.host == host })
    }

    func testFirstAuditFindsTheIncidentAndASecondReadsNothingButListings() async throws {
        let failures = try AuditLines.corpusCount("failure: Unable_to_run_qmail-remote")
        let triples = try AuditLines.corpusCount("triple bounce: discarding")
        XCTAssertGreaterThan(failures, 0)

        let first = try await audit()
        XCTAssertEqual(first.failedHosts, [])
        for host in ["host1", "host2"] {
            let found = first.findings.filter { $0.host == host }
            XCTAssertEqual(found.filter { $0.signature == "qmail-remote could not run" }.count, failures)
            XCTAssertEqual(found.filter { $0.kind == .tripleBounce }.count, triples)
            XCTAssertTrue(found.allSatisfy { $0.logTime != nil })
            XCTAssertEqual(try summary(first, host).newFindings, found.count)
        }
        let withDetail = first.findings.filter { $0.kind == .delivery && $0.detail != nil }
        XCTAssertFalse(withDetail.isEmpty, "deliveries seen from their start carry sender and recipient")
        XCTAssertNotNil(first.window)

        let second = try await audit()
        XCTAssertEqual(second.findings, [])
        XCTAssertEqual(second.failedHosts, [])
        for host in second.hosts {
            XCTAssertEqual(host.traffic.commands, 0, "\(host.host) ran commands")
            XCTAssertEqual(host.traffic.downloads, 0)
            XCTAssertEqual(host.bytesRead, 0)
            XCTAssertGreaterThan(host.traffic.listings, 0)
        }
        let journal = try Journal(stateDirectory: state)
        XCTAssertEqual(try journal.findings().count, first.findings.count)
        XCTAssertEqual(try journal.run(second.run)?.kind, .audit)
    }

    func testGrowingLogReportsOnlyTheNewFindingsAndWaitsForAnUnfinishedLine() async throws {
        let fleet = try Self.shared.require()
        _ = try await audit()
        let now = AuditLines.appendedAt
        let added = AuditLines.failedDelivery(msg: 900001, delivery: 70001, at: now,
                                              report: "Unable_to_run_qmail-remote./")
            + AuditLines.tripleBounce(msg: 900002, at: now)
        try fleet.append(added, host: 1)
        let unfinished = AuditLines.tai64n(now) + " delivery 70002: failure: Unable_to_run_qmail-local./"
        try fleet.append(unfinished, host: 1)

        let grown = try await audit()
        XCTAssertEqual(grown.findings.map(\.signature).sorted(), ["qmail-remote could not run", "triple bounce discarded"])
        XCTAssertTrue(grown.findings.allSatisfy { $0.host == "host1" && $0.file.hasSuffix("/send/current") })
        XCTAssertEqual(try summary(grown, "host1").bytesRead, Int64(added.utf8.count), "only the new complete lines")
        XCTAssertEqual(try summary(grown, "host2").traffic.commands, 0)
        XCTAssertEqual(grown.findings.first { $0.kind == .delivery }?.detail?.contains("alice@example.org"), true)

        try fleet.append("\n", host: 1)
        let finished = try await audit()
        XCTAssertEqual(finished.findings.map(\.signature), ["qmail-local could not run"])
        XCTAssertEqual(finished.findings.first?.line, unfinished)
        let nothing = try await audit()
        XCTAssertEqual(nothing.findings, [])
    }

    func testRotationBetweenAuditsLosesNothingAndRepeatsNothing() async throws {
        let fleet = try Self.shared.require()
        _ = try await audit()
        let now = AuditLines.appendedAt
        // Written to `current` and rotated before any audit saw it, then more in the new current.
        try fleet.append(AuditLines.failedDelivery(msg: 900011, delivery: 70011, at: now,
                                                   report: "Unable_to_run_qmail-remote./"), host: 1)
        let rotated = try fleet.rotate(host: 1, at: now.addingTimeInterval(1))
        try fleet.append(AuditLines.failedDelivery(msg: 900012, delivery: 70012, at: now.addingTimeInterval(2),
                                                   report: "Unable_to_run_qmail-remote./"), host: 1)
        try fleet.append(AuditLines.tripleBounce(msg: 900013, at: now.addingTimeInterval(3)), host: 1)

        let afterRotation = try await audit()
        let files = afterRotation.findings.map { ($0.file as NSString).lastPathComponent }
        XCTAssertEqual(files.sorted(), [rotated, "current", "current"].sorted())
        XCTAssertEqual(afterRotation.findings.count, 3)

        // A second rotation of a fully read `current`: nothing new, nothing repeated.
        try fleet.rotate(host: 1, at: now.addingTimeInterval(4))
        let again = try await audit()
        XCTAssertEqual(again.findings, [])
        XCTAssertEqual(try summary(again, "host1").bytesRead, 0)
    }

    /// No archive folder means no archives; an archive folder that cannot be listed (here a
    /// plain file in its place) fails that host with an error naming it, instead of the host
    /// passing as audited.
    func testArchiveFolderThatCannotBeListedFailsTheHostNamingIt() async throws {
        let fleet = try Self.shared.require()
        let archive = "\(fleet.hostDir(1))/qmail-log/archive"
        XCTAssertFalse(FileManager.default.fileExists(atPath: archive), "the fleet's hosts have no archive folder")
        _ = try await audit()
        XCTAssertTrue(FileManager.default.createFile(atPath: archive, contents: Data("not a folder\n".utf8)))
        defer { try? FileManager.default.removeItem(atPath: archive) }
        let outcome = try await audit()
        XCTAssertEqual(outcome.failedHosts, ["host1"])
        let error = try XCTUnwrap(try summary(outcome, "host1").error)
        XCTAssertTrue(error.contains("/var/log/qmail/archive"), error)
        XCTAssertNil(try summary(outcome, "host2").error)
    }

    func testHostDownDuringOneAuditIsCaughtUpByTheNext() async throws {
        let fleet = try Self.shared.require()
        _ = try await audit()
        try fleet.stop(2)
        try fleet.append(AuditLines.failedDelivery(msg: 900021, delivery: 70021, at: AuditLines.appendedAt,
                                                   report: "Unable_to_run_qmail-remote./"), host: 2)
        let down = try await audit()
        XCTAssertEqual(down.failedHosts, ["host2"])
        XCTAssertEqual(down.findings, [])
        XCTAssertNotNil(try summary(down, "host2").error)

        try fleet.start(2)
        let caughtUp = try await audit()
        XCTAssertEqual(caughtUp.failedHosts, [])
        XCTAssertEqual(caughtUp.findings.map(\.host), ["host2"])
        XCTAssertEqual(caughtUp.findings.first?.signature, "qmail-remote could not run")
    }

    func testTwoAuditsAtOnceOneRunsTheOtherSaysWhy() async throws {
        let fleet = try Self.shared.require()
        try fleet.pause(1)  // the first audit waits in the SSH handshake with host1
        let started = DispatchSemaphore(value: 0)
        let first = Locked<Result<AuditOutcome, any Error>?>(nil)
        let request = try fleet.request(inventory: inventory, state: state) { host, event in
            if host == "host1", event == .started { started.signal() }
        }
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<AuditOutcome, any Error>
            do { result = .success(try await Audit.run(request)) } catch { result = .failure(error) }
            first.withLock { $0 = result }
            done.signal()
        }
        XCTAssertEqual(started.wait(timeout: .now() + 30), .success)

        do {
            _ = try await audit()
            XCTFail("a second audit on the same state directory must not run")
        } catch {
            guard case JournalError.stateDirLocked(_, let holder) = error else {
                return XCTFail("expected the lock error, got \(error)")
            }
            XCTAssertTrue(holder.contains("pid \(getpid())"), holder)
            XCTAssertTrue(String(describing: error).contains("in use by another lostmail coordinator"))
        }
        try fleet.resume(1)
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success)
        let outcome = try XCTUnwrap(first.withLock { $0 }).get()
        XCTAssertEqual(outcome.failedHosts, [])
        XCTAssertFalse(outcome.findings.isEmpty)
    }

    func testCompressedArchiveOfAFileAlreadyReadIsSkippedAndANewOneIsRead() async throws {
        let fleet = try Self.shared.require()
        _ = try await audit()
        // The oldest rotated file is compressed into the archive folder and removed (logrotate).
        let send = fleet.sendDirectory(1)
        let archive = send.deletingLastPathComponent().appendingPathComponent("archive")
        try? FileManager.default.removeItem(at: archive)
        try FileManager.default.createDirectory(at: archive, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: archive) }
        let oldest = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: send.path)
            .filter { $0.hasPrefix("@") }.sorted().first)
        try gzip(send.appendingPathComponent(oldest), to: archive.appendingPathComponent("send-1.gz"))
        try FileManager.default.removeItem(at: send.appendingPathComponent(oldest))

        let skipped = try await audit()
        XCTAssertEqual(skipped.findings, [], "the archive's lines were read before, as \(oldest)")
        XCTAssertEqual(try summary(skipped, "host1").traffic.downloads, 1)
        XCTAssertEqual(try summary(skipped, "host1").bytesRead, 0)

        // An archive with lines no audit saw (e.g. from a host before LostMail watched it).
        let text = AuditLines.failedDelivery(msg: 900031, delivery: 70031, at: Date(timeIntervalSince1970: 1_700_000_000),
                                             report: "Unable_to_run_qmail-local./")
        let plain = archive.appendingPathComponent("send-0")
        try Data(text.utf8).write(to: plain)
        try gzip(plain, to: archive.appendingPathComponent("send-0.gz"))
        try FileManager.default.removeItem(at: plain)
        let read = try await audit()
        XCTAssertEqual(read.findings.map(\.signature), ["qmail-local could not run"])
        XCTAssertEqual(read.findings.first?.file.hasSuffix("/archive/send-0.gz"), true)
        XCTAssertEqual(try summary(read, "host1").traffic.downloads, 1, "the known archive is not pulled again")
        let nothing = try await audit()
        XCTAssertEqual(nothing.findings, [])
    }

    /// Rotations kept elsewhere and symlinked into the send directory (as some hosters do) are
    /// read as their targets: a new one's lines are found once, and one already read under its
    /// own name keeps its cursor (its identity is its first line), so nothing is repeated.
    func testSymlinkedRotationsAreReadAndKeepTheirCursors() async throws {
        let fleet = try Self.shared.require()
        let send = fleet.sendDirectory(1)
        let keep = send.deletingLastPathComponent().appendingPathComponent("keep")
        try? FileManager.default.removeItem(at: keep)
        try FileManager.default.createDirectory(at: keep, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: keep) }
        addTeardownBlock { try? fleet.resetLogs() }  // no dangling links left for the next `fleet.sh up`
        func moveAndLink(_ name: String) throws {
            try FileManager.default.moveItem(at: send.appendingPathComponent(name), to: keep.appendingPathComponent(name))
            try FileManager.default.createSymbolicLink(atPath: send.appendingPathComponent(name).path,
                                                       withDestinationPath: "/var/log/qmail/keep/" + name)
        }
        _ = try await audit()
        let oldest = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: send.path)
            .filter { $0.hasPrefix("@") }.sorted().first)
        try moveAndLink(oldest)
        let added = AuditLines.failedDelivery(msg: 900041, delivery: 70041, at: AuditLines.appendedAt,
                                              report: "Unable_to_run_qmail-remote./")
        try fleet.append(added, host: 1)
        let rotated = try fleet.rotate(host: 1, at: AuditLines.appendedAt.addingTimeInterval(1))
        try moveAndLink(rotated)

        let linked = try await audit()
        XCTAssertEqual(linked.failedHosts, [])
        XCTAssertEqual(linked.findings.map(\.signature), ["qmail-remote could not run"])
        XCTAssertEqual(linked.findings.first?.file.hasSuffix("/send/" + rotated), true)
        XCTAssertEqual(try summary(linked, "host1").bytesRead, Int64(added.utf8.count), "only the lines no audit read")
        XCTAssertEqual(try summary(linked, "host1").unread, [])

        let again = try await audit()
        XCTAssertEqual(again.findings, [])
        XCTAssertEqual(try summary(again, "host1").bytesRead, 0)
        XCTAssertEqual(try summary(again, "host1").traffic.commands, 0, "unchanged targets cost only the listing")
    }

    /// A directory, a FIFO and a dangling symlink named like rotations are not read (no command
    /// touches them), named in the host's summary and the printed table, and the host counts as
    /// failed while its readable logs are still audited; once they are gone the host is clean.
    func testEntriesThatAreNoRegularFilesAreReportedAndLeaveTheHostIncomplete() async throws {
        let fleet = try Self.shared.require()
        let send = fleet.sendDirectory(1)
        addTeardownBlock { try? fleet.resetLogs() }  // no FIFO or dangling link left for the next `fleet.sh up`
        let bad = (1...3).map { "@" + AuditLines.tai64n(AuditLines.appendedAt.addingTimeInterval(Double($0))).dropFirst() + ".s" }
        try FileManager.default.createDirectory(at: send.appendingPathComponent(bad[0]), withIntermediateDirectories: false)
        XCTAssertEqual(mkfifo(send.appendingPathComponent(bad[1]).path, 0o644), 0)
        try FileManager.default.createSymbolicLink(atPath: send.appendingPathComponent(bad[2]).path,
                                                   withDestinationPath: "/var/log/qmail/keep/gone.s")

        let outcome = try await audit()
        XCTAssertEqual(outcome.failedHosts, ["host1"])
        let host1 = try summary(outcome, "host1")
        XCTAssertNil(host1.error)
        XCTAssertEqual(host1.unread.count, bad.count, "\(host1.unread)")
        for (name, why) in zip(bad, ["a directory", "FIFO", "dangling symlink"]) {
            let entry = host1.unread.first { $0.hasPrefix("/var/log/qmail/send/\(name):") }
            XCTAssertEqual(entry?.contains(why), true, "\(name): \(host1.unread)")
        }
        XCTAssertEqual(outcome.findings.filter { $0.host == "host1" }.count, outcome.findings.filter { $0.host == "host2" }.count,
                       "host1's readable logs are audited like host2's")
        let table = AuditReport.table(outcome)
        XCTAssertTrue(table.contains("host host1: INCOMPLETE"), table)
        for name in bad { XCTAssertTrue(table.contains("NOT READ: /var/log/qmail/send/\(name)"), table) }

        for name in bad { try FileManager.default.removeItem(at: send.appendingPathComponent(name)) }
        let clean = try await audit()
        XCTAssertEqual(clean.failedHosts, [])
        XCTAssertEqual(clean.findings, [])
        XCTAssertFalse(AuditReport.table(clean).contains("NOT READ"))
        let journal = try Journal(stateDirectory: state)
        XCTAssertEqual(try journal.run(outcome.run)?.status, .partial)
        XCTAssertEqual(try journal.run(clean.run)?.status, .done)
    }

    private func gzip(_ source: URL, to target: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -c < \"$1\" > \"$2\"", "sh", source.path, target.path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
    }
}
