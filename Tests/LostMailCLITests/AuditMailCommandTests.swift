import Foundation
import LostMailTestSupport
import XCTest

/// `lostmail audit` with a `report:` section: the findings mailed to the operators through a
/// real aiosmtpd relay (SMTPTestServer, 127.0.0.1, a free port) from a real two-host fleet
/// (Scripts/fleet.sh, net 127.0.64, DIR /var/tmp/lostmail-auditmail-tests).
final class AuditMailCommandTests: XCTestCase {
    static let shared = ClassFleet()
    static let operators = ["noc@example.org", "oncall@example.org"]
    static let subject = "LostMail audit: test findings"
    var work: URL!
    var relays: [SMTPTestServer] = []

    override class func setUp() {
        shared.start(SSHTestFleet.respondFleet(dir: "/var/tmp/lostmail-auditmail-tests", net: "127.0.64", hosts: 2)) {
            try $0.upWithInventory()
        }
    }

    override class func tearDown() { shared.stop() }

    override func setUpWithError() throws {
        try Self.shared.require().resetLogs()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("lostmail-auditmail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        // The shipped audit playbook with a report section; the relay is given with --relay.
        let shipped = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("Playbooks/audit.yml"),
                                 encoding: .utf8)
        let template = TestPaths.packageRoot.appendingPathComponent("Playbooks/templates/audit-findings.en.mustache")
        try (shipped + """

            report:
              to: [\(Self.operators.joined(separator: ", "))]
              from: "LostMail audit <lostmail@example.org>"
              subject: "\(Self.subject)"
              template: \(template.path)
              relay: {host: 127.0.0.1, port: 1, tls: none, timeout: 10}

            """).write(to: playbook, atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        relays.forEach { $0.stop() }
        if let work { try? FileManager.default.removeItem(at: work) }
    }

    var playbook: URL { work.appendingPathComponent("audit.yml") }
    var state: String { work.appendingPathComponent("state").path }

    private func relay(_ options: SMTPTestServer.Options = .init()) throws -> SMTPTestServer {
        let relay = try SMTPTestServer(options)
        relays.append(relay)
        return relay
    }

    private func audit(relay: String, json: String? = nil, expect: Int32,
                       file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        let fleet = try Self.shared.require()
        var arguments = ["audit", "--inventory", fleet.inventory, "--playbook", playbook.path, "--state-dir", state,
                         "--quiet", "--relay", relay]
        if let json { arguments += ["--json", json] }
        let result = try LostmailBinary.run(arguments)
        XCTAssertEqual(result.status, expect, "\(result)", file: file, line: line)
        return result
    }

    /// Findings in the JSON document of an audit.
    private func jsonFindings(_ path: String) throws -> [[String: Any]] {
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        return document?["findings"] as? [[String: Any]] ?? []
    }

    private func count(_ text: String, in file: String) throws -> Int {
        var count = 0
        let send = TestPaths.corpus.appendingPathComponent("host/var/log/qmail/send")
        for name in try FileManager.default.contentsOfDirectory(atPath: send.path) where name == file || file.isEmpty {
            let content = try String(contentsOf: send.appendingPathComponent(name), encoding: .utf8)
            count += content.split(separator: "\n").filter { $0.contains(text) }.count
        }
        return count
    }

    func testFindingsAreMailedOnceAndALaterAuditMailsOnlyWhatIsNew() throws {
        let relay = try relay()
        let json = work.appendingPathComponent("findings.json").path
        let first = try audit(relay: relay.address, json: json, expect: 3)
        let findings = try jsonFindings(json)
        XCTAssertFalse(findings.isEmpty)
        XCTAssertTrue(first.stdout.contains("mailed \(findings.count) findings to \(Self.operators.joined(separator: ", ")) "
                                            + "via relay \(relay.address)"), first.stdout)
        let messages = try relay.messages()
        XCTAssertEqual(messages.count, 1, "one message for all findings")
        let message = try XCTUnwrap(messages.first)
        XCTAssertEqual(message.rcpt_tos.sorted(), Self.operators)
        XCTAssertEqual(message.mail_from, "lostmail@example.org")
        XCTAssertEqual(message.subject, Self.subject)
        XCTAssertTrue(message.message_id.hasPrefix("<lostmail.audit.1."), message.message_id)
        let body = try XCTUnwrap(message.body)
        let failures = try count("failure: Unable_to_run_qmail-remote", in: "")
        let triples = try count("triple bounce: discarding", in: "")
        let fleet = try Self.shared.require()
        for expected in ["LostMail audit run 1 at ", "found \(findings.count) lost-mail",
                         "  - qmail-remote could not run: \(failures)\n", "  - triple bounce discarded: \(triples)\n",
                         "log file: /var/log/qmail/send/@400000006b0bb4d32210256c.s",
                         "lostmail respond --inventory \(fleet.inventory) --playbook \(work.appendingPathComponent("lost-mails.yml").path)",
                         "--limit host1,host2"] {
            XCTAssertTrue(body.contains(expected), "body lacks '\(expected)':\n\(body)")
        }
        for host in ["host1", "host2"] {
            let onHost = findings.filter { $0["host"] as? String == host }.count
            XCTAssertTrue(body.contains("Host \(host): \(onHost) finding(s)"), "body lacks \(host)'s \(onHost):\n\(body)")
        }
        XCTAssertFalse(body.contains("earlier audits"), body)

        let quiet = try audit(relay: relay.address, expect: 0)
        XCTAssertFalse(quiet.stdout.contains("mailed"), quiet.stdout)
        XCTAssertEqual(try relay.messages().count, 1, "nothing new: nothing sent")

        // One more failure on host1: the next mail lists it alone.
        let current = "\(fleet.hostDir(1))/qmail-log/send/current"
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: current))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("@400000006b0bc00000000000 delivery 99001: failure: Unable_to_run_qmail-remote./\n".utf8))
        try handle.close()
        let later = try audit(relay: relay.address, expect: 3)
        XCTAssertTrue(later.stdout.contains("mailed 1 findings"), later.stdout)
        let all = try relay.messages()
        XCTAssertEqual(all.count, 2)
        let second = try XCTUnwrap(all.last?.body)
        XCTAssertTrue(second.contains("found 1 lost-mail"), second)
        XCTAssertTrue(second.contains("Host host1: 1 finding(s)"), second)
        XCTAssertTrue(second.contains("log file: /var/log/qmail/send/current"), second)
        XCTAssertFalse(second.contains("host2"), second)
        XCTAssertNotEqual(all[0].message_id, all[1].message_id)
        if let rows = try fleet.journal(state: state, "SELECT state, findings FROM findingMails ORDER BY id") {
            XCTAssertEqual(rows, ["accepted|\(findings.count)", "accepted|1"])
        }
    }

    func testRelayDownTheNextAuditMailsThePendingFindingsExactlyOnce() throws {
        let dead = try relay()
        let address = dead.address
        dead.stop()
        let json = work.appendingPathComponent("findings.json").path
        let down = try audit(relay: address, json: json, expect: 3)
        let findings = try jsonFindings(json).count
        XCTAssertTrue(down.stderr.contains("the mail of \(findings) findings to \(Self.operators.joined(separator: ", ")) "
                                           + "via relay \(address) failed"), down.stderr)
        XCTAssertTrue(down.stderr.contains("the next audit tries again"), down.stderr)
        XCTAssertTrue(down.stdout.contains("qmail-remote could not run"), "the findings are still reported")

        let relay = try relay()
        let up = try audit(relay: relay.address, expect: 0)
        XCTAssertTrue(up.stdout.contains("nothing new found"), up.stdout)
        XCTAssertTrue(up.stdout.contains("mailed \(findings) findings"), up.stdout)
        let messages = try relay.messages()
        XCTAssertEqual(messages.count, 1)
        let body = try XCTUnwrap(messages.first?.body)
        XCTAssertTrue(body.contains("found \(findings) lost-mail"), body)
        XCTAssertTrue(body.contains("\(findings) of them were found by earlier audits"), body)

        _ = try audit(relay: relay.address, expect: 0)
        XCTAssertEqual(try relay.messages().count, 1, "mailed findings are never mailed again")
    }

    func testTempfailedMailIsRetriedByTheNextAuditAndBadSettingsStopBeforeWork() throws {
        var options = SMTPTestServer.Options()
        options.tempfailRecipients = [Self.operators[0]]
        let relay = try relay(options)
        try relay.setTempfailing(true)
        let failed = try audit(relay: relay.address, expect: 3)
        XCTAssertTrue(failed.stderr.contains("451"), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("via relay \(relay.address) failed"), failed.stderr)
        // Nothing new, the relay still says 451: exit 4 (the next audit catches up).
        let still = try audit(relay: relay.address, expect: 4)
        XCTAssertTrue(still.stdout.contains("nothing new found"), still.stdout)
        XCTAssertTrue(still.stderr.contains("451"), still.stderr)
        XCTAssertEqual(try relay.messages().count, 0)
        XCTAssertGreaterThanOrEqual(try relay.attempts().filter { $0.event == "451" }.count, 2)

        try relay.setTempfailing(false)
        let sent = try audit(relay: relay.address, expect: 0)
        XCTAssertTrue(sent.stdout.contains("mailed"), sent.stdout)
        XCTAssertEqual(try relay.messages().count, 1)
        _ = try audit(relay: relay.address, expect: 0)
        XCTAssertEqual(try relay.messages().count, 1)

        // A template that is not there, or --relay without a report section: exit 2, nothing read.
        let text = try String(contentsOf: playbook, encoding: .utf8)
        try text.replacingOccurrences(of: "audit-findings.en.mustache", with: "missing.mustache")
            .write(to: playbook, atomically: true, encoding: .utf8)
        let fleet = try Self.shared.require()
        let other = work.appendingPathComponent("other-state").path
        let missing = try LostmailBinary.run(["audit", "--inventory", fleet.inventory, "--playbook", playbook.path,
                                          "--state-dir", other, "--relay", relay.address])
        XCTAssertEqual(missing.status, 2, "\(missing)")
        XCTAssertTrue(missing.stderr.contains("missing.mustache"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: other + "/journal.sqlite"), "stopped before any work")
        let plain = try LostmailBinary.run(["audit", "--inventory", fleet.inventory, "--playbook",
                                        TestPaths.packageRoot.appendingPathComponent("Playbooks/audit.yml").path,
                                        "--state-dir", other, "--relay", relay.address])
        XCTAssertEqual(plain.status, 2, "\(plain)")
        XCTAssertTrue(plain.stderr.contains("no (enabled) report section"), plain.stderr)
    }
}
