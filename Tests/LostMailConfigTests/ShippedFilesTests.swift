import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest

/// Every inventory and playbook shipped in the repository loads and says what it should.
final class ShippedFilesTests: XCTestCase {
    func testEveryShippedFileLoads() throws {
        let fm = FileManager.default
        var loaded = 0
        for folder in ["Inventory", "Playbooks"] {
            let dir = TestPaths.packageRoot.appendingPathComponent(folder)
            for name in try fm.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".yml") {
                let url = dir.appendingPathComponent(name)
                if folder == "Inventory" {
                    XCTAssertFalse(try Inventory.load(file: url).allHosts.isEmpty, name)
                } else {
                    XCTAssertFalse(try Playbook.load(file: url).name.isEmpty, name)
                }
                loaded += 1
            }
        }
        XCTAssertGreaterThanOrEqual(loaded, 5)
    }

    func testDemoInventory() throws {
        let inventory = try Inventory.load(file: TestPaths.packageRoot.appendingPathComponent("Inventory/demo.yml"))
        let hosts = try inventory.hosts()
        XCTAssertEqual(hosts.map(\.name), ["host1", "host2", "host3", "host4"])
        XCTAssertEqual(hosts.map(\.address), (1...4).map { "127.0.10.\($0)" })
        for host in hosts {
            XCTAssertEqual(host.port, 2222)
            XCTAssertEqual(host.user, "root")
            XCTAssertEqual(host.keyFile?.path, "/var/tmp/lostmail-fleet/client/id_ed25519")
            XCTAssertEqual(host.knownHosts?.path, "/var/tmp/lostmail-fleet/client/known_hosts")
            XCTAssertEqual(host.hostKeyPolicy, .strict)
        }
        XCTAssertEqual(inventory.forks, 10)
    }

    func testExampleInventory() throws {
        let inventory = try Inventory.load(file: TestPaths.packageRoot.appendingPathComponent("Inventory/example.yml"))
        let mx = try inventory.hosts(limit: "mx")
        XCTAssertEqual(mx.map(\.name), (1...4).map { "mx\($0).schwarzwald-hosting.de" })
        let mx4 = try XCTUnwrap(mx.last)
        XCTAssertEqual(mx4.address, "10.1.2.14")
        XCTAssertEqual(mx4.port, 2202)
        XCTAssertEqual(mx4.timeouts.hostDeadline, 5400)
        XCTAssertEqual(mx4.timeouts.connect, 15)
        XCTAssertEqual(mx4.vars["qmail_concurrencyremote"], .int(60))
        XCTAssertEqual(mx4.groups, ["freiburg", "mx", "senders"])
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        XCTAssertEqual(mx4.keyFile?.path, home + "/.ssh/id_ed25519_fleet")
        XCTAssertEqual(try inventory.hosts(limit: "legacy").first?.user, "admin")
        XCTAssertEqual(try inventory.hosts(limit: "legacy").first?.jumpHosts,
                       [JumpHost(user: "admin", host: "gw.schwarzwald-hosting.de", port: 2222)])
        XCTAssertEqual(try inventory.hosts(limit: "senders").count, 6)
        XCTAssertEqual(inventory.forks, 20)
        // The command documented at the top of example.yml.
        XCTAssertEqual(try inventory.hosts(limit: "mx:!mx3.schwarzwald-hosting.de").map(\.name),
                       ["mx1.schwarzwald-hosting.de", "mx2.schwarzwald-hosting.de", "mx4.schwarzwald-hosting.de"])
    }

    func testOriginalIncidentPlaybook() throws {
        let url = TestPaths.packageRoot.appendingPathComponent("Playbooks/lost-mails.yml")
        let playbook = try Playbook.load(file: url)
        XCTAssertEqual(playbook.kind, .incident)
        let window = try XCTUnwrap(playbook.window)
        XCTAssertEqual(window.timeZone.identifier, "Europe/Berlin")
        // 13:40 CEST is 11:40 UTC.
        XCTAssertEqual(window.from, utc("2020-05-26T11:40:00Z"))
        XCTAssertEqual(window.until, utc("2020-05-26T14:04:00Z"))
        XCTAssertEqual(playbook.accounts, .standard)
        XCTAssertEqual(playbook.output.relativePath, "logs/lost-mails.log")
        XCTAssertEqual(playbook.output.mode, 0o600)
        let notification = try XCTUnwrap(playbook.notification)
        let templates = url.deletingLastPathComponent().appendingPathComponent("templates")
        XCTAssertEqual(notification.templates["de"]?.path,
                       templates.appendingPathComponent("lost-mails.de.mustache").standardizedFileURL.path)
        XCTAssertEqual(notification.templates["en"]?.lastPathComponent, "lost-mails.en.mustache")
        XCTAssertEqual(notification.recipient, .addressTemplate("{{account}}@{{host}}"))
        XCTAssertEqual(notification.relay?.password, .environment("LOSTMAIL_SMTP_PASSWORD"))
        XCTAssertEqual(notification.relay?.tls, .starttlsRequired)
    }

    func testCorpusPlaybook() throws {
        let playbook = try Playbook.load(file: TestPaths.packageRoot.appendingPathComponent("Playbooks/corpus-incident.yml"))
        XCTAssertEqual(playbook.window?.from, utc("2026-11-29T05:13:54Z"))
        XCTAssertEqual(playbook.window?.until, utc("2026-11-29T05:18:55Z"))
        XCTAssertEqual(playbook.window?.timeZone.identifier, "Europe/Berlin")
        XCTAssertEqual(playbook.signatures, [.unableToRunQmailRemote])
    }

    func testAuditPlaybook() throws {
        let playbook = try Playbook.load(file: TestPaths.packageRoot.appendingPathComponent("Playbooks/audit.yml"))
        XCTAssertEqual(playbook.kind, .audit)
        XCTAssertNil(playbook.window)
        let matches = playbook.signatures.map(\.match)
        XCTAssertTrue(matches.contains(.delivery(result: .failure, contains: "Unable_to_run_qmail-remote")))
        XCTAssertTrue(matches.contains(.delivery(result: .failure, contains: "Unable_to_run_qmail-local")))
        XCTAssertTrue(matches.contains(.delivery(result: .deferral, contains: "qmail-remote_crashed")))
        XCTAssertTrue(matches.contains(.tripleBounce))
        XCTAssertTrue(matches.contains(.deferralSpike(.init(thresholdRatio: 5, minDeliveries: 50, windowMinutes: 15))))
    }

    private func utc(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }
}
