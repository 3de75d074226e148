import Foundation
import LostMailTestSupport
import XCTest

/// `lostmail respond` on the real fleet when a host's log directory holds more than plain
/// files: symlinked rotations, entries that cannot be read, no archive folder, skipped lines.
///
/// The respond fleet; each test starts from the corpus logs and puts them back when it ends.
final class RespondInputTests: RespondTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        let fleet = try self.fleet
        try fleet.resetLogs()
        addTeardownBlock { try? fleet.resetLogs() }
    }

    /// The `--json` report's entry of `host`.
    private func hostReport(_ json: String, _ host: Int) throws -> [String: Any] {
        let top = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let hosts = try XCTUnwrap(top["hosts"] as? [[String: Any]])
        return try XCTUnwrap(hosts.first { $0["host"] as? String == "host\(host)" }, "no report of host\(host)")
    }

    /// Host 2's oldest rotations are symlinks to /var/log/qmail/keep/ (as some hosters keep
    /// them): they are read, every loss is found on every host, exit 0.
    func testSymlinkedRotationsAreFollowedOnTheHost() throws {
        let fleet = try self.fleet
        let send = fleet.sendDirectory(2)
        let keep = send.deletingLastPathComponent().appendingPathComponent("keep")
        try? FileManager.default.removeItem(at: keep)
        try FileManager.default.createDirectory(at: keep, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: keep) }
        let names = try FileManager.default.contentsOfDirectory(atPath: send.path).filter { $0.hasPrefix("@") }.sorted()
        XCTAssertGreaterThan(names.count, 2)
        for name in names.prefix(names.count - 1) {
            try FileManager.default.moveItem(at: send.appendingPathComponent(name), to: keep.appendingPathComponent(name))
            try FileManager.default.createSymbolicLink(atPath: send.appendingPathComponent(name).path,
                                                       withDestinationPath: "/var/log/qmail/keep/" + name)
        }
        let state = try fleet.freshStateDir(#function)
        let json = "\(state).json"
        let run = try fleet.respond(state: state, extra: ["--json", json])
        XCTAssertEqual(run.status, 0, "\(run)")
        try fleet.assertGroundTruth(hosts: Array(1...fleet.hosts))
        let files = try XCTUnwrap(try hostReport(json, 2)["files"] as? [String])
        for name in names { XCTAssertTrue(files.contains("/var/log/qmail/send/\(name)"), "\(name) not read: \(files)") }
    }

    /// A directory, a FIFO, a dangling symlink and a loop named like rotations on host 3 are
    /// named on the console and in `inputIssues`; the host is incomplete (exit 4, `status`
    /// says so) while the readable logs are still analysed; once they are gone, `resume`
    /// completes the run.
    func testUnreadableEntriesMakeTheHostIncompleteUntilResumed() throws {
        let fleet = try self.fleet
        let send = fleet.sendDirectory(3)
        let bad = ["@400000006b0bb4d32210256d.s", "@400000006b0bb55e1bbf3fa5.s", "@400000006b0bb5f427c67115.s",
                   "@400000006b0bb6d9367cf78d.s"]
        try FileManager.default.createDirectory(at: send.appendingPathComponent(bad[0]), withIntermediateDirectories: false)
        XCTAssertEqual(mkfifo(send.appendingPathComponent(bad[1]).path, 0o644), 0)
        try FileManager.default.createSymbolicLink(atPath: send.appendingPathComponent(bad[2]).path,
                                                   withDestinationPath: "/var/log/qmail/keep/gone.s")
        try FileManager.default.createSymbolicLink(atPath: send.appendingPathComponent(bad[3]).path, withDestinationPath: bad[3])

        let state = try fleet.freshStateDir(#function)
        let json = "\(state).json"
        let run = try fleet.respond(state: state, extra: ["--json", json])
        XCTAssertEqual(run.status, 4, "\(run)")
        let report = try hostReport(json, 3)
        let issues = try XCTUnwrap(report["inputIssues"] as? [String])
        XCTAssertEqual((report["unreadInput"] as? [String])?.count, bad.count, "\(issues)")
        for name in bad {
            let path = "/var/log/qmail/send/\(name)"
            XCTAssertTrue(issues.contains { $0.contains(path) }, "\(name) not in inputIssues: \(issues)")
            XCTAssertTrue(run.stdout.contains("NOT READ: \(path)"), "\(name) not named on the console: \(run.stdout)")
        }
        XCTAssertTrue(run.stdout.contains("host host3: INCOMPLETE"), run.stdout)
        XCTAssertTrue(run.stdout.contains("incomplete: `lostmail resume"), run.stdout)
        // The readable logs were analysed and written on every host.
        try fleet.assertGroundTruth(hosts: Array(1...fleet.hosts))
        let status = try fleet.status(state: state)
        XCTAssertTrue(status.stdout.contains("host host3: incomplete"), "\(status)")

        for name in bad { try FileManager.default.removeItem(at: send.appendingPathComponent(name)) }
        let resumed = try fleet.resume(state: state)
        XCTAssertEqual(resumed.status, 0, "\(resumed)")
        XCTAssertFalse(resumed.stdout.contains("NOT READ"), resumed.stdout)
        let after = try fleet.status(state: state)
        XCTAssertTrue(after.stdout.contains("host host3: complete"), "\(after)")
        try fleet.assertGroundTruth(hosts: Array(1...fleet.hosts))
    }

    /// A playbook archive pattern whose folder does not exist on the hosts means no archives:
    /// the run completes (exit 0) with every loss found.
    func testMissingArchiveFolderMeansNoArchives() throws {
        let fleet = try self.fleet
        let text = try String(contentsOfFile: try SSHTestFleet.filesOnlyPlaybook, encoding: .utf8)
        let withArchives = text.replacingOccurrences(of: "  multilog: [/var/log/qmail/send]\n",
                                                     with: "  multilog: [/var/log/qmail/send]\n  archives: [/var/log/qmail/archive/send-*.gz]\n")
        XCTAssertNotEqual(withArchives, text, "the corpus playbook's logs section changed")
        let book = "\(fleet.dir)/archives-playbook.yml"
        try withArchives.write(toFile: book, atomically: true, encoding: .utf8)
        for host in 1...fleet.hosts {
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(fleet.hostDir(host))/qmail-log/archive"))
        }
        let state = try fleet.freshStateDir(#function)
        let run = try LostmailBinary.run(["respond", "--inventory", fleet.inventory, "--playbook", book, "--state-dir", state])
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertFalse(run.stdout.contains("FAILED"), run.stdout)
        try fleet.assertGroundTruth(hosts: Array(1...fleet.hosts))
    }

    /// Lines the analysis skips are named host-path:line on the console (the first 5), then counted.
    func testSkippedLinesAreNamedOnTheConsole() throws {
        let fleet = try self.fleet
        let current = fleet.sendDirectory(1).appendingPathComponent("current")
        let before = try String(contentsOf: current, encoding: .utf8)
        let lineCount = before.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        try Data((before + (1...7).map { "garbled line \($0)\n" }.joined()).utf8).write(to: current)
        let state = try fleet.freshStateDir(#function)
        let json = "\(state).json"
        let run = try fleet.respond(state: state, extra: ["--limit", "host1", "--json", json])
        XCTAssertEqual(run.status, 0, "\(run)")
        for offset in 1...5 {
            XCTAssertTrue(run.stdout.contains("/var/log/qmail/send/current:\(lineCount + offset):"), "line \(lineCount + offset): \(run.stdout)")
        }
        XCTAssertTrue(run.stdout.contains("... and 2 more lines skipped"), run.stdout)
        // The report names the host's files, never where the run keeps its copies.
        let report = try String(contentsOfFile: json, encoding: .utf8)
        XCTAssertTrue(report.contains("/var/log/qmail/send/current:\(lineCount + 1):"), report.prefix(2000) + "")
        let snapshots = "\(state)/runs/1/snapshots"
        XCTAssertTrue(FileManager.default.fileExists(atPath: snapshots), "the run's snapshots are elsewhere: fix the test")
        XCTAssertFalse(report.contains(snapshots) || run.stdout.contains(snapshots), "a snapshot path in the report or output")
    }
}
