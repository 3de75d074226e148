import Foundation
import LostMailTestSupport
import XCTest

/// `lostmail analyze` on copies of the corpus host whose logs were changed the ways real
/// snapshots are: CRLF line ends, symlinked rotations, entries that cannot be read.
final class AnalyzeInputTests: XCTestCase {
    /// A copy of the corpus host at `<dir>/<label>/host`; returns the host folder.
    private func corpusCopy(_ dir: TempDir, _ label: String) throws -> URL {
        let parent = dir.url.appendingPathComponent(label)
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        try ProcessRunner.shell(["/bin/cp", "-R", TestPaths.corpus.appendingPathComponent("host").path, parent.path + "/host"])
        return parent.appendingPathComponent("host")
    }

    /// Runs `analyze` on `host` with the corpus playbook; returns the result and the parsed
    /// `--json` report's only host.
    private func analyze(_ host: URL, out: URL) throws -> (result: ProcessResult, report: [String: Any]) {
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let json = out.appendingPathComponent("report.json")
        let result = try LostmailBinary.run(["analyze", "--playbook", TestPaths.playbook("corpus-incident.yml").path,
                                             "--out", out.path, "--json", json.path, host.path])
        guard let data = FileManager.default.contents(atPath: json.path) else {
            XCTFail("analyze wrote no report (exit \(result.status)): \(result.stdout.suffix(2000)) \(result.stderr.suffix(2000))")
            throw ProcessFailure(command: "analyze", status: result.status, output: result.stderr)
        }
        let top = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let hosts = try XCTUnwrap(top["hosts"] as? [[String: Any]])
        XCTAssertEqual(hosts.count, 1)
        return (result, hosts[0])
    }

    private var send: String { "var/log/qmail/send" }

    /// A CRLF copy of the corpus log gives exactly the LF original's result: the same losses,
    /// attribution and counts, no line skipped.
    func testCRLFCopyOfCorpusGivesTheSameResult() throws {
        let dir = try TempDir("analyze-crlf")
        defer { dir.remove() }
        let original = try corpusCopy(dir, "lf")
        let windows = try corpusCopy(dir, "crlf")
        let folder = windows.appendingPathComponent(send)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let file = folder.appendingPathComponent(name)
            let text = try String(contentsOf: file, encoding: .utf8)
            try FileManager.default.removeItem(at: file)
            try Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8).write(to: file)
        }
        let lf = try analyze(original, out: dir.url.appendingPathComponent("out-lf"))
        let crlf = try analyze(windows, out: dir.url.appendingPathComponent("out-crlf"))
        XCTAssertEqual(lf.result.status, 0, lf.result.stdout + lf.result.stderr)
        XCTAssertEqual(crlf.result.status, 0, crlf.result.stdout + crlf.result.stderr)
        let lines = try XCTUnwrap(lf.report["linesByAccount"] as? [String: [String]])
        XCTAssertFalse(lines.isEmpty)
        XCTAssertEqual(crlf.report["linesByAccount"] as? [String: [String]], lines)
        XCTAssertEqual(crlf.report["counts"] as? NSDictionary, lf.report["counts"] as? NSDictionary)
        XCTAssertEqual(crlf.report["lineIssueCount"] as? Int, lf.report["lineIssueCount"] as? Int)
        XCTAssertEqual((crlf.report["unattributed"] as? [Any])?.count, (lf.report["unattributed"] as? [Any])?.count)
        XCTAssertEqual(crlf.report["lines"] as? Int, lf.report["lines"] as? Int)
    }

    /// A rotation that is a symlink into another directory is read like the file: the same
    /// account files as the corpus's expected ones; exit 0.
    func testSymlinkedRotationIsRead() throws {
        let dir = try TempDir("analyze-symlink")
        defer { dir.remove() }
        let host = try corpusCopy(dir, "snap")
        let folder = host.appendingPathComponent(send)
        let keep = host.appendingPathComponent("var/log/qmail/keep")
        try FileManager.default.createDirectory(at: keep, withIntermediateDirectories: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("@") }.sorted()
        for name in names.prefix(3) {
            try FileManager.default.moveItem(at: folder.appendingPathComponent(name), to: keep.appendingPathComponent(name))
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(name).path,
                                                       withDestinationPath: "../keep/" + name)
        }
        let out = dir.url.appendingPathComponent("out")
        let run = try analyze(host, out: out)
        XCTAssertEqual(run.result.status, 0, run.result.stdout + run.result.stderr)
        XCTAssertEqual((run.report["files"] as? [String])?.count, names.count + 1)
        let expected = TestPaths.corpus.appendingPathComponent("expected")
        let accounts = try FileManager.default.contentsOfDirectory(atPath: expected.path)
        XCTAssertFalse(accounts.isEmpty)
        for account in accounts {
            let want = try Data(contentsOf: expected.appendingPathComponent("\(account)/lost-mails.log"))
            let got = try Data(contentsOf: out.appendingPathComponent("host/\(account)/lost-mails.log"))
            XCTAssertEqual(got, want, account)
        }
    }

    /// Entries named like logs that cannot be read (a directory, a FIFO, /dev/zero, a dangling
    /// symlink, a loop) are named on the console and in `inputIssues`, the exit is 4 (not done),
    /// and nothing blocks on the FIFO or the device.
    func testUnreadableEntriesAreNamedAndTheExitIsNotZero() throws {
        let dir = try TempDir("analyze-unreadable")
        defer { dir.remove() }
        let host = try corpusCopy(dir, "snap")
        let folder = host.appendingPathComponent(send)
        let bad = ["@400000006b0bb00000000001.s", "@400000006b0bb00000000002.s", "@400000006b0bb00000000003.s",
                   "@400000006b0bb00000000004.s", "@400000006b0bb00000000005.s"]
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(bad[0]), withIntermediateDirectories: false)
        XCTAssertEqual(mkfifo(folder.appendingPathComponent(bad[1]).path, 0o644), 0)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(bad[2]).path, withDestinationPath: "/dev/zero")
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(bad[3]).path, withDestinationPath: "gone.s")
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(bad[4]).path, withDestinationPath: bad[4])

        let run = try analyze(host, out: dir.url.appendingPathComponent("out"))
        XCTAssertEqual(run.result.status, 4, run.result.stdout + run.result.stderr)
        XCTAssertTrue(run.result.stderr.contains("incomplete"), run.result.stderr)
        let issues = try XCTUnwrap(run.report["inputIssues"] as? [String])
        let unread = try XCTUnwrap(run.report["unreadInput"] as? [String])
        XCTAssertEqual(unread.count, bad.count, "\(unread)")
        for name in bad {
            let path = folder.appendingPathComponent(name).path
            XCTAssertTrue(issues.contains { $0.contains(path) }, "\(name) missing from inputIssues: \(issues)")
            XCTAssertTrue(run.result.stdout.contains("NOT READ: \(path)"), "\(name) not named on the console: \(run.result.stdout)")
        }
        // What could be read was analysed as usual.
        XCTAssertFalse((run.report["linesByAccount"] as? [String: [String]] ?? [:]).isEmpty)
    }

    /// Lines the analysis skips are named file:line on the console (the first 5), then counted.
    func testSkippedLinesAreNamedOnTheConsole() throws {
        let dir = try TempDir("analyze-lines")
        defer { dir.remove() }
        let host = try corpusCopy(dir, "snap")
        let current = host.appendingPathComponent(send).appendingPathComponent("current")
        let before = try String(contentsOf: current, encoding: .utf8)
        let lineCount = before.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        try FileManager.default.removeItem(at: current)
        try Data((before + (1...8).map { "garbled line \($0)\n" }.joined()).utf8).write(to: current)
        let run = try analyze(host, out: dir.url.appendingPathComponent("out"))
        XCTAssertEqual(run.result.status, 0, run.result.stdout + run.result.stderr)
        for offset in 1...5 {
            XCTAssertTrue(run.result.stdout.contains("\(current.path):\(lineCount + offset):"),
                          "line \(lineCount + offset) not named: \(run.result.stdout)")
        }
        XCTAssertFalse(run.result.stdout.contains("\(current.path):\(lineCount + 6):"), run.result.stdout)
        XCTAssertTrue(run.result.stdout.contains("... and 3 more lines skipped"), run.result.stdout)
    }
}
