import Foundation
import XCTest
import LostMailConfig

/// The notification section: paths, recipients, relay and its password rules.
final class NotificationTests: XCTestCase {
    private var scratch: Scratch!

    override func setUpWithError() throws { scratch = try Scratch() }
    override func tearDown() { scratch.remove() }

    /// An audit playbook (lines 1-2) with a notification section from line 3 on.
    private func playbook(_ notification: String, in folder: String = "") throws -> URL {
        let name = folder.isEmpty ? "pb.yml" : "\(folder)/pb.yml"
        return try scratch.write("name: Audit\nkind: audit\nnotification:\n" + notification, to: name)
    }

    private let base = """
      templates:
        de: templates/x.de.mustache
        en: ../shared/x.en.mustache
      from: "NOC <noc@example.org>"
      subject: {de: "Verlorene E-Mails – Übersicht", en: Lost mails}
      recipient:
        address_template: "{{account}}@{{host}}"

    """

    func testRelativeTemplatePathsResolveAgainstThePlaybookFolder() throws {
        let url = try playbook(base, in: "playbooks")
        let notification = try XCTUnwrap(try Playbook.load(file: url).notification)
        let folder = scratch.folder.appendingPathComponent("playbooks")
        XCTAssertEqual(notification.templates["de"]?.path, folder.appendingPathComponent("templates/x.de.mustache").path)
        XCTAssertEqual(notification.templates["en"]?.path, scratch.folder.appendingPathComponent("shared/x.en.mustache").path)
        XCTAssertEqual(notification.language, "de")
        XCTAssertTrue(notification.enabled)
        XCTAssertEqual(notification.subject["de"], "Verlorene E-Mails – Übersicht")
        XCTAssertNil(notification.relay)
    }

    /// `inline_entries`: how many lost mails a message lists in its text; default 50, strictly checked.
    func testInlineEntriesDefaultAndRange() throws {
        XCTAssertEqual(try Playbook.load(file: try playbook(base)).notification?.inlineEntries, 50)
        let set = try playbook(base + "  inline_entries: 7\n")
        XCTAssertEqual(try Playbook.load(file: set).notification?.inlineEntries, 7)
        for (bad, why) in [("0", "between 1 and 100000"), ("-3", "between 1 and 100000"), ("100001", "between 1 and 100000"),
                           ("many", "whole number"), ("2.5", "whole number")] {
            let url = try playbook(base + "  inline_entries: \(bad)\n")
            assertConfigError(try Playbook.load(file: url), file: url, line: 11, key: "notification.inline_entries",
                              mentions: why)
        }
    }

    func testInlinePasswordIsRefused() throws {
        let url = try playbook(base + "  relay:\n    host: 127.0.0.1\n    username: u\n    password: hunter2\n")
        assertConfigError(try Playbook.load(file: url), file: url, line: 14,
                          key: "notification.relay.password", mentions: "password_env")
    }

    func testRelayDefaultsAndPasswordSources() throws {
        let env = try playbook(base + "  relay:\n    host: relay.example.org\n    tls: implicit\n"
                               + "    username: lm\n    password_env: SMTP_PW\n  rate_per_minute: 30\n")
        let relay = try XCTUnwrap(try Playbook.load(file: env).notification?.relay)
        XCTAssertEqual(relay.port, 465)
        XCTAssertEqual(relay.tls, .implicit)
        XCTAssertEqual(relay.password, .environment("SMTP_PW"))
        XCTAssertEqual(relay.timeout, 30)
        let file = try playbook(base + "  relay:\n    host: 127.0.0.1\n    port: 2525\n    tls: starttls-required\n"
                                + "    username: lm\n    password_file: secrets/smtp\n")
        let fileRelay = try XCTUnwrap(try Playbook.load(file: file).notification?.relay)
        XCTAssertEqual(fileRelay.port, 2525)
        XCTAssertEqual(fileRelay.password, .file(scratch.folder.appendingPathComponent("secrets/smtp")))
        let lonely = try playbook(base + "  relay:\n    host: 127.0.0.1\n    username: lm\n")
        assertConfigError(try Playbook.load(file: lonely), file: lonely, line: 13,
                          key: "notification.relay.username", mentions: "password_env")
        let badTLS = try playbook(base + "  relay:\n    host: 127.0.0.1\n    tls: ssl\n")
        assertConfigError(try Playbook.load(file: badTLS), file: badTLS, line: 13,
                          key: "notification.relay.tls", mentions: "starttls-required")
    }

    /// SMTP AUTH over plain SMTP would send the password in clear: refused on load, naming the
    /// file, line and key; without credentials plain SMTP stays allowed.
    func testCredentialsOverPlainSMTPAreRefusedOnLoad() throws {
        for source in ["password_env: SMTP_PW", "password_file: secrets/smtp"] {
            let url = try playbook(base + "  relay:\n    host: 127.0.0.1\n    port: 2525\n    tls: none\n"
                                   + "    username: lm\n    \(source)\n")
            assertConfigError(try Playbook.load(file: url), file: url, line: 14,
                              key: "notification.relay.tls", mentions: "unencrypted")
        }
        let plain = try playbook(base + "  relay:\n    host: 127.0.0.1\n    port: 2525\n    tls: none\n")
        XCTAssertEqual(try Playbook.load(file: plain).notification?.relay?.tls, Playbook.Relay.TLSMode.none)
    }

    func testRecipientRules() throws {
        let mapping = base.replacingOccurrences(of: "address_template: \"{{account}}@{{host}}\"",
                                                with: "mapping_file: owners.tsv")
        let notification = try Playbook.load(file: try playbook(mapping)).notification
        XCTAssertEqual(notification?.recipient, .mappingFile(scratch.folder.appendingPathComponent("owners.tsv")))
        let unknown = base.replacingOccurrences(of: "{{host}}", with: "{{hostname}}")
        let url = try playbook(unknown)
        assertConfigError(try Playbook.load(file: url), file: url, line: 10,
                          key: "notification.recipient.address_template", mentions: "placeholder")
        let both = base + "  recipient_extra: 1\n"
        let bothURL = try playbook(both)
        assertConfigError(try Playbook.load(file: bothURL), file: bothURL, line: 11,
                          key: "notification.recipient_extra", mentions: "unknown key")
    }

    func testSubjectPerLanguageAndLanguageChoice() throws {
        let missing = base.replacingOccurrences(of: ", en: Lost mails", with: "")
        let url = try playbook(missing)
        assertConfigError(try Playbook.load(file: url), file: url, line: 8,
                          key: "notification.subject.en", mentions: "missing")
        let badLanguage = try playbook(base + "  language: fr\n")
        assertConfigError(try Playbook.load(file: badLanguage), file: badLanguage, line: 11,
                          key: "notification.language", mentions: "no template")
        let newline = try playbook(base.replacingOccurrences(of: "en: Lost mails", with: "en: \"Lost\\nmails\""))
        assertConfigError(try Playbook.load(file: newline), file: newline, line: 8,
                          key: "notification.subject.en", mentions: "control")
    }

    func testSenderAndTransportChoices() throws {
        let bad = try playbook(base.replacingOccurrences(of: "\"NOC <noc@example.org>\"", with: "noc"))
        assertConfigError(try Playbook.load(file: bad), file: bad, line: 7,
                          key: "notification.from", mentions: "sender")
        let both = try playbook(base + "  relay: {host: 127.0.0.1}\n  sendmail: /usr/sbin/sendmail\n")
        assertConfigError(try Playbook.load(file: both), file: both, line: 12,
                          key: "notification.sendmail", mentions: "not both")
        let sendmail = try playbook(base + "  sendmail: /usr/sbin/sendmail\n  enabled: false\n")
        let notification = try Playbook.load(file: sendmail).notification
        XCTAssertEqual(notification?.sendmail?.path, "/usr/sbin/sendmail")
        XCTAssertEqual(notification?.enabled, false)
    }
}
