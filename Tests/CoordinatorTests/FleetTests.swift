import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// One place builds the hosts, forks, connector and deadline of respond, audit, resume and ping.
final class FleetTests: XCTestCase {
    private var work: TempDir!
    private var inventory: URL!

    override func setUpWithError() throws {
        work = try TempDir("fleet")
        inventory = work.url.appendingPathComponent("inventory.yml")
        try """
            all:
              vars:
                ansible_user: root
                lostmail_forks: 3
              children:
                mx:
                  hosts:
                    mx1:
                      ansible_host: 127.0.0.1
                      lostmail_host_deadline: 4
                    mx2:
                      ansible_host: 127.0.0.1
                      lostmail_host_deadline: 9
              hosts:
                web1:
                  ansible_host: 127.0.0.1
                  lostmail_host_deadline: 1

            """.write(to: inventory, atomically: true, encoding: .utf8)
    }

    override func tearDown() { work.remove() }

    func testLoadSelectsByPatternAndLimitAndTakesTheInventorysForksAndTheLargestDeadline() throws {
        let all = try Fleet.load(inventory: inventory, limit: nil)
        XCTAssertEqual(Set(all.hosts.map(\.name)), ["mx1", "mx2", "web1"])
        XCTAssertEqual(all.forks, 3)
        XCTAssertEqual(all.hostDeadline, .seconds(9))
        XCTAssertEqual(all.inventoryFile, inventory)

        let limited = try Fleet.load(inventory: inventory, pattern: "mx", limit: "mx1")
        XCTAssertEqual(limited.hosts.map(\.name), ["mx1"])
        XCTAssertEqual(limited.hostDeadline, .seconds(4))
        XCTAssertThrowsError(try Fleet.load(inventory: inventory, pattern: "nowhere", limit: nil))
    }

    func testNarrowedFleetKeepsForksAndConnectorAndTakesItsOwnDeadline() throws {
        let all = try Fleet.load(inventory: inventory, limit: nil) { config in
            throw RespondHostError(host: config.name, message: "test connector")
        }
        let narrowed = all.only(["web1", "mx1"])
        XCTAssertEqual(Set(narrowed.hosts.map(\.name)), ["mx1", "web1"])
        XCTAssertEqual(narrowed.forks, 3)
        XCTAssertEqual(narrowed.hostDeadline, .seconds(4))
        XCTAssertThrowsError(try narrowed.connector(narrowed.hosts[0])) {
            XCTAssertTrue("\($0)".contains("test connector"), "\($0)")
        }
        // A respond or audit request takes all of it.
        let playbook = try Playbook.load(file: TestPaths.playbook("corpus-incident.yml"))
        let request = RespondRequest(fleet: narrowed, playbook: playbook, limit: nil,
                                     stateDirectory: work.url, check: true)
        XCTAssertEqual(request.hosts.map(\.name), narrowed.hosts.map(\.name))
        XCTAssertEqual(request.forks, 3)
        XCTAssertEqual(request.hostDeadline, .seconds(4))
        let audit = AuditRequest(fleet: all, playbook: playbook, stateDirectory: work.url)
        XCTAssertEqual(audit.hostDeadline, .seconds(9))
        XCTAssertEqual(audit.fleet.hosts.map(\.name), all.hosts.map(\.name))
    }

    func testAuditRespondRunsOnTheHostsWithFindingsOverTheirWindowOrSaysWhyNot() throws {
        let playbook = try Playbook.load(file: TestPaths.playbook("corpus-incident.yml"))
        let audit = AuditRequest(fleet: try Fleet.load(inventory: inventory, limit: nil), playbook: playbook,
                                 stateDirectory: work.url)
        let incident = AuditRespond(playbook: playbook, notification: nil)
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        func finding(_ host: String, _ logTime: Date?) -> AuditFinding {
            AuditFinding(host: host, signature: "s", kind: .delivery, logTime: logTime, file: "/l/current",
                         identity: "a", offset: 1, line: "x")
        }
        let found = AuditOutcome(run: 1, hosts: [], findings: [finding("mx2", time), finding("web1", time)])
        let request = try incident.request(after: found, audit: audit)
        XCTAssertEqual(request.hosts.map(\.name).sorted(), ["mx2", "web1"])
        XCTAssertEqual(request.hostDeadline, .seconds(9))
        XCTAssertEqual(request.limit, "mx2,web1")
        XCTAssertEqual(AuditRespond.announcement(request),
                       "respond: starting a run for 2 hosts, window 2027-01-15T08:00:00Z .. 2027-01-15T08:00:01Z")
        let timeless = AuditOutcome(run: 1, hosts: [], findings: [finding("mx1", nil)])
        XCTAssertThrowsError(try incident.request(after: timeless, audit: audit)) {
            XCTAssertEqual("\($0)", "the findings carry no log time")
        }
    }
}
