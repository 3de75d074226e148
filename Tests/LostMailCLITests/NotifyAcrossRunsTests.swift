import Foundation
import LostMailTestSupport
import XCTest

/// Nothing sent twice, across runs (issue 10): the journal knows which lost mails each account
/// was told about, so a new `respond` of the same incident tells an account only what is new,
/// `--check` says who would get mail and why, and `audit --respond` notifies like `respond`.
/// Real 2-host fleet, real aiosmtpd relay.
final class NotifyAcrossRunsTests: NotifyTestCase {
    /// The corpus window cut short: about half of every account's lost mails are in it.
    static let narrowUntil = "2026-11-29T05:16:00Z"

    /// `3 lost mails`, `1 lost mail`.
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// Entry lines of the messages `messages` holds for each recipient (one message each).
    private func linesByRecipient(_ messages: [SMTPTestServer.Received],
                                  file: StaticString = #filePath, line: UInt = #line) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for (recipient, got) in Dictionary(grouping: messages, by: \.to) {
            XCTAssertEqual(got.count, 1, "\(recipient): \(got.count) messages in one run", file: file, line: line)
            result[recipient] = NotifyFleet.entryLines(got.first?.body)
        }
        return result
    }

    /// `lines` without one occurrence of each of `told`, in order.
    private func removing(_ told: [String], from lines: [String]) -> [String] {
        var left = Dictionary(told.map { ($0, 1) }, uniquingKeysWith: +)
        return lines.filter { line in
            guard let count = left[line], count > 0 else { return true }
            left[line] = count - 1
            return false
        }
    }

    /// Each recipient's message listed only lines the complete analysis has for it (as a multiset).
    private func assertListedOnlyExpectedLines(_ told: [String: [String]], _ expected: [String: NotifyFleet.Expected],
                                               _ why: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for (recipient, lines) in told {
            let want = try XCTUnwrap(expected[recipient], "unexpected recipient \(recipient)", file: file, line: line)
            XCTAssertEqual(removing(lines, from: want.bodyLines).count, want.bodyLines.count - lines.count,
                           "\(recipient): \(why)", file: file, line: line)
        }
    }

    /// Run the same incident twice: the second run mails nobody and says why, per account.
    func testSecondRespondOfTheSameIncidentSendsNothing() throws {
        let fleet = try self.fleet
        let relay = try startRelay()
        let state = try fleet.fleet.freshStateDir(#function)
        let first = try fleet.respond(state: state, relay: relay)
        XCTAssertEqual(first.status, 0, "\(first)")
        try fleet.assertOneMessagePerAccount(try relay.messages())
        XCTAssertEqual(Set(try relay.messages().map(\.peer_port)).count, 1,
                       "the run's messages share one SMTP connection")

        let second = try fleet.respond(state: state, relay: relay)
        XCTAssertEqual(second.status, 0, "\(second)")
        XCTAssertEqual(try relay.messages().count, 8, "the second run mailed again")
        XCTAssertEqual(try relay.attempts().filter { $0.event == "data" }.count, 8, "the second run sent DATA")
        XCTAssertTrue(second.stdout.contains("run 2: complete"), "\(second)")
        XCTAssertEqual(notifyLines(second, state: "nothing new").count, 8, "\(second)")
        for (recipient, want) in try fleet.expectedMessages() {
            let line = "  notify host\(want.host):\(want.account) <\(recipient)>: nothing new: "
                + "\(Self.count(want.bodyLines.count, "lost mail")) already told in run 1, no mail"
            XCTAssertTrue(second.stdout.split(separator: "\n").contains { $0 == line }, "no '\(line)' in \(second)")
        }
        try fleet.fleet.assertGroundTruth(hosts: [1, 2])
        if let rows = try fleet.fleet.journal(state: state, "SELECT runId || '|' || state FROM notifications") {
            XCTAssertEqual(rows, Array(repeating: "1|accepted", count: 8), "run 2 recorded notifications")
        }
    }

    /// A first run over part of the window, then `--check` and a run over all of it: the check
    /// names what each account would be told and what it was told before; the run sends a
    /// follow-up listing only the new lines; a last `--check` finds nothing new for anyone.
    func testWiderWindowSendsAFollowUpWithOnlyTheNewLines() throws {
        let fleet = try self.fleet
        let relay = try startRelay()
        let state = try fleet.fleet.freshStateDir(#function)
        let narrow = try fleet.respond(state: state, relay: relay, extra: ["--until", Self.narrowUntil])
        XCTAssertEqual(narrow.status, 0, "\(narrow)")
        let before = try relay.messages()
        let told = linesByRecipient(before)
        let expected = try fleet.expectedMessages()
        try assertListedOnlyExpectedLines(told, expected, "the narrow run listed lines the full run does not have")
        let partly = expected.filter { !(told[$0.key] ?? []).isEmpty && told[$0.key]!.count < $0.value.bodyLines.count }
        XCTAssertFalse(partly.isEmpty, "the narrow window should cover part of some account's lost mails: \(told)")

        let check = try fleet.respond(state: state, relay: relay, extra: ["--check"])
        XCTAssertEqual(check.status, 0, "\(check)")
        XCTAssertEqual(try relay.messages().count, before.count, "--check sent mail")
        for (recipient, want) in expected {
            let old = told[recipient]?.count ?? 0
            let new = want.bodyLines.count - old
            let prefix = "  notify host\(want.host):\(want.account) <\(recipient)>: "
            let reason = new == 0 ? "nothing new: \(Self.count(old, "lost mail")) already told in run 1, no mail"
                : "would send: \(Self.count(new, "new lost mail"))" + (old == 0 ? "" : ", \(old) already told in run 1")
            XCTAssertTrue(check.stdout.split(separator: "\n").contains { $0 == prefix + reason },
                          "no '\(prefix + reason)' in \(check)")
        }

        let full = try fleet.respond(state: state, relay: relay)
        XCTAssertEqual(full.status, 0, "\(full)")
        try fleet.fleet.assertGroundTruth(hosts: [1, 2])
        let followUps = linesByRecipient(Array(try relay.messages().dropFirst(before.count)))
        for (recipient, want) in expected {
            let missing = removing(told[recipient] ?? [], from: want.bodyLines)
            XCTAssertEqual(followUps[recipient] ?? [], missing, "\(recipient): the follow-up lists other lines than the new ones")
        }
        for (recipient, want) in partly {
            let old = told[recipient]!.count
            XCTAssertTrue(notifyLines(full, state: "accepted").contains {
                $0.hasPrefix("  notify host\(want.host):\(want.account) <\(recipient)>: accepted")
                    && $0.hasSuffix("(\(Self.count(want.bodyLines.count - old, "new lost mail")), \(old) already told in run 1)")
            }, "\(recipient): the run does not say what was told before: \(full)")
        }

        let again = try fleet.respond(state: state, relay: relay, extra: ["--check"])
        XCTAssertEqual(again.status, 0, "\(again)")
        XCTAssertEqual(notifyLines(again, state: "nothing new").count, 8, "\(again)")
        XCTAssertTrue(notifyLines(again, state: "would send").isEmpty, "\(again)")
        let runs = try XCTUnwrap(notifyLines(again, state: "nothing new").first)
        XCTAssertTrue(runs.contains("already told in run"), runs)
    }

    /// One rotated log of host 2 cannot be read (a directory in its place): the run tells each
    /// account what the readable logs show and leaves host 2 incomplete. Once the file is back,
    /// `resume` finds the rest and sends host 2's accounts a follow-up listing only the lines
    /// their first message did not; host 1's accounts, told everything, get nothing more.
    func testResumedHostThatFindsMoreSendsAFollowUpWithOnlyTheNewLines() throws {
        let fleet = try self.fleet
        let relay = try startRelay()
        let state = try fleet.fleet.freshStateDir(#function)
        let rotated = fleet.fleet.sendDirectory(2).appendingPathComponent("@400000006b0bb55e1bbf3fa4.s")
        let aside = fleet.fleet.sendDirectory(2).appendingPathComponent("aside.keep")
        try FileManager.default.moveItem(at: rotated, to: aside)
        defer {  // the rotation back in place for the next test, whatever happened (once only)
            if FileManager.default.fileExists(atPath: aside.path) {
                try? FileManager.default.removeItem(at: rotated)
                try? FileManager.default.moveItem(at: aside, to: rotated)
            }
        }
        try FileManager.default.createDirectory(at: rotated, withIntermediateDirectories: false)

        let first = try fleet.respond(state: state, relay: relay)
        XCTAssertEqual(first.status, 4, "\(first)")
        XCTAssertTrue(first.stdout.contains("NOT READ: /var/log/qmail/send/\(rotated.lastPathComponent)"), "\(first)")
        let before = try relay.messages()
        let told = linesByRecipient(before)
        let expected = try fleet.expectedMessages()
        try assertListedOnlyExpectedLines(told, expected, "the first message listed lines the complete analysis does not have")
        let shortOnHost2 = expected.filter { $0.value.host == 2 && (told[$0.key]?.count ?? 0) < $0.value.bodyLines.count }
        XCTAssertFalse(shortOnHost2.isEmpty, "hiding the rotated log should hide some of host 2's lost mails: \(told)")

        try FileManager.default.removeItem(at: rotated)
        try FileManager.default.moveItem(at: aside, to: rotated)
        let resumed = try fleet.resume(state: state, relay: relay)
        XCTAssertEqual(resumed.status, 0, "\(resumed)")
        try fleet.fleet.assertGroundTruth(hosts: [1, 2])
        let followUps = linesByRecipient(Array(try relay.messages().dropFirst(before.count)))
        XCTAssertEqual(Set(followUps.keys), Set(shortOnHost2.keys), "follow-ups went to other accounts than those told less")
        for (recipient, want) in expected {
            XCTAssertEqual(followUps[recipient] ?? [], removing(told[recipient] ?? [], from: want.bodyLines),
                           "\(recipient): the follow-up lists other lines than those not told")
        }
        for (recipient, want) in expected where want.host == 1 {
            XCTAssertTrue(resumed.stdout.split(separator: "\n").contains {
                $0.hasPrefix("  notify host1:\(want.account) <\(recipient)>: already sent")
            }, "\(recipient): \(resumed)")
        }
        if let parts = try fleet.fleet.journal(state: state, "SELECT MAX(part) FROM notifications WHERE host = 'host2'") {
            XCTAssertEqual(parts, ["2"], "the follow-ups are the second part of run 1's notifications")
        }
    }

    /// `audit --respond` with an incident playbook that has a notification: the respond run it
    /// opens mails each account it wrote a file for, listing that file's lines.
    func testAuditRespondNotifiesLikeRespond() throws {
        let fleet = try self.fleet
        let relay = try startRelay()
        let incident = try fleet.playbookCopy(named: "audit-respond",
                                              relay: ["host: 127.0.0.1", "port: \(relay.port)", "tls: none"])
        let state = try fleet.fleet.freshStateDir(#function)
        let result = try fleet.lostmail(["audit", "--inventory", fleet.fleet.inventory,
                                         "--playbook", TestPaths.playbook("audit.yml").path, "--state-dir", state,
                                         "--quiet", "--respond", "--respond-playbook", incident])
        XCTAssertEqual(result.status, 3, "\(result)")
        XCTAssertTrue(result.stdout.contains("respond: starting a run for 2 hosts"), "\(result)")
        XCTAssertTrue(result.stdout.contains("run 2: complete"), "\(result)")

        let messages = try relay.messages()
        XCTAssertFalse(messages.isEmpty, "the audit's respond run mailed nobody: \(result)")
        XCTAssertEqual(notifyLines(result, state: "accepted").count, messages.count, "\(result)")
        let byRecipient = linesByRecipient(messages)
        var written = 0
        for host in 1...fleet.fleet.hosts {
            for account in try FileManager.default.contentsOfDirectory(atPath: "\(fleet.fleet.hostDir(host))/home") {
                guard let facts = FileFacts(fleet.fleet.accountFile(host, account)) else { continue }
                written += 1
                let lines = String(decoding: facts.data ?? Data(), as: UTF8.self).split(separator: "\n")
                    .map { NotifyFleet.rendered(String($0)) }
                XCTAssertEqual(byRecipient["\(account)@host\(host)"], lines, "host\(host) \(account): the mail and the file differ")
            }
        }
        XCTAssertEqual(written, messages.count, "one message per account file written")
        XCTAssertTrue(messages.allSatisfy { $0.subject == NotifyFleet.subject && $0.mail_from == "noc@schwarzwald-hosting.de" })

        // An incident playbook that cannot be used stops the audit before any work (exit 2).
        let other = try fleet.fleet.freshStateDir(#function + "-bad")
        let missing = "\(fleet.fleet.dir)/no-such-incident.yml"
        let bad = try fleet.lostmail(["audit", "--inventory", fleet.fleet.inventory,
                                      "--playbook", TestPaths.playbook("audit.yml").path, "--state-dir", other,
                                      "--quiet", "--respond", "--respond-playbook", missing])
        XCTAssertEqual(bad.status, 2, "\(bad)")
        XCTAssertTrue(bad.stderr.contains("no-such-incident.yml"), "\(bad)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(other)/journal.sqlite"), "the audit ran: \(bad)")
    }
}
