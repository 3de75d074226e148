import Foundation
import LostMailTestSupport
import XCTest

/// `lostmail audit` as a scheduler runs it: the real binary against a real two-host fleet
/// (Scripts/fleet.sh, net 127.0.61, DIR /var/tmp/lostmail-audit-tests), checking exit statuses.
final class AuditCommandTests: XCTestCase {
    let fleet = SSHTestFleet(dir: "/var/tmp/lostmail-audit-tests", net: "127.0.61", hosts: 2)
    var dir: String { fleet.dir }
    var work: URL!

    /// The `lostmail` executable built next to the test bundle.
    var binary: String { get throws { try LostmailBinary.path() } }

    override func setUpWithError() throws {
        try fleet.up()
        // The corpus's logs, fresh on both hosts.
        try fleet.resetLogs()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("lostmail-audit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try fleet.writeInventory(to: work.appendingPathComponent("inventory.yml").path,
                                 settings: ["lostmail_connect_timeout": "5"])
    }

    override func tearDownWithError() throws {
        fleet.down()
        if let work { try? FileManager.default.removeItem(at: work) }
    }

    func testExitStatusesForASchedulerAndTheLockMessage() throws {
        let audit = [try binary, "audit", "--inventory", work.appendingPathComponent("inventory.yml").path,
                     "--playbook", TestPaths.playbook("audit.yml").path,
                     "--state-dir", work.appendingPathComponent("state").path]
        let json = work.appendingPathComponent("findings.json").path

        let found = try run(audit + ["--json", json], expect: 3)
        XCTAssertTrue(found.out.contains("qmail-remote could not run"), found.out)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        XCTAssertFalse((document?["findings"] as? [Any] ?? []).isEmpty)

        let quiet = try run(audit, expect: 0)
        XCTAssertTrue(quiet.out.contains("nothing new found"), quiet.out)

        // Another coordinator holds the state directory: exit 5 and a message saying why.
        let lock = work.appendingPathComponent("state/lock").path
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["--no-fork", lock, "/bin/sleep", "30"]  // the sleep itself holds the lock
        try holder.run()
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGTERM) }; holder.waitUntilExit() }
        var held = false
        for _ in 0..<100 where !held {
            held = (try? run(["/usr/bin/flock", "-n", lock, "/bin/true"], expect: 0)) == nil
            if !held { usleep(20_000) }
        }
        XCTAssertTrue(held, "flock did not take the lock")
        let refused = try run(audit, expect: 5)
        XCTAssertTrue(refused.err.contains("in use by another lostmail coordinator"), refused.err)
        kill(holder.processIdentifier, SIGTERM)
        holder.waitUntilExit()

        // A host down: nothing new elsewhere, exit 4; back up: caught up, exit 0 (nothing new on it).
        try fleet.stop(2)
        let partial = try run(audit, expect: 4)
        XCTAssertTrue(partial.out.contains("host host2: NOT AUDITED"), partial.out)

        let badInventory = try run([try binary, "audit", "--inventory", work.appendingPathComponent("none.yml").path,
                                    "--playbook", TestPaths.playbook("audit.yml").path,
                                    "--state-dir", work.appendingPathComponent("state").path], expect: 2)
        XCTAssertTrue(badInventory.err.contains("none.yml"), badInventory.err)
    }

    /// `--metrics FILE` for node_exporter's textfile collector: promtool accepts what the audit
    /// writes, its figures are the audit's (as its JSON says), a later audit with a host down
    /// replaces the file atomically (a new inode), keeps the totals and the last success time.
    func testMetricsForNodeExporter() throws {
        let audit = [try binary, "audit", "--inventory", work.appendingPathComponent("inventory.yml").path,
                     "--playbook", TestPaths.playbook("audit.yml").path,
                     "--state-dir", work.appendingPathComponent("state").path]
        let textfile = work.appendingPathComponent("textfile")
        try FileManager.default.createDirectory(at: textfile, withIntermediateDirectories: true)
        let metrics = textfile.appendingPathComponent("lostmail.prom").path
        let json = work.appendingPathComponent("findings.json").path

        let before = Date().timeIntervalSince1970
        _ = try run(audit + ["--metrics", metrics, "--json", json], expect: 3)
        let after = Date().timeIntervalSince1970
        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        let check = try PromtoolOracle.check(text)
        XCTAssertEqual(check.status, 0, "promtool: \(check.output)\n\(text)")
        let samples = PromtoolOracle.samples(text)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let findings = try XCTUnwrap(document["findings"] as? [[String: Any]])
        XCTAssertFalse(findings.isEmpty)
        var counts: [String: Double] = [:]
        for finding in findings {
            counts["host=\"\(finding["host"] as? String ?? "")\",signature=\"\(finding["signature"] as? String ?? "")\"", default: 0] += 1
        }
        for (labels, count) in counts {
            XCTAssertEqual(samples["lostmail_audit_new_findings{\(labels)}"], count, labels)
            XCTAssertEqual(samples["lostmail_audit_findings_total{\(labels)}"], count, labels)
        }
        for host in try XCTUnwrap(document["hosts"] as? [[String: Any]]) {
            let name = try XCTUnwrap(host["host"] as? String)
            XCTAssertEqual(samples["lostmail_audit_read_bytes{host=\"\(name)\"}"], (host["bytesRead"] as? NSNumber)?.doubleValue)
            XCTAssertEqual(samples["lostmail_audit_host_read{host=\"\(name)\"}"], 1)
        }
        XCTAssertEqual(samples["lostmail_audit_hosts{result=\"read\"}"], 2)
        XCTAssertEqual(samples["lostmail_audit_hosts{result=\"failed\"}"], 0)
        let lastRun = try XCTUnwrap(samples["lostmail_audit_last_run_timestamp_seconds"])
        XCTAssertTrue(lastRun >= before.rounded(.down) && lastRun <= after + 0.001, "\(before) \(lastRun) \(after)")
        XCTAssertEqual(samples["lostmail_audit_last_success_timestamp_seconds"], lastRun, "a complete audit is its own last success")
        XCTAssertLessThanOrEqual(try XCTUnwrap(samples["lostmail_audit_duration_seconds"]), after - before)
        let first = try FileManager.default.attributesOfItem(atPath: metrics)
        XCTAssertEqual(first[.posixPermissions] as? Int, 0o644)

        // Host 2 down, nothing new: the new findings are 0, the totals stay, host2 failed, and
        // the last success is still the first audit's.
        try fleet.stop(2)
        _ = try run(audit + ["--metrics", metrics], expect: 4)
        let later = PromtoolOracle.samples(try String(contentsOfFile: metrics, encoding: .utf8))
        XCTAssertEqual(try PromtoolOracle.check(try String(contentsOfFile: metrics, encoding: .utf8)).status, 0)
        for (labels, count) in counts {
            XCTAssertEqual(later["lostmail_audit_new_findings{\(labels)}"], 0, labels)
            XCTAssertEqual(later["lostmail_audit_findings_total{\(labels)}"], count, labels)
        }
        XCTAssertEqual(later["lostmail_audit_hosts{result=\"failed\"}"], 1)
        XCTAssertEqual(later["lostmail_audit_host_read{host=\"host2\"}"], 0)
        XCTAssertEqual(later["lostmail_audit_last_success_timestamp_seconds"], lastRun)
        XCTAssertGreaterThan(try XCTUnwrap(later["lostmail_audit_last_run_timestamp_seconds"]), lastRun)
        XCTAssertNotEqual(try FileManager.default.attributesOfItem(atPath: metrics)[.systemFileNumber] as? Int,
                          first[.systemFileNumber] as? Int, "the file was rewritten in place, not replaced")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: textfile.path), ["lostmail.prom"])

        // A folder that does not exist: refused before any work.
        let missing = work.appendingPathComponent("nowhere/lostmail.prom").path
        let refused = try run(audit + ["--metrics", missing], expect: 2)
        XCTAssertTrue(refused.err.contains(missing), refused.err)
    }

    /// An entry named like a rotation that is no regular file (here a FIFO) is printed as NOT
    /// READ under the host, and an audit with nothing new then exits 4; once it is gone, 0.
    func testAnEntryThatIsNoRegularFileMakesTheAuditExit4() throws {
        let audit = [try binary, "audit", "--inventory", work.appendingPathComponent("inventory.yml").path,
                     "--playbook", TestPaths.playbook("audit.yml").path,
                     "--state-dir", work.appendingPathComponent("state").path]
        _ = try run(audit, expect: 3)
        let name = "@4000000070dbd88b00000000.s"
        let fifo = fleet.sendDirectory(1).appendingPathComponent(name).path
        addTeardownBlock { [fleet] in try? fleet.resetLogs() }  // no FIFO left for the next `fleet.sh up`
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let incomplete = try run(audit, expect: 4)
        XCTAssertTrue(incomplete.out.contains("host host1: INCOMPLETE"), incomplete.out)
        XCTAssertTrue(incomplete.out.contains("NOT READ: /var/log/qmail/send/\(name): named like a log file but"), incomplete.out)
        try FileManager.default.removeItem(atPath: fifo)
        let clean = try run(audit, expect: 0)
        XCTAssertFalse(clean.out.contains("NOT READ"), clean.out)
    }

    func testRespondOpensAnIncidentRunForTheFindings() throws {
        for host in 1...2 {
            let home = "\(dir)/h\(host)/home"
            for account in (try? FileManager.default.contentsOfDirectory(atPath: home)) ?? [] {
                try? FileManager.default.removeItem(atPath: "\(home)/\(account)/logs")
            }
        }
        let result = try run([try binary, "audit", "--inventory", work.appendingPathComponent("inventory.yml").path,
                              "--playbook", TestPaths.playbook("audit.yml").path,
                              "--state-dir", work.appendingPathComponent("state").path, "--respond",
                              "--respond-playbook", try SSHTestFleet.filesOnlyPlaybook],
                             expect: 3)
        XCTAssertTrue(result.out.contains("respond: starting a run for 2 hosts"), result.out)
        XCTAssertTrue(result.out.contains("run 2: complete"), result.out)
        let home = "\(dir)/h1/home"
        let written = try FileManager.default.contentsOfDirectory(atPath: home).filter {
            ((try? FileManager.default.attributesOfItem(atPath: "\(home)/\($0)/logs/lost-mails.log")[.size]) as? NSNumber)
                .map { $0.intValue > 0 } ?? false
        }
        XCTAssertFalse(written.isEmpty, "the respond run wrote no account file on host1")
    }

    /// Runs a program; fails the test (throws) unless it exits with `expect`.
    @discardableResult
    private func run(_ arguments: [String], expect: Int32) throws -> (out: String, err: String) {
        let result = try ProcessRunner.run(arguments)
        guard result.status == expect else {
            throw ProcessFailure(command: arguments.joined(separator: " "), status: result.status,
                                 output: "expected \(expect)\nstdout: \(result.stdout)\nstderr: \(result.stderr)")
        }
        return (result.stdout, result.stderr)
    }
}
