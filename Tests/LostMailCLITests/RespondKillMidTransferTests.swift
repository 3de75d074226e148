import Foundation
import LostMailTestSupport
import XCTest

/// `lostmail respond` killed with SIGKILL in the middle of a transfer (a large pull, a large
/// push into an account), then `lostmail resume`, on a real 4-host fleet (issue 4).
final class RespondKillMidTransferTests: RespondTestCase {
    /// 4b. kill -9 in the middle of a large pull (host 1 carries a generated ~120 MB log; the
    /// kill comes once the download has bytes in the evidence staging dir), then `resume`: every
    /// host's account files are byte-identical to those of an uninterrupted run.
    func testKillNineMidPullThenResumeEqualsUninterruptedRun() throws {
        let fleet = try self.fleet
        try fleet.reload(host: 1, corpus: try bigSnapshot())
        defer { XCTAssertNoThrow(try fleet.reload(host: 1)) }

        let reference = try fleet.respond(state: try fleet.freshStateDir("big-reference"))
        XCTAssertEqual(reference.status, 0, "\(reference)")
        let want = try accountFiles()
        XCTAssertFalse(want.filter { $0.key.hasPrefix("h1 ") }.isEmpty, "the big log gave host 1 no lost mails: \(reference)")

        try fleet.resetHomes()
        let state = try fleet.freshStateDir("big-kill")
        let staging = "\(state)/evidence/staging"
        let process = try startRespond(fleet, state: state)
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
        try fleet.assertEvidenceIntact(state: state)
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
        let uid = try XCTUnwrap(SSHTestFleet.uid(of: "web2"))
        let gid = try XCTUnwrap(getpwnam("web2")).pointee.pw_gid
        XCTAssertEqual(chown(logs, uid, gid), 0)
        XCTAssertEqual(chown(path, uid, gid), 0)
        XCTAssertEqual(chmod(path, 0o600), 0)
        let original = try XCTUnwrap(FileFacts(path))

        let state = try fleet.freshStateDir(#function)
        let process = try startRespond(fleet, state: state)
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
        let expected = String(decoding: try XCTUnwrap(SSHTestFleet.expectedFiles()["web2"]), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.contains("from=keep-") }.count, kept, "web2 lost its own lines")
        XCTAssertEqual(lines.count, kept + expected.count)
        XCTAssertTrue(Set(expected).isSubset(of: Set(lines)), "web2 misses lost-mail lines after resume")
        XCTAssertEqual(final.mode, 0o600)
        XCTAssertEqual(final.uid, uid)
        try fleet.resetHomes()
    }

    /// A generated ~120 MB host (made once per fleet directory) whose incident lies in the
    /// playbook's window.
    private func bigSnapshot() throws -> String {
        let fleet = try self.fleet
        let snapshot = "\(fleet.dir)/big-snapshot"
        if !FileManager.default.fileExists(atPath: "\(snapshot)/generated-summary.tsv") {
            try? FileManager.default.removeItem(atPath: snapshot)
            let bench = TestPaths.packageRoot.appendingPathComponent(".build/debug/lostmail-bench").path
            // 120 MB at ~22 kB/s of log spans ~90 minutes; the incident (45-55 % of it) is
            // placed over the playbook's window (2026-11-29T05:13:54Z = 1795929234).
            try ProcessRunner.shell([bench, "generate", "--out", snapshot, "--size", "120M", "--file-size", "60M",
                                    "--accounts", "4", "--start-unix", "1795926734"])
            // The fleet's web1..web4 keep the corpus's uids: do not let the load re-create them.
            try FileManager.default.removeItem(atPath: "\(snapshot)/etc/passwd")
        }
        return snapshot
    }

    /// 13. The report is streamed: `respond` killed (SIGKILL) once some hosts' reports are on
    /// disk while host 1 (the big log) is still at work; `resume` completes a `report.json`
    /// equal to an uninterrupted run's. The journal holds references, never a host's report;
    /// a stored report changed on disk is found, named and made again by the next `resume`.
    func testKilledRunsReportIsCompletedByResumeAndTheJournalHoldsNoReport() throws {
        let fleet = try self.fleet
        try fleet.reload(host: 1, corpus: try bigSnapshot())
        defer { XCTAssertNoThrow(try fleet.reload(host: 1)) }

        let referenceState = try fleet.freshStateDir("report-reference")
        let reference = try fleet.respond(state: referenceState)
        XCTAssertEqual(reference.status, 0, "\(reference)")
        let want = try Data(contentsOf: URL(fileURLWithPath: "\(referenceState)/runs/1/report.json"))
        let wantHosts = try XCTUnwrap((try JSONSerialization.jsonObject(with: want) as? [String: Any])?["hosts"] as? [[String: Any]])
        XCTAssertEqual(wantHosts.map { $0["host"] as? String }, ["host1", "host2", "host3", "host4"])

        try fleet.resetHomes()
        let state = try fleet.freshStateDir("report-kill")
        let reports = "\(state)/reports"
        let process = try startRespond(fleet, state: state)
        // The kill comes once a host's report is on disk and its analysis recorded as done (the
        // journal is asked only after the file appeared: sqlite3 is a process per query).
        var seen: [String] = []
        while process.isRunning && seen.isEmpty {
            seen = ((try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? []).filter { !$0.hasPrefix(".") }
            usleep(500)
        }
        var waited = 0
        while process.isRunning, waited < 400,
              (try fleet.journal(state: state, "SELECT count(*) FROM steps WHERE name = 'analyze' AND state = 'done'"))?
                .first.flatMap({ Int($0) }) ?? 1 == 0 {
            usleep(25_000)
            waited += 1
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertFalse(seen.isEmpty, "no host report was stored before the run ended")
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(state)/runs/1/report.json"), "the kill came after the run's end")
        if let analyses = try fleet.journal(state: state, "SELECT host, state FROM steps WHERE name = 'analyze' ORDER BY host") {
            XCTAssertTrue(analyses.contains { $0.hasSuffix("|done") }, "\(analyses)")
            XCTAssertFalse(analyses.contains("host1|done"), "host 1 was done before the kill: \(analyses)")
        }

        let resumed = try fleet.resume(state: state)
        XCTAssertEqual(resumed.status, 0, "\(resumed)")
        let report = "\(state)/runs/1/report.json"
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: report)), want, "the resumed run's report differs")
        try fleet.assertGroundTruth(hosts: [2, 3, 4])

        // The journal holds a reference per host (name, digest, size), no report: every step's
        // detail is small, and the analyze steps' name files that hold their digest.
        if let details = try fleet.journal(state: state, "SELECT name, length(detail) FROM steps WHERE detail IS NOT NULL") {
            XCTAssertFalse(details.isEmpty)
            for row in details { XCTAssertLessThan(Int(row.split(separator: "|")[1]) ?? .max, 1000, "\(details)") }
        }
        let refs = try XCTUnwrap(try fleet.journal(state: state, """
            SELECT host, json_extract(detail, '$.sha256'), json_extract(detail, '$.file'), json_extract(detail, '$.size')
            FROM steps WHERE name = 'analyze' ORDER BY host
            """))
        XCTAssertEqual(refs.count, 4, "\(refs)")
        var total: UInt64 = 0
        for row in refs {
            let fields = row.split(separator: "|").map(String.init)
            XCTAssertEqual(fields[2], fields[1] + ".json")
            XCTAssertEqual(try ProcessRunner.sha256(ofFile: "\(reports)/\(fields[2])"), fields[1], row)
            total += UInt64(fields[3]) ?? 0
        }
        XCTAssertGreaterThan(total, UInt64(want.count) - 200, "the hosts' files are the report's bulk")

        // A stored report changed on disk: the next resume names its file and analyses the host
        // again; the report is the same.
        let host2 = try XCTUnwrap(refs.first { $0.hasPrefix("host2|") }?.split(separator: "|").map(String.init))
        let changed = "\(reports)/\(host2[2])"
        let attemptsBefore = try fleet.journal(state: state, "SELECT attempts FROM steps WHERE host = 'host2' AND name = 'analyze'")
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: changed))
        try handle.seek(toOffset: 2)
        try handle.write(contentsOf: Data("Z".utf8))
        try handle.close()
        let again = try fleet.resume(state: state)
        XCTAssertEqual(again.status, 0, "\(again)")
        XCTAssertTrue(again.stdout.contains("host host2: stored host report \(changed) does not match its digest"), "\(again)")
        XCTAssertEqual(try ProcessRunner.sha256(ofFile: changed), host2[1], "made again, the same bytes")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: report)), want)
        if let before = attemptsBefore?.first.flatMap({ Int($0) }),
           let after = try fleet.journal(state: state, "SELECT attempts FROM steps WHERE host = 'host2' AND name = 'analyze'") {
            XCTAssertEqual(after, ["\(before + 1)"], "host 2 analysed once more")
        }
        try fleet.resetHomes()
    }

    /// Every account file on every host, by "h<i> <account>".
    /// `lostmail respond` on the fleet into `state`, running in the background (output discarded),
    /// for a test to kill at the moment it waits for.
    private func startRespond(_ fleet: SSHTestFleet, state: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.lostmailBinary)
        process.arguments = ["respond", "--inventory", fleet.inventory, "--playbook", try SSHTestFleet.filesOnlyPlaybook,
                             "--state-dir", state]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    private func accountFiles() throws -> [String: Data] {
        let fleet = try self.fleet
        var files: [String: Data] = [:]
        for host in 1...fleet.hosts {
            for account in try FileManager.default.contentsOfDirectory(atPath: "\(fleet.hostDir(host))/home") {
                if let facts = FileFacts(fleet.accountFile(host, account)) {
                    files["h\(host) \(account)"] = facts.data ?? Data("not a regular file".utf8)
                    XCTAssertEqual(facts.mode, 0o600)
                    XCTAssertEqual(facts.uid, SSHTestFleet.uid(of: account))
                }
            }
        }
        return files
    }
}
