import Foundation
import LostMailTestSupport
import XCTest

/// `lostmail respond` telling account owners through a real SMTP relay (issue 5): a plain run
/// and `--check`, asserted from what the relay received.
final class NotifyRunTests: NotifyTestCase {
    /// 1. One message per affected account (4 accounts x 2 hosts), To `<account>@<host>`,
    /// decoded Subject, the body listing exactly that account's lines; journal and `status`
    /// show 8 accepted, with the Message-IDs the relay saw.
    func testRunSendsOneMessagePerAffectedAccount() throws {
        let fleet = try self.fleet
        let relay = try startRelay()
        let state = try fleet.fleet.freshStateDir(#function)
        let run = try fleet.respond(state: state, relay: relay)
        XCTAssertEqual(run.status, 0, "\(run)")
        try fleet.fleet.assertGroundTruth(hosts: [1, 2])

        XCTAssertEqual(relay.maildirCount(), 8, "Maildir")
        let messages = try relay.messages()
        XCTAssertEqual(messages.count, 8)
        try fleet.assertOneMessagePerAccount(messages)
        XCTAssertTrue(messages.allSatisfy { !$0.tls && !$0.authenticated }, "plain relay: no TLS, no AUTH expected")
        XCTAssertEqual(Set(messages.map(\.message_id)).count, 8, "Message-IDs are not unique")
        XCTAssertEqual(notifyLines(run, state: "accepted").count, 8, "\(run)")

        if let states = try fleet.notificationStates(state: state) {
            XCTAssertEqual(states, messages.map { "\($0.to)|accepted" }.sorted())
        }
        if let ids = try fleet.journalMessageIDs(state: state) {
            for message in messages {
                let local = try XCTUnwrap(ids[message.to], "no journal record for \(message.to)")
                XCTAssertTrue(message.message_id.hasPrefix("<\(local)@"), "\(message.to): \(message.message_id) is not the journal's \(local)")
            }
        }
        let status = try fleet.fleet.status(state: state)
        XCTAssertTrue(status.stdout.contains("notifications: 8 accepted"), "\(status)")
        XCTAssertTrue(status.stdout.contains("nothing left to do"), "\(status)")
    }

    /// A relay that is down is said once, in plain words, with how many notifications wait
    /// for `lostmail resume`; not one raw error dump per account.
    func testRelayDownIsSaidOnceInPlainWords() throws {
        let fleet = try self.fleet
        let port = try Self.closedPort()
        let state = try fleet.fleet.freshStateDir(#function)
        let run = try fleet.lostmail(fleet.respondArguments(state: state, relay: nil) + ["--relay", "127.0.0.1:\(port)"])
        XCTAssertEqual(run.status, 4, "\(run)")
        try fleet.fleet.assertGroundTruth(hosts: [1, 2])
        // The exact command, as the run's last line names it (with this test's --state-dir).
        let resume = try XCTUnwrap(SummaryRows.resumeCommand(run), "\(run)")
        XCTAssertTrue(resume.hasPrefix("lostmail resume 1 --state-dir ") && resume.contains(state), resume)
        let said = "  notify: SMTP relay 127.0.0.1:\(port): connection refused; 8 notifications left for `\(resume)`"
        XCTAssertEqual(run.stdout.components(separatedBy: said).count - 1, 1, "\(run)")
        XCTAssertFalse(run.stdout.contains("errno") || run.stdout.contains("SingleConnectionFailure"), "\(run)")
        XCTAssertTrue(notifyLines(run, state: "temporary failure").isEmpty, "one line per account again: \(run)")
        for host in ["host1", "host2"] {
            XCTAssertTrue(run.stdout.contains("    \(host): web1, web2, web3, web4"), "the accounts left are not named: \(run)")
        }
    }

    /// A loopback port nothing listens on (bound, then closed).
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw ProcessFailure(command: "bind 127.0.0.1:0", status: errno, output: "") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The playbook's `rate_per_minute` holds for the whole fleet, not per host: with 7 a
    /// minute, 7 of the 8 messages go at once and the 8th only when the first is 60 s old.
    func testRateLimitIsFleetWide() throws {
        let fleet = try self.fleet
        let relay = try startRelay()
        let playbook = try fleet.playbookCopy(named: "notify-rate", relay: ["host: 127.0.0.1", "port: \(relay.port)", "tls: none"],
                                              ratePerMinute: 7)
        let state = try fleet.fleet.freshStateDir(#function)
        let run = try fleet.respond(state: state, relay: nil, playbook: playbook)
        XCTAssertEqual(run.status, 0, "\(run)")
        try fleet.assertOneMessagePerAccount(try relay.messages())
        let accepted = try relay.attempts().filter { $0.event == "250" }.map(\.at)
        XCTAssertEqual(accepted.count, 8)
        if accepted.count == 8 {
            // Any 60-second window holds at most 7 (a little slack for the relay's own clock reads).
            XCTAssertGreaterThanOrEqual(accepted[7] - accepted[0], 59.5, "8 messages within a minute: \(accepted)")
        }
    }

    /// 6. `--check` renders each message (`    | ` lines with the headers) and sends nothing:
    /// the relay is never given a message and no account file is written.
    func testCheckRendersMessagesAndSendsNothing() throws {
        let fleet = try self.fleet
        let relay = try startRelay()
        let state = try fleet.fleet.freshStateDir(#function)
        let run = try fleet.respond(state: state, relay: relay, extra: ["--check"])
        XCTAssertEqual(run.status, 0, "\(run)")

        XCTAssertEqual(relay.maildirCount(), 0, "--check delivered to the relay")
        XCTAssertEqual(try relay.attempts().count, 0, "--check sent DATA to the relay")
        for host in 1...fleet.fleet.hosts {
            for account in try FileManager.default.contentsOfDirectory(atPath: "\(fleet.fleet.hostDir(host))/home") {
                XCTAssertNil(FileFacts(fleet.fleet.accountFile(host, account)), "--check wrote h\(host) \(account)")
            }
        }

        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.filter { $0 == "    | Subject: \(NotifyFleet.subject)" }.count, 8, "\(run)")
        let expected = try fleet.expectedMessages()
        XCTAssertEqual(notifyLines(run, state: "would send").count, expected.count, "\(run)")
        for (recipient, want) in expected {
            // The message's block: from its `notify` line up to the next one.
            guard let start = lines.firstIndex(where: { $0.hasPrefix("  notify host\(want.host):\(want.account) <\(recipient)>: would send") }) else {
                XCTFail("no rendered message for \(recipient): \(run)")
                continue
            }
            let block = lines[(start + 1)...].prefix { $0.hasPrefix("    | ") }
            XCTAssertFalse(block.isEmpty, "\(recipient): nothing rendered")
            XCTAssertTrue(block.contains { $0.hasPrefix("    | To: ") && $0.contains(recipient) }, "\(recipient): no To header in \(block)")
            XCTAssertTrue(block.contains("    | Subject: \(NotifyFleet.subject)"), "\(recipient): no Subject in \(block)")
            XCTAssertTrue(block.contains { $0.hasPrefix("    | Message-ID: <") }, "\(recipient): no Message-ID in \(block)")
        }
        if FileManager.default.fileExists(atPath: "\(state)/journal.sqlite") {
            XCTAssertEqual(try fleet.notificationStates(state: state) ?? [], [], "--check recorded notifications")
        }
    }
}
