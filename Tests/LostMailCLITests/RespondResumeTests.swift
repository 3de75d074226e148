import Foundation
import LostMailTestSupport
import XCTest

/// `lostmail respond` interrupted (a host down, the coordinator killed) and completed by
/// `lostmail resume` on a real 4-host fleet (issue 4).
final class RespondResumeTests: RespondTestCase {
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
        // The summary: host3 failed without figures, the fleet 3 of 4 done; host3 is named again
        // at the end, after the hosts' lines, with its error and the exact command to continue.
        let summary = try SummaryRows(run)
        XCTAssertEqual(summary["host3"]["STATUS"], "failed", "\(run)")
        XCTAssertEqual(summary["host3"]["LINES"], "-", "\(run)")
        for host in [1, 2, 4] { XCTAssertEqual(summary["host\(host)"]["STATUS"], "done", "\(run)") }
        XCTAssertEqual(summary["fleet"]["STATUS"], "3/4", "\(run)")
        let end = run.stdout.components(separatedBy: "hosts not done (1 of 4):\n")
        XCTAssertEqual(end.count, 2, "\(run)")
        XCTAssertTrue(end.last?.hasPrefix("host host3: FAILED: ") == true, "\(run)")
        let command = try XCTUnwrap(SummaryRows.resumeCommand(run), "\(run)")
        XCTAssertTrue(command.hasPrefix("lostmail resume 1 --state-dir "), command)
        XCTAssertTrue(command.contains(state), command)
        try fleet.assertGroundTruth(hosts: [1, 2, 4])
        for account in try FileManager.default.contentsOfDirectory(atPath: "\(fleet.hostDir(3))/home") {
            XCTAssertNil(FileFacts(fleet.accountFile(3, account)), "h3 was down but \(account) has a file")
        }
        // The retry file names host3 alone, and `--limit @file` selects exactly it.
        let failed = "\(state)/runs/1/failed.hosts"
        XCTAssertEqual(try String(contentsOfFile: failed, encoding: .utf8), "host3\n")
        XCTAssertEqual(FileFacts(failed)?.mode, 0o600)
        XCTAssertTrue(run.stdout.contains("--limit @\(failed)"), "\(run)")
        let selected = try LostmailBinary.run(["inventory", "--list", "-i", fleet.inventory, "--limit", "@\(failed)"])
        XCTAssertEqual(selected.status, 0, "\(selected)")
        let listed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(selected.stdout.utf8)) as? [String: Any])
        let hostvars = try XCTUnwrap((listed["_meta"] as? [String: Any])?["hostvars"] as? [String: Any], selected.stdout)
        XCTAssertEqual(Array(hostvars.keys), ["host3"], selected.stdout)
        // The incident report names host3 failed, with its error and the command that continues the run.
        let html = "\(state)/runs/1/report.html"
        XCTAssertTrue(run.stdout.contains("incident report: \(html)"), "\(run)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        XCTAssertTrue(page.contains("<tr data-host=\"host3\"><td>host3</td><td class=\"status failed\" data-figure=\"status\">failed</td>"),
                      "host3 not shown failed")
        XCTAssertTrue(page.contains("<li data-host=\"host3\"><strong>host3</strong> (failed)"), "host3 not listed as not done")
        XCTAssertTrue(page.contains("<pre id=\"resume-command\"><code>lostmail resume 1 --state-dir "), "no resume command")
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
        // The command the run printed, run as printed (through the shell), completes it.
        let resumed = try SummaryRows.runPrinted(command)
        XCTAssertEqual(resumed.status, 0, "\(resumed)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: failed), "every host is done: no retry file")
        XCTAssertTrue(resumed.stdout.contains("incident report: \(html)"), "\(resumed)")
        let resumedPage = try String(contentsOfFile: html, encoding: .utf8)
        XCTAssertTrue(resumedPage.contains("Every host is done."), "the resumed run's report still lists hosts not done")
        XCTAssertFalse(resumedPage.contains("id=\"resume-command\""), "a resume command for a complete run")
        // Progress as `respond` shows it (plain lines: stderr is not a terminal here).
        XCTAssertTrue(resumed.stderr.contains("host3: pull "), "\(resumed)")
        XCTAssertTrue(resumed.stderr.contains("host3: done"), "\(resumed)")
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
                      "host2: analysing", "host2: writing web1", "host2: done"]
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
            for (account, want) in try SSHTestFleet.expectedFiles() {
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
            try fleet.assertEvidenceIntact(state: state)
        }
    }

    /// Starts `respond`, reads its stderr progress lines, and kills it with SIGKILL as soon as a
    /// line contains `marker`. Returns whether the marker was seen.
    private func killDuring(state: String, when marker: String) throws -> Bool {
        let fleet = try self.fleet
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.lostmailBinary)
        process.arguments = ["respond", "--inventory", fleet.inventory, "--playbook", try SSHTestFleet.filesOnlyPlaybook,
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
}
