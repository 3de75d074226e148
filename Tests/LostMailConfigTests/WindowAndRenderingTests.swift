import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest

/// Command-line windows, daylight saving, duplicate keys and the rendered error text.
final class WindowAndRenderingTests: XCTestCase {
    private var scratch: Scratch!

    override func setUpWithError() throws { scratch = try Scratch() }
    override func tearDown() { scratch.remove() }

    func testCommandLineWindow() throws {
        let window = try Playbook.Window.parse(from: "2020-10-25T02:30", until: "2020-10-25 04:00:00",
                                               timeZone: "Europe/Berlin")
        XCTAssertEqual(window.until, Date(timeIntervalSince1970: 1_603_594_800)) // 03:00 UTC (CET)
        XCTAssertTrue(window.contains(window.from))
        XCTAssertFalse(window.contains(window.until))
        XCTAssertThrowsError(try Playbook.Window.parse(from: "2020-10-25T02:30", until: "x", timeZone: "UTC")) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "--until")
        }
        XCTAssertThrowsError(try Playbook.Window.parse(from: "2020-10-25T02:30", until: "2020-10-26T00:00",
                                                       timeZone: "Mars/Olympus")) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "--timezone")
        }
    }

    func testSummerTimeWindowInBerlin() throws {
        // 26 May 2020 is CEST (UTC+2); 29 Nov is CET (UTC+1).
        let summer = try Playbook.Window.parse(from: "2020-05-26T13:40", until: "2020-05-26T16:04",
                                               timeZone: "Europe/Berlin")
        XCTAssertEqual(summer.from, Date(timeIntervalSince1970: 1_590_493_200))
        let winter = try Playbook.Window.parse(from: "2026-11-29T06:13:54", until: "2026-11-29T06:18:55",
                                               timeZone: "Europe/Berlin")
        XCTAssertEqual(winter.until.timeIntervalSince(winter.from), 301)
        let utc = try Playbook.Window.parse(from: "2026-11-29T05:13:54Z", until: "2026-11-29T05:18:55Z",
                                            timeZone: "Europe/Berlin")
        XCTAssertEqual(winter, utc)
    }

    func testRenderedErrorHasFileLineColumnAndKey() throws {
        let url = try scratch.write("all:\n  children:\n    mx:\n      vars:\n        ansible_port: abc\n",
                                    to: "render.yml")
        XCTAssertThrowsError(try Inventory.load(file: url)) { error in
            XCTAssertEqual("\(error)", "\(url.relativePath):5:23: all.children.mx.vars.ansible_port: "
                           + "'abc' is not a TCP port (1-65535)")
        }
    }

    func testDuplicateKeyIsAnError() throws {
        let url = try scratch.write("name: A\nkind: audit\nname: B\n", to: "dup.yml")
        assertConfigError(try Playbook.load(file: url), file: url, line: 1, key: "name", mentions: "more than once")
    }

    func testGroupPriorityOrdersGroupsOfTheSameDepth() throws {
        let url = try scratch.write("""
        all:
          children:
            b_low:
              vars: {ansible_user: from_b}
              hosts: {h: }
            a_high:
              vars: {ansible_user: from_a, ansible_group_priority: 10}
              hosts: {h: }
        """, to: "priority.yml")
        XCTAssertEqual(try Inventory.load(file: url).allHosts.first?.user, "from_a")
    }

    func testMissingFilesAreListed() throws {
        let url = try scratch.write("""
        name: A
        kind: audit
        notification:
          templates: {en: t.mustache}
          from: a@example.org
          subject: {en: S}
          recipient: {mapping_file: owners.tsv}
        """, to: "files.yml")
        _ = try scratch.write("{{account}}", to: "t.mustache")
        let missing = try Playbook.load(file: url).missingFiles()
        XCTAssertEqual(Array(missing.keys), ["notification.recipient.mapping_file"])
    }
}

/// Command-line overrides of the playbook's window and relay.
final class OverrideTests: XCTestCase {
    func testWindowOverrideKeepsMissingParts() throws {
        let playbook = try Playbook.load(file: TestPaths.packageRoot.appendingPathComponent("Playbooks/lost-mails.yml"))
        let later = try playbook.withWindow(from: "2020-05-26T15:00", until: nil, timeZone: nil)
        XCTAssertEqual(later.window?.from, Date(timeIntervalSince1970: 1_590_498_000)) // 13:00 UTC
        XCTAssertEqual(later.window?.until, playbook.window?.until)
        XCTAssertEqual(try playbook.withWindow(from: nil, until: nil, timeZone: nil), playbook)
        XCTAssertThrowsError(try playbook.withWindow(from: "2020-05-26T17:00", until: nil, timeZone: nil)) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "--until")
        }
        let audit = try Playbook.load(file: TestPaths.packageRoot.appendingPathComponent("Playbooks/audit.yml"))
        XCTAssertThrowsError(try audit.withWindow(from: "2020-05-26T15:00", until: nil, timeZone: nil))
    }

    func testRelayOverride() throws {
        let plain = try Playbook.Relay.commandLineOverride("127.0.0.1:2525", base: nil)
        XCTAssertEqual(plain, Playbook.Relay(host: "127.0.0.1", port: 2525, tls: .none))
        let base = Playbook.Relay(host: "relay.example.org", port: 587, tls: .starttlsRequired,
                                  username: "u", password: .environment("PW"))
        let kept = try Playbook.Relay.commandLineOverride("[::1]:2526", base: base)
        XCTAssertEqual(kept.host, "::1")
        XCTAssertEqual(kept.port, 2526)
        XCTAssertEqual(kept.tls, .starttlsRequired)
        XCTAssertEqual(kept.password, .environment("PW"))
        for bad in ["127.0.0.1", "host:0", ":25", "::1:25", "a b:25"] {
            XCTAssertThrowsError(try Playbook.Relay.commandLineOverride(bad, base: nil), bad)
        }
    }
}
