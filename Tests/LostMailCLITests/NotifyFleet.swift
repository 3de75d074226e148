import Foundation
import LostMailTestSupport
import XCTest

/// The fleet the end-to-end notification tests run `lostmail respond`/`resume` against: two
/// sshd hosts on 127.0.82.1-2 in /var/tmp/lostmail-notify-tests (the respond fleet with its
/// own folder and network), plus what the corpus playbook should make the relay receive.
final class NotifyFleet {
    let fleet = SSHTestFleet.respondFleet(dir: "/var/tmp/lostmail-notify-tests", net: "127.0.82", hosts: 2)

    /// The corpus playbook's subject (language `de`).
    static let subject = "Nicht zugestellte E-Mails"

    /// One expected message: its recipient and the entry lines the body must list, in order.
    struct Expected {
        let host: Int
        let account: String
        var recipient: String { "\(account)@host\(host)" }
        let bodyLines: [String]
    }

    /// What an uninterrupted run must send: one message per affected account per host, To =
    /// `{{account}}@{{host}}`, listing that account's expected lines as the template renders them.
    func expectedMessages() throws -> [String: Expected] {
        var result: [String: Expected] = [:]
        for (account, data) in try SSHTestFleet.expectedFiles() {
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map { Self.rendered(String($0)) }
            for host in 1...fleet.hosts {
                let expected = Expected(host: host, account: account, bodyLines: lines)
                result[expected.recipient] = expected
            }
        }
        return result
    }

    /// `Sun Nov 29 06:13:54 2026 from=a@b to=c@d` as the de template lists it.
    static func rendered(_ line: String) -> String {
        guard let from = line.range(of: " from="), let to = line.range(of: " to=") else { return line }
        return "  \(line[..<from.lowerBound])  von \(line[from.upperBound..<to.lowerBound])  an \(line[to.upperBound...])"
    }

    /// The entry lines of a received body (the template's `  <time>  von <from>  an <to>` lines).
    static func entryLines(_ body: String?) -> [String] {
        (body ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { $0.hasPrefix("  ") && $0.contains("  von ") && $0.contains("  an ") }
    }

    /// Asserts that `messages` are exactly one well-formed message per expected recipient.
    func assertOneMessagePerAccount(_ messages: [SMTPTestServer.Received], except skipped: Set<String> = [],
                                    file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try expectedMessages().filter { !skipped.contains($0.key) }
        XCTAssertEqual(expected.count, 8 - skipped.count, "the corpus should affect 4 accounts on each of 2 hosts", file: file, line: line)
        let byRecipient = Dictionary(grouping: messages, by: \.to)
        XCTAssertEqual(Set(byRecipient.keys), Set(expected.keys), "recipients (To) differ", file: file, line: line)
        for (recipient, want) in expected {
            let got = byRecipient[recipient] ?? []
            XCTAssertEqual(got.count, 1, "\(recipient): \(got.count) messages", file: file, line: line)
            guard let message = got.first else { continue }
            XCTAssertEqual(message.rcpt_tos, [recipient], "\(recipient): envelope recipients", file: file, line: line)
            XCTAssertEqual(message.mail_from, "noc@schwarzwald-hosting.de", "\(recipient): envelope sender", file: file, line: line)
            XCTAssertEqual(message.subject, Self.subject, "\(recipient): subject", file: file, line: line)
            XCTAssertEqual(Self.entryLines(message.body), want.bodyLines, "\(recipient): listed lines", file: file, line: line)
            XCTAssertTrue(message.body?.contains("Ihr Account \(want.account) betroffen") ?? false,
                          "\(recipient): body does not name the account", file: file, line: line)
            XCTAssertTrue(message.body?.contains("Mailserver host\(want.host) ") ?? false,
                          "\(recipient): body does not name the host", file: file, line: line)
        }
    }

    // MARK: Running lostmail

    /// Runs `lostmail` to completion with `environment` added to (nil values: removed from) ours.
    func lostmail(_ arguments: [String], environment: [String: String?] = [:]) throws -> ProcessResult {
        try LostmailBinary.run(arguments, environment: environment)
    }

    func respond(state: String, relay: SMTPTestServer?, playbook: String = SSHTestFleet.playbook,
                 extra: [String] = [], environment: [String: String?] = [:]) throws -> ProcessResult {
        try lostmail(respondArguments(state: state, relay: relay, playbook: playbook) + extra, environment: environment)
    }

    func respondArguments(state: String, relay: SMTPTestServer?, playbook: String = SSHTestFleet.playbook) -> [String] {
        ["respond", "--inventory", fleet.inventory, "--playbook", playbook, "--state-dir", state]
            + (relay.map { ["--relay", $0.address] } ?? [])
    }

    func resume(state: String, relay: SMTPTestServer?, environment: [String: String?] = [:]) throws -> ProcessResult {
        try lostmail(["resume", "--state-dir", state] + (relay.map { ["--relay", $0.address] } ?? []), environment: environment)
    }

    /// Notification states in the journal, `recipient|state`, sorted (nil without sqlite3).
    func notificationStates(state: String) throws -> [String]? {
        try fleet.journal(state: state, "SELECT recipient || '|' || state FROM notifications ORDER BY recipient")
    }

    /// Message-IDs the journal recorded, by recipient (nil without sqlite3).
    func journalMessageIDs(state: String) throws -> [String: String]? {
        guard let rows = try fleet.journal(state: state, "SELECT recipient || '|' || messageId FROM notifications") else { return nil }
        var result: [String: String] = [:]
        for row in rows {
            let parts = row.split(separator: "|", maxSplits: 1).map(String.init)
            if parts.count == 2 { result[parts[0]] = parts[1] }
        }
        return result
    }

    /// Starts `lostmail` in the background, its output going to files.
    func start(_ arguments: [String], environment: [String: String?] = [:]) throws -> RunningProcess {
        try LostmailBinary.start(arguments, environment: environment)
    }

    /// Waits (polling, bounded by `limit` seconds so a broken run cannot hang the suite) until
    /// `condition` holds; returns whether it did.
    static func wait(upTo limit: Double = 300, until condition: () throws -> Bool) rethrows -> Bool {
        let end = Date().addingTimeInterval(limit)
        while Date() < end {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }

    /// A copy of the corpus playbook in the fleet's folder: templates by absolute path, the
    /// relay section replaced by `relay` (YAML lines under `relay:`), the given rate limit.
    func playbookCopy(named name: String, relay: [String], ratePerMinute: Int = 600) throws -> String {
        var text = try String(contentsOfFile: SSHTestFleet.playbook, encoding: .utf8)
        let templates = TestPaths.packageRoot.appendingPathComponent("Playbooks/templates").path
        text = text.replacingOccurrences(of: " templates/", with: " \(templates)/")
        let original = "  relay:\n    host: 127.0.0.1\n    port: 2525\n    tls: none\n"
        guard text.contains(original) else {
            throw ProcessFailure(command: "playbook copy", status: -1, output: "the corpus playbook's relay section changed")
        }
        text = text.replacingOccurrences(of: original, with: "  relay:\n" + relay.map { "    \($0)\n" }.joined())
        text = text.replacingOccurrences(of: "  rate_per_minute: 600\n", with: "  rate_per_minute: \(ratePerMinute)\n")
        let path = "\(fleet.dir)/\(name).yml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
