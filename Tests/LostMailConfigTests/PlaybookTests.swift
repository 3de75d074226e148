import Foundation
import XCTest
import LostMailConfig

/// Strict playbook validation: each error names file, line and key path.
final class PlaybookTests: XCTestCase {
    private var scratch: Scratch!

    override func setUpWithError() throws { scratch = try Scratch() }
    override func tearDown() { scratch.remove() }

    /// A valid incident playbook; `window` and `extra` replace or add lines (line 5 on).
    private func incident(window: String = """
        window:
          from: 2020-05-26 13:40
          until: 2020-05-26T16:04:00
          timezone: Europe/Berlin
        """, extra: String = "") -> String {
        "# test playbook\nname: Test\nkind: incident\nhosts: [mx, web]\n" + window + "\n" + extra
    }

    private func write(_ text: String, _ name: String = "pb.yml") throws -> URL {
        try scratch.write(text, to: name)
    }

    func testMinimalIncidentGetsDefaults() throws {
        let playbook = try Playbook.load(file: try write(incident()))
        XCTAssertEqual(playbook.hosts, "mx,web")
        XCTAssertEqual(playbook.logs.multilog, ["/var/log/qmail/send"])
        XCTAssertEqual(playbook.logs.logTimeZone.identifier, "GMT")
        XCTAssertEqual(playbook.signatures, [.unableToRunQmailRemote])
        XCTAssertEqual(playbook.accounts, .standard)
        XCTAssertEqual(playbook.output, .standard)
        XCTAssertNil(playbook.notification)
        let window = try XCTUnwrap(playbook.window)
        XCTAssertEqual(window.until.timeIntervalSince(window.from), (2 * 60 + 24) * 60)
        XCTAssertEqual(window.from, Date(timeIntervalSince1970: 1_590_493_200)) // 11:40 UTC
    }

    func testTimesWithOffsetIgnoreTheZoneForParsing() throws {
        let playbook = try Playbook.load(file: try write(incident(window: """
        window:
          from: 2020-05-26T11:40:00Z
          until: "2020-05-26T16:04:00.5+02:00"
          timezone: America/New_York
        """)))
        XCTAssertEqual(playbook.window?.from, Date(timeIntervalSince1970: 1_590_493_200))
        XCTAssertEqual(playbook.window?.until, Date(timeIntervalSince1970: 1_590_501_840.5))
        XCTAssertEqual(playbook.displayTimeZone.identifier, "America/New_York")
    }

    func testUnknownKeyAtTopAndNested() throws {
        let top = try write(incident(extra: "color: blue\n"))
        assertConfigError(try Playbook.load(file: top), file: top, line: 9, key: "color", mentions: "unknown key")
        let nested = try write(incident(window: """
        window:
          from: 2020-05-26 13:40
          untill: 2020-05-26T16:04:00
          timezone: Europe/Berlin
        """))
        assertConfigError(try Playbook.load(file: nested), file: nested, line: 7,
                          key: "window.untill", mentions: "unknown key")
    }

    func testBadTimes() throws {
        for bad in ["2020-05-26 25:00", "2020-02-30T10:00", "yesterday", "2020-05-26", "2020-05-26T13:40+2"] {
            let url = try write(incident(window: """
            window:
              from: 2020-05-26 13:40
              until: "\(bad)"
              timezone: Europe/Berlin
            """))
            assertConfigError(try Playbook.load(file: url), file: url, line: 7, key: "window.until", mentions: bad)
        }
        let reversed = try write(incident(window: """
        window:
          from: 2020-05-26 13:40
          until: 2020-05-26 13:40
          timezone: Europe/Berlin
        """))
        assertConfigError(try Playbook.load(file: reversed), file: reversed, line: 7,
                          key: "window.until", mentions: "later")
    }

    func testBadTimeZone() throws {
        let url = try write(incident(window: """
        window:
          from: 2020-05-26 13:40
          until: 2020-05-26 16:04
          timezone: Europe/Freiburg
        """))
        assertConfigError(try Playbook.load(file: url), file: url, line: 8,
                          key: "window.timezone", mentions: "IANA")
        let abbreviation = try write(incident(extra: "logs:\n  log_timezone: CEST\n"))
        assertConfigError(try Playbook.load(file: abbreviation), file: abbreviation, line: 10,
                          key: "logs.log_timezone", mentions: "IANA")
    }

    func testMissingWindowAndMissingFields() throws {
        let noWindow = try write("name: Test\nkind: incident\n")
        assertConfigError(try Playbook.load(file: noWindow), file: noWindow, line: 1,
                          key: "window", mentions: "missing")
        let noZone = try write(incident(window: "window:\n  from: 2020-05-26 13:40\n  until: 2020-05-26 16:04"))
        assertConfigError(try Playbook.load(file: noZone), file: noZone, line: 6,
                          key: "window.timezone", mentions: "missing")
        let noKind = try write("name: Test\n")
        assertConfigError(try Playbook.load(file: noKind), file: noKind, line: 1, key: "kind", mentions: "missing")
        let auditWithWindow = try write(incident().replacingOccurrences(of: "kind: incident", with: "kind: audit"))
        assertConfigError(try Playbook.load(file: auditWithWindow), file: auditWithWindow, line: 6,
                          key: "window", mentions: "audit")
    }

    func testWrongTypes() throws {
        let list = try write(incident(extra: "output:\n  path: [a, b]\n"))
        assertConfigError(try Playbook.load(file: list), file: list, line: 10, key: "output.path", mentions: "text")
        let scalar = try write(incident(extra: "accounts: /etc/passwd\n"))
        assertConfigError(try Playbook.load(file: scalar), file: scalar, line: 9, key: "accounts", mentions: "mapping")
        let signature = try write(incident(extra: "signatures:\n  - name: x\n    result: lost\n    contains: y\n"))
        assertConfigError(try Playbook.load(file: signature), file: signature, line: 11,
                          key: "signatures[0].result", mentions: "delivery result")
    }

    func testModeParsing() throws {
        for (written, expected) in [("0600", 0o600), ("600", 0o600), ("\"0640\"", 0o640), ("0o644", 0o644)] {
            let url = try write(incident(extra: "output:\n  path: ~/logs/lost.log\n  mode: \(written)\n"))
            XCTAssertEqual(try Playbook.load(file: url).output.mode, expected, written)
        }
        for (written, mentions) in [("384", "octal"), ("4600", "setuid"), ("0400", "read and write"),
                                    ("0666", "world-writable"), ("rw", "octal")] {
            let url = try write(incident(extra: "output:\n  mode: \(written)\n"))
            assertConfigError(try Playbook.load(file: url), file: url, line: 10, key: "output.mode", mentions: mentions)
        }
    }

    func testOutputPathRules() throws {
        for bad in ["/home/x/lost.log", "~/../root/x", "logs/x", "~/logs/", "~/a//b"] {
            let url = try write(incident(extra: "output:\n  path: \"\(bad)\"\n"))
            assertConfigError(try Playbook.load(file: url), file: url, line: 10, key: "output.path", mentions: bad)
        }
    }
}
