import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest

/// An audit playbook's `report:` section: the operators' mail of the findings.
final class OperatorReportTests: XCTestCase {
    private var scratch: Scratch!

    override func setUpWithError() throws { scratch = try Scratch() }
    override func tearDown() { scratch.remove() }

    /// An audit playbook (lines 1-2) with a report section from line 3 on.
    private func playbook(_ report: String, kind: String = "audit", in folder: String = "") throws -> URL {
        let name = folder.isEmpty ? "pb.yml" : "\(folder)/pb.yml"
        let window = kind == "incident" ? "window: {from: 2026-11-29T05:00, until: 2026-11-29T06:00, timezone: UTC}\n" : ""
        return try scratch.write("name: Audit\nkind: \(kind)\n" + window + "report:\n" + report, to: name)
    }

    /// Lines 4-7.
    private let base = """
      to: [noc@example.org, oncall@example.org]
      from: "LostMail audit <lostmail@example.org>"
      template: templates/audit-findings.en.mustache
      relay: {host: 127.0.0.1, port: 2525, tls: none}

    """

    func testSectionWithDefaultsAndPathsRelativeToThePlaybook() throws {
        let url = try playbook(base, in: "playbooks")
        let report = try XCTUnwrap(try Playbook.load(file: url).report)
        XCTAssertEqual(report.to, ["noc@example.org", "oncall@example.org"])
        XCTAssertEqual(report.from, "LostMail audit <lostmail@example.org>")
        XCTAssertEqual(report.subject, Playbook.OperatorReport.defaultSubject)
        XCTAssertEqual(report.template.path,
                       scratch.folder.appendingPathComponent("playbooks/templates/audit-findings.en.mustache").path)
        XCTAssertEqual(report.relay, Playbook.Relay(host: "127.0.0.1", port: 2525, tls: .none))
        XCTAssertEqual(report.timeZone, .gmt)
        XCTAssertTrue(report.enabled)
        XCTAssertNil(report.sendmail)
        XCTAssertEqual(try Playbook.load(file: url).missingFiles()["report.template"], report.template,
                       "a template that is not there is reported by missingFiles")

        let single = try playbook("""
              to: noc@example.org
              from: lostmail@example.org
              subject: "Audit: Funde"
              template: /etc/lostmail/audit.mustache
              timezone: Europe/Berlin
              sendmail: /usr/sbin/sendmail
              enabled: false

            """)
        let other = try XCTUnwrap(try Playbook.load(file: single).report)
        XCTAssertEqual(other.to, ["noc@example.org"], "one address counts as a list of one")
        XCTAssertEqual(other.subject, "Audit: Funde")
        XCTAssertEqual(other.timeZone.identifier, "Europe/Berlin")
        XCTAssertEqual(other.sendmail?.path, "/usr/sbin/sendmail")
        XCTAssertFalse(other.enabled)
    }

    func testNoSectionMeansNoMail() throws {
        let url = try scratch.write("name: Audit\nkind: audit\n", to: "plain.yml")
        XCTAssertNil(try Playbook.load(file: url).report)
        let shipped = TestPaths.packageRoot.appendingPathComponent("Playbooks/audit.yml")
        XCTAssertNil(try Playbook.load(file: shipped).report, "the shipped audit playbook mails nothing by default")
        // Its commented example is a valid section once uncommented.
        let text = try String(contentsOf: shipped, encoding: .utf8)
        let start = try XCTUnwrap(text.range(of: "# report:\n"))
        let example = text[start.lowerBound...].split(separator: "\n").map { $0.hasPrefix("# ") ? $0.dropFirst(2) : $0 }
        let uncommented = try scratch.write(String(text[..<start.lowerBound]) + example.joined(separator: "\n") + "\n",
                                            to: "audit.yml")
        let report = try XCTUnwrap(try Playbook.load(file: uncommented).report)
        XCTAssertEqual(report.to, ["noc@schwarzwald-hosting.de"])
        XCTAssertEqual(report.relay, Playbook.Relay(host: "127.0.0.1", port: 2525, tls: .none))
        XCTAssertEqual(report.template, scratch.folder.appendingPathComponent("templates/audit-findings.en.mustache"))
        XCTAssertTrue(FileManager.default.fileExists(
            atPath: TestPaths.packageRoot.appendingPathComponent("Playbooks/templates/audit-findings.en.mustache").path))
    }

    func testUnknownKeysAndBadAddressesNameFileLineAndKey() throws {
        let unknown = try playbook(base + "  cc: boss@example.org\n")
        assertConfigError(try Playbook.load(file: unknown), file: unknown, line: 8, key: "report.cc",
                          mentions: "unknown key")
        let badTo = try playbook(base.replacingOccurrences(of: "oncall@example.org", with: "oncall at example"))
        assertConfigError(try Playbook.load(file: badTo), file: badTo, line: 4, key: "report.to[1]",
                          mentions: "not a mail address")
        let named = try playbook(base.replacingOccurrences(of: "[noc@example.org, oncall@example.org]",
                                                          with: "\"NOC <noc@example.org>\""))
        assertConfigError(try Playbook.load(file: named), file: named, line: 4, key: "report.to",
                          mentions: "not a mail address")
        let twice = try playbook(base.replacingOccurrences(of: "oncall@example.org", with: "noc@example.org"))
        assertConfigError(try Playbook.load(file: twice), file: twice, line: 4, key: "report.to[1]",
                          mentions: "twice")
        let empty = try playbook(base.replacingOccurrences(of: "[noc@example.org, oncall@example.org]", with: "[]"))
        assertConfigError(try Playbook.load(file: empty), file: empty, line: 4, key: "report.to",
                          mentions: "at least one")
        let badFrom = try playbook(base.replacingOccurrences(of: "\"LostMail audit <lostmail@example.org>\"",
                                                            with: "lostmail"))
        assertConfigError(try Playbook.load(file: badFrom), file: badFrom, line: 5, key: "report.from",
                          mentions: "sender")
        let newline = try playbook(base + "  subject: \"found\\nBcc: x@example.org\"\n")
        assertConfigError(try Playbook.load(file: newline), file: newline, line: 8, key: "report.subject",
                          mentions: "control characters")
        let zone = try playbook(base + "  timezone: Mars/Olympus\n")
        assertConfigError(try Playbook.load(file: zone), file: zone, line: 8, key: "report.timezone",
                          mentions: "IANA")
    }

    func testRequiredKeysTransportAndKind() throws {
        let noTemplate = try playbook(base.replacingOccurrences(of: "  template: templates/audit-findings.en.mustache\n",
                                                               with: ""))
        assertConfigError(try Playbook.load(file: noTemplate), file: noTemplate, line: 4, key: "report.template",
                          mentions: "required")
        let noTo = try playbook(base.replacingOccurrences(of: "  to: [noc@example.org, oncall@example.org]\n", with: ""))
        assertConfigError(try Playbook.load(file: noTo), file: noTo, line: 4, key: "report.to", mentions: "required")
        let both = try playbook(base + "  sendmail: /usr/sbin/sendmail\n")
        assertConfigError(try Playbook.load(file: both), file: both, line: 8, key: "report.sendmail",
                          mentions: "not both")
        let inline = try playbook(base.replacingOccurrences(
            of: "tls: none}", with: "tls: none, username: lm, password: hunter2}"))
        assertConfigError(try Playbook.load(file: inline), file: inline, line: 7, key: "report.relay.password",
                          mentions: "password_env")
        let plainAuth = try playbook(base.replacingOccurrences(
            of: "tls: none}", with: "tls: none, username: lm, password_env: SMTP_PW}"))
        assertConfigError(try Playbook.load(file: plainAuth), file: plainAuth, line: 7, key: "report.relay.tls",
                          mentions: "unencrypted")
        let badPort = try playbook(base.replacingOccurrences(of: "port: 2525", with: "port: 0"))
        assertConfigError(try Playbook.load(file: badPort), file: badPort, line: 7, key: "report.relay.port",
                          mentions: "TCP port")
        let incident = try playbook(base, kind: "incident")
        assertConfigError(try Playbook.load(file: incident), file: incident, line: 5, key: "report",
                          mentions: "only an audit")
    }
}
