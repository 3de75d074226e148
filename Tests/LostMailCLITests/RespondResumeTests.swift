import Foundation
import XCTest

/// `lostmail respond` interrupted (a host down, the coordinator killed) and completed by
/// `lostmail resume` on a real 4-host fleet (issue 4).
final class RespondResumeTests: XCTestCase {
    nonisolated(unsafe) static var fleet: RespondFleet?  // set and read on XCTest's main thread only

    override class func setUp() {
        super.setUp()
        let fleet = RespondFleet()
        do { try fleet.up(); Self.fleet = fleet } catch { XCTFail("fleet up failed: \(error)") }
    }

    override class func tearDown() {
        fleet?.down()
        fleet = nil
        super.tearDown()
    }

    var fleet: RespondFleet { get throws { try XCTUnwrap(Self.fleet, "the fleet did not come up") } }

    override func setUpWithError() throws {
        let fleet = try self.fleet
        for host in 1...fleet.hosts { try fleet.fleet("start-host", "--host", String(host)) }
        try fleet.resetHomes()
    }

    override func tearDownWithError() throws {
        let fleet = try self.fleet
        for host in 1...fleet.hosts {
            _ = try? fleet.fleet("resume-host", "--host", String(host))
            try fleet.fleet("start-host", "--host", String(host))
        }
    }

    /// 3. Host 3 down: the others complete, exit 4, status names host3; after start-host,
    /// resume completes host 3 without contacting (or pulling again from) the finished hosts.
    func testHostDownThenResume() throws {
        let fleet = try self.fleet
        let state = try fleet.freshStateDir(#function)
        try fleet.fleet("stop-host", "--host", "3")
        let run = try fleet.respond(state: state)
        XCTAssertEqual(run.status, 4, "\(run)")
        XCTAssertTrue(run.stdout.contains("host host3: FAILED"), "\(run)")
        try fleet.assertGroundTruth(hosts: [1, 2, 4])
        for account in try FileManager.default.contentsOfDirectory(atPath: "\(fleet.hostDir(3))/home") {
            XCTAssertNil(FileFacts(fleet.accountFile(3, account)), "h3 was down but \(account) has a file")
        }
        let status = try fleet.status(state: state)
        XCTAssertTrue(status.stdout.contains("host host3: incomplete"), "\(status)")
        XCTAssertTrue(status.stdout.contains("FAILED host3"), "\(status)")
        XCTAssertTrue(status.stdout.contains("lostmail resume"), "\(status)")
        for host in [1, 2, 4] { XCTAssertTrue(status.stdout.contains("host host\(host): complete"), "\(status)") }

        let pullsBefore = try fleet.journal(state: state, "SELECT host, key, attempts FROM steps WHERE name = 'pull' ORDER BY host, key")
        let loginsBefore = try [1, 2, 4].map { try fleet.acceptedLogins($0) }
        // Resuming while host 3 is still down: still resumable (4), host3 still named, nothing else redone.
        let stillDown = try fleet.resume(state: state)
        XCTAssertEqual(stillDown.status, 4, "\(stillDown)")
        XCTAssertTrue(stillDown.stdout.contains("host host3: FAILED"), "\(stillDown)")
        try fleet.fleet("start-host", "--host", "3")
        let resumed = try fleet.resume(state: state)
        XCTAssertEqual(resumed.status, 0, "\(resumed)")
        try fleet.assertGroundTruth(hosts: Array(1...fleet.hosts))
        // The finished hosts were not even connected to again: their sshd logged no new login.
        XCTAssertEqual(try [1, 2, 4].map { try fleet.acceptedLogins($0) }, loginsBefore, "resume reconnected to finished hosts")
        // The journal agrees: every pull of hosts 1, 2, 4 ran once, before and after resume.
        if let before = pullsBefore, let after = try fleet.journal(
            state: state, "SELECT host, key, attempts FROM steps WHERE name = 'pull' AND host != 'host3' ORDER BY host, key") {
            XCTAssertFalse(after.isEmpty)
            XCTAssertEqual(after, before.filter { !$0.hasPrefix("host3|") })
            XCTAssertTrue(after.allSatisfy { $0.hasSuffix("|1") }, "\(after)")
        }
        let status2 = try fleet.status(state: state)
        XCTAssertTrue(status2.stdout.contains("nothing left to do"), "\(status2)")
        // Resuming a complete run does nothing: exit 0, no host contacted, no file touched.
        let logins = try (1...fleet.hosts).map { try fleet.acceptedLogins($0) }
        let files = (1...fleet.hosts).map { host in FileFacts(fleet.accountFile(host, "web2")) }
        let again = try fleet.resume(state: state)
        XCTAssertEqual(again.status, 0, "\(again)")
        XCTAssertEqual(try (1...fleet.hosts).map { try fleet.acceptedLogins($0) }, logins, "resume of a complete run connected")
        XCTAssertEqual((1...fleet.hosts).map { host in FileFacts(fleet.accountFile(host, "web2")) }, files)
    }

    /// 4. kill -9 of the coordinator at several points of a run, then `resume`: the end state is
    /// the ground truth (what an uninterrupted run writes, see RespondRunTests) and no pull or
    /// write of a step the journal had as done was repeated.
    func testKillNineThenResumeAtSeveralPoints() throws {
        let fleet = try self.fleet
        // host4 is paused for the whole interrupted run (its connection hangs), so the run is
        // still going when the kill arrives, whatever point the other hosts reached.
        let points = ["host2: account maps", "host2: listing logs", "host2: pull 1/", "host2: pull 2/",
                      "host2: analysing", "host2: writing web1", "host2: writing web3", "host2: done"]
        for point in points {
            try fleet.resetHomes()
            let state = try fleet.freshStateDir("kill-\(points.firstIndex(of: point)!)")
            try fleet.fleet("pause-host", "--host", "4")
            let seen = try killDuring(state: state, when: point)
            try fleet.fleet("resume-host", "--host", "4")
            XCTAssertTrue(seen, "never saw '\(point)' before the run ended")
            let journal = try fleet.journal(state: state, "SELECT status FROM runs")
            if let journal { XCTAssertNotEqual(journal, ["done"], "\(point): the run finished before the kill") }
            let doneBefore = try fleet.journal(
                state: state, "SELECT host || ' ' || name || ' ' || key FROM steps WHERE state = 'done' AND attempts = 1 ORDER BY 1")

            // Whatever the kill interrupted, an account file is never partial: absent or complete.
            var written: [String: FileFacts] = [:]
            for (account, want) in try RespondFleet.expectedFiles() {
                for host in 1...fleet.hosts {
                    guard let facts = FileFacts(fleet.accountFile(host, account)) else { continue }
                    XCTAssertEqual(facts.data, want, "\(point): h\(host) \(account) is partial after the kill (\(facts.data?.count ?? 0) bytes)")
                    if facts.data == want { written["h\(host) \(account)"] = facts }
                }
            }

            let resumed = try fleet.resume(state: state)
            XCTAssertEqual(resumed.status, 0, "\(point): \(resumed)")
            // A file complete before the kill is not written again (same inode and mtime).
            for (name, facts) in written {
                let parts = name.split(separator: " ")
                let host = Int(parts[0].dropFirst())!
                XCTAssertEqual(FileFacts(fleet.accountFile(host, String(parts[1]))), facts, "\(point): \(name) was rewritten")
            }
            try fleet.assertGroundTruth(hosts: Array(1...fleet.hosts))
            if let doneBefore, let after = try fleet.journal(
                state: state, "SELECT host || ' ' || name || ' ' || key FROM steps WHERE state = 'done' AND attempts = 1 ORDER BY 1") {
                let lost = Set(doneBefore).subtracting(after)
                XCTAssertTrue(lost.isEmpty, "\(point): steps done before the kill ran again: \(lost.sorted())")
                let states = try fleet.journal(state: state, "SELECT DISTINCT state FROM steps") ?? []
                XCTAssertEqual(states, ["done"], "\(point): steps not done after resume")
            }
            // Every pulled object is complete: its name is its content's sha256.
            try assertEvidenceIntact(state: state)
        }
    }

    /// 4b. kill -9 in the middle of a large pull (host 1 carries a generated ~120 MB log; the
    /// kill comes once the download has bytes in the evidence staging dir), then `resume`: every
    /// host's account files are byte-identical to those of an uninterrupted run.
    func testKillNineMidPullThenResumeEqualsUninterruptedRun() throws {
        let fleet = try self.fleet
        let snapshot = "\(fleet.dir)/big-snapshot"
        if !FileManager.default.fileExists(atPath: "\(snapshot)/generated-summary.tsv") {
            try? FileManager.default.removeItem(atPath: snapshot)
            let bench = RespondFleet.packageRoot.appendingPathComponent(".build/debug/lostmail-bench").path
            // 120 MB at ~22 kB/s of log spans ~90 minutes; the incident (45-55 % of it) is
            // placed over the playbook's window (2026-11-29T05:13:54Z = 1795929234).
            try RespondFleet.shell([bench, "generate", "--out", snapshot, "--size", "120M", "--file-size", "60M",
                                    "--accounts", "4", "--start-unix", "1795926734"])
            // The fleet's web1..web4 keep the corpus's uids: do not let the load re-create them.
            try FileManager.default.removeItem(atPath: "\(snapshot)/etc/passwd")
        }
        try fleet.reload(host: 1, corpus: snapshot)
        defer { XCTAssertNoThrow(try fleet.reload(host: 1)) }

        let reference = try fleet.respond(state: try fleet.freshStateDir("big-reference"))
        XCTAssertEqual(reference.status, 0, "\(reference)")
        let want = try accountFiles()
        XCTAssertFalse(want.filter { $0.key.hasPrefix("h1 ") }.isEmpty, "the big log gave host 1 no lost mails: \(reference)")

        try fleet.resetHomes()
        let state = try fleet.freshStateDir("big-kill")
        let staging = "\(state)/evidence/staging"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RespondFleet.binary)
        process.arguments = ["respond", "--inventory", fleet.inventory, "--playbook", RespondFleet.playbook, "--state-dir", state]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var partial: (name: String, size: UInt64)?
        while process.isRunning && partial == nil {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? [] {
                if let facts = FileFacts("\(staging)/\(name)"), facts.isRegular,
                   let size = try? FileManager.default.attributesOfItem(atPath: "\(staging)/\(name)")[.size] as? UInt64,
                   size > 1_000_000 {
                    kill(process.processIdentifier, SIGKILL)
                    partial = (name, size)
                    break
                }
            }
            usleep(500)
        }
        process.waitUntilExit()
        let caught = try XCTUnwrap(partial, "no download seen in \(staging) before the run ended")
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertLessThan(caught.size, 50_000_000, "the kill came after the download")
        if let pulls = try fleet.journal(state: state, "SELECT state FROM steps WHERE host = 'host1' AND name = 'pull'") {
            XCTAssertTrue(pulls.contains("started"), "no pull of host1 was in progress at the kill: \(pulls)")
        }

        let resumed = try fleet.resume(state: state)
        XCTAssertEqual(resumed.status, 0, "\(resumed)")
        let got = try accountFiles()
        XCTAssertEqual(Set(got.keys), Set(want.keys))
        for (name, data) in want { XCTAssertEqual(got[name], data, "\(name) differs from the uninterrupted run") }
        try assertEvidenceIntact(state: state)
    }

    /// 4c. kill -9 in the middle of a push: web2 on host 2 already has a large file (its own
    /// lines); the coordinator is killed while the merged file streams into the temp file in
    /// ~/logs. The account must never be left with less than it had, and `resume` completes it.
    func testKillNineMidPushKeepsTheAccountsLines() throws {
        let fleet = try self.fleet
        let logs = "\(fleet.hostDir(2))/home/web2/logs"
        let path = fleet.accountFile(2, "web2")
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let kept = 150_000
        var text = ""
        text.reserveCapacity(kept * 80)
        for index in 0..<kept {
            text += "Fri Jan  1 00:00:00 2021 from=keep-\(index)@bobs-shop.de to=archive@example.org\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let uid = try XCTUnwrap(RespondFleet.uid(of: "web2"))
        let gid = try XCTUnwrap(getpwnam("web2")).pointee.pw_gid
        XCTAssertEqual(chown(logs, uid, gid), 0)
        XCTAssertEqual(chown(path, uid, gid), 0)
        XCTAssertEqual(chmod(path, 0o600), 0)
        let original = try XCTUnwrap(FileFacts(path))

        let state = try fleet.freshStateDir(#function)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RespondFleet.binary)
        process.arguments = ["respond", "--inventory", fleet.inventory, "--playbook", RespondFleet.playbook, "--state-dir", state]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var caught: UInt64?
        while process.isRunning && caught == nil {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: logs)) ?? [] where name.hasPrefix(".lost-mails.") {
                if let size = try? FileManager.default.attributesOfItem(atPath: "\(logs)/\(name)")[.size] as? UInt64, size > 0 {
                    kill(process.processIdentifier, SIGKILL)
                    caught = size
                    break
                }
            }
            usleep(200)
        }
        process.waitUntilExit()
        let size = try XCTUnwrap(caught, "no write of web2's file seen in \(logs) before the run ended")
        XCTAssertLessThan(size, UInt64(original.data?.count ?? 0), "the kill came after the push")
        // The host side ends on its own once the connection is gone: wait for the temp file to go.
        var waited = 0
        while waited < 20_000, ((try? FileManager.default.contentsOfDirectory(atPath: logs)) ?? []).contains(where: { $0.hasPrefix(".lost-mails.") }) {
            usleep(1000)
            waited += 1
        }
        let afterKill = try XCTUnwrap(FileFacts(path))
        let keptAfterKill = String(decoding: afterKill.data ?? Data(), as: UTF8.self)
            .split(separator: "\n").filter { $0.contains("from=keep-") }.count
        XCTAssertEqual(keptAfterKill, kept, "the killed push left web2 with \(afterKill.data?.count ?? 0) of \(original.data?.count ?? 0) bytes: the account lost lines")

        let resumed = try fleet.resume(state: state)
        XCTAssertEqual(resumed.status, 0, "\(resumed)")
        let final = try XCTUnwrap(FileFacts(path))
        let lines = String(decoding: final.data ?? Data(), as: UTF8.self).split(separator: "\n").map(String.init)
        let expected = String(decoding: try XCTUnwrap(RespondFleet.expectedFiles()["web2"]), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.contains("from=keep-") }.count, kept, "web2 lost its own lines")
        XCTAssertEqual(lines.count, kept + expected.count)
        XCTAssertTrue(Set(expected).isSubset(of: Set(lines)), "web2 misses lost-mail lines after resume")
        XCTAssertEqual(final.mode, 0o600)
        XCTAssertEqual(final.uid, uid)
        try fleet.resetHomes()
    }

    /// Every account file on every host, by "h<i> <account>".
    private func accountFiles() throws -> [String: Data] {
        let fleet = try self.fleet
        var files: [String: Data] = [:]
        for host in 1...fleet.hosts {
            for account in try FileManager.default.contentsOfDirectory(atPath: "\(fleet.hostDir(host))/home") {
                if let facts = FileFacts(fleet.accountFile(host, account)) {
                    files["h\(host) \(account)"] = facts.data ?? Data("not a regular file".utf8)
                    XCTAssertEqual(facts.mode, 0o600)
                    XCTAssertEqual(facts.uid, RespondFleet.uid(of: account))
                }
            }
        }
        return files
    }

    /// Starts `respond`, reads its stderr progress lines, and kills it with SIGKILL as soon as a
    /// line contains `marker`. Returns whether the marker was seen.
    private func killDuring(state: String, when marker: String) throws -> Bool {
        let fleet = try self.fleet
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RespondFleet.binary)
        process.arguments = ["respond", "--inventory", fleet.inventory, "--playbook", RespondFleet.playbook,
                             "--state-dir", state]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var buffer = ""
        var seen = false
        while !seen {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer += String(decoding: chunk, as: UTF8.self)
            if buffer.contains(marker) {
                seen = true
                kill(process.processIdentifier, SIGKILL)
            }
        }
        process.waitUntilExit()
        if seen {
            XCTAssertEqual(process.terminationReason, .uncaughtSignal, "\(marker): exited on its own: \(buffer)")
        }
        return seen
    }

    private func assertEvidenceIntact(state: String) throws {
        let objects = "\(state)/evidence/objects"
        var count = 0
        for prefix in try FileManager.default.contentsOfDirectory(atPath: objects) {
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(objects)/\(prefix)") {
                let sum = try RespondFleet.shell(["/usr/bin/sha256sum", "\(objects)/\(prefix)/\(name)"])
                XCTAssertEqual(String(sum.prefix(64)), name, "evidence object \(name) is not its content")
                count += 1
            }
        }
        XCTAssertGreaterThan(count, 0, "no evidence in \(objects)")
    }
}
