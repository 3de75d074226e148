import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// The audit's mail to the operators without a relay: the journal's bookkeeping (pending until
/// accepted, never twice), the digest's grouping and the shipped template's text.
final class AuditMailTests: XCTestCase {
    private var dir: TempDir!

    override func setUpWithError() throws { dir = try TempDir("audit-mail") }
    override func tearDown() { dir.remove() }

    private func finding(_ host: String, _ signature: String, offset: Int64, time: TimeInterval,
                         file: String = "/var/log/qmail/send/current") -> AuditFinding {
        AuditFinding(host: host, signature: signature, kind: .delivery,
                     logTime: Date(timeIntervalSince1970: time), file: file, identity: "id-\(host)",
                     offset: offset, line: "@4000 delivery \(offset): failure: Unable_to_run_qmail-remote./")
    }

    func testFindingsStayPendingUntilAMessageIsAcceptedAndAreNeverListedTwice() throws {
        let journal = try Journal(stateDirectory: dir.url)
        XCTAssertTrue(try journal.appliedMigrations().contains("v3"))
        let first = try XCTUnwrap(journal.beginRun(RunRecord(kind: .audit)).id)
        let a = finding("h1", "qmail-remote could not run", offset: 10, time: 1_000)
        let b = finding("h1", "qmail-remote could not run", offset: 20, time: 2_000)
        _ = try journal.commitAudit(run: first, host: "h1", state: AuditHostState(), cursors: [:], findings: [a, b],
                                    toMail: true)
        let silent = finding("h2", "x", offset: 1, time: 500)
        _ = try journal.commitAudit(run: first, host: "h2", state: AuditHostState(), cursors: [:], findings: [silent])
        XCTAssertEqual(try journal.findingsToMail().map(\.finding), [a, b], "found without a report: never mailed")

        // A message that failed leaves both pending.
        let failed = try journal.beginFindingMail(run: first, messageId: "m1", recipients: ["noc@example.org"],
                                                  findings: 2)
        try journal.markFindingMailFailed(failed, reason: "connection refused")
        XCTAssertEqual(try journal.findingsToMail().count, 2)

        // The next audit finds one more; its message lists all three; once accepted none is pending.
        let second = try XCTUnwrap(journal.beginRun(RunRecord(kind: .audit)).id)
        let c = finding("h1", "qmail-remote could not run", offset: 30, time: 3_000)
        _ = try journal.commitAudit(run: second, host: "h1", state: AuditHostState(), cursors: [:],
                                    findings: [a, b, c], toMail: true)
        let pending = try journal.findingsToMail()
        XCTAssertEqual(pending.map(\.finding), [a, b, c], "a and b are not recorded twice")
        XCTAssertEqual(pending.map(\.run), [first, first, second])
        let accepted = try journal.beginFindingMail(run: second, messageId: "m2", recipients: ["noc@example.org"],
                                                    findings: 3)
        try journal.markFindingMailAccepted(accepted, findings: pending.map(\.id), relayReply: "250 queued")
        XCTAssertEqual(try journal.findingsToMail(), [])
        XCTAssertEqual(try journal.findingMails().map(\.state), [.failed, .accepted])
        XCTAssertEqual(try journal.findingMails().map(\.relayReply), ["connection refused", "250 queued"])

        // The same lines seen again (e.g. a re-read) are no new findings and are not mailed again.
        XCTAssertEqual(try journal.commitAudit(run: second, host: "h1", state: AuditHostState(), cursors: [:],
                                               findings: [c], toMail: true), [])
        XCTAssertEqual(try journal.findingsToMail(), [])
    }

    func testDigestGroupsPerHostAndSignatureAndTheShippedTemplateShowsIt() throws {
        let pending = [
            PendingFinding(id: 1, run: 1, finding: finding("host1", "qmail-remote could not run", offset: 10,
                                                           time: 1_795_929_234, file: "/var/log/qmail/send/@400.s")),
            PendingFinding(id: 2, run: 2, finding: finding("host1", "qmail-remote could not run", offset: 20,
                                                           time: 1_795_929_534)),
            PendingFinding(id: 3, run: 2, finding: finding("host1", "triple bounce discarded", offset: 30,
                                                           time: 1_795_929_300)),
            PendingFinding(id: 4, run: 2, finding: finding("host2", "qmail-remote could not run", offset: 5,
                                                           time: 1_795_929_400)),
        ]
        let digest = FindingsDigest(run: 2, runTime: Date(timeIntervalSince1970: 1_795_930_000), timeZone: .gmt,
                                    pending: pending, inventories: [URL(fileURLWithPath: "/etc/lostmail/inventory.yml")],
                                    respondPlaybook: URL(fileURLWithPath: "/etc/lostmail/lost-mails.yml"))
        XCTAssertEqual(digest.hosts.map(\.host), ["host1", "host2"])
        XCTAssertEqual(digest.hosts[0].groups.map(\.count), [2, 1])
        XCTAssertEqual(digest.hosts[0].groups[0].files, ["/var/log/qmail/send/@400.s", "/var/log/qmail/send/current"])
        XCTAssertEqual(digest.earlierCount, 1)
        XCTAssertEqual(digest.respondCommand,
                       "lostmail respond --inventory /etc/lostmail/inventory.yml --playbook /etc/lostmail/lost-mails.yml "
                       + "--from 2026-11-29T05:13:54Z --until 2026-11-29T05:18:55Z --limit host1,host2")

        let template = TestPaths.packageRoot.appendingPathComponent("Playbooks/templates/audit-findings.en.mustache")
        let book = Playbook(file: URL(fileURLWithPath: "/etc/lostmail/audit.yml"), name: "a", kind: .audit, window: nil,
                            signatures: [], report: Playbook.OperatorReport(
                                to: ["noc@example.org"], from: "Audit <lostmail@example.org>", template: template,
                                relay: Playbook.Relay(host: "127.0.0.1", port: 2525)))
        let setup = try XCTUnwrap(try FindingsMailSetup.make(playbook: book, relayOverride: nil))
        XCTAssertEqual(setup.via, "relay 127.0.0.1:2525")
        let message = try setup.compose(digest, messageIDLocalPart: "lostmail.audit.2.x", date: digest.runTime)
        let body = message.body
        for expected in ["LostMail audit run 2 at 2026-11-29 05:26:40 (GMT)\nfound 4 lost-mail finding(s) on 2 host(s).",
                         "1 of them were found by earlier audits",
                         "Host host1: 3 finding(s)", "  - qmail-remote could not run: 2",
                         "first 2026-11-29 05:13:54, last 2026-11-29 05:18:54",
                         "log file: /var/log/qmail/send/@400.s, /var/log/qmail/send/current",
                         "  - triple bounce discarded: 1", "Host host2: 1 finding(s)",
                         "  " + digest.respondCommand!] {
            XCTAssertTrue(body.contains(expected), "body lacks '\(expected)':\n\(body)")
        }
        XCTAssertEqual(message.subject, Playbook.OperatorReport.defaultSubject)
        XCTAssertEqual(message.messageID, "<lostmail.audit.2.x@example.org>")

        // --relay replaces the section's relay; a section without relay or sendmail needs it.
        XCTAssertEqual(try FindingsMailSetup.make(playbook: book, relayOverride: "127.0.0.1:2600")?.via,
                       "relay 127.0.0.1:2600")
        var bare = book
        bare.report?.relay = nil
        XCTAssertThrowsError(try FindingsMailSetup.make(playbook: bare, relayOverride: nil)) { error in
            XCTAssertTrue(String(describing: error).contains("report: has neither relay nor sendmail"), "\(error)")
        }
        var missing = book
        missing.report?.template = dir.url.appendingPathComponent("none.mustache")
        XCTAssertThrowsError(try FindingsMailSetup.make(playbook: missing, relayOverride: nil)) { error in
            XCTAssertTrue(String(describing: error).contains("none.mustache"), "\(error)")
        }
        bare.report?.enabled = false
        XCTAssertNil(try FindingsMailSetup.make(playbook: bare, relayOverride: nil), "a disabled section sends nothing")
    }
}
